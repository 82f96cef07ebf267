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
from preprocess.sketch import extract_sketch
from utils.errors import InputError
from utils.image_io import check_same_size, read_depth, read_mask


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
    from process.sketch_depth import estimate_depth_cached
    return estimate_depth_cached(photo, photo_path, src.depth_model, src.cache_dir)


def _mask_for(photo: np.ndarray, src: GuideSources) -> np.ndarray | None:
    if src.mask in (None, "none"):
        return None
    mask = read_mask(src.mask)
    check_same_size(photo, mask, f"mask {src.mask}")
    return mask


def photo_luminance(photo: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of an (H, W, 3) photo in [0, 1]: what a black-and-white photo of it shows."""
    return (photo[..., 0] * 0.299 + photo[..., 1] * 0.587 + photo[..., 2] * 0.114).astype(np.float32)


def guides_from_photo(photo: np.ndarray, sketch_cfg: SketchConfig, src: GuideSources,
                      photo_path=None, luminance: bool = False) -> Guides:
    """Guides of a photo: its sketch (same settings as training), depth and mask per ``src``."""
    return Guides(sketch=extract_sketch(photo, sketch_cfg), depth=_depth_for(photo, photo_path, src),
                  mask=_mask_for(photo, src), luminance=photo_luminance(photo) if luminance else None)


def guides_from_sketch(sketch: np.ndarray, src: GuideSources) -> Guides:
    """Guides of a drawing taken as it is (no line extraction); depth must be a file or 'none'."""
    if src.depth is None:
        raise InputError("a sketch has no photo to estimate depth from: give --depth FILE or --depth none")
    depth = None
    if src.depth != "none":
        depth = read_depth(src.depth)
        check_same_size(sketch, depth, f"depth {src.depth}", "sketch")
    mask = _mask_for(sketch, src)
    return Guides(sketch=sketch, depth=depth, mask=mask)


def sample_guides(view, sketch_cfg: SketchConfig, use_depth: bool = True, luminance: bool = False) -> Guides:
    """Guides of a bundled-sample view (data/samples.py): ground-truth depth, extracted sketch."""
    return Guides(sketch=extract_sketch(view.photo, sketch_cfg), depth=view.depth if use_depth else None,
                  luminance=photo_luminance(view.photo) if luminance else None)
