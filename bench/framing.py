"""Framing test: does a model colour a thing by what it is, or by where the frame puts it?

Three 70 % windows of a held-out input (top-left, bottom-right, centre; every guide cropped
alike: sketch, depth, mask, lightness) are coloured *on their own*, and each is compared with
the same window cut out of the full-frame output, both against the real photo's window. The
change in PSNR (window alone - window of the full frame) is what the frame moved: a model that
colours by content changes only by what the lost surroundings honestly explain (the line
distance near a new border, the attention's context).

It also names the *re-framed splits*: held-out inputs framed unlike the training photo, which
the original development cases lack (three of the four share their framing with the training
photo). For motorcycle, graf and aero the held-out view is cut to one 70 % window before it is
coloured (:data:`REFRAMED_WINDOWS`); china gets a case of its own, ``china-rows`` in
``bench/cases.py`` (learned from the top 60 %, tested on the bottom 40 %).

Used by ``bench/quality.py --framing``.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from models.inputs import Guides

FRACTION = 0.7  # each window's side, fraction of the input's side

# The three windows of the framing test.
WINDOWS = ("top-left", "bottom-right", "centre")

# The re-framed split of each case whose held-out view is simply cut: one window, named so
# every table says which. Chosen to move the frame both ways: motorcycle loses its top and
# right, graf its bottom and left, aero its top and left.
REFRAMED_WINDOWS = {"motorcycle": "bottom-left", "graf": "top-right", "aero": "bottom-right"}


def window_box(shape: tuple[int, int], name: str, fraction: float = FRACTION) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) of the named window of an (H, W) image: ``fraction`` of each side."""
    h, w = shape
    wh, ww = int(round(h * fraction)), int(round(w * fraction))
    vertical, _, horizontal = name.partition("-")
    if name == "centre":
        y0, x0 = (h - wh) // 2, (w - ww) // 2
    elif vertical in ("top", "bottom") and horizontal in ("left", "right"):
        y0 = 0 if vertical == "top" else h - wh
        x0 = 0 if horizontal == "left" else w - ww
    else:
        raise ValueError(f"unknown window {name!r}: centre, or top|bottom-left|right")
    return y0, y0 + wh, x0, x0 + ww


def crop(image: np.ndarray | None, box: tuple[int, int, int, int]) -> np.ndarray | None:
    y0, y1, x0, x1 = box
    return None if image is None else np.ascontiguousarray(image[y0:y1, x0:x1])


def crop_guides(guides: Guides, box: tuple[int, int, int, int]) -> Guides:
    """The guides of a window, as a view of its own (every guide cropped alike)."""
    if guides.mirrored:
        raise ValueError("crop the unmirrored guides")
    return replace(guides, sketch=crop(guides.sketch, box), depth=crop(guides.depth, box),
                   mask=crop(guides.mask, box), luminance=crop(guides.luminance, box), hints=crop(guides.hints, box),
                   drawing=crop(guides.drawing, box))


def framing_test(colour, guides: Guides, photo: np.ndarray, full_output: np.ndarray, score) -> list[dict]:
    """One row per window of :data:`WINDOWS`.

    ``colour(guides) -> (h, w, 3) RGB`` colours a view; ``full_output`` is its output on the whole
    ``guides``; ``score(pred, target) -> dict`` with ``psnr`` (``utils.metrics.image_metrics``).
    Each row: the window, its PSNR coloured alone and as part of the full frame, and the change."""
    rows = []
    for name in WINDOWS:
        box = window_box(guides.shape, name)
        target = crop(photo, box)
        alone = score(colour(crop_guides(guides, box)), target)
        framed = score(crop(full_output, box), target)
        rows.append({"window": name, "alone": alone, "framed": framed, "change_db": alone["psnr"] - framed["psnr"]})
    return rows
