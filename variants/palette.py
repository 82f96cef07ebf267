"""Palette variants of a rendering: smooth palette-based recolouring, posterisation, and scores.

``smooth`` (default) follows Chang et al. 2015, *Palette-based Photo Recoloring* (SIGGRAPH):

1. the rendering's own k-colour palette is extracted (k-means in Lab, k = size of the
   target palette; :func:`config.color_palettes.extract_palette`);
2. each of its colours is matched to one target colour (:func:`match_palettes`: Hungarian
   assignment on chroma-plane distance plus a lightness term);
3. every pixel moves by palette offsets, smoothly:
   - a, b: the sum of the palette's ab offsets weighted by normalised radial-basis weights
     of the pixel's Lab colour (Gaussian kernel, sigma = ``rbf_scale`` x mean distance
     between palette colours, interpolating: a pixel of palette colour i moves by exactly
     offset i; negative weights clamped to 0, as in the paper);
   - L (``lightness_transfer="offsets"``, the default): the palette's L offsets with the same
     weights, the resulting offset field smoothed over the image (Gaussian, ``detail_sigma``
     px) so the shading inside a region moves as one and each pixel keeps its detail. Each
     source colour lands on its target, also where the target scheme reverses the lightness
     order of two colours (light walls to dark brick, dark trim to white) -- which the
     paper's monotone curve cannot follow (``"curve"``: one non-decreasing piecewise-linear
     L -> L' through (0, 0), the matched pairs and (100, 100), on the local mean lightness;
     a pair out of order is clamped and its colour never reached);
   - how far L moves: ``lightness`` in [0, 1] at most, and no further than keeps the
     shading: the largest fraction whose SSIM of L* against the base is at least
     ``structure_floor`` (bisection; 0.95 by default, 0: no floor). The fraction used is
     returned by :func:`smooth_variant` and reported per variant;
   - colours pushed out of the sRGB gamut lose chroma at constant L and hue until they fit
     (the paper's gamut handling is a ray cast; this keeps L, i.e. the structure, exact).
   Nearby colours move by nearly the same offset, so edges and gradients stay where they
   were and no new ones appear.

``posterize``: every pixel takes the a, b of its nearest palette colour (CIE76 on a lightly
smoothed image) and its lightness moves part of the way toward it: flat blotches with new
edges at the cluster boundaries.

``regions``: with a semantic label map, each region takes one palette colour (the user's
mapping region -> index or role, else regions and palette colours matched by lightness
rank) and is recoloured by the smooth transfer with that one colour (its mean colour moves
onto the palette colour, its shading kept; lightness by the curve on the local mean,
:func:`region_transfer`, since offsets from one colour are a constant shift); region results are blended with softened masks
so a mask boundary that is not an image edge does not become one.

Scores of a variant against the base rendering (:func:`variant_scores`):
- ``structure_ssim``: SSIM of L* (scikit-image, data_range=100);
- ``gradient_corr``: Pearson correlation of the Lab gradient magnitudes (Sobel on L*, a*, b*,
  Euclidean norm) -- new edges, or lost ones, lower it;
- ``palette_delta_e00``: the variant's own k-colour palette (k-means in Lab, k = size of the
  target palette) matched one-to-one to the target palette (Hungarian on CIEDE2000), mean
  CIEDE2000 of the pairs. This replaces the earlier adherence score (mean distance from each
  pixel to its nearest palette colour), which rewarded posterisation.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment
from skimage.color import deltaE_ciede2000
from skimage.metrics import structural_similarity

from config.color_palettes import Palette, extract_palette
from utils.cielab import gamut_map, lab_to_rgb, rgb_to_lab
from utils.errors import InputError
from utils.image_io import to_uint8

PALETTE_MODES = ("smooth", "posterize", "learned", "regions")
DEFAULT_LIGHTNESS = {"smooth": 1.0, "regions": 1.0, "posterize": 0.6, "learned": 0.0}

def _to_lab(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    return rgb_to_lab(np.asarray(rgb, np.float64))


def _to_rgb(lab: np.ndarray) -> np.ndarray:
    return lab_to_rgb(lab).astype(np.float32)


# --------------------------------------------------------------------------- smooth transfer
def match_palettes(source: np.ndarray, target: np.ndarray, by: str = "colour", l_weight: float = 0.3) -> np.ndarray:
    """Index into ``target`` for each ``source`` colour ((K, 3) and (M, 3) Lab, K <= M), one-to-one.

    Hungarian assignment. ``by="colour"``: cost = chroma-plane distance + ``l_weight`` x
    lightness difference, so a red stays with the target's red whatever their lightness
    ranks (pairs out of lightness order then get their target L clamped by the monotone
    curve). ``by="lightness"``: cost = squared lightness difference, i.e. lightness order
    (no clamping; hue plays no part). (Pairing purely by lightness order sent the bench rendering's
    small saturated red cluster to a grey-green of the same rank, where it blended away and
    the variant lost that palette colour.)"""
    if len(source) > len(target):
        raise InputError(f"cannot match {len(source)} colours onto a palette of {len(target)}")
    dl = np.abs(source[:, None, 0] - target[None, :, 0])
    dab = np.sqrt(((source[:, None, 1:] - target[None, :, 1:]) ** 2).sum(-1))
    if by == "colour":
        cost = dab + l_weight * dl
    elif by == "lightness":
        cost = dl ** 2 + 1e-3 * dab   # ties broken by colour
    else:
        raise ValueError(f"match must be 'colour' or 'lightness', got {by!r}")
    rows, cols = linear_sum_assignment(cost)
    out = np.empty(len(source), np.int64)
    out[rows] = cols
    return out


def lightness_curve(src_l: np.ndarray, dst_l: np.ndarray):
    """Monotone piecewise-linear L -> L' through (0, 0), the (src, dst) pairs and (100, 100).

    Pairs are sorted by source L; target values are made non-decreasing (running maximum),
    as the paper does when an edit would break the lightness order."""
    order = np.argsort(src_l, kind="stable")
    # Interior knots strictly inside (0, 100) and strictly increasing (equal source lightness
    # would make np.interp ambiguous); the end points stay exactly (0, 0) and (100, 100).
    inner = np.clip(np.asarray(src_l, float)[order], 1e-3, 100 - 1e-3) + np.arange(len(order)) * 1e-6
    xs = np.concatenate([[0.0], inner, [100.0]])
    ys = np.concatenate([[0.0], np.clip(np.asarray(dst_l, float)[order], 0, 100), [100.0]])
    ys = np.maximum.accumulate(ys)
    return lambda L: np.interp(L, xs, ys)


def rbf_weights(lab: np.ndarray, palette_lab: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """(..., K) normalised radial-basis weights of each colour over a (K, 3) Lab palette.

    Gaussian phi(r) = exp(-r^2 / (2 sigma^2)), sigma = ``scale`` x mean pairwise palette
    distance (the paper: scale 1); the weights interpolate (colour i -> one-hot i);
    negatives clamped to 0, then normalised."""
    k = len(palette_lab)
    if k == 1:
        return np.ones(lab.shape[:-1] + (1,))
    pd = np.sqrt(((palette_lab[:, None] - palette_lab[None]) ** 2).sum(-1))
    sigma = max(scale * pd[np.triu_indices(k, 1)].mean(), 1e-3)
    phi = np.exp(-pd ** 2 / (2 * sigma ** 2))
    lam = np.linalg.solve(phi + 1e-8 * np.eye(k), np.eye(k))     # (K, K): w(C_j) = delta
    d2 = ((lab[..., None, :] - palette_lab) ** 2).sum(-1)        # (..., K)
    w = np.exp(-d2 / (2 * sigma ** 2)) @ lam
    w = np.maximum(w, 0)
    s = w.sum(-1, keepdims=True)
    # A colour with every weight clamped away (far outside the palette): nearest colour wins.
    nearest = np.eye(k)[np.argmin(d2, axis=-1)]
    return np.where(s > 1e-12, w / np.maximum(s, 1e-12), nearest)


LIGHTNESS_TRANSFERS = ("offsets", "curve")
STRUCTURE_FLOOR = 0.95   # default: a variant's SSIM of L* against the base (the structure goal)
SSIM_MIN_SIDE = 7        # scikit-image's SSIM window: smaller images have no structure score, and no floor


@dataclass
class SmoothTransfer:
    """Settings of the smooth transfer; chosen on the held-out renderings of
    ``bench/colour_control.py`` (the bundled sample's, and with ``--also`` those of the other
    development cases), whose ``paper`` rows (curve per pixel, rbf_scale=1, lightness
    pairing) show the difference."""
    lightness: float = 1.0         # how far L moves toward the target, at most, 0..1 (paper: 1)
    lightness_transfer: str = "offsets"  # offsets | curve (module docstring)
    detail_sigma: float = 8.0      # px; the lightness change is smoothed over the image with this Gaussian
                                   # (offsets: the offset field; curve: the curve moves the local mean L)
                                   # so each pixel keeps its detail; 0: per pixel (curve: the paper exactly,
                                   # which flattens the shading where the curve squeezes a lightness range)
    rbf_scale: float = 0.3         # RBF sigma as a fraction of the mean palette distance (paper: 1,
                                   # which blends neighbouring offsets so much that a small cluster
                                   # loses its colour)
    match: str = "colour"          # colour | lightness: how source and target colours are paired
    structure_floor: float = STRUCTURE_FLOOR  # L moves no further than keeps SSIM(L*) >= this (0: no floor)


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(x, (0, 0), sigma) if sigma > 0 else x


def transfer_parts(lab: np.ndarray, source: np.ndarray, target: np.ndarray,
                   settings: SmoothTransfer | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The transfer of an (..., 3) Lab image from palette ``source`` to ``target`` ((K, 3) each,
    paired by row), before lightness is scaled: (the moved a*, b* (..., 2), the full change of L
    (...)). With ``detail_sigma`` > 0, ``lab`` must be an (H, W, 3) image."""
    st = settings or SmoothTransfer()
    if st.lightness_transfer not in LIGHTNESS_TRANSFERS:
        raise ValueError(f"lightness_transfer must be one of {LIGHTNESS_TRANSFERS}, got {st.lightness_transfer!r}")
    if st.detail_sigma > 0 and lab.ndim != 3:
        raise ValueError(f"detail_sigma > 0 needs an (H, W, 3) Lab image, got shape {lab.shape}")
    w = rbf_weights(lab, source, st.rbf_scale)                     # (..., K)
    ab = lab[..., 1:] + w @ (target[:, 1:] - source[:, 1:])
    L = lab[..., 0].astype(np.float64)
    if st.lightness_transfer == "offsets":
        change = _smooth(w @ (target[:, 0] - source[:, 0]), st.detail_sigma)
    else:
        local = _smooth(L, st.detail_sigma)                         # local mean L
        change = lightness_curve(source[:, 0], target[:, 0])(local) - local
    return ab, change


