"""Training data from one image (or a few): random augmented patches and the full view.

One random geometric transform per patch (flip, rotation, zoom, translation and an
optional smooth warp) is turned into a sampling map and applied with ``cv2.remap`` to
the photo, sketch, depth, luminance and mask alike (the mask with nearest-neighbour
sampling), so all stay aligned. The position channels are the sampled source
coordinates, so they follow the content. Colour jitter touches the target only, print
ageing (``augment.print_ageing``, ``data/print_ageing.py``) the lightness input only.
Randomness comes from ``numpy.random.Generator`` streams seeded by ``--seed``.

``draw_transform`` draws a patch's transform and ``sampling_map_of`` turns it into the
map, so ``data/tensor_sampler.py`` can draw the same patches and make them on a GPU.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from config.defaults import AugmentConfig, ModelConfig
from models.inputs import Guides, encode_inputs
from preprocess.hints import hint_channels, random_hints
from preprocess.line_styles import blurred_median, random_line_drawing
from data.print_ageing import random_print


@dataclass
class TrainingView:
    """A training photo with its guides, all (H, W)."""
    photo: np.ndarray  # (H, W, 3) float32 RGB in [0, 1]
    guides: Guides


@dataclass
class Batch:
    inputs: torch.Tensor          # (B, C, P, P)
    labels: torch.Tensor | None   # (B, P, P) int64
    target: torch.Tensor          # (B, 3, P, P) RGB in [0, 1]


def _coarse_field(rng: np.random.Generator, ph: int, pw: int, strength: float, grid: int = 4) -> np.ndarray:
    """The coarse grid (2, grid, grid) of a random smooth displacement field, px."""
    return rng.normal(0, strength * max(ph, pw) / 3.0, size=(2, grid, grid)).astype(np.float32)


def _smooth_field(coarse: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """The displacement field (2, ph, pw), px: bicubic upsampling of the coarse grid."""
    return np.stack([cv2.resize(c, (pw, ph), interpolation=cv2.INTER_CUBIC) for c in coarse])


@dataclass
class PatchTransform:
    """The random geometric transform of one patch: everything ``sampling_map_of`` needs.

    A patch pixel (i, j) reads the source at ``centre + R(angle) @ (flip * zoom * offset)``
    (plus the warp), where ``offset`` is the pixel's offset from the patch centre."""
    size: tuple[int, int]        # (ph, pw), px
    angle: float                 # rotation, radians
    zoom: float                  # source px per patch px
    cy: float                    # patch centre in the source, px (row)
    cx: float                    # patch centre in the source, px (column)
    flip_x: bool                 # horizontal flip
    flip_y: bool                 # vertical flip
    warp: np.ndarray | None      # (2, G, G) float32 coarse displacement (dy, dx), px; None: no warp


def draw_transform(rng: np.random.Generator, h: int, w: int, size, aug: AugmentConfig) -> PatchTransform:
    """Draw one patch's transform from ``rng`` for an (h, w) source; ``size`` is the side or (ph, pw).

    The draws, in order: angle (if ``rotate_deg`` > 0), zoom (if ``scale`` > 0), centre row,
    centre column, horizontal flip (if ``hflip``), vertical flip (if ``vflip``), the warp
    grid (if ``warp`` > 0). Samplers that must draw the same patches rely on this order."""
    ph, pw = (size, size) if isinstance(size, int) else tuple(size)
    angle = np.deg2rad(rng.uniform(-aug.rotate_deg, aug.rotate_deg)) if aug.rotate_deg > 0 else 0.0
    zoom = rng.uniform(1 - aug.scale, 1 + aug.scale) if aug.scale > 0 else 1.0
    ca, sa = np.cos(angle), np.sin(angle)
    half_y = zoom * (ph * abs(ca) + pw * abs(sa)) / 2  # half extent of the rotated patch's bounding box
    half_x = zoom * (pw * abs(ca) + ph * abs(sa)) / 2
    cy = rng.uniform(min(half_y, h / 2), max(h - half_y, h / 2))
    cx = rng.uniform(min(half_x, w / 2), max(w - half_x, w / 2))
    flip_x = bool(aug.hflip and rng.random() < 0.5)
    flip_y = bool(aug.vflip and rng.random() < 0.5)
    warp = _coarse_field(rng, ph, pw, aug.warp) if aug.warp > 0 else None
    return PatchTransform((ph, pw), angle, zoom, cy, cx, flip_x, flip_y, warp)


