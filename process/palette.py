"""Palette variants of a rendering: ``fixed`` and ``regions`` recolouring, and their scores.

``fixed``: every pixel is assigned the nearest palette colour (CIE76 distance on a lightly
smoothed Lab image, so assignments follow regions rather than noise); its a, b move to
the palette colour's and its lightness moves part of the way (``lightness``), keeping the
local lightness variation, i.e. the structure.

``regions``: with a semantic label map, each region takes one palette colour: by the
user's mapping (region -> palette index or role) or, by default, the region and palette
colours matched by lightness rank; then recoloured as in ``fixed``.

Scores: palette adherence = mean CIEDE2000 from each output pixel to its nearest palette
colour; structure kept = SSIM of the variant's L against the base rendering's L
(scikit-image, data_range=100).
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab
from skimage.metrics import structural_similarity

from config.color_palettes import Palette
from utils.errors import InputError

PALETTE_MODES = ("fixed", "learned", "regions")


def assign_nearest(lab: np.ndarray, palette: Palette, smooth: float = 2.0, l_weight: float = 0.5) -> np.ndarray:
    """Index of the nearest palette colour for each pixel of an (H, W, 3) Lab image."""
    src = cv2.GaussianBlur(lab.astype(np.float32), (0, 0), smooth) if smooth > 0 else lab
    w = np.array([l_weight, 1.0, 1.0], np.float32)
    d = (((src[:, :, None, :] - palette.lab[None, None].astype(np.float32)) * w) ** 2).sum(axis=-1)
    return np.argmin(d, axis=-1)


def recolour(lab: np.ndarray, target: np.ndarray, lightness: float, strength: float,
             l_anchor: np.ndarray | None = None) -> np.ndarray:
    """Move a, b to ``target``'s (by ``strength``) and L toward target L (by ``lightness``),
    keeping each pixel's deviation from ``l_anchor`` (default: its own L)."""
    out = lab.copy()
    anchor = lab[..., 0] if l_anchor is None else l_anchor
    out[..., 0] = np.clip(lab[..., 0] + lightness * (target[..., 0] - anchor), 0, 100)
    out[..., 1:] = lab[..., 1:] + strength * (target[..., 1:] - lab[..., 1:])
    return out


def apply_fixed(rgb: np.ndarray, palette: Palette, lightness: float = 0.6, strength: float = 1.0) -> np.ndarray:
    lab = rgb2lab(np.clip(rgb, 0, 1))
    idx = assign_nearest(lab, palette)
    target = palette.lab[idx]
    local = cv2.GaussianBlur(lab[..., 0].astype(np.float32), (0, 0), 3.0)
    return np.clip(lab2rgb(recolour(lab, target, lightness, strength, local)), 0, 1).astype(np.float32)


def region_targets(lab: np.ndarray, labels: np.ndarray, palette: Palette, mapping: dict | None = None) -> np.ndarray:
    """Palette index per region: from ``mapping`` (region -> index or role) or by lightness rank."""
    k = int(labels.max()) + 1
    out = np.zeros(k, np.int64)
    if mapping:
        for region in range(k):
            if str(region) not in mapping and region not in mapping:
                raise InputError(f"region {region} of the mask has no palette mapping (mapping covers "
                                 f"{sorted(mapping, key=str)})")
            v = mapping.get(str(region), mapping.get(region))
            if isinstance(v, str):
                idx = palette.role_index(v)
                if idx is None:
                    raise InputError(f"palette {palette.name!r} has no colour with role {v!r}")
                out[region] = idx
            elif isinstance(v, int) and 0 <= v < len(palette.lab):
                out[region] = v
            else:
                raise InputError(f"mapping of region {region}: {v!r} is neither a role nor a palette index "
                                 f"0..{len(palette.lab) - 1}")
        return out
    means = np.array([lab[..., 0][labels == r].mean() if (labels == r).any() else 50.0 for r in range(k)])
    pal_order = np.argsort(palette.lab[:, 0])
    ranks = np.argsort(np.argsort(means))
    return pal_order[np.minimum((ranks * len(pal_order)) // max(k, 1), len(pal_order) - 1)]


def apply_regions(rgb: np.ndarray, labels: np.ndarray, palette: Palette, mapping: dict | None = None,
                  lightness: float = 0.6, strength: float = 1.0) -> np.ndarray:
    if labels.shape != rgb.shape[:2]:
        raise InputError(f"mask is {labels.shape[1]}x{labels.shape[0]} but the image is "
                         f"{rgb.shape[1]}x{rgb.shape[0]}")
    lab = rgb2lab(np.clip(rgb, 0, 1))
    idx = region_targets(lab, labels, palette, mapping)[labels]
    k = int(labels.max()) + 1
    region_l = np.bincount(labels.ravel(), lab[..., 0].ravel(), k) / np.maximum(np.bincount(labels.ravel(), None, k), 1)
    return np.clip(lab2rgb(recolour(lab, palette.lab[idx], lightness, strength, region_l[labels])), 0, 1) \
        .astype(np.float32)


def palette_adherence(rgb: np.ndarray, palette: Palette) -> float:
    """Mean CIEDE2000 from each pixel to its nearest palette colour."""
    lab = rgb2lab(np.clip(rgb, 0, 1)).reshape(-1, 1, 3)
    d = np.stack([deltaE_ciede2000(lab[:, 0], np.broadcast_to(c, lab[:, 0].shape)) for c in palette.lab], axis=1)
    return float(d.min(axis=1).mean())


def structure_kept(variant: np.ndarray, base: np.ndarray) -> float:
    """SSIM of the variant's lightness against the base rendering's lightness."""
    lv, lb = rgb2lab(np.clip(variant, 0, 1))[..., 0], rgb2lab(np.clip(base, 0, 1))[..., 0]
    return float(structural_similarity(lb, lv, data_range=100))