def _compose(lab: np.ndarray, ab: np.ndarray, change: np.ndarray, fraction: float) -> np.ndarray:
    out = np.empty(lab.shape, np.float64)
    out[..., 0] = np.clip(lab[..., 0] + fraction * change, 0, 100)
    out[..., 1:] = ab
    return gamut_map(out)


def transfer_lab(lab: np.ndarray, source: np.ndarray, target: np.ndarray,
                 settings: SmoothTransfer | None = None) -> np.ndarray:
    """Move an (..., 3) Lab image from palette ``source`` to ``target`` ((K, 3) each, paired by
    row), L by the fraction ``settings.lightness`` (no structure floor: see :func:`smooth_variant`)."""
    st = settings or SmoothTransfer()
    ab, change = transfer_parts(lab, source, target, st)
    return _compose(lab, ab, change, st.lightness)


def floor_fraction(lightness: np.ndarray, change: np.ndarray, most: float, floor: float, steps: int = 10) -> float:
    """The largest fraction f <= ``most`` of the lightness ``change`` (H, W) for which the SSIM of
    L* + f x change against L* (data_range=100) is at least ``floor``; ``most`` when it already is
    (or ``floor`` is 0). Bisection to 2^-``steps`` of ``most``; f = 0 always qualifies (SSIM 1)."""
    def ssim(f: float) -> float:
        return structural_similarity(lightness, np.clip(lightness + f * change, 0, 100), data_range=100)

    if floor <= 0 or most <= 0 or min(lightness.shape) < SSIM_MIN_SIDE or ssim(most) >= floor:
        return most
    lo, hi = 0.0, most
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ssim(mid) >= floor else (lo, mid)
    return lo


