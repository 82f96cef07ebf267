"""Chroma of a black-and-white model's output, smoothed along the photo's own lightness.

A black-and-white model keeps the input's L* exactly and predicts a*, b* per pixel; its
chroma flickers with texture the network half-recognises (on the sklearn temple the
predicted colour speckles where the real roof is one colour). Real chroma changes where
lightness changes: the guided filter (He, Sun & Tang 2010, *Guided Image Filtering*) fits
a*, b* inside every window as a linear function of
the input's L*, so chroma becomes flat where the photo is flat and keeps its edges where
the photo has edges. The same idea is how colorization tools upsample predicted chroma
along the full-resolution lightness.

Radius and eps were chosen on the four development cases of ``bench/quality.py`` (all of
them at once; the sweep is in ``bench/results_chroma_smoothing.md``).
"""
from __future__ import annotations

import cv2
import numpy as np
import torch

from config.defaults import BAND_ROWS
from utils.cielab import image_to_lab, rgb_with_lightness

# Guide = L* / 100, so eps is in those units: windows whose lightness varies by much less
# than sqrt(EPS) x 100 = 10 L* take the window's mean chroma; stronger edges are kept.
EPS = 0.01


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter of ``src`` (H, W, C) by a one-channel ``guide`` (H, W), windows
    (2 ``radius`` + 1) px square, reflected at the border. Box means by ``cv2.boxFilter``, whose
    cost does not grow with the radius (``kornia.filters.guided_blur`` computes the same with
    float32 convolutions, whose cost grows with the window and which are less exact; the cost
    here is measured by ``bench/chroma_smoothing.py``)."""
    def mean(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)

    g = guide[..., None]
    mean_g, mean_s = mean(guide)[..., None], mean(src)
    var_g = mean(guide * guide)[..., None] - mean_g * mean_g
    a = (mean(g * src) - mean_g * mean_s) / (var_g + eps)
    b = mean_s - a * mean_g
    return mean(a) * g + mean(b)


def smooth_chroma(rgb: np.ndarray, lightness: np.ndarray, radius: int, eps: float = EPS,
                  band: int = BAND_ROWS) -> np.ndarray:
    """``rgb`` (H, W, 3) in [0, 1] with a*, b* guided-filtered by ``lightness`` (H, W, L* / 100)
    over (2 ``radius`` + 1)-px windows; the output's L* is ``lightness`` exactly (in gamut by
    chroma reduction, as the network's own output). ``radius`` 0 returns ``rgb`` unchanged.

    Worked in bands of ``band`` rows (each with 2 ``radius`` rows of context above and below, all
    a pixel's result depends on), so a large scan's memory stays bounded as in tiled inference;
    the result is the whole-image filter's."""
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    if rgb.shape[:2] != lightness.shape:
        raise ValueError(f"rgb is {rgb.shape[:2]} but lightness is {lightness.shape}")
    if radius == 0:
        return rgb
    h = lightness.shape[0]
    out = np.empty(rgb.shape, np.float32)
    margin = 2 * radius
    for top in range(0, h, band):
        bottom = min(h, top + band)
        lo, hi = max(0, top - margin), min(h, bottom + margin)
        done = _smooth_rows(rgb[lo:hi], lightness[lo:hi], radius, eps)
        out[top:bottom] = done[top - lo:top - lo + bottom - top]
    return out


def _smooth_rows(rgb: np.ndarray, lightness: np.ndarray, radius: int, eps: float) -> np.ndarray:
    guide = np.ascontiguousarray(lightness, dtype=np.float32)
    lab = image_to_lab(rgb)
    ab = guided_filter(guide, np.ascontiguousarray(lab[0, 1:].permute(1, 2, 0).numpy()), radius, eps)
    return rgb_with_lightness(guide, torch.from_numpy(ab).permute(2, 0, 1)[None]).astype(np.float32)
