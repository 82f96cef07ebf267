"""The AdaIN style branch (Huang & Belongie, 2017).

A small convolutional encoder turns a style image (by default the training photo) into a
style code; each decoder level normalises its features and re-scales and shifts them
per channel from the code: ``y = norm(x) * (1 + gamma(s)) + beta(s)``.

The content statistics used by ``norm`` are batch statistics while training and their
running averages at inference (as in conditional batch norm, de Vries et al. 2017),
not per-image statistics: a tile of a large image is then normalised exactly as the
whole image would be, and tiled inference stays seamless.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class StyleEncoder(nn.Module):
    """RGB style image (B, 3, H, W) in [0, 1] -> style code (B, style_dim)."""

    def __init__(self, style_dim: int = 64, width: int = 32):
        super().__init__()
        layers, c = [], 3
        for out in (width, 2 * width, 4 * width, 4 * width):
            layers += [nn.Conv2d(c, out, 4, stride=2, padding=1), nn.SiLU()]
            c = out
        self.features = nn.Sequential(*layers)
        # Mean and standard deviation of the features: the statistics AdaIN transfers.
        self.head = nn.Sequential(nn.Linear(2 * c, 2 * style_dim), nn.SiLU(), nn.Linear(2 * style_dim, style_dim))

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        f = self.features(img * 2 - 1)                                   # (B, 4w, H/16, W/16)
        stats = torch.cat([f.mean(dim=(2, 3)), f.std(dim=(2, 3), unbiased=False)], dim=1)
        return self.head(stats)


class AdaIN(nn.Module):
    """Normalise (B, C, H, W) features, then scale and shift them from a style code."""

    def __init__(self, channels: int, style_dim: int | None):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=style_dim is None, momentum=0.05)
        self.affine = None
        if style_dim is not None:
            self.affine = nn.Linear(style_dim, 2 * channels)
            nn.init.zeros_(self.affine.weight)
            nn.init.zeros_(self.affine.bias)

    def forward(self, x: torch.Tensor, style: torch.Tensor | None) -> torch.Tensor:
        x = self.norm(x)
        if self.affine is None:
            return x
        gamma, beta = self.affine(style).unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)  # (B, C, 1, 1) each
        return x * (1 + gamma) + beta


def resize_long_side(img: torch.Tensor, size: int) -> torch.Tensor:
    """Resize (B, 3, H, W) so its long side is ``size`` (antialiased)."""
    h, w = img.shape[-2:]
    s = size / max(h, w)
    return F.interpolate(img, size=(max(1, round(h * s)), max(1, round(w * s))), mode="bilinear",
                         antialias=True, align_corners=False)
