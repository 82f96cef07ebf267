"""Tiled inference for images of any size, seamless and with bounded memory.

Two passes over overlapping tiles (tile starts on multiples of 8, so every tile's
bottleneck grid lines up with the whole image's):

1. context: each tile's encoder output is pooled into the whole-image attention grid
   (``models/attention.py``), counting only the bottleneck positions in the tile's own
   core (the tiles' cores partition the image), so the summed context equals the one a
   single whole-image pass would compute, up to padding effects at tile borders;
2. colour: each tile is decoded with that shared context and the shared style code,
   and blended with raised-cosine weights across the overlaps.

AdaIN content statistics are running averages (``models/style.py``), so they too are the
same for every tile. Output rows are finished band by band: only one band of tiles is
held in float, and peak memory grows with the tile size, not the image size (the
guides and the uint8 output are the only whole-image arrays).

``process.py`` tiles whatever is larger than its ``--tile``; ``process/high_res.py`` is the
command for a large drawing, with smaller default tiles.
"""
from __future__ import annotations

import numpy as np
import torch

from config.defaults import DOWNSCALE
from models.attention import AttentionContext
from models.inputs import Guides, encode_guides
from models.unet import SemColorNet
from process.device import precision_context, to_batch
from process.preflight import check_tiling
from utils.color_utils import space_to_rgb
from utils.progress import progress_bar


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Tile start offsets along one axis: multiples of 8, covering [0, length).

    The last tile runs to the end of the image (it can be up to 7 px longer than ``tile``)."""
    check_tiling(tile, overlap)
    if length <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, length - tile, stride))
    last = (length - tile) // DOWNSCALE * DOWNSCALE
    if last > starts[-1]:
        starts.append(last)
    return starts


def _ends(starts: list[int], length: int, tile: int) -> list[int]:
    return [min(s + tile, length) if i < len(starts) - 1 else length for i, s in enumerate(starts)]


def _cores(starts: list[int], ends: list[int]) -> list[tuple[int, int]]:
    """Each tile's own part of the axis: from the middle of its overlap with the previous
    tile to the middle of its overlap with the next (image borders at the ends)."""
    cores = []
    for i, (s, e) in enumerate(zip(starts, ends)):
        lo = 0 if i == 0 else (ends[i - 1] + s) // 2
        hi = ends[-1] if i == len(starts) - 1 else (e + starts[i + 1]) // 2
        cores.append((lo, hi))
    return cores


def _ramp(n: int, at_start: bool, at_end: bool, overlap: int) -> np.ndarray:
    """1-D blending weight: raised-cosine ramps over ``overlap`` px at interior edges."""
    w = np.ones(n, dtype=np.float32)
    r = min(overlap, n // 2)
    if r > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(r, dtype=np.float32) + 0.5) / r)
        if not at_start:
            w[:r] = ramp
        if not at_end:
            w[n - r:] = np.minimum(w[n - r:], ramp[::-1])
    return w


def _ownership(start: int, size: int, core: tuple[int, int], device) -> torch.Tensor:
    """Which bottleneck positions of a tile (centres of 8-px cells) lie in its core; padded length."""
    n = -(-size // DOWNSCALE)
    centres = start + DOWNSCALE * np.arange(n) + DOWNSCALE / 2
    return torch.from_numpy(((centres >= core[0]) & (centres < core[1])).astype(np.float32)).to(device)


@torch.no_grad()
def whole_image_context(model: SemColorNet, guides: Guides, tile: int, overlap: int, device,
                        progress: bool = False, bf16: bool = False, desc: str = "") -> AttentionContext:
    """Pass 1: the attention context of the whole image, accumulated tile by tile."""
    h, w = guides.shape
    ys, xs = tile_starts(h, tile, overlap), tile_starts(w, tile, overlap)
    ye, xe = _ends(ys, h, tile), _ends(xs, w, tile)
    ycore, xcore = _cores(ys, ye), _cores(xs, xe)
    ctx = None
    cells = [(i, j) for i in range(len(ys)) for j in range(len(xs))]
    for i, j in progress_bar(cells, desc=desc + "context", disable=not progress, leave=False):
        x, labels = encode_guides(guides, model.cfg, (ys[i], ye[i], xs[j], xe[j]))
        xt, lt = to_batch(x, labels, device)
        wy = _ownership(ys[i], ye[i] - ys[i], ycore[i], device)
        wx = _ownership(xs[j], xe[j] - xs[j], xcore[j], device)
        weight = (wy[:, None] * wx[None, :])[None, None]                      # (1, 1, h/8, w/8)
        with precision_context(device, bf16):
            part = model.context(xt, lt, weight=weight)
        ctx = part if ctx is None else ctx + part
    return ctx


@torch.no_grad()
def colorize_tiled(model: SemColorNet, guides: Guides, tile: int = 512, overlap: int = 64, style=None, device=None,
                   progress: bool = False, out_dtype=np.float32, bf16: bool = False, desc: str = "",
                   shared_context: bool = True) -> np.ndarray:
    """Colorize a view of any size in overlapping tiles -> (H, W, 3) RGB (float32 in [0, 1], or uint8).
    ``desc``: a prefix for the progress bars' names (e.g. "mirrored "). ``shared_context`` False:
    each tile's attention pools its own tokens only (a local context, ``process/inference.py``)."""
    device = device or next(model.parameters()).device
    h, w = guides.shape
    ctx = whole_image_context(model, guides, tile, overlap, device, progress, bf16, desc) if shared_context else None
    ys, xs = tile_starts(h, tile, overlap), tile_starts(w, tile, overlap)
    ye, xe = _ends(ys, h, tile), _ends(xs, w, tile)
    out = np.zeros((h, w, 3), dtype=out_dtype)
    band_top = 0                       # first row not yet written to ``out``
    acc = np.zeros((0, w, 3), np.float32)
    wsum = np.zeros((0, w), np.float32)
    bar = progress_bar(total=len(ys) * len(xs), desc=desc + "tiles", disable=not progress, leave=False)
    for i in range(len(ys)):
        # Grow the band accumulator down to this tile row's end.
        grow = ye[i] - band_top - acc.shape[0]
        if grow > 0:
            acc = np.concatenate([acc, np.zeros((grow, w, 3), np.float32)])
            wsum = np.concatenate([wsum, np.zeros((grow, w), np.float32)])
        wy = _ramp(ye[i] - ys[i], i == 0, i == len(ys) - 1, overlap)
        for j in range(len(xs)):
            x, labels = encode_guides(guides, model.cfg, (ys[i], ye[i], xs[j], xe[j]))
            xt, lt = to_batch(x, labels, device)
            with precision_context(device, bf16):
                raw = model(xt, lt, style=style, context=ctx)
            pred = space_to_rgb(raw.float(), model.cfg.color_space)
            rgb = pred[0].permute(1, 2, 0).cpu().numpy()
            wgt = wy[:, None] * _ramp(xe[j] - xs[j], j == 0, j == len(xs) - 1, overlap)[None, :]
            r0, r1 = ys[i] - band_top, ye[i] - band_top
            acc[r0:r1, xs[j]:xe[j]] += rgb * wgt[..., None]
            wsum[r0:r1, xs[j]:xe[j]] += wgt
            bar.update(1)
        # Rows above the next tile row are final.
        done = (ys[i + 1] if i + 1 < len(ys) else h) - band_top
        if done > 0:
            rows = acc[:done] / np.maximum(wsum[:done], 1e-8)[..., None]
            out[band_top:band_top + done] = rows if out_dtype != np.uint8 else \
                (np.clip(rows, 0, 1) * 255 + 0.5).astype(np.uint8)
            acc, wsum, band_top = acc[done:], wsum[done:], band_top + done
    bar.close()
    return out
