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


@dataclass(frozen=True)
class View:
    name: str
    photo: np.ndarray   # (H, W, 3) float32 RGB in [0, 1]
    depth: np.ndarray   # (H, W) float32 in [0, 1], larger = nearer
    disparity: np.ndarray  # (H, W) float32, pixels, filled (no unknowns)


def fill_from_background(disp: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Fill invalid pixels row by row with the smaller (farther) of the nearest valid
    values on their left and right; rows with no valid pixel take the global minimum."""
    disp = np.where(valid, disp, np.nan).astype(np.float32)
    h, w = disp.shape
    idx = np.arange(w)[None, :].repeat(h, axis=0)
    left_idx = np.where(valid, idx, -1)
    np.maximum.accumulate(left_idx, axis=1, out=left_idx)
    right_idx = np.where(valid, idx, w)
    right_idx = np.minimum.accumulate(right_idx[:, ::-1], axis=1)[:, ::-1]
    rows = np.arange(h)[:, None].repeat(w, axis=1)
    far = np.float32(np.nanmin(disp)) if valid.any() else np.float32(0)
    left_val = np.where(left_idx >= 0, disp[rows, np.clip(left_idx, 0, w - 1)], np.inf)
    right_val = np.where(right_idx < w, disp[rows, np.clip(right_idx, 0, w - 1)], np.inf)
    fill = np.minimum(left_val, right_val)
    fill = np.where(np.isfinite(fill), fill, far)
    return np.where(valid, disp, fill).astype(np.float32)


def warp_disparity_left_to_right(disp_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward-warp a (filled) left disparity into the right view.

    Returns the right disparity (holes filled from the background side) and the mask of
    right pixels that received a value (visible in both views)."""
    h, w = disp_left.shape
    ys, xs = np.mgrid[0:h, 0:w]
    target = xs - disp_left
    out = np.full((h, w), -np.inf, dtype=np.float32)
    # Splat to both neighbouring integer columns, so that a slanted surface leaves no
    # one-pixel cracks that would otherwise be filled with background.
    for xr in (np.floor(target).astype(np.int64), np.ceil(target).astype(np.int64)):
        ok = (xr >= 0) & (xr < w)
        np.maximum.at(out, (ys[ok], xr[ok]), disp_left[ok])  # nearer (larger disparity) wins
    hit = np.isfinite(out)
    return fill_from_background(np.where(hit, out, 0), hit), hit


@functools.lru_cache(maxsize=1)
def _stereo_arrays():
    from skimage import data
    left, right, disp = data.stereo_motorcycle()
    return left, right, disp


@functools.lru_cache(maxsize=1)
def stereo_motorcycle_views() -> tuple[View, View]:
    """(training view, held-out view) of the bundled sample; see the module docstring."""
    left, right, disp = _stereo_arrays()
    valid = np.isfinite(disp)
    disp_left = fill_from_background(np.where(valid, disp, 0), valid)
    disp_right, _ = warp_disparity_left_to_right(disp_left)
    lo, hi = float(disp_left.min()), float(disp_left.max())
    scale = lambda d: np.clip((d - lo) / (hi - lo), 0, 1).astype(np.float32)  # noqa: E731
    train = View("motorcycle-left", left.astype(np.float32) / 255.0, scale(disp_left), disp_left)
    heldout = View("motorcycle-right", right.astype(np.float32) / 255.0, scale(disp_right), disp_right)
    return train, heldout


def stereo_motorcycle_raw():
    """The untouched (left, right, left disparity with NaN/inf unknowns) arrays."""
    return _stereo_arrays()
