"""SemColorNet: a U-Net (3 down, 3 up) with a self-attention bottleneck and an AdaIN style branch.

    inputs (B, C, H, W) ++ label embedding (B, E, H, W)
      enc0  (B, w0, H,   W)    w0 = cfg.full_width, or w
      enc1  (B, 2w, H/2, W/2)
      enc2  (B, 4w, H/4, W/4)
      enc3  (B, 8w, H/8, W/8) -> GlobalContextAttention (models/attention.py)
      dec2  (B, 4w, H/4, W/4)  + skip enc2, AdaIN
      dec1  (B, 2w, H/2, W/2)  + skip enc1, AdaIN
      dec0  (B, w0, H,   W)    + skip enc0, AdaIN
      head  (B, 3,  H,   W) in the model colour space (utils/color_utils.py); a black-and-white
            model (use_luminance, Lab) outputs the input's own L* and predicts only a*, b*

Follows pix2pix's U-Net generator (Isola et al., 2017) in shape; the semantic label map is
embedded and concatenated with the guides (semantic-aware concatenation). No layer
normalises over the image, so a tile computes what the whole image would (see
``process/tiling.py``). Inputs of any size are reflect-padded to a multiple of 8.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from config.defaults import DOWNSCALE, ModelConfig
from models.attention import AttentionContext, GlobalContextAttention
from models.inputs import input_channels, luminance_channel, network_channels
from models.style import AdaIN, StyleEncoder, resize_long_side
from utils.color_utils import activate



class ConvBlock(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.SiLU(),
                                  nn.Conv2d(cout, cout, 3, padding=1), nn.SiLU())
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        return self.body(x) + self.skip(x)


class Down(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.reduce = nn.Conv2d(cin, cin, 3, stride=2, padding=1)
        self.block = ConvBlock(cin, cout)

    def forward(self, x):
        return self.block(F.silu(self.reduce(x)))


class Up(nn.Module):
    def __init__(self, cin: int, cskip: int, cout: int, style_dim: int | None):
        super().__init__()
        self.reduce = nn.Conv2d(cin, cout, 1)
        self.block = ConvBlock(cout + cskip, cout)
        self.adain = AdaIN(cout, style_dim)

    def forward(self, x, skip, style):
        x = self.reduce(F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False))
        return self.adain(self.block(torch.cat([x, skip], dim=1)), style)


class SemColorNet(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        w0 = cfg.full_width or w  # the full-resolution level's channels
        cin = network_channels(cfg)
        self.label_embed = None
        if cfg.num_labels > 0:
            self.label_embed = nn.Embedding(cfg.num_labels, cfg.label_embed_dim)
            cin += cfg.label_embed_dim
        style_dim = cfg.style_dim if cfg.use_style else None
        self.enc0 = ConvBlock(cin, w0)
        self.enc1 = Down(w0, 2 * w)
        self.enc2 = Down(2 * w, 4 * w)
        self.enc3 = Down(4 * w, 8 * w)
        self.attention = GlobalContextAttention(8 * w, cfg.attention_heads, cfg.attention_grid,
                                                position=cfg.position)
        self.dec2 = Up(8 * w, 4 * w, 4 * w, style_dim)
        self.dec1 = Up(4 * w, 2 * w, 2 * w, style_dim)
        self.dec0 = Up(2 * w, w0, w0, style_dim)
        self.head = nn.Conv2d(w0, 3, 1)
        if cfg.use_luminance and cfg.color_space != "lab":
            raise ValueError("a black-and-white model (use_luminance) predicts a*, b* and keeps the input's L*: "
                             "it needs color_space='lab'")
        if cfg.palette_size > 0:
            if cfg.color_space != "lab":
                raise ValueError("a learned palette needs color_space='lab'")
            # Learned palette, normalised Lab (L/100, a/128, b/128); initialised from the training
            # photo by the trainer. The head then predicts L and one logit per palette colour.
            self.palette = nn.Parameter(torch.zeros(cfg.palette_size, 3))
            self.head = nn.Conv2d(w0, 1 + cfg.palette_size, 1)
        self.style_encoder = StyleEncoder(cfg.style_dim) if cfg.use_style else None
        # The style code of the training photo, kept with the weights so that inference
        # needs nothing but the checkpoint. Set by set_default_style().
        self.register_buffer("default_style", torch.zeros(1, cfg.style_dim))

    # --- style -----------------------------------------------------------------------
    def encode_style(self, style_rgb: torch.Tensor) -> torch.Tensor:
        """Style image (B, 3, H, W) RGB in [0, 1] -> code (B, style_dim)."""
        if self.style_encoder is None:
            raise ValueError("this model was trained without the style branch (use_style=False)")
        return self.style_encoder(resize_long_side(style_rgb, self.cfg.style_size))

    @torch.no_grad()
    def set_default_style(self, style_rgb: torch.Tensor) -> None:
        if self.style_encoder is not None:
            self.default_style.copy_(self.encode_style(style_rgb)[:1])

    def _style(self, style, batch: int):
        if self.style_encoder is None:
            return None
        if style is None:
            style = self.default_style
        return style.expand(batch, -1) if style.shape[0] == 1 else style

    # --- network ---------------------------------------------------------------------
    def bottleneck_coords(self, x: torch.Tensor) -> torch.Tensor:
        """Global (y, x) in [0, 1] at bottleneck resolution, (B, 2, H/8, W/8): where the
        attention pools each position (the position channels are last, models/inputs.py)."""
        return F.avg_pool2d(x[:, -2:], DOWNSCALE)

    def _pad(self, x, labels):
        h, w = x.shape[-2:]
        ph, pw = (-h) % DOWNSCALE, (-w) % DOWNSCALE
        if ph or pw:
            mode = "reflect" if min(h, w) > max(ph, pw) else "replicate"
            x = F.pad(x, (0, pw, 0, ph), mode=mode)
            if labels is not None:
                labels = F.pad(labels.unsqueeze(1).float(), (0, pw, 0, ph), mode="replicate").squeeze(1).long()
        return x, labels, (h, w)

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None):
        """Encoder: inputs (B, C, H, W) (H, W multiples of 8) -> skips and bottleneck (B, 8w, H/8, W/8)."""
        if x.shape[1] != input_channels(self.cfg):
            raise ValueError(f"expected {input_channels(self.cfg)} input channels, got {x.shape[1]}")
        if not self.cfg.position:  # the position channels only place the attention pooling
            x = x[:, :-2]
        if self.label_embed is not None:
            if labels is None:
                raise ValueError("this model was trained with a semantic mask; give one (--mask)")
            if not self.training and (int(labels.max()) >= self.cfg.num_labels or int(labels.min()) < 0):
                raise ValueError(f"labels must be in 0..{self.cfg.num_labels - 1} (the labels this model learned), "
                                 f"got {int(labels.min())}..{int(labels.max())}")
            emb = self.label_embed(labels).permute(0, 3, 1, 2)
            x = torch.cat([x, emb.to(x.dtype)], dim=1)
        e0 = self.enc0(x)
        e1 = self.enc1(e0)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        return (e0, e1, e2), e3

    def context(self, x: torch.Tensor, labels=None, weight: torch.Tensor | None = None) -> AttentionContext:
        """Pooled attention context of an input (or of a tile's ``weight``-ed part of it)."""
        x, labels, _ = self._pad(x, labels)
        _, e3 = self.encode(x, labels)
        return self.attention.pool(e3, self.bottleneck_coords(x), weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None, style: torch.Tensor | None = None,
                context: AttentionContext | None = None) -> torch.Tensor:
        """Guides (B, C, H, W) -> colours in the model space (B, 3, H, W).

        ``style``: a style code (B or 1, style_dim); default the training photo's.
        ``context``: whole-image attention context when ``x`` is a tile of a larger image.
        """
        x, labels, (h, w) = self._pad(x, labels)
        (e0, e1, e2), e3 = self.encode(x, labels)
        b = self.attention(e3, self.bottleneck_coords(x), context)
        s = self._style(style, x.shape[0])
        d2 = self.dec2(b, e2, s)
        d1 = self.dec1(d2, e1, s)
        d0 = self.dec0(d1, e0, s)
        raw = self.head(d0)
        if self.cfg.palette_size > 0:
            weights = torch.softmax(raw[:, 1:].float(), dim=1)                     # (B, K, H, W)
            ab = torch.einsum("bkhw,kc->bchw", weights, self.palette[:, 1:].float())
            out = torch.cat([torch.sigmoid(raw[:, :1].float()), ab], dim=1)
        else:
            out = activate(raw, self.cfg.color_space)
        if self.cfg.use_luminance:  # L* is the input's own, exactly; the network predicts a*, b*
            out = torch.cat([x[:, luminance_channel(self.cfg)].unsqueeze(1).float(), out[:, 1:].float()], dim=1)
        return out[..., :h, :w]

    @torch.no_grad()
    def set_palette(self, lab: torch.Tensor) -> None:
        """Replace the learned palette, (K, 3) CIELAB (L 0..100, a, b -128..127)."""
        if self.cfg.palette_size == 0:
            raise ValueError("this model has no learned palette (train with --palette-size K)")
        if lab.shape != self.palette.shape:
            raise ValueError(f"palette must be ({self.cfg.palette_size}, 3) Lab, got {tuple(lab.shape)}")
        self.palette.copy_(torch.cat([lab[:, :1] / 100.0, lab[:, 1:] / 128.0], dim=1).to(self.palette))

    def palette_lab(self) -> torch.Tensor:
        """The learned palette as (K, 3) CIELAB."""
        p = self.palette.detach().float()
        return torch.cat([p[:, :1] * 100.0, p[:, 1:] * 128.0], dim=1)
