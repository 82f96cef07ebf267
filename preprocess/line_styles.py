"""Line drawings: what a ``lines`` model reads, and how it learns to read them from one photo.

A line drawing (an architect's pen drawing, a CAD/BIM export, an engraving) carries lines
and nothing else: no tone, any line darkness, 1-5 px strokes, wobble, gaps. Two pieces:

- :func:`normalise_drawing` reduces *any* drawing to the one form the network sees: binary
  centre lines, 1 px wide, dark (0) on white (1). The ink is measured against the paper
  (so grey pencil works like black ink) and thinned (Zhang-Suen, ``skimage.morphology.thin``),
  so stroke width and darkness stop mattering. Training and inference both end here.
- :func:`random_line_drawing` draws a photo (or an augmented patch of it) in a randomly
  chosen line style, so the network does not learn one extractor's quirks: Canny edges
  at varied smoothing and thresholds, difference-of-Gaussians outlines, or thresholded
  gradient magnitude; then strokes thickened, wobbled by a small smooth displacement,
  broken by dropout, and normalised as above. :func:`photo_line_drawing` is the one
  canonical style, used when a ``lines`` model is given a photo (``process.py --image``).

The held-out protocol (``bench/quality.py``) gives the network Canny edges of the test
photo (1-px, white background), a style inside this family but never the same draw.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage.morphology import thin

INK_THRESHOLD = 0.5  # a pixel is line when its ink (0 paper .. 1 darkest stroke) is above this


def gray_u8(photo: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB or (H, W) grey in [0, 1] -> (H, W) uint8 Rec. 601 luma."""
    if photo.ndim == 3:
        photo = photo[..., 0] * 0.299 + photo[..., 1] * 0.587 + photo[..., 2] * 0.114
    return (np.clip(photo, 0, 1) * 255 + 0.5).astype(np.uint8)


def canny_edges(gray: np.ndarray, sigma: float = 1.0, spread: float = 0.33, scale: float = 1.0,
                median: float | None = None) -> np.ndarray:
    """Canny edges (bool) of a uint8 image, thresholds ``(1 -+ spread) x median x scale``
    (the usual automatic rule; ``median`` defaults to the blurred image's own)."""
    g = cv2.GaussianBlur(gray, (0, 0), sigma) if sigma > 0 else gray
    med = float(np.median(g)) if median is None else median
    lo = int(max(0, (1.0 - spread) * med * scale))
    hi = int(min(255, (1.0 + spread) * med * scale))
    if hi <= lo:  # a black image: the automatic rule breaks down; OpenCV's customary pair
        lo, hi = 50, 150
    return cv2.Canny(g, lo, hi, L2gradient=True) > 0


def _dog_outlines(gray: np.ndarray, sigma: float, level: float) -> np.ndarray:
    """Outlines from a difference of Gaussians: where DoG crosses zero with contrast above ``level``."""
    g = gray.astype(np.float32) / 255.0
    dog = cv2.GaussianBlur(g, (0, 0), sigma) - cv2.GaussianBlur(g, (0, 0), 1.6 * sigma)
    return dog < -level


def _gradient_lines(gray: np.ndarray, sigma: float, quantile: float) -> np.ndarray:
    g = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), sigma)
    mag = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    return mag > np.quantile(mag, quantile)


def _smooth_noise(rng: np.random.Generator, shape, cells: int) -> np.ndarray:
    """Smooth random field of ``shape`` in about [-1, 1] (bicubic upsampling of a coarse grid)."""
    h, w = shape
    coarse = rng.normal(0, 1, size=(max(2, h // cells), max(2, w // cells))).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


def _wobble(lines: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """Shift lines by a smooth random displacement of about ``amplitude`` px (hand-drawn wobble)."""
    if amplitude <= 0:
        return lines
    h, w = lines.shape
    dy, dx = (_smooth_noise(rng, (h, w), 24) * amplitude for _ in range(2))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(lines.astype(np.float32), xs + dx, ys + dy, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT_101) > 0.25


def normalise_drawing(drawing: np.ndarray) -> np.ndarray:
    """Any line drawing (H, W) in [0, 1], dark lines on light paper -> 1-px binary centre lines,
    (H, W) float32, 0 on 1.

    Ink is measured from the paper (the median, since lines are sparse) to the darkest
    strokes (the 10 % quantile of the pixels darker than the paper, so however few the
    lines are), so faint pencil and black ink give the same lines; a drawing with no
    contrast has no lines."""
    d = np.asarray(drawing, dtype=np.float32)
    paper = float(np.median(d))
    marks = d[d < paper - 0.05]
    if marks.size == 0:
        return np.ones_like(d, dtype=np.float32)
    darkest = float(np.quantile(marks, 0.1))
    ink = (paper - d) / (paper - darkest)
    lines = thin(ink > INK_THRESHOLD)
    return np.where(lines, 0.0, 1.0).astype(np.float32)


def random_line_drawing(photo: np.ndarray, rng: np.random.Generator, median: float | None = None) -> np.ndarray:
    """The photo (RGB or grey, [0, 1]) drawn in a random line style, normalised:
    (H, W) float32 1-px lines 0 on white 1.

    ``median``: the whole photo's blurred median intensity (0..255), so that a patch's
    automatic Canny thresholds are set as they would be for the whole photo."""
    gray = gray_u8(photo)
    kind = rng.random()
    if kind < 0.6:
        lines = canny_edges(gray, sigma=rng.uniform(0.6, 2.5), spread=rng.uniform(0.2, 0.45),
                            scale=np.exp(rng.uniform(np.log(0.5), np.log(1.8))), median=median)
    elif kind < 0.8:
        lines = _dog_outlines(gray, sigma=rng.uniform(0.7, 2.0), level=rng.uniform(0.004, 0.03))
    else:
        lines = _gradient_lines(gray, sigma=rng.uniform(0.7, 2.0), quantile=rng.uniform(0.8, 0.95))
    thickness = int(rng.integers(1, 6))
    if thickness > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness))
        lines = cv2.dilate(lines.astype(np.uint8), kernel) > 0
    lines = _wobble(lines, rng, rng.uniform(0.0, 2.0) if rng.random() < 0.7 else 0.0)
    if rng.random() < 0.7:  # broken lines: drop the strokes under random blobs
        keep = _smooth_noise(rng, lines.shape, 12) > rng.uniform(-1.5, -0.3)
        lines &= keep
    return normalise_drawing(np.where(lines, 0.0, 1.0).astype(np.float32))


def photo_line_drawing(photo: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """The canonical line drawing of a photo: Canny edges with automatic thresholds, normalised."""
    return normalise_drawing(np.where(canny_edges(gray_u8(photo), sigma), 0.0, 1.0).astype(np.float32))


def blurred_median(photo: np.ndarray, sigma: float = 1.0) -> float:
    """Median of the Gaussian-blurred grey image (0..255): the Canny threshold reference."""
    return float(np.median(cv2.GaussianBlur(gray_u8(photo), (0, 0), sigma)))
