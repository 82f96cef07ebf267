"""Colour hints kept exactly: each hinted region is moved to its hint's colour, its shading kept.

A hint model (``train.py --hints``) reads the hints as channels, yet follows a hint it finds
implausible only partly (``bench/colour_hints.py``: a green dot on a red wall came out 23-40
dE00 from green). A designer who asks for ``#c0392b`` wants that colour. So after the network,
each hint's region (:func:`preprocess.hints.hint_regions`: closed by the drawing's lines, within
``REACH`` px of the dot or stroke, as LazyBrush fills regions closed by lines) takes the hint's
a*, b*, and its L* is shifted so that its mean is the hint's, keeping the network's shading
inside it. Where a region was cut
by the reach rather than by a line, the fill eases out over :data:`FEATHER` px beyond it, so an
open area (a sky) gets no hard disc edge.

A black-and-white photo has no drawn lines to close a region, and its L* is kept: there each hint's
a*, b* correction is carried along the photo's lightness instead (:mod:`postprocess.hint_propagation`,
Levin et al. 2004), in full where the hints' weight is at least :data:`FULL_WEIGHT` and easing
to none below.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy.ndimage import distance_transform_edt

from preprocess.hints import Hint, hint_regions, line_regions
from postprocess.hint_propagation import carry_along_lightness, hint_dots
from utils.cielab import image_to_lab, lab_to_rgb_keep_lightness

FEATHER = 16.0   # px: the fill eases from full to none over this distance past the reach's edge
LINE_WIDTH = 4   # px: line pixels this close to a hinted region take its colour
FULL_WEIGHT = 0.5  # a black-and-white photo: the hints' correction is applied in full where their weight
                   # reaches this, in part below (chosen by the one-hint goal: bench/results_colour_hints.md)
NEGLIGIBLE = 0.01  # ... and not at all where it would move a* or b* by less than 1 % of the correction


def _fill_weights(owner: np.ndarray, labels: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Which hint colours each pixel and how strongly: (H, W) int, 1 + the hint's index (0: none),
    and (H, W) float32 weight. 1 on each hint's region and on the line pixels on its side of the
    lines (each goes with its nearest line-closed region); where the same line-closed region
    goes on past the hint's reach (and no other hint owns it), easing to 0 over :data:`FEATHER` px."""
    dist, (iy, ix) = distance_transform_edt(owner == 0, return_indices=True)
    nearest = owner[iy, ix]                                 # the hint owning the nearest owned pixel
    touched = np.zeros((count + 1, int(labels.max()) + 1), bool)
    touched[owner, labels] = True                           # the line-closed regions each hint reaches into
    touched[:, 0] = False
    _, (ly, lx) = distance_transform_edt(labels == 0, return_indices=True)
    side = labels[ly, lx]                                   # a line pixel's nearest line-closed region
    on_line = (labels == 0) & (dist <= LINE_WIDTH) & touched[nearest, side]
    beyond = (owner == 0) & touched[nearest, labels]
    weight = np.where(owner > 0, 1.0, np.where(on_line, 1.0, np.where(beyond, np.clip(1 - dist / FEATHER, 0, 1), 0.0)))
    return np.where(weight > 0, nearest, 0), weight.astype(np.float32)


def fill_hints(rgb: np.ndarray, hints: list[Hint], sketch: np.ndarray, lightness: np.ndarray | None = None
               ) -> np.ndarray:
    """``rgb`` (H, W, 3) in [0, 1] with each hint's region moved to the hint's colour.

    ``sketch`` is the drawing the hints were placed on (same H, W); ``lightness`` (H, W) L* / 100
    of a black-and-white input, whose L* is then kept exactly (only a*, b* shift, carried along
    the lightness: :func:`fill_along_lightness`)."""
    if not hints:
        return rgb
    if lightness is not None:
        return fill_along_lightness(rgb, hints, lightness)
    labels = line_regions(sketch)
    owner, _ = hint_regions(hints, sketch, labels)
    which, weight = _fill_weights(owner, labels, len(hints))
    lab = image_to_lab(rgb)[0]                                                 # (3, H, W)
    targets = _hint_lab(hints)                                                 # (3, 1 + n)
    # each region's mean L* moves to its hint's (the network's shading kept); a*, b* become the hint's
    sums = np.bincount(owner.ravel(), weights=lab[0].numpy().ravel(), minlength=len(hints) + 1)
    sizes = np.maximum(np.bincount(owner.ravel(), minlength=len(hints) + 1), 1)
    light_shift = targets[0] - torch.from_numpy(sums / sizes).float()
    idx, wt = torch.from_numpy(which), torch.from_numpy(weight)
    out = torch.cat([lab[:1] + wt * light_shift[idx], lab[1:] + wt * (targets[1:, idx] - lab[1:])])
    out[0] = out[0].clamp(0, 100)
    filled = lab_to_rgb_keep_lightness(out[None])[0].permute(1, 2, 0).numpy()
    return np.where(weight[..., None] > 0, filled, rgb).astype(np.float32)  # the rest bit for bit as it was


def _hint_lab(hints: list[Hint]) -> torch.Tensor:
    """(3, 1 + n) CIELAB of the hints' colours, column 0 black (no hint)."""
    return image_to_lab(np.array([[(0.0, 0.0, 0.0)] + [hint.color for hint in hints]], np.float32))[0, :, 0]


def fill_along_lightness(rgb: np.ndarray, hints: list[Hint], lightness: np.ndarray) -> np.ndarray:
    """``rgb`` (a black-and-white photo's colours) with each hint's a*, b* correction carried along
    ``lightness`` (H, W, L* / 100, kept exactly): on a dot the hint's colour, around it the network's
    colours shifted by the hints' blended correction, in full where their weight is >= :data:`FULL_WEIGHT`."""
    dots = hint_dots(hints, lightness.shape)
    lab = image_to_lab(rgb)[0].numpy()                                          # (3, H, W)
    targets = _hint_lab(hints).numpy()
    correction = np.where(dots[..., None] > 0, targets[1:, dots].transpose(1, 2, 0) - lab[1:].transpose(1, 2, 0), 0)
    carried, weight = carry_along_lightness(lightness, dots, correction)
    strength = np.clip(weight / FULL_WEIGHT, 0.0, 1.0)
    strength[strength < NEGLIGIBLE] = 0.0     # the screened solution is above 0 almost everywhere
    out = lab.copy()
    out[1:] += strength[None] * carried.transpose(2, 0, 1)
    out[0] = lightness * 100.0
    filled = lab_to_rgb_keep_lightness(torch.from_numpy(out.astype(np.float32))[None])[0].permute(1, 2, 0).numpy()
    return np.where(strength[..., None] > 0, filled, rgb).astype(np.float32)  # the rest bit for bit as it was
