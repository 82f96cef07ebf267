"""Training loss: L1 in the model colour space plus an optional VGG-16 perceptual term.

``CombinedLoss(...)(pred, target_rgb)`` returns ``(total, parts)`` where ``parts`` maps
names (``l1``, ``vgg``) to detached scalars for the log. The perceptual term compares
VGG-16 features (relu1_2, relu2_2, relu3_3; Johnson et al., 2016) of the prediction and
target in RGB. Its ImageNet weights are read from ``--vgg-weights FILE`` or torchvision's
cache; if neither exists the loss refuses to start instead of training without it.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn as nn

from utils.color_utils import color_l1, rgb_to_space, space_to_rgb
from utils.errors import InputError

VGG16_FILE = "vgg16-397923af.pth"  # torchvision's IMAGENET1K_V1 weights
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def vgg_cache_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG16_FILE


def load_vgg_features(weights: str | os.PathLike | None = None) -> nn.Module:
    """VGG-16 up to relu3_3, frozen, with ImageNet weights from a file (no download)."""
    from torchvision.models import vgg16

    path = Path(weights) if weights else vgg_cache_path()
    if not path.is_file():
        raise InputError(f"the VGG perceptual loss needs VGG-16 weights: put {VGG16_FILE} at {vgg_cache_path()} "
                         f"or pass --vgg-weights FILE (or set --perceptual-weight 0)")
    state = torch.load(path, map_location="cpu", weights_only=True)
    net = vgg16(weights=None)
    try:
        net.load_state_dict(state)
    except RuntimeError as exc:
        raise InputError(f"{path} is not a torchvision VGG-16 state dict: {str(exc).splitlines()[0]}") from None
    feats = net.features[:16].eval()
    for p in feats.parameters():
        p.requires_grad_(False)
    return feats


class VGGPerceptual(nn.Module):
    LAYERS = (3, 8, 15)  # relu1_2, relu2_2, relu3_3 in torchvision's vgg16().features

    def __init__(self, features: nn.Module):
        super().__init__()
        self.features = features
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, pred_rgb: torch.Tensor, target_rgb: torch.Tensor) -> torch.Tensor:
        x = (pred_rgb - self.mean) / self.std
        y = (target_rgb - self.mean) / self.std
        loss = x.new_zeros(())
        for i, layer in enumerate(self.features):
            x, y = layer(x), layer(y)
            if i in self.LAYERS:
                loss = loss + (x - y).abs().mean()
            if i >= self.LAYERS[-1]:
                break
        return loss


class CombinedLoss(nn.Module):
    def __init__(self, color_space: str, perceptual_weight: float = 0.0, vgg_weights=None):
        super().__init__()
        self.color_space = color_space
        self.perceptual_weight = perceptual_weight
        self.vgg = VGGPerceptual(load_vgg_features(vgg_weights)) if perceptual_weight > 0 else None

    def forward(self, pred: torch.Tensor, target_rgb: torch.Tensor):
        """pred (B, 3, H, W) in model space, target (B, 3, H, W) RGB in [0, 1] -> (total, parts)."""
        target = rgb_to_space(target_rgb, self.color_space)
        l1 = color_l1(pred, target, self.color_space).mean()
        parts = {"l1": l1.detach()}
        total = l1
        if self.vgg is not None:
            vgg = self.vgg(space_to_rgb(pred, self.color_space), target_rgb)
            parts["vgg"] = vgg.detach()
            total = total + self.perceptual_weight * vgg
        parts["total"] = total.detach()
        return total, parts
