"""Self-attention at the U-Net bottleneck, with whole-image context shared by tiles.

Every bottleneck position (query) attends to a G x G grid of tokens: the bottleneck
features averaged over the cells of a fixed grid laid on the *whole image*. A cell is
found from each position's global (y, x) in [0, 1], so a tile of a large image pools
into the same cells as the whole image would, and the pooled sums of all tiles add up to
exactly the whole-image context (see ``process/tiling.py``). Positions carry Fourier
features of their global (y, x) (Vaswani et al. 2017; Tancik et al. 2020), added to
queries and keys. Normalisation is per position (LayerNorm over channels), never over
the image, so nothing depends on where a tile was cut.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

FOURIER_BANDS = 4


def fourier_features(coords: torch.Tensor) -> torch.Tensor:
    """(B, 2, ...) coords in [0, 1] -> (B, 4 * FOURIER_BANDS, ...) sin/cos features."""
    freqs = (2.0 ** torch.arange(FOURIER_BANDS, device=coords.device, dtype=coords.dtype)) * math.pi
    ang = coords.unsqueeze(2) * freqs.view(1, 1, -1, *([1] * (coords.ndim - 2)))  # (B, 2, F, ...)
    ang = ang.flatten(1, 2)
    return torch.cat([ang.sin(), ang.cos()], dim=1)


@dataclass
class AttentionContext:
    """Pooled whole-image tokens: running sums, so tiles can be added up one by one."""
    feat_sum: torch.Tensor    # (B, G*G, D)
    coord_sum: torch.Tensor   # (B, G*G, 2)
    count: torch.Tensor       # (B, G*G)

    def __add__(self, other: "AttentionContext") -> "AttentionContext":
        return AttentionContext(self.feat_sum + other.feat_sum, self.coord_sum + other.coord_sum,
                                self.count + other.count)


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of (B, C, H, W), independently at every position."""

    def __init__(self, dim: int):
        super().__init__()
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class GlobalContextAttention(nn.Module):
    def __init__(self, dim: int, heads: int = 4, grid: int = 16, position: bool = True):
        """``position``: add Fourier features of the global position to queries and tokens;
        without them attention is by content alone (the grid still pools by position)."""
        super().__init__()
        if dim % heads:
            raise ValueError(f"attention width {dim} is not divisible by {heads} heads")
        self.dim, self.heads, self.grid = dim, heads, grid
        self.pos = nn.Linear(4 * FOURIER_BANDS, dim) if position else None
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.to_q = nn.Linear(dim, dim)
        self.to_kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        self.mlp = nn.Sequential(ChannelLayerNorm(dim), nn.Conv2d(dim, 2 * dim, 1), nn.SiLU(),
                                 nn.Conv2d(2 * dim, dim, 1))
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def pool(self, feat: torch.Tensor, coords: torch.Tensor, weight: torch.Tensor | None = None) -> AttentionContext:
        """Sum features (B, D, h, w) into grid cells by their global coords (B, 2, h, w).

        ``weight`` (B, 1, h, w), 0 or 1, selects which positions count (a tile's own core)."""
        feat, coords = feat.float(), coords.float()  # sums in float32, also under autocast
        b, d, h, w = feat.shape
        g = self.grid
        cell = (coords * g).floor().clamp_(0, g - 1).long()
        idx = (cell[:, 0] * g + cell[:, 1]).view(b, -1)  # (B, h*w)
        wgt = torch.ones(b, 1, h, w, device=feat.device, dtype=feat.dtype) if weight is None else weight.float()
        wflat = wgt.view(b, -1)
        feat_sum = feat.new_zeros(b, g * g, d).scatter_add_(
            1, idx.unsqueeze(-1).expand(-1, -1, d), (feat * wgt).view(b, d, -1).transpose(1, 2))
        coord_sum = feat.new_zeros(b, g * g, 2).scatter_add_(
            1, idx.unsqueeze(-1).expand(-1, -1, 2), (coords * wgt).view(b, 2, -1).transpose(1, 2))
        count = feat.new_zeros(b, g * g).scatter_add_(1, idx, wflat)
        return AttentionContext(feat_sum, coord_sum, count)

    def forward(self, feat: torch.Tensor, coords: torch.Tensor, context: AttentionContext | None = None):
        """feat (B, D, h, w), coords (B, 2, h, w) global in [0, 1] -> (B, D, h, w)."""
        if context is None:
            context = self.pool(feat, coords)
        b, d, h, w = feat.shape
        nh, hd = self.heads, d // self.heads
        filled = context.count > 0                                               # (B, T)
        denom = context.count.clamp(min=1e-6).unsqueeze(-1)
        tokens = context.feat_sum / denom                                        # (B, T, D)
        tok_pos = context.coord_sum / denom                                      # (B, T, 2)
        q_in = feat.flatten(2).transpose(1, 2)                                   # (B, h*w, D)
        if self.pos is not None:
            tokens = tokens + self.pos(fourier_features(tok_pos.transpose(1, 2)).transpose(1, 2))
            q_in = q_in + self.pos(fourier_features(coords).flatten(2).transpose(1, 2))
        q = self.to_q(self.norm_q(q_in)).view(b, -1, nh, hd).transpose(1, 2)     # (B, nh, h*w, hd)
        k, v = self.to_kv(self.norm_kv(tokens)).chunk(2, dim=-1)
        k = k.view(b, -1, nh, hd).transpose(1, 2)                                # (B, nh, T, hd)
        v = v.view(b, -1, nh, hd).transpose(1, 2)
        mask = filled[:, None, None, :]                                          # (B, 1, 1, T)
        out = F.scaled_dot_product_attention(q, k.to(q.dtype), v.to(q.dtype), attn_mask=mask)  # (B, nh, h*w, hd)
        out = self.proj(out.transpose(1, 2).reshape(b, h * w, d))
        feat = feat + out.transpose(1, 2).reshape(b, d, h, w).to(feat.dtype)
        return feat + self.mlp(feat)
