"""Line sketches from photos with OpenCV.

Three extractors, all returning dark lines on white as (H, W) float32 in [0, 1], the
size of the photo:

- ``canny``: Canny edges with thresholds set from the median intensity
  (0.66 x and 1.33 x the median, the usual automatic rule), on a Gaussian-blurred image;
- ``xdog``: eXtended Difference of Gaussians (Winnemoeller et al., 2012), soft ink-like lines;
- ``adaptive``: adaptive mean threshold of the blurred image (dark strokes of drawings).

Lines are then thickened (``thickness`` px) and specks smaller than ``min_area`` pixels
removed. Training and inference call :func:`extract_sketch` with the same
:class:`config.defaults.SketchConfig`, stored in every run's ``config.json``.
"""
from __future__ import annotations

import cv2
import numpy as np

from config.defaults import SketchConfig

SKETCH_METHODS = ("canny", "xdog", "adaptive")


def _gray_u8(photo: np.ndarray) -> np.ndarray:
    if photo.ndim == 3:
        photo = photo[..., 0] * 0.299 + photo[..., 1] * 0.587 + photo[..., 2] * 0.114
    return (np.clip(photo, 0, 1) * 255 + 0.5).astype(np.uint8)


def _blur(gray: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(gray, (0, 0), sigma) if sigma > 0 else gray


def canny_lines(gray: np.ndarray, sigma: float, auto_sigma: float = 0.33) -> np.ndarray:
    """Binary edge mask (bool) with median-based automatic thresholds."""
    g = _blur(gray, sigma)
    med = float(np.median(g))
    lo = int(max(0, (1.0 - auto_sigma) * med))
    hi = int(min(255, (1.0 + auto_sigma) * med))
    if hi <= lo:
        lo, hi = 50, 150
    return cv2.Canny(g, lo, hi, L2gradient=True) > 0


def xdog_lines(gray: np.ndarray, sigma: float, k: float = 1.6, p: float = 20.0, eps: float = 0.4,
               phi: float = 12.0) -> np.ndarray:
    """Soft line darkness in [0, 1] (1 = full ink) from XDoG in its sharpening form
    (Winnemoeller et al., 2012, eq. 7): S = (1 + p) G_sigma - p G_k.sigma, ink where S < eps,
    with a tanh ramp of steepness ``phi``. Dark areas get soft hatching-like tone."""
    g = gray.astype(np.float32) / 255.0
    s = max(sigma, 0.3)
    sharp = (1 + p) * cv2.GaussianBlur(g, (0, 0), s) - p * cv2.GaussianBlur(g, (0, 0), s * k)
    white = np.where(sharp >= eps, 1.0, 1.0 + np.tanh(phi * (sharp - eps)))
    return np.clip(1.0 - white, 0.0, 1.0).astype(np.float32)


def adaptive_lines(gray: np.ndarray, sigma: float, block: int = 15, c: int = 6) -> np.ndarray:
    g = _blur(gray, sigma)
    block = max(3, block | 1)
    th = cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, c)
    return th == 0


def remove_specks(lines: np.ndarray, min_area: int) -> np.ndarray:
    """Drop connected line fragments with fewer than ``min_area`` pixels (bool mask in, bool out)."""
    if min_area <= 1:
        return lines
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    return keep[labels]


def thicken(darkness: np.ndarray, thickness: int) -> np.ndarray:
    if thickness <= 1:
        return darkness
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness))
    return cv2.dilate(darkness, kernel)


def extract_sketch(photo: np.ndarray, cfg: SketchConfig | None = None) -> np.ndarray:
    """Photo (H, W, 3) or (H, W) in [0, 1] -> sketch (H, W) float32, lines 0 on white 1."""
    cfg = cfg or SketchConfig()
    if cfg.method not in SKETCH_METHODS:
        raise ValueError(f"sketch method must be one of {SKETCH_METHODS}, got {cfg.method!r}")
    gray = _gray_u8(photo)
    if cfg.method == "canny":
        dark = remove_specks(canny_lines(gray, cfg.blur_sigma), cfg.min_area).astype(np.float32)
    elif cfg.method == "adaptive":
        dark = remove_specks(adaptive_lines(gray, cfg.blur_sigma), cfg.min_area).astype(np.float32)
    else:
        soft = xdog_lines(gray, cfg.blur_sigma)
        dark = soft * remove_specks(soft > 0.5, cfg.min_area)
    dark = thicken(dark.astype(np.float32), cfg.thickness)
    return (1.0 - dark).astype(np.float32)