def smooth_plan(rgb: np.ndarray, palette: Palette, match: str = "colour") -> tuple[np.ndarray, np.ndarray]:
    """The rendering's own palette (k-means in Lab, k = palette size) and the target colour paired with each."""
    source = extract_palette(rgb, len(palette.lab)).lab
    return source, palette.lab[match_palettes(source, palette.lab, match)]


def smooth_variant(rgb: np.ndarray, palette: Palette, settings: SmoothTransfer | None = None) -> tuple[np.ndarray, float]:
    """Smooth palette-based recolouring of an (H, W, 3) image in [0, 1] onto ``palette``:
    (the variant, the fraction of the lightness change it moved: ``settings.lightness`` or less,
    to keep ``settings.structure_floor``)."""
    st = settings or SmoothTransfer()
    lab = _to_lab(rgb)
    source, target = smooth_plan(rgb, palette, st.match)
    ab, change = transfer_parts(lab, source, target, st)
    fraction = floor_fraction(lab[..., 0], change, st.lightness, st.structure_floor)
    out = _to_rgb(_compose(lab, ab, change, fraction))
    # The floor holds on the images as written (8-bit PNGs of the base and the variant), not only
    # on L* + f x change: the round trip costs ~2e-4 of SSIM, so step back while it falls short.
    step = st.lightness / 2 ** 10
    base8 = _as_written(rgb)
    while (st.structure_floor > 0 and fraction > 0 and min(rgb.shape[:2]) >= SSIM_MIN_SIDE
           and structure_kept(_as_written(out), base8) < st.structure_floor):
        fraction = max(fraction - step, 0.0)
        out = _to_rgb(_compose(lab, ab, change, fraction))
    return out, fraction


