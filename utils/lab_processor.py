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


def delta_e00(rgb_a: np.ndarray, rgb_b: np.ndarray) -> np.ndarray:
    """Per-pixel CIEDE2000 difference between two (H, W, 3) RGB images in [0, 1]."""
    return deltaE_ciede2000(rgb2lab(np.clip(rgb_a, 0, 1)), rgb2lab(np.clip(rgb_b, 0, 1)))


def mean_chroma(rgb: np.ndarray) -> float:
    """Mean Lab chroma sqrt(a^2 + b^2) of an (H, W, 3) RGB image in [0, 1]."""
    lab = rgb2lab(np.clip(rgb, 0, 1))
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())
