"""A line drawing's colours laid out by its own lines: colour changes where a line is drawn.

A network that reads a drawing of a scene it never saw hedges under L1: its colours blur
across the lines, and the drawing's structure is lost. Here the network's colours are
smoothed *inside* the areas the lines bound and never across a line: an edge-preserving
recursive filter (the domain transform's recursive filter, Gastal & Oliveira 2011) whose only
edges are the drawing's lines, normalised. Along each row and column a pixel's colour is mixed
with its neighbours' unless a line lies between them, in alternating horizontal and vertical
passes of shrinking reach, so an area closed by lines ends up with its mean colour where
``reach`` is large against it, and keeps the network's gradual shading (a sky's gradient, a
shaded wall) over distances longer than ``reach``. No region needs to be closed: colour
flows around the end of an open line only over paths free of lines, so a sparse CAD export
keeps its edges where it has lines.

Gaps of up to ``2 * gap`` px between strokes are bridged first (the lines dilated, as
LazyBrush bridges them, Sykora et al. 2009). The line pixels themselves then take the colour of
the nearest pixel off the lines (``lines="hide"``) or are drawn over the colours as ink, as
dark as the user drew them (``lines="keep"``: the look of a coloured architectural drawing).
"""
from __future__ import annotations

import math

import cv2
import numpy as np
from scipy.ndimage import distance_transform_edt

LINE_MODES = ("keep", "hide")
LINES = "hide"     # the default: drawn ink over colours that come from a photo's scene (alignment) costs
                   # PSNR at every stroke (bench/results_lines_cpu.md); keep is the coloured-drawing look
REACH = 16.0       # px: how far colour is mixed inside a line-bounded area (the filter's sigma; chosen on
                   # the development cases' drawings, bench/results_lines_cpu.md)
GAP = 1            # px: gaps of up to 2 * GAP px between strokes are bridged
PASSES = 3         # horizontal + vertical pass pairs, of shrinking reach (Gastal & Oliveira's N)
INK_THRESHOLD = 0.5  # a sketch pixel darker than this is a line


def line_barrier(sketch: np.ndarray, gap: int = GAP) -> np.ndarray:
    """(H, W) bool: the drawing's lines (sketch < 0.5), thickened by ``gap`` px so that gaps of
    up to ``2 * gap`` px between strokes close."""
    lines = (sketch < INK_THRESHOLD).astype(np.uint8)
    if gap > 0:
        lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1)))
    return lines.astype(bool)


def _sum_pass(image: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Exponentially weighted sums along axis 1 of (H, W, C): each pixel gets the sum over its
    row of the others times the product of the ``weight`` (H, W - 1) links between them (0
    across a line), itself counted once. Both directions. Unscaled: a pixel shut in by lines
    keeps its own value's size, an open area's sums grow to about ``(2 / (1 - a)) ** passes``,
    far inside float32's range (a scale per pass would shrink a small area's sums toward 0)."""
    w = weight[..., None]
    fwd = np.array(image, copy=True)
    for x in range(1, image.shape[1]):
        fwd[:, x] += w[:, x - 1] * fwd[:, x - 1]
    bwd = np.array(image, copy=True)
    for x in range(image.shape[1] - 2, -1, -1):
        bwd[:, x] += w[:, x] * bwd[:, x + 1]
    return fwd + bwd - image


def filter_within_lines(image: np.ndarray, barrier: np.ndarray, reach: float = REACH,
                        passes: int = PASSES) -> np.ndarray:
    """Sums of ``image`` (H, W, C) with exponentially falling weights over ``reach`` px along
    paths that cross no ``barrier`` pixel: the domain transform's recursive filter (Gastal &
    Oliveira 2011) with the barrier as its only edge, written as sums so that it can be
    normalised (divide by the same sums of a weight channel: :func:`even_within_lines`).

    The link between neighbours is ``exp(-sqrt(2) / sigma_i)``, 0 where either is a barrier
    pixel; horizontal then vertical, ``passes`` times, with Gastal & Oliveira's shrinking
    ``sigma_i``. Sums rather than the running average y = (1 - a) x + a y_prev: that average
    gives a short run between two lines the value of its first pixel."""
    if image.shape[:2] != barrier.shape:
        raise ValueError(f"image {image.shape[:2]} and barrier {barrier.shape} differ in size")
    out = np.asarray(image, dtype=np.float32)
    free = ~barrier
    open_x = (free[:, 1:] & free[:, :-1]).astype(np.float32)                   # (H, W - 1)
    open_y = np.ascontiguousarray((free[1:] & free[:-1]).T).astype(np.float32)  # (W, H - 1)
    for i in range(passes):
        sigma = reach * math.sqrt(3) * 2 ** (passes - i - 1) / math.sqrt(4 ** passes - 1)
        a = math.exp(-math.sqrt(2) / sigma)
        out = _sum_pass(out, a * open_x)
        out = np.ascontiguousarray(_sum_pass(np.ascontiguousarray(out.transpose(1, 0, 2)), a * open_y)
                                   .transpose(1, 0, 2))
    return out


def fill_lines(image: np.ndarray, barrier: np.ndarray) -> np.ndarray:
    """``image`` with every barrier pixel given the value of the nearest pixel off the barrier."""
    if barrier.all() or not barrier.any():
        return image
    _, (iy, ix) = distance_transform_edt(barrier, return_indices=True)
    return image[iy, ix]


def draw_ink(rgb: np.ndarray, sketch: np.ndarray) -> np.ndarray:
    """The user's own strokes drawn over ``rgb`` as ink: each pixel multiplied by the drawing's
    paper value there (1 on white paper, 0 on black ink, grey pencil in between)."""
    return (rgb * np.clip(sketch, 0.0, 1.0)[..., None]).astype(np.float32)


def even_within_lines(rgb: np.ndarray, sketch: np.ndarray, reach: float = REACH, gap: int = GAP) -> np.ndarray:
    """The network's colours ``rgb`` (H, W, 3) evened out within the areas the drawing ``sketch``
    (H, W, lines 0 on white 1) bounds, over ``reach`` px (0: left as they are), and the line
    pixels filled from their sides (a normalised filter: the filtered colours over the filtered
    ones, so an area's edge and a short run between two lines get their own mean)."""
    if rgb.shape[:2] != sketch.shape:
        raise ValueError(f"colours {rgb.shape[:2]} and drawing {sketch.shape} differ in size")
    if reach < 0:
        raise ValueError(f"reach is a distance in px, 0 or more; got {reach}")
    if reach == 0:
        return rgb
    barrier = line_barrier(sketch, gap)
    ones = np.ones(rgb.shape[:2] + (1,), np.float32)
    both = filter_within_lines(np.concatenate([rgb, ones], axis=-1), barrier, reach)
    evened = both[..., :3] / both[..., 3:]  # every pixel counts itself: the sums of ones are >= 1
    return np.clip(fill_lines(evened, barrier), 0.0, 1.0)


def colour_by_lines(rgb: np.ndarray, sketch: np.ndarray, lines: str = LINES, reach: float = REACH,
                    gap: int = GAP) -> np.ndarray:
    """The network's colours laid out by the drawing (:func:`even_within_lines`), then its strokes
    drawn as ink (``lines="keep"``) or left out (``"hide"``): what ``process.py --align off`` renders."""
    if lines not in LINE_MODES:
        raise ValueError(f"lines must be one of {LINE_MODES}, got {lines!r}")
    out = even_within_lines(rgb, sketch, reach, gap)
    return draw_ink(out, sketch) if lines == "keep" else out