def sampling_map_of(t: PatchTransform) -> tuple:
    """Source coordinates (map_y, map_x), each (ph, pw) float32, of a patch transform."""
    ph, pw = t.size
    ca, sa = np.cos(t.angle), np.sin(t.angle)
    v, u = np.meshgrid((np.arange(ph, dtype=np.float32) - (ph - 1) / 2) * t.zoom,
                       (np.arange(pw, dtype=np.float32) - (pw - 1) / 2) * t.zoom, indexing="ij")
    if t.flip_x:
        u = -u
    if t.flip_y:
        v = -v
    map_x = t.cx + ca * u - sa * v
    map_y = t.cy + sa * u + ca * v
    if t.warp is not None:
        dy, dx = _smooth_field(t.warp, ph, pw)
        map_y, map_x = map_y + dy, map_x + dx
    return map_y.astype(np.float32), map_x.astype(np.float32)


def sampling_map(rng: np.random.Generator, h: int, w: int, size, aug: AugmentConfig) -> tuple:
    """Source coordinates (map_y, map_x), each (ph, pw) float32, of one augmented patch.

    ``size`` is the patch side or a (ph, pw) pair. Coordinates may fall outside the image
    (rotation of a whole-image patch); sampling then reflects at the border."""
    return sampling_map_of(draw_transform(rng, h, w, size, aug))


def _remap(a: np.ndarray, map_y, map_x, nearest: bool = False) -> np.ndarray:
    interp = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    if a.dtype == np.int64:
        a = a.astype(np.int32)
    return cv2.remap(a, map_x, map_y, interp, borderMode=cv2.BORDER_REFLECT_101)


def jitter_target(rng: np.random.Generator, rgb: np.ndarray, amount: float) -> np.ndarray:
    """Random brightness and saturation change of the target colours (not the guides)."""
    if amount <= 0:
        return rgb
    gray = rgb.mean(axis=2, keepdims=True)
    sat = 1 + rng.uniform(-amount, amount)
    bright = 1 + rng.uniform(-amount, amount) / 2
    return np.clip((gray + (rgb - gray) * sat) * bright, 0, 1).astype(np.float32)


