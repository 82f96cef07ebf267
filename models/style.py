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


@torch.no_grad()
def recalibrate_statistics(model: nn.Module, batches) -> None:
    """Set every BatchNorm's running statistics to the exact statistics of ``batches``.

    Running averages collected over random training patches lag behind the weights and
    differ from whole images; recomputing them over the whole training view ("precise
    BN", Wu & Johnson 2021) removes that train/inference gap. ``batches`` is an iterable
    of ``(x, labels)`` pairs fed to ``model``."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [(m.momentum, m.training) for m in norms]
    was_training = model.training
    model.eval()
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the batches
        m.train()
    for x, labels in batches:
        model(x, labels)
    for m, (momentum, training) in zip(norms, saved):
        m.momentum = momentum
        m.train(training)
    model.train(was_training)


def resize_long_side(img: torch.Tensor, size: int) -> torch.Tensor:
    """Resize (B, 3, H, W) so its long side is ``size`` (antialiased)."""
    h, w = img.shape[-2:]
    s = size / max(h, w)
    return F.interpolate(img, size=(max(1, round(h * s)), max(1, round(w * s))), mode="bilinear",
                         antialias=True, align_corners=False)
