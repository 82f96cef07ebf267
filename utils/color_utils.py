"""Colour spaces the network predicts in, and the conversions between them.

The network always predicts three channels in a *model space* scaled to about [0, 1]:

- ``rgb``: R, G, B in [0, 1];
- ``hsv``: H / 2pi in [0, 1) (circular: 0 and 1 are the same hue), S, V in [0, 1];
- ``lab``: L / 100 in [0, 1], a / 128 and b / 128 in about [-1, 1] (see ``utils.cielab``).

Conversions use kornia (CIELAB: ``utils/cielab.py``) (``kornia.color.rgb_to_hsv`` returns H in [0, 2pi]). Tensors are
(B, 3, H, W). Hue distances are taken the short way round the circle, so a prediction of
0.99 for a target of 0.01 costs 0.02, not 0.98.
"""
from __future__ import annotations

import math

import torch

from utils.cielab import lab_of, lab_to_normalised, lab_to_rgb_keep_lightness, normalised_to_lab
import kornia.color as kc  # after utils.cielab, which quiets kornia's import-time deprecation warning  # noqa: E402

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
    return lab_to_normalised(lab_of(rgb))


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
