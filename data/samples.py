"""The bundled sample: a real Middlebury 2014 stereo pair shipped with scikit-image.

``skimage.data.stereo_motorcycle()`` gives the left and right photos (500 x 741) and the
ground-truth disparity of the left view (left pixel x matches right pixel x - d; non-finite
values are unknown). SemColorNet uses it as:

- training view: the left photo, depth = its disparity with unknown pixels filled from
  the background side (the smaller of the nearest known values to the left and right);
- held-out view: the right photo, depth = the left disparity forward-warped into the
  right view (nearer wins where two pixels land on one; holes filled from the background
  side), on the same scale as the training depth.

Depth is scaled to [0, 1] with the training view's min and max (larger = nearer).
This is the one definition used by training, inference, evaluation and the benchmarks.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from preprocess.view.generate_multiview import fill_from_background, warp_by_disparity


@dataclass(frozen=True)
class StereoView:
    """One view of the bundled stereo pair: photo, depth and disparity."""
    name: str
    photo: np.ndarray   # (H, W, 3) float32 RGB in [0, 1]
    depth: np.ndarray   # (H, W) float32 in [0, 1], larger = nearer
    disparity: np.ndarray  # (H, W) float32, pixels, filled (no unknowns)


def fill_disparity(disp: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Fill invalid pixels from the background side (``preprocess/view/generate_multiview.py``)."""
    disp = np.where(valid, disp, 0).astype(np.float32)
    return fill_from_background(disp[..., None], disp, valid)[1]


def warp_disparity_left_to_right(disp_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward-warp a (filled) left disparity into the right view (``warp_by_disparity``).

    Returns the right disparity (holes filled from the background side) and the mask of
    right pixels that received a value (visible in both views)."""
    view = warp_by_disparity(disp_left[..., None], disp_left, direction=-1.0)
    return view.depth, view.valid


@functools.lru_cache(maxsize=1)
def _stereo_arrays():
    from skimage import data
    left, right, disp = data.stereo_motorcycle()
    return left, right, disp


@functools.lru_cache(maxsize=1)
def stereo_motorcycle_views() -> tuple[StereoView, StereoView]:
    """(training view, held-out view) of the bundled sample; see the module docstring."""
    left, right, disp = _stereo_arrays()
    valid = np.isfinite(disp)
    disp_left = fill_disparity(disp, valid)
    disp_right, _ = warp_disparity_left_to_right(disp_left)
    lo, hi = float(disp_left.min()), float(disp_left.max())
    scale = lambda d: np.clip((d - lo) / (hi - lo), 0, 1).astype(np.float32)  # noqa: E731
    train = StereoView("motorcycle-left", left.astype(np.float32) / 255.0, scale(disp_left), disp_left)
    heldout = StereoView("motorcycle-right", right.astype(np.float32) / 255.0, scale(disp_right), disp_right)
    return train, heldout


def stereo_motorcycle_raw():
    """The untouched (left, right, left disparity with NaN/inf unknowns) arrays."""
    return _stereo_arrays()
