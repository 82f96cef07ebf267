"""What the network sees: the guide channels, built the same way for training and inference.

Channel order (only the enabled ones, see :class:`config.defaults.ModelConfig`):

==============  ==========================================================
sketch          lines 0 on white 1
line distance   distance to the nearest line, px, capped at ``LINE_DISTANCE_CAP`` and scaled to [0, 1]
depth           [0, 1], larger = nearer
lightness       L* / 100 of the photo, [0, 1] (colorizing a black-and-white photo; the
                output keeps it exactly, see ``models/unet.py``)
hints           hinted R, G, B (0 where nothing is hinted) and the hint mask: colour-hint
                models only (``preprocess/hints.py``); all zero = no hints
position        (y, x) of the pixel in the whole image, each in [0, 1]; always last and
                always there: the attention bottleneck pools by it (so tiles add up to the
                whole image), but the network *reads* it only when ``cfg.position`` is on
==============  ==========================================================

The semantic label map is not a channel here: it goes to the network as integer labels
and is embedded there (semantic-aware concatenation, ``models/unet.py``).

Everything is local except position, which takes the crop's place in the whole image,
so a tile of a large image gets exactly the channels it would get as part of the whole.

A *mirrored* view (:meth:`Guides.mirror`, left and right swapped) keeps each pixel's position in
the unmirrored image (x becomes 1 - x): its channels are exactly the unmirrored channels flipped,
which is what a horizontally flipped training patch gives the network (``data/dataset.py`` samples
position with the pixels). Inference averages the two (``process/inference.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from config.defaults import ModelConfig
from preprocess.hints import HINT_CHANNELS
from utils.errors import InputError

LINE_DISTANCE_CAP = 16.0  # px; beyond this a pixel is simply "far from any line"


@dataclass
class Guides:
    """The guides of one view, whole-image arrays of one size (H, W)."""
    sketch: np.ndarray                   # (H, W) float32, lines 0 on white 1
    depth: np.ndarray | None = None      # (H, W) float32 in [0, 1], larger = nearer
    mask: np.ndarray | None = None       # (H, W) int64 labels 0..K-1
    luminance: np.ndarray | None = None  # (H, W) float32 L* / 100 in [0, 1]
    hints: np.ndarray | None = None      # (H, W, 4) float32 hinted RGB + mask (hint models; None: no hints)
    mirrored: bool = False               # left and right swapped; positions stay those of the unmirrored view
    drawing: np.ndarray | None = None    # (H, W) the drawing as the user gave it, when ``sketch`` is a cleaned
                                         # version of it (a line-drawing run reads 1-px centre lines); not a channel

    @property
    def strokes(self) -> np.ndarray:
        """The lines as drawn: ``drawing`` where given, else ``sketch`` (postprocess/line_structure.py inks them)."""
        return self.sketch if self.drawing is None else self.drawing

    @property
    def shape(self) -> tuple[int, int]:
        return self.sketch.shape[:2]

    def mirror(self) -> "Guides":
        """The view with left and right swapped (a second time: the original view)."""
        flip = lambda a: None if a is None else np.ascontiguousarray(a[:, ::-1])  # noqa: E731
        return replace(self, sketch=flip(self.sketch), depth=flip(self.depth), mask=flip(self.mask),
                       luminance=flip(self.luminance), hints=flip(self.hints), mirrored=not self.mirrored,
                       drawing=flip(self.drawing))


def input_channels(cfg: ModelConfig) -> int:
    """Channels of the encoded input tensor (:func:`encode_inputs`), position included."""
    return 1 + int(cfg.line_distance) + int(cfg.use_depth) + int(cfg.use_luminance) + HINT_CHANNELS * int(cfg.hints) + 2


def network_channels(cfg: ModelConfig) -> int:
    """Channels the network's first layer reads: the position channels only when ``cfg.position``."""
    return input_channels(cfg) - 2 * int(not cfg.position)


def luminance_channel(cfg: ModelConfig) -> int:
    """Index of the lightness channel in the encoded inputs (``cfg.use_luminance`` models)."""
    if not cfg.use_luminance:
        raise ValueError("this model has no lightness channel")
    return 1 + int(cfg.line_distance) + int(cfg.use_depth)


