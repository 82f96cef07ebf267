"""Colorize one view with a trained network: guides in, RGB out.

:func:`colorize` runs the whole image at once, or in tiles when ``tile`` is given
(``process/high_res.py``); both return (H, W, 3) float32 RGB in [0, 1].

Mirror averaging (on by default, :data:`config.defaults.MIRROR_AVERAGE`): the network also colours
the view with left and right swapped (``Guides.mirror``: every channel flipped, positions kept,
as in the horizontally flipped patches it was trained on), and the two results, flipped back, are
averaged in CIELAB. Two readings of one view by one network err partly independently; in CIELAB
the squared error of their mean is at most the mean of theirs (RGB scores after gamut reduction
can move either way by a little: ``bench/mirror_average.py``). The test-time flip of image
restoration networks; it costs a second pass, and is meant for networks trained on flipped
patches (``augment.hflip``, the default; ``process.render.Renderer.mirror_average`` checks).
"""
from __future__ import annotations

import numpy as np
import torch

from config.defaults import CHROMA_SMOOTH, MIRROR_AVERAGE
from models.inputs import Guides, encode_guides
from models.unet import SemColorNet
from process.chroma_smoothing import smooth_chroma
from process.device import precision_context, to_batch
from process.high_res import colorize_tiled
from utils.color_utils import image_to_lab, lab_to_rgb_keep_lightness, space_to_rgb

AVERAGE_BAND_ROWS = 512  # rows averaged at a time (memory of a large scan's mirror averaging)


@torch.no_grad()
def colorize(model: SemColorNet, guides: Guides, style: torch.Tensor | None = None, tile: int | None = None,
             overlap: int = 64, device=None, progress: bool = False, bf16: bool = False,
             chroma_smooth: int = CHROMA_SMOOTH, mirror_average: bool = MIRROR_AVERAGE) -> np.ndarray:
    """Guides of one view -> (H, W, 3) float32 RGB in [0, 1].

    ``bf16``: bfloat16 autocast (about twice as fast on bf16-capable CPUs and GPUs; outputs
    differ from full precision by roughly 1/255). ``chroma_smooth``: a black-and-white
    model's a*, b* are guided-filtered along the input's L* with this radius, px
    (:mod:`process.chroma_smoothing`; 0: as predicted); other models ignore it.
    ``mirror_average``: also colour the mirrored view and average the two (module docstring)."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        out = _colorize_once(model, guides, style, tile, overlap, device, progress, bf16)
        if mirror_average:
            mirrored = _colorize_once(model, guides.mirror(), style, tile, overlap, device, progress, bf16,
                                      desc="mirrored ")
            light = guides.luminance if model.cfg.use_luminance else None
            out = average_in_lab(out, mirrored[:, ::-1], light)
    finally:
        model.train(was_training)
    if model.cfg.use_luminance and guides.luminance is not None and chroma_smooth > 0:
        out = smooth_chroma(out, guides.luminance, chroma_smooth)
    return out


def _colorize_once(model: SemColorNet, guides: Guides, style, tile, overlap, device, progress, bf16,
                   desc: str = "") -> np.ndarray:
    h, w = guides.shape
    if tile and max(h, w) > tile:
        return colorize_tiled(model, guides, tile=tile, overlap=overlap, style=style, device=device,
                              progress=progress, bf16=bf16, desc=desc)
    x, labels = encode_guides(guides, model.cfg)
    xt, lt = to_batch(x, labels, device)
    with precision_context(device, bf16):
        raw = model(xt, lt, style=style)
    return space_to_rgb(raw.float(), model.cfg.color_space)[0].permute(1, 2, 0).cpu().numpy()


def average_in_lab(a: np.ndarray, b: np.ndarray, lightness: np.ndarray | None = None,
                   band: int = AVERAGE_BAND_ROWS) -> np.ndarray:
    """``a`` overwritten, band of ``band`` rows by band, with the mean of the two (H, W, 3) RGB
    images in CIELAB, as RGB (in gamut by chroma reduction), and returned: a large scan needs
    no third full-size image. ``lightness`` (H, W) L* / 100: the mean's L* is this exactly
    (a black-and-white input's own)."""
    for top in range(0, a.shape[0], band):
        rows = slice(top, top + band)
        mean = (image_to_lab(a[rows]) + image_to_lab(b[rows])) / 2
        if lightness is not None:
            mean[:, 0] = torch.from_numpy(np.asarray(lightness[rows], np.float32)) * 100.0
        a[rows] = lab_to_rgb_keep_lightness(mean)[0].permute(1, 2, 0).numpy()
    return a
