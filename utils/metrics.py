"""Image quality metrics, with the exact settings written down once.

PSNR and SSIM are scikit-image's (``skimage.metrics``) on (H, W, 3) float images in
[0, 1] with ``data_range=1`` and ``channel_axis=-1`` (SSIM: default 7x7 uniform window). PSNR is
scikit-image's formula written out (``10 log10(data_range^2 / MSE)`` in float64; a test checks it
equals ``peak_signal_noise_ratio``): importing that function loads ``scipy.stats``, a noticeable
share of every training run's start-up.
Colour difference is the mean CIEDE2000 (Delta E 00) over pixels, via ``skimage.color``.
"""
from __future__ import annotations

import numpy as np
import torch
from skimage.metrics import structural_similarity

from utils.cielab import delta_e00, mean_chroma, photo_lightness, rgb_to_lab, rgb_with_lightness

METRIC_SETTINGS = {
    "library": "scikit-image",
    "images": "float RGB in [0, 1], shape (H, W, 3)",
    "psnr": "10 log10(1 / mean((target - pred)^2)) in float64: skimage.metrics.peak_signal_noise_ratio's "
            "formula with data_range=1",
    "ssim": "skimage.metrics.structural_similarity(target, pred, data_range=1, channel_axis=-1)",
    "delta_e00": "mean of skimage.color.deltaE_ciede2000 on CIELAB (D65) from utils.cielab.rgb_to_lab (kornia)",
    "chroma_ratio": "mean Lab chroma of pred / mean Lab chroma of target",
}


def psnr(pred: np.ndarray, target: np.ndarray) -> float:
    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and target {target.shape} differ in shape")
    mse = np.mean((target.astype(np.float64) - np.clip(pred, 0, 1).astype(np.float64)) ** 2)
    with np.errstate(divide="ignore"):  # identical images: inf, as scikit-image gives
        return float(10 * np.log10(1.0 / mse))


def ssim(pred: np.ndarray, target: np.ndarray) -> float:
    return float(structural_similarity(target.astype(np.float64), np.clip(pred, 0, 1).astype(np.float64),
                                       data_range=1, channel_axis=-1))


def image_metrics(pred: np.ndarray, target: np.ndarray, full: bool = True) -> dict:
    """PSNR, SSIM and (when ``full``) mean Delta E 00 and chroma ratio of ``pred`` against ``target``."""
    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and target {target.shape} differ in shape")
    out = {"psnr": psnr(pred, target), "ssim": ssim(pred, target)}
    if full:
        out["delta_e00"] = float(delta_e00(pred, target).mean())
        tc = mean_chroma(target)
        out["chroma_ratio"] = mean_chroma(pred) / tc if tc > 0 else float("nan")
    return out


def mean_colour_baseline(train_photo: np.ndarray, shape) -> np.ndarray:
    """Every pixel set to the training photo's mean colour: the floor any method must beat."""
    return np.broadcast_to(train_photo.reshape(-1, 3).mean(axis=0), shape).astype(np.float32)


def lightness_mean_chroma_baseline(train_photo: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """The floor for black-and-white input: ``photo``'s own L* with the training photo's mean a*, b*,
    in gamut as a render's colours are (chroma reduced, the L* kept exactly)."""
    return mean_chroma_at(train_photo, photo_lightness(photo))


def mean_chroma_at(train_photo: np.ndarray, lightness: np.ndarray) -> np.ndarray:
    """:func:`lightness_mean_chroma_baseline` of an input given as its (H, W) L* / 100 ``lightness``
    (an aged print's, a restored one): that lightness with the training photo's mean a*, b*."""
    ab = rgb_to_lab(np.asarray(train_photo, np.float32))[..., 1:].reshape(-1, 2).mean(axis=0)
    return rgb_with_lightness(lightness, torch.from_numpy(np.ascontiguousarray(
        np.broadcast_to(ab[:, None, None], (2, *lightness.shape)), np.float32))[None])


EDGE_TOLERANCE = 2.0  # px: an output edge and a drawn line match within this distance


def drawing_fidelity(pred: np.ndarray, sketch: np.ndarray, tolerance: float = EDGE_TOLERANCE) -> dict:
    """How well the output's edges follow a line drawing: precision, recall and F1.

    Edges of ``pred`` (H, W, 3 RGB): scikit-image Canny on CIE L*, sigma 1.5, thresholds at the
    70th / 90th percentiles of the gradient magnitude (``use_quantiles=True``). Lines of
    ``sketch`` (H, W, lines 0 on white 1): pixels below 0.5. An edge pixel is matched when a line
    pixel lies within ``tolerance`` px of it (precision), a line pixel when an edge pixel does
    (recall); distances by the Euclidean distance transform."""
    from scipy.ndimage import distance_transform_edt
    from skimage.feature import canny

    if pred.shape[:2] != sketch.shape:
        raise ValueError(f"prediction {pred.shape[:2]} and drawing {sketch.shape} differ in size")
    lightness = photo_lightness(pred) * 100
    lines = sketch < 0.5
    if np.ptp(lightness) < 1e-3 or not lines.any():  # a flat picture has no edges (quantiles of 0 mark ties)
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    edges = canny(lightness, sigma=1.5, low_threshold=0.7, high_threshold=0.9, use_quantiles=True)
    if not edges.any():
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision = float((distance_transform_edt(~lines)[edges] <= tolerance).mean())
    recall = float((distance_transform_edt(~edges)[lines] <= tolerance).mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
