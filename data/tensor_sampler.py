"""Training patches cut, augmented and encoded on the device the model trains on.

:class:`TensorPatchSampler` draws the same patches as :class:`data.dataset.PatchSampler`
for one seed: the same three numpy generators, seeded the same way and drawn in the same
order, so a checkpoint's sampler state resumes either sampler. What changes is where the
pixels are made: the views are uploaded to the device once, the sampling maps of a whole
batch are built in one torch computation, and every channel is sampled with one batched
``F.grid_sample``, so a GPU is not starved by one ``cv2.remap`` per patch on the CPU.

How each CPU step is reproduced, and how closely:

- geometry: :func:`data.dataset.draw_transform` gives the per-patch scalars; the maps are
  then computed with the CPU's arithmetic (float64, cast to float32; float32 on MPS),
  so without a warp they are the CPU's maps bit for bit.
- smooth warp: ``F.interpolate(mode="bicubic", align_corners=False)`` is the same cubic
  convolution (A = -0.75, pixel centres at +0.5, border taps clamped) as
  ``cv2.resize(INTER_CUBIC)``; they agree to float rounding.
- sampling: ``grid_sample(align_corners=True, padding_mode="reflection")`` reflects about
  the border pixel centres, which is ``cv2.BORDER_REFLECT_101``. ``cv2.remap`` rounds the
  bilinear position to 1/32 px (its weight table); the positions are rounded the same way
  here (unrounded, a sharp edge would differ by up to ~1/32 of its contrast). What is left
  is the float32 round trip of a position through grid_sample's [-1, 1] coordinates,
  ~1e-7 of the view's width: ~1e-5 of an edge's contrast on the tested views. The mask is
  sampled nearest-neighbour at the unrounded position, as cv2 does (both round half to even).
- line distance: :func:`line_distance_t` reproduces ``cv2.distanceTransform(DIST_L2, 3)`` to
  float rounding; it can differ near a sketch pixel that reads exactly 0.5 (on the line
  threshold), where the tiny sampling difference above can fall on either side.
- colour and position jitter: the same scalars, applied on the device.

Line-style sampling (each patch's sketch drawn with OpenCV) has no device equivalent and
is refused: use :class:`data.dataset.PatchSampler` for the ``lines`` sketch method.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from config.defaults import AugmentConfig, ModelConfig
from data.dataset import Batch, PatchSampler, PatchTransform, TrainingView, draw_transform
from models.inputs import LINE_DISTANCE_CAP

# Costs of an axial and a diagonal step of cv2.distanceTransform(DIST_L2, maskSize=3)
# (OpenCV's getDistanceTransformMask, mask type 32; the same values measured on a single
# line pixel). The 3x3 chamfer distance is the cheapest 8-connected path to a line pixel,
# i.e. b * min(|dy|, |dx|) + a * (max - min) to the nearest one (Borgefors 1986).
CHAMFER_AXIAL = 0.955
CHAMFER_DIAGONAL = 1.3693
# cv2.remap's bilinear weights come from a table of 1/32 px steps (INTER_BITS = 5): the
# sampling position is rounded (half to even) to 1/32 px.
REMAP_SUBPIXELS = 32


def line_distance_t(sketch: torch.Tensor) -> torch.Tensor:
    """Distance to the nearest line pixel (sketch < 0.5), capped and scaled to [0, 1].

    ``sketch``: (B, H, W) float, lines 0 on white 1. Returns (B, H, W) float32, each image
    equal (to float rounding) to :func:`models.inputs.line_distance` of it; an image without
    lines is all ones. Computed as shortest 8-connected paths with the chamfer step costs:
    ``k`` rounds of relaxation over the 3x3 neighbourhood give every path of up to ``k``
    steps, and a distance below the cap needs at most ``cap / CHAMFER_AXIAL`` steps, so
    16 rounds are exact below the cap (larger distances are capped anyway). That is 16 x 6
    shifted minima per batch instead of a min over the ~900 offsets within the cap.
    """
    if sketch.dim() != 3:
        raise ValueError(f"sketch must have shape (B, H, W), got {tuple(sketch.shape)}")
    inf = float("inf")
    b, h, w = sketch.shape
    p = torch.full((b, h + 2, w + 2), inf, device=sketch.device)  # distances with a border of inf (no line)
    d = p[:, 1:-1, 1:-1]  # (B, H, W) view of the inside
    d.masked_fill_(sketch < 0.5, 0.0)
    for _ in range(int(LINE_DISTANCE_CAP / CHAMFER_AXIAL)):
        across = torch.minimum(p[:, :, :-2], p[:, :, 2:])  # (B, H+2, W): left/right neighbours
        step = torch.minimum(p[:, :-2, 1:-1], p[:, 2:, 1:-1])  # up/down neighbours
        torch.minimum(step, across[:, 1:-1], out=step).add_(CHAMFER_AXIAL)
        diagonal = torch.minimum(across[:, :-2], across[:, 2:]).add_(CHAMFER_DIAGONAL)
        torch.minimum(step, diagonal, out=step)
        torch.minimum(d, step, out=step)
        d.copy_(step)
    return d.clamp(max=LINE_DISTANCE_CAP) / LINE_DISTANCE_CAP


def sampling_maps_t(transforms: list[PatchTransform], device: torch.device, dtype=torch.float64):
    """Source coordinates (map_y, map_x), each (N, ph, pw) float32 on ``device``, of N transforms
    of one size: :func:`data.dataset.sampling_map_of` for a batch, in one computation.

    ``dtype``: the precision of the affine part (the CPU computes it in float64; MPS has
    only float32)."""
    ph, pw = transforms[0].size
    if any(t.size != (ph, pw) for t in transforms):
        raise ValueError(f"all patches of a batch must have one size, got {sorted({t.size for t in transforms})}")
    # Per patch: cos, sin (numpy's, as the CPU), zoom, centre, flip signs. (N, 7)
    rows = [[np.cos(t.angle), np.sin(t.angle), t.zoom, t.cy, t.cx, -1.0 if t.flip_x else 1.0,
             -1.0 if t.flip_y else 1.0] for t in transforms]
    p = torch.tensor(rows, dtype=torch.float64).to(dtype).to(device)  # cast on the host: MPS has no float64
    ca, sa, cy, cx = (p[:, i, None, None] for i in (0, 1, 3, 4))  # each (N, 1, 1)
    zoom = p[:, 2, None, None].float()
    # Offsets from the patch centre times the zoom, in float32 as the CPU's meshgrid.
    v = (torch.arange(ph, device=device, dtype=torch.float32) - (ph - 1) / 2)[None, :, None] * zoom  # (N, ph, 1)
    u = (torch.arange(pw, device=device, dtype=torch.float32) - (pw - 1) / 2)[None, None, :] * zoom  # (N, 1, pw)
    u = u.to(dtype) * p[:, 5, None, None]
    v = v.to(dtype) * p[:, 6, None, None]
    map_x = cx + ca * u - sa * v  # (N, ph, pw)
    map_y = cy + sa * u + ca * v
    if transforms[0].warp is not None:
        coarse = torch.from_numpy(np.stack([t.warp for t in transforms])).to(device)  # (N, 2, G, G)
        field = F.interpolate(coarse, size=(ph, pw), mode="bicubic", align_corners=False)  # (N, 2, ph, pw)
        map_y, map_x = map_y + field[:, 0].to(dtype), map_x + field[:, 1].to(dtype)
    return map_y.float(), map_x.float()


def _grid(map_y: torch.Tensor, map_x: torch.Tensor, h: int, w: int, dtype, subpixels: int | None = None):
    """``grid_sample``'s grid (1, N*ph, pw, 2), (x, y) in [-1, 1] with ``align_corners=True``, of
    N maps (N, ph, pw) over one (h, w) image: all patches stacked into one tall grid, so one
    call samples them all. ``subpixels``: round the positions to 1/subpixels px first."""
    if subpixels:
        map_y, map_x = (torch.round(m * subpixels) / subpixels for m in (map_y, map_x))
    grid = torch.stack([map_x.to(dtype) * (2 / max(w - 1, 1)) - 1, map_y.to(dtype) * (2 / max(h - 1, 1)) - 1], dim=-1)
    return grid.float().reshape(1, -1, grid.shape[2], 2)


class TensorPatchSampler(PatchSampler):
    """:class:`data.dataset.PatchSampler` with the pixels made on ``device``.

    Same constructor (plus ``device``), same ``sample(batch_size, size=None) -> Batch``, same
    ``state_dict``/``load_state_dict``: for one seed it draws the same patches, and its
    batches' tensors are on ``device``. ``line_styles=True`` is refused (see the module
    docstring)."""

    def __init__(self, views: list[TrainingView], model_cfg: ModelConfig, aug: AugmentConfig, seed: int = 0,
                 line_styles: bool = False, device: str | torch.device = "cpu"):
        if line_styles:
            raise ValueError("line-style sampling (the 'lines' sketch method) draws each patch's sketch with "
                             "OpenCV on the CPU and has no device version; use data.dataset.PatchSampler for it")
        super().__init__(views, model_cfg, aug, seed)
        self.device = torch.device(device)
        # The CPU computes the sampling maps in float64; MPS has no float64.
        self.map_dtype = torch.float32 if self.device.type == "mps" else torch.float64
        masks = {v.guides.mask is not None for v in views}
        if model_cfg.num_labels > 0 and len(masks) > 1:
            raise ValueError("either every training view has a mask or none has")
        self.with_labels = model_cfg.num_labels > 0 and masks == {True}
        self.images = [self._upload(v) for v in views]  # each (1, C, H, W): photo RGB, sketch[, depth][, luminance]
        self.masks = [torch.from_numpy(v.guides.mask.astype(np.float32))[None, None].to(self.device)
                      if self.with_labels else None for v in views]  # each (1, 1, H, W) labels as float

    def _upload(self, view: TrainingView) -> torch.Tensor:
        g, cfg = view.guides, self.cfg
        if cfg.use_depth and g.depth is None:
            raise ValueError("this model was trained with depth; give a depth map (or retrain with --depth none)")
        if cfg.use_luminance and g.luminance is None:
            raise ValueError("this model was trained with a luminance channel; give a grayscale photo")
        chans = [view.photo.transpose(2, 0, 1), g.sketch[None]]
        chans += [g.depth[None]] if cfg.use_depth else []
        chans += [g.luminance[None]] if cfg.use_luminance else []
        return torch.from_numpy(np.concatenate(chans).astype(np.float32))[None].to(self.device).contiguous()

    def _sample_view(self, index: int, transforms: list[PatchTransform]) -> tuple:
        """Pixels (n, C, ph, pw) (photo RGB, sketch[, depth][, luminance]), positions (n, 2, ph, pw)
        float32 and labels (n, ph, pw) int64 or None of n patches of view ``index``."""
        h, w = self.views[index].guides.shape
        map_y, map_x = sampling_maps_t(transforms, self.device, self.map_dtype)  # each (n, ph, pw)
        n, ph, pw = map_y.shape
        # cv2.remap reads at positions rounded to 1/32 px; so does this, to give the same pixels.
        grid = _grid(map_y, map_x, h, w, self.map_dtype, REMAP_SUBPIXELS)  # (1, n*ph, pw, 2)
        out = F.grid_sample(self.images[index], grid, mode="bilinear", padding_mode="reflection",
                            align_corners=True)  # (1, C, n*ph, pw)
        pixels = out.reshape(-1, n, ph, pw).transpose(0, 1)
        pos = torch.stack([map_y / max(h - 1, 1), map_x / max(w - 1, 1)], dim=1)
        labels = None
        if self.with_labels:  # nearest neighbour of the unrounded position, as cv2.remap(INTER_NEAREST)
            lab = F.grid_sample(self.masks[index], _grid(map_y, map_x, h, w, self.map_dtype), mode="nearest",
                                padding_mode="reflection", align_corners=True)  # (1, 1, n*ph, pw)
            labels = lab.reshape(n, ph, pw).round().long()
        return pixels, pos, labels

    def sample(self, batch_size: int, size=None) -> Batch:
        """A batch of patches of side ``size`` (or (ph, pw)); ``None``: the whole view."""
        size = size or self.views[0].guides.shape
        # The random draws, stream by stream in the CPU sampler's order (the streams are
        # independent, so drawing one stream for the whole batch first changes nothing).
        draws = []
        for _ in range(batch_size):
            index = int(self.rng.integers(len(self.views)))
            h, w = self.views[index].guides.shape
            draws.append((index, draw_transform(self.rng, h, w, size, self.aug)))
        pj, cj = self.aug.position_jitter, self.aug.color_jitter
        shifts = [self.style_rng.uniform(-pj, pj, (2, 1, 1)) for _ in range(batch_size)] if pj > 0 else None
        colour = [(1 + self.jitter_rng.uniform(-cj, cj), 1 + self.jitter_rng.uniform(-cj, cj) / 2)
                  for _ in range(batch_size)] if cj > 0 else None

        rows: dict[int, list[int]] = {}  # view -> its patches' places in the batch
        for k, (index, _) in enumerate(draws):
            rows.setdefault(index, []).append(k)
        parts = [self._sample_view(index, [draws[k][1] for k in ks]) for index, ks in rows.items()]
        if len(parts) == 1:
            pixels, pos, labels = parts[0]
        else:  # one batched sampling per view, then back into the batch's order
            back = torch.argsort(torch.tensor([k for ks in rows.values() for k in ks])).to(self.device)
            pixels, pos = (torch.cat([part[i] for part in parts])[back] for i in (0, 1))
            labels = torch.cat([part[2] for part in parts])[back] if self.with_labels else None

        if shifts is not None:  # position as a loose hint: shifted at random per patch
            shift = torch.from_numpy(np.stack(shifts)).to(self.map_dtype).to(self.device)  # (B, 2, 1, 1)
            pos = pos.to(self.map_dtype) + shift
        pos = pos.clamp(0, 1).float()
        sketch = pixels[:, 3]
        chans = [sketch[:, None]]
        if self.cfg.line_distance:
            chans.append(line_distance_t(sketch)[:, None])
        chans += [pixels[:, 4:], pos]  # depth, luminance (those the model reads), then (y, x)
        inputs = torch.cat(chans, dim=1).contiguous()  # (B, C, ph, pw)

        target = pixels[:, :3]  # (B, 3, ph, pw)
        if colour is not None:  # brightness and saturation of the target only (data.dataset.jitter_target)
            sat, bright = (torch.tensor([c[i] for c in colour], dtype=torch.float32, device=self.device)
                           .view(-1, 1, 1, 1) for i in (0, 1))
            gray = target.mean(dim=1, keepdim=True)
            target = ((gray + (target - gray) * sat) * bright).clamp(0, 1)
        return Batch(inputs, labels, target.contiguous())