def _as_written(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` as ``utils.image_io.write_image`` stores it (8 bits a channel)."""
    return to_uint8(rgb).astype(np.float32) / 255.0


def apply_smooth(rgb: np.ndarray, palette: Palette, lightness: float = 1.0,
                 settings: SmoothTransfer | None = None) -> np.ndarray:
    """:func:`smooth_variant`'s image, with L moving ``lightness`` of the way at most."""
    return smooth_variant(rgb, palette, replace(settings or SmoothTransfer(), lightness=lightness))[0]


# --------------------------------------------------------------------------- posterize
def assign_nearest(lab: np.ndarray, palette: Palette, smooth: float = 2.0, l_weight: float = 0.5) -> np.ndarray:
    """Index of the nearest palette colour for each pixel of an (H, W, 3) Lab image."""
    src = cv2.GaussianBlur(lab.astype(np.float32), (0, 0), smooth) if smooth > 0 else lab
    w = np.array([l_weight, 1.0, 1.0], np.float32)
    d = (((src[:, :, None, :] - palette.lab[None, None].astype(np.float32)) * w) ** 2).sum(axis=-1)
    return np.argmin(d, axis=-1)


def apply_posterize(rgb: np.ndarray, palette: Palette, lightness: float = 0.6, strength: float = 1.0) -> np.ndarray:
    """Nearest-colour recolouring: a, b of the nearest palette colour, L part of the way (posterises)."""
    lab = _to_lab(rgb)
    target = palette.lab[assign_nearest(lab, palette)]
    local = cv2.GaussianBlur(lab[..., 0].astype(np.float32), (0, 0), 3.0)
    out = lab.copy()
    out[..., 0] = np.clip(lab[..., 0] + lightness * (target[..., 0] - local), 0, 100)
    out[..., 1:] = lab[..., 1:] + strength * (target[..., 1:] - lab[..., 1:])
    return _to_rgb(out)


# --------------------------------------------------------------------------- regions
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
            elif isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(palette.lab):
                out[region] = v
            else:
                raise InputError(f"mapping of region {region}: {v!r} is neither a role nor a palette index "
                                 f"0..{len(palette.lab) - 1}")
        return out
    means = np.array([lab[..., 0][labels == r].mean() if (labels == r).any() else 50.0 for r in range(k)])
    pal_order = np.argsort(palette.lab[:, 0])
    ranks = np.argsort(np.argsort(means))
    return pal_order[np.minimum((ranks * len(pal_order)) // max(k, 1), len(pal_order) - 1)]


def region_transfer(lightness: float) -> SmoothTransfer:
    """The transfer inside one mask region: one source colour, so palette offsets would shift its
    L* by a constant (clipping at 0 and 100); the lightness curve on the local mean (24 px) moves
    it as a range, its shading kept, as before the offsets became the smooth default."""
    return SmoothTransfer(lightness=lightness, lightness_transfer="curve", detail_sigma=24.0, structure_floor=0.0)


def apply_regions(rgb: np.ndarray, labels: np.ndarray, palette: Palette, mapping: dict | None = None,
                  lightness: float = 1.0, feather: float = 1.5) -> np.ndarray:
    """Each mask region's mean colour moved onto its palette colour by the smooth transfer.

    ``labels``: (H, W) integer regions 0..R-1; ``feather``: sigma (px) of the soft masks
    that blend the per-region results."""
    if labels.shape != rgb.shape[:2]:
        raise InputError(f"mask is {labels.shape[1]}x{labels.shape[0]} but the image is "
                         f"{rgb.shape[1]}x{rgb.shape[0]}")
    lab = _to_lab(rgb)
    targets = region_targets(lab, labels, palette, mapping)
    acc = np.zeros_like(lab)
    wsum = np.zeros(labels.shape)
    for region in np.unique(labels):
        inside = labels == region
        source = lab[inside].mean(axis=0, keepdims=True)            # (1, 3): the region's colour
        moved = transfer_lab(lab, source, palette.lab[targets[region]][None], region_transfer(lightness))
        soft = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), feather) if feather > 0 else inside * 1.0
        acc += soft[..., None] * moved
        wsum += soft
    return _to_rgb(acc / np.maximum(wsum, 1e-6)[..., None])


# --------------------------------------------------------------------------- scores
def structure_kept(variant: np.ndarray, base: np.ndarray) -> float:
    """SSIM of the variant's L* against the base rendering's L* (data_range=100)."""
    lv, lb = _to_lab(variant)[..., 0], _to_lab(base)[..., 0]
    return float(structural_similarity(lb, lv, data_range=100))


def gradient_magnitude(rgb: np.ndarray) -> np.ndarray:
    """(H, W) Euclidean norm of the Sobel gradients of L*, a*, b*."""
    lab = _to_lab(rgb).astype(np.float32)
    gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
    return np.sqrt((gx ** 2 + gy ** 2).sum(-1))


def gradient_correlation(variant: np.ndarray, base: np.ndarray) -> float:
    """Pearson correlation of the Lab gradient magnitudes of the variant and the base (1 = same edges)."""
    gv, gb = gradient_magnitude(variant).ravel(), gradient_magnitude(base).ravel()
    if gv.std() < 1e-8 or gb.std() < 1e-8:   # a flat image: the same edges (none) iff both are flat
        return 1.0 if gv.std() < 1e-8 and gb.std() < 1e-8 else 0.0
    return float(np.corrcoef(gv, gb)[0, 1])


def palette_delta_e00(variant: np.ndarray, palette: Palette) -> float:
    """The variant's own k-colour palette (k-means in Lab, k = palette size) matched one-to-one to
    ``palette`` (Hungarian on CIEDE2000): the mean CIEDE2000 over the target colours.

    If the variant has fewer distinct colours than k, a target colour left unmatched counts
    with its distance to the nearest variant colour."""
    own = extract_palette(variant, len(palette.lab)).lab
    d = deltaE_ciede2000(palette.lab[:, None, :], own[None, :, :])   # (K target, K' own)
    rows, cols = linear_sum_assignment(d)
    per_target = d.min(axis=1)
    per_target[rows] = d[rows, cols]
    return float(per_target.mean())


def variant_scores(variant: np.ndarray, base: np.ndarray, palette: Palette | None = None) -> dict:
    out = {"structure_ssim": structure_kept(variant, base), "gradient_corr": gradient_correlation(variant, base)}
    if palette is not None:
        out["palette_delta_e00"] = palette_delta_e00(variant, palette)
    return out


SCORE_DOC = {
    "structure_ssim": "SSIM (scikit-image, data_range=100) of the variant's L* against the base rendering's "
                      "(goal >= 0.95)",
    "gradient_corr": "Pearson correlation of Lab gradient magnitudes (Sobel on L*, a*, b*) of the variant and "
                     "the base; new or lost edges lower it (goal >= 0.9)",
    "palette_delta_e00": "the variant's own k-colour palette (k-means in Lab, k = target size) matched one-to-one "
                         "to the target palette (Hungarian), mean CIEDE2000 (goal <= 8); replaces the earlier "
                         "per-pixel distance to the nearest palette colour, which rewarded posterisation",
}
