"""CIELAB helpers: scaling Lab to the network's range, and colour difference on arrays.

Lab as kornia and scikit-image give it has L in [0, 100] and a, b in about [-128, 127]
(D65 white). The network sees ``(L / 100, a / 128, b / 128)``.
"""
from __future__ import annotations

import numpy as np
import torch
from skimage.color import deltaE_ciede2000, rgb2lab

AB_SCALE = 128.0


def lab_to_normalised(lab: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) Lab -> (L/100, a/128, b/128)."""
    return torch.cat([lab[:, :1] / 100.0, lab[:, 1:] / AB_SCALE], dim=1)


def normalised_to_lab(x: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`lab_to_normalised`; L is clamped to [0, 100]."""
    return torch.cat([x[:, :1].clamp(0, 1) * 100.0, x[:, 1:] * AB_SCALE], dim=1)


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] -> linear light (IEC 61966-2-1)."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def gray_lightness(gray: np.ndarray) -> np.ndarray:
    """CIE L* / 100 of grey pixels (R = G = B = ``gray``, sRGB, [0, 1]): (H, W) float32 in [0, 1].

    Equal to ``rgb2lab`` of the grey RGB image, without building it (Y = linear value, D65)."""
    y = srgb_to_linear(np.clip(gray, 0, 1))
    f = np.where(y > (6 / 29) ** 3, np.cbrt(y), y / (3 * (6 / 29) ** 2) + 4 / 29)
    return ((116 * f - 16) / 100).astype(np.float32)


def photo_lightness(photo: np.ndarray) -> np.ndarray:
    """CIE L* / 100 of an (H, W, 3) RGB photo in [0, 1] (what a black-and-white print of it keeps)."""
    return (rgb2lab(np.clip(photo, 0, 1))[..., 0] / 100).astype(np.float32)


def lightness_to_gray(lightness: np.ndarray) -> np.ndarray:
    """Inverse of :func:`gray_lightness`: the sRGB grey value with L* / 100 = ``lightness``."""
    fy = (np.clip(lightness, 0, 1) * 100 + 16) / 116
    y = np.where(fy > 6 / 29, fy ** 3, 3 * (6 / 29) ** 2 * (fy - 4 / 29))
    v = np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.power(np.maximum(y, 0), 1 / 2.4) - 0.055)
    return np.clip(v, 0, 1).astype(np.float32)


def delta_e00(rgb_a: np.ndarray, rgb_b: np.ndarray) -> np.ndarray:
    """Per-pixel CIEDE2000 difference between two (H, W, 3) RGB images in [0, 1]."""
    return deltaE_ciede2000(rgb2lab(np.clip(rgb_a, 0, 1)), rgb2lab(np.clip(rgb_b, 0, 1)))


def mean_chroma(rgb: np.ndarray) -> float:
    """Mean Lab chroma sqrt(a^2 + b^2) of an (H, W, 3) RGB image in [0, 1]."""
    lab = rgb2lab(np.clip(rgb, 0, 1))
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())
