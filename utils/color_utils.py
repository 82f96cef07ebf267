"""Colour spaces the network predicts in, and the conversions between them.

The network always predicts three channels in a *model space* scaled to about [0, 1]:

- ``rgb``: R, G, B in [0, 1];
- ``hsv``: H / 2pi in [0, 1) (circular: 0 and 1 are the same hue), S, V in [0, 1];
- ``lab``: L / 100 in [0, 1], a / 128 and b / 128 in about [-1, 1] (see ``utils.lab_processor``).

Conversions use kornia (``kornia.color.rgb_to_hsv`` returns H in [0, 2pi]). Tensors are
(B, 3, H, W). Hue distances are taken the short way round the circle, so a prediction of
0.99 for a target of 0.01 costs 0.02, not 0.98.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import torch

# kornia imports its geometry package, which uses the deprecated torch.jit.script decorator.
warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*", category=FutureWarning)
import kornia.color as kc  # noqa: E402

from utils.lab_processor import lab_to_normalised, normalised_to_lab

COLOR_SPACES = ("rgb", "hsv", "lab")


def _check_space(space: str) -> None:
    if space not in COLOR_SPACES:
        raise ValueError(f"colour space must be one of {COLOR_SPACES}, got {space!r}")


def _check_image(x: torch.Tensor) -> None:
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"expected a tensor of shape (B, 3, H, W), got {tuple(x.shape)}")


def rgb_to_space(rgb: torch.Tensor, space: str) -> torch.Tensor:
    """RGB in [0, 1], (B, 3, H, W) -> model space (see module docstring)."""
    _check_space(space)
    _check_image(rgb)
    if space == "rgb":
        return rgb
    if space == "hsv":
        hsv = kc.rgb_to_hsv(rgb.clamp(0, 1))
        return torch.cat([hsv[:, :1] / (2 * math.pi), hsv[:, 1:]], dim=1)
    return lab_to_normalised(kc.rgb_to_lab(rgb.clamp(0, 1)))


def space_to_rgb(x: torch.Tensor, space: str) -> torch.Tensor:
    """Model space -> RGB in [0, 1]. Hue is taken modulo 1, so any real hue is valid."""
    _check_space(space)
    _check_image(x)
    if space == "rgb":
        return x.clamp(0, 1)
    if space == "hsv":
        h = torch.remainder(x[:, :1], 1.0) * (2 * math.pi)
        sv = x[:, 1:].clamp(0, 1)
        return kc.hsv_to_rgb(torch.cat([h, sv], dim=1)).clamp(0, 1)
    return lab_to_rgb_keep_lightness(normalised_to_lab(x))


def image_to_lab(rgb: np.ndarray) -> torch.Tensor:
    """An (H, W, 3) RGB image in [0, 1] (numpy) -> CIELAB (1, 3, H, W) float32 tensor."""
    return kc.rgb_to_lab(torch.from_numpy(np.ascontiguousarray(rgb, np.float32)).permute(2, 0, 1)[None])


def rgb_with_lightness(lightness: np.ndarray, ab: torch.Tensor) -> np.ndarray:
    """(H, W, 3) RGB with L* exactly ``lightness`` (H, W) L* / 100 (a black-and-white input's own)
    and the colour ``ab`` (1, 2, H, W) a*, b*, in gamut by chroma reduction
    (:func:`lab_to_rgb_keep_lightness`): the one way a black-and-white model's output keeps its input's L*."""
    light = torch.from_numpy(np.asarray(lightness, np.float32))[None, None] * 100.0
    return lab_to_rgb_keep_lightness(torch.cat([light, ab.float()], dim=1))[0].permute(1, 2, 0).numpy()


def lab_to_rgb_keep_lightness(lab: torch.Tensor, iters: int = 12) -> torch.Tensor:
    """Lab (B, 3, H, W) -> RGB in [0, 1], bringing out-of-gamut colours into gamut by reducing
    their chroma (bisection on a per-pixel scale of a*, b*) instead of clipping R, G, B, so
    L* and hue stay what they were (clipping changes lightness; grey is always in gamut).
    Only the out-of-gamut pixels are bisected."""
    rgb = kc.lab_to_rgb(lab, clip=False)
    outside = ((rgb < 0) | (rgb > 1)).any(dim=1)                                # (B, H, W)
    if not bool(outside.any()):
        return rgb
    px = lab.permute(0, 2, 3, 1)[outside]                                       # (N, 3)
    light, ab = px[:, :1], px[:, 1:]
    lo = torch.zeros_like(light)
    hi = torch.ones_like(light)
    eps = 1e-4

    def to_rgb(colours: torch.Tensor) -> torch.Tensor:                          # (N, 3) Lab -> (N, 3) RGB
        return kc.lab_to_rgb(colours.T[None, :, :, None], clip=False)[0, :, :, 0].T

    for _ in range(iters):
        mid = (lo + hi) / 2
        trial = to_rgb(torch.cat([light, ab * mid], dim=1))
        ok = ((trial >= -eps) & (trial <= 1 + eps)).all(dim=1, keepdim=True)
        lo, hi = torch.where(ok, mid, lo), torch.where(ok, hi, mid)
    out = rgb.permute(0, 2, 3, 1).clone()
    out[outside] = to_rgb(torch.cat([light, ab * lo], dim=1)).clamp(0, 1).to(out.dtype)
    return out.permute(0, 3, 1, 2)


def activate(raw: torch.Tensor, space: str) -> torch.Tensor:
    """Map the network's unbounded output to the valid range of ``space``.

    RGB and S, V, L use a sigmoid; a, b use tanh; hue is left unbounded because it is
    read modulo 1 (a sigmoid would put a wall at the red wrap-around).
    """
    _check_space(space)
    if space == "rgb":
        return torch.sigmoid(raw)
    if space == "hsv":
        return torch.cat([raw[:, :1], torch.sigmoid(raw[:, 1:])], dim=1)
    return torch.cat([torch.sigmoid(raw[:, :1]), torch.tanh(raw[:, 1:])], dim=1)


def hue_distance(h1: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
    """Shortest distance between hues given in turns ([0, 1) wraps), in [0, 0.5]."""
    d = torch.remainder(h1 - h2, 1.0)
    return torch.minimum(d, 1.0 - d)


def color_l1(pred: torch.Tensor, target: torch.Tensor, space: str) -> torch.Tensor:
    """Per-pixel L1 distance in model space, (B, H, W).

    For HSV the hue term is circular and weighted by the target's saturation x value,
    because hue is undefined (and its error invisible) on grey and black pixels.
    """
    _check_space(space)
    if space != "hsv":
        return (pred - target).abs().mean(dim=1)
    chroma = (target[:, 1] * target[:, 2]).detach()
    dh = hue_distance(pred[:, 0], target[:, 0]) * 2.0 * chroma  # x2: the hue term then spans [0, 1] like S, V
    return (dh + (pred[:, 1:] - target[:, 1:]).abs().sum(dim=1)) / 3.0


def luminance(rgb: torch.Tensor) -> torch.Tensor:
    """Rec. 601 luma of RGB in [0, 1]: (B, 3, H, W) -> (B, 1, H, W)."""
    return kc.rgb_to_grayscale(rgb)