def line_distance(sketch: np.ndarray) -> np.ndarray:
    """Distance of each pixel to the nearest line pixel (sketch < 0.5), capped, in [0, 1]."""
    free = (sketch >= 0.5).astype(np.uint8)
    if free.all():
        return np.ones_like(sketch, dtype=np.float32)
    dist = cv2.distanceTransform(free, cv2.DIST_L2, 3)
    return np.minimum(dist, LINE_DISTANCE_CAP).astype(np.float32) / LINE_DISTANCE_CAP


def position_grid(h: int, w: int, full_shape: tuple[int, int] | None = None, origin=(0, 0)) -> np.ndarray:
    """(2, h, w) normalised (y, x) of a crop at ``origin`` inside an image of ``full_shape``."""
    fh, fw = full_shape or (h, w)
    ys = (np.arange(h, dtype=np.float32) + origin[0]) / max(fh - 1, 1)
    xs = (np.arange(w, dtype=np.float32) + origin[1]) / max(fw - 1, 1)
    return np.stack(np.meshgrid(ys, xs, indexing="ij"))


def encode_inputs(sketch: np.ndarray, depth: np.ndarray | None, luminance: np.ndarray | None,
                  position: np.ndarray, cfg: ModelConfig, hints: np.ndarray | None = None) -> np.ndarray:
    """Stack the enabled channels into (C, H, W) float32. ``position`` is (2, H, W); ``hints``
    (H, W, 4) or None (no hints)."""
    chans = [sketch.astype(np.float32)]
    if cfg.line_distance:
        chans.append(line_distance(sketch))
    if cfg.use_depth:
        if depth is None:
            raise ValueError("this model was trained with depth; give a depth map (or retrain with --depth none)")
        chans.append(depth.astype(np.float32))
    if cfg.use_luminance:
        if luminance is None:
            raise ValueError("this model was trained with a luminance channel; give a grayscale photo")
        chans.append(luminance.astype(np.float32))
    if cfg.hints:
        if hints is None:
            chans.extend(np.zeros((HINT_CHANNELS,) + sketch.shape, np.float32))
        else:
            chans.extend(np.moveaxis(hints.astype(np.float32), -1, 0))
    elif hints is not None:
        raise ValueError("this model was trained without colour hints; retrain with train.py --hints")
    chans.extend(position.astype(np.float32))
    return np.stack(chans)


def check_labels(mask: np.ndarray, cfg: ModelConfig) -> None:
    """Refuse a mask with labels the model never learned (no silent clamping)."""
    top = int(mask.max(initial=0))
    if cfg.num_labels > 0 and (top >= cfg.num_labels or int(mask.min(initial=0)) < 0):
        raise InputError(f"the mask has labels up to {top}, but this model was trained with labels "
                         f"0..{cfg.num_labels - 1}; give a mask with the training mask's labels")


def encode_guides(guides: Guides, cfg: ModelConfig, window=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Channels and labels of a window ``(y0, y1, x0, x1)`` of the guides (default: all of it).

    The line distance is computed with a margin of ``LINE_DISTANCE_CAP`` px around the
    window so that it is the same as for the whole image. For mirrored guides
    (:meth:`Guides.mirror`) the position channels are those of the unmirrored view.
    """
    h, w = guides.shape
    y0, y1, x0, x1 = window or (0, h, 0, w)
    m = int(LINE_DISTANCE_CAP) + 1
    ey0, ey1, ex0, ex1 = max(0, y0 - m), min(h, y1 + m), max(0, x0 - m), min(w, x1 + m)
    crop = lambda a: None if a is None else a[ey0:ey1, ex0:ex1]  # noqa: E731
    pos = position_grid(ey1 - ey0, ex1 - ex0, (h, w), (ey0, ex0))
    if guides.mirrored:  # the unmirrored view's x: column c of w is column w - 1 - c there
        pos[1] = (w - 1) / max(w - 1, 1) - pos[1]
    x = encode_inputs(crop(guides.sketch), crop(guides.depth), crop(guides.luminance), pos, cfg, crop(guides.hints))
    x = x[:, y0 - ey0:y1 - ey0, x0 - ex0:x1 - ex0]
    labels = None if guides.mask is None or cfg.num_labels == 0 else guides.mask[y0:y1, x0:x1]
    return np.ascontiguousarray(x), labels
