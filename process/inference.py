"""Colorize one view with a trained network: guides in, RGB out.

:func:`colorize` runs the whole image at once, or in tiles when ``tile`` is given
(``process/high_res.py``); both return (H, W, 3) float32 RGB in [0, 1].
"""
from __future__ import annotations

import numpy as np
import torch

from config.defaults import CHROMA_SMOOTH
from models.inputs import Guides, encode_guides
from models.unet import SemColorNet
from process.chroma_smoothing import smooth_chroma
from process.device import precision_context, to_batch
from process.high_res import colorize_tiled
from utils.color_utils import space_to_rgb


@torch.no_grad()
def colorize(model: SemColorNet, guides: Guides, style: torch.Tensor | None = None, tile: int | None = None,
             overlap: int = 64, device=None, progress: bool = False, bf16: bool = False,
             chroma_smooth: int = CHROMA_SMOOTH) -> np.ndarray:
    """Guides of one view -> (H, W, 3) float32 RGB in [0, 1].

    ``bf16``: bfloat16 autocast (about twice as fast on bf16-capable CPUs and GPUs; outputs
    differ from full precision by roughly 1/255). ``chroma_smooth``: a black-and-white
    model's a*, b* are guided-filtered along the input's L* with this radius, px
    (:mod:`process.chroma_smoothing`; 0: as predicted); other models ignore it."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        h, w = guides.shape
        if tile and max(h, w) > tile:
            out = colorize_tiled(model, guides, tile=tile, overlap=overlap, style=style, device=device,
                                 progress=progress, bf16=bf16)
        else:
            x, labels = encode_guides(guides, model.cfg)
            xt, lt = to_batch(x, labels, device)
            with precision_context(device, bf16):
                raw = model(xt, lt, style=style)
            out = space_to_rgb(raw.float(), model.cfg.color_space)[0].permute(1, 2, 0).cpu().numpy()
    finally:
        model.train(was_training)
    if model.cfg.use_luminance and guides.luminance is not None and chroma_smooth > 0:
        out = smooth_chroma(out, guides.luminance, chroma_smooth)
    return out