class PatchSampler:
    """Draws batches of augmented patches from one or more training views.

    ``line_styles``: instead of the view's own sketch, each patch's sketch is the augmented
    photo patch drawn in a random line style (``preprocess/line_styles.py``): the training
    of a model that reads line drawings."""

    def __init__(self, views: list[TrainingView], model_cfg: ModelConfig, aug: AugmentConfig, seed: int = 0,
                 line_styles: bool = False):
        if not views:
            raise ValueError("PatchSampler needs at least one view")
        self.views, self.cfg, self.aug = views, model_cfg, aug
        self.rng = np.random.default_rng(seed)
        # Colour jitter and line styles have their own streams, so turning them on does not
        # change the geometry drawn.
        self.jitter_rng = np.random.default_rng([seed, 1])
        self.style_rng = np.random.default_rng([seed, 2])
        self.hint_rng = np.random.default_rng([seed, 3])
        self.print_rng = np.random.default_rng([seed, 4])  # which patches are aged, and how
        self.line_styles = line_styles
        # Canny thresholds of a patch are set from its whole view's median, as for a whole photo.
        self.medians = [blurred_median(v.photo) for v in views] if line_styles else None

    def sample_one(self, size):
        index = int(self.rng.integers(len(self.views)))
        view = self.views[index]
        h, w = view.guides.shape
        my, mx = sampling_map(self.rng, h, w, size, self.aug)
        g = view.guides
        photo = _remap(view.photo, my, mx)
        if self.line_styles:
            sketch = random_line_drawing(photo, self.style_rng, self.medians[index])
        else:
            sketch = _remap(g.sketch, my, mx)
        depth = None if g.depth is None else _remap(g.depth, my, mx)
        lum = None if g.luminance is None else _remap(g.luminance, my, mx)
        if lum is not None and self.aug.print_ageing > 0 and self.print_rng.random() < self.aug.print_ageing:
            lum = random_print(lum, self.print_rng)  # the input aged like an old print; the target stays clean
        pos = np.stack([my / max(h - 1, 1), mx / max(w - 1, 1)])
        if self.aug.position_jitter > 0:  # position as a loose hint: shifted at random per patch
            pos = pos + self.style_rng.uniform(-self.aug.position_jitter, self.aug.position_jitter, (2, 1, 1))
        pos = np.clip(pos, 0, 1).astype(np.float32)
        target = jitter_target(self.jitter_rng, photo, self.aug.color_jitter)
        # hint models: random dots and scribbles of the target's own colour
        hints = hint_channels(random_hints(target, self.hint_rng, self.aug.max_hints), sketch) if self.cfg.hints else None
        x = encode_inputs(sketch, depth, lum, pos, self.cfg, hints)
        labels = None
        if g.mask is not None and self.cfg.num_labels > 0:
            labels = _remap(g.mask, my, mx, nearest=True).astype(np.int64)
        return x, labels, target

    def sample(self, batch_size: int, size=None) -> Batch:
        """A batch of patches of side ``size`` (or (ph, pw)); ``None``: the whole view."""
        size = size or self.views[0].guides.shape
        items = [self.sample_one(size) for _ in range(batch_size)]
        inputs = torch.from_numpy(np.stack([i[0] for i in items]))
        labels = None if items[0][1] is None else torch.from_numpy(np.stack([i[1] for i in items]))
        target = torch.from_numpy(np.stack([i[2] for i in items])).permute(0, 3, 1, 2).contiguous()
        return Batch(inputs, labels, target)

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "jitter_rng": self.jitter_rng.bit_generator.state,
                "style_rng": self.style_rng.bit_generator.state, "hint_rng": self.hint_rng.bit_generator.state,
                "print_rng": self.print_rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.jitter_rng.bit_generator.state = state["jitter_rng"]
        self.style_rng.bit_generator.state = state["style_rng"]
        if "hint_rng" in state:  # runs saved before colour hints have no such stream
            self.hint_rng.bit_generator.state = state["hint_rng"]
        if "print_rng" in state:  # nor runs saved before print ageing
            self.print_rng.bit_generator.state = state["print_rng"]


def resize_view(view: TrainingView, long_side: int) -> TrainingView:
    """The view resized so its long side is at most ``long_side`` (never enlarged)."""
    h, w = view.guides.shape
    s = min(1.0, long_side / max(h, w))
    if s >= 1.0:
        return view
    size = (max(1, round(w * s)), max(1, round(h * s)))
    rs = lambda a: None if a is None else cv2.resize(a, size, interpolation=cv2.INTER_AREA)  # noqa: E731
    g = view.guides
    # Area averaging turns a 1-px line into a faint one; dividing the ink by the scale keeps
    # lines as dark as they were (a line's ink per unit length is preserved).
    sketch = 1.0 - np.minimum(1.0, (1.0 - rs(g.sketch)) / s)
    mask = None if g.mask is None else cv2.resize(g.mask.astype(np.int32), size,
                                                  interpolation=cv2.INTER_NEAREST).astype(np.int64)
    return TrainingView(rs(view.photo), Guides(sketch.astype(np.float32), rs(g.depth), mask, rs(g.luminance)))
