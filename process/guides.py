"""Turn what the user gave (a photo, a depth file, a mask, or the bundled sample) into guides.

Training, inference and evaluation all build their inputs here, with the sketch settings
of the run, so the network sees at inference exactly the kind of input it learned from.
``depth`` and ``mask`` arguments are a file path, ``"none"``, or ``None`` (meaning: derive
it: depth by Depth Anything V2 through ``process/sketch_depth.py``; mask: no mask).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from config.defaults import SketchConfig
from models.inputs import Guides
from preprocess.sketch import extract_sketch, prepare_drawing
from utils.errors import InputError
from utils.image_io import check_same_size, read_depth, read_mask
from utils.cielab import gray_lightness, lightness_to_gray, photo_lightness


@dataclass
class GuideSources:
    """Where each guide comes from; recorded in the run's config."""
    depth: str | None = None          # file, 'none', or None (estimate)
    mask: str | None = None           # file, 'none', or None (no mask)
    depth_model: str | None = None    # hub id or local folder for the estimate
    cache_dir: str | None = None      # where preprocessing results are cached


def _depth_for(photo: np.ndarray, photo_path, src: GuideSources) -> np.ndarray | None:
    if src.depth == "none":
        return None
    if src.depth is not None:
        depth = read_depth(src.depth)
        check_same_size(photo, depth, f"depth {src.depth}")
        return depth
    from preprocess.depth import estimate_depth_cached
    return estimate_depth_cached(photo, photo_path, src.depth_model, src.cache_dir)


def _mask_for(photo: np.ndarray, src: GuideSources) -> np.ndarray | None:
    if src.mask in (None, "none"):
        return None
    mask = read_mask(src.mask)
    check_same_size(photo, mask, f"mask {src.mask}")
    return mask


def is_colour(photo: np.ndarray, tolerance: float = 1.5 / 255) -> bool:
    """Whether an (H, W, 3) photo has colour (any pixel whose channels differ by more than ``tolerance``)."""
    return bool((photo.max(axis=2) - photo.min(axis=2) > tolerance).any())


def lightness_of(photo: np.ndarray) -> np.ndarray:
    """CIE L* / 100 of a photo, (H, W) float32: a black-and-white one's grey values (8 or 16 bit,
    as read) converted exactly; a colour one's Lab lightness."""
    return photo_lightness(photo) if is_colour(photo) else gray_lightness(photo[..., 0])


def guides_from_photo(photo: np.ndarray, sketch_cfg: SketchConfig, src: GuideSources,
                      photo_path=None, luminance: bool = False) -> Guides:
    """Guides of a photo: its sketch (same settings as training), depth and mask per ``src``.

    ``luminance``: a black-and-white model's guides: the lightness, and the sketch drawn from
    it (so a colour photo and its black-and-white print give the same guides)."""
    lum = lightness_of(photo) if luminance else None
    return Guides(sketch=sketch_of(photo, lum, sketch_cfg), depth=_depth_for(photo, photo_path, src),
                  mask=_mask_for(photo, src), luminance=lum)


def sketch_of(photo: np.ndarray | None, lightness: np.ndarray | None, sketch_cfg: SketchConfig) -> np.ndarray:
    """The sketch a run with ``sketch_cfg`` draws: from the photo's ``lightness`` where given (a
    black-and-white model), else from the ``photo``."""
    return extract_sketch(photo if lightness is None else lightness_to_gray(lightness), sketch_cfg)


def guides_from_sketch(sketch: np.ndarray, src: GuideSources, sketch_cfg: SketchConfig | None = None) -> Guides:
    """Guides of a drawing (no line extraction; a ``lines`` run reduces it to centre lines,
    ``preprocess.sketch.prepare_drawing``); depth must be a file or 'none'."""
    if src.depth is None:
        raise InputError("a sketch has no photo to estimate depth from: give --depth FILE or --depth none")
    depth = None
    if src.depth != "none":
        depth = read_depth(src.depth)
        check_same_size(sketch, depth, f"depth {src.depth}", "sketch")
    mask = _mask_for(sketch, src)
    prepared = prepare_drawing(sketch, sketch_cfg)
    return Guides(sketch=prepared, depth=depth, mask=mask, drawing=None if prepared is sketch else sketch)


def sample_guides(view, sketch_cfg: SketchConfig, use_depth: bool = True, luminance: bool = False) -> Guides:
    """Guides of a bundled-sample view (data/samples.py): ground-truth depth, extracted sketch."""
    lum = photo_lightness(view.photo) if luminance else None
    return Guides(sketch=sketch_of(view.photo, lum, sketch_cfg), depth=view.depth if use_depth else None,
                  luminance=lum)
