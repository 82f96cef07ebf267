"""Colour hints: a few coloured points and scribbles a user puts on the input, as network channels.

A hint model (``train.py --hints``) reads four more channels: the hinted colour (R, G, B in
[0, 1], zero where nothing is hinted) and a mask: 1 on the dot or stroke itself, 0.5 over the
rest of the region it touches (regions closed by the drawing's lines, small gaps bridged, as
LazyBrush treats hand-drawn line art), so a hint fills its region up to the lines and the network
learns how the colour varies inside it (:func:`hint_channels`). Training reveals random
points and short scribbles of the training photo's true colour (none at all for a quarter of
the patches), as Zhang et al. 2017 (*Real-Time User-Guided Image Colorization with Learned Deep
Priors*) do, so the same model also works with no hints.

The file format of ``process.py --hints FILE.json``: a list (or ``{"hints": [...]}``) of

    {"x": 120, "y": 48, "color": "#c0392b", "radius": 4}                     a point
    {"points": [[10, 20], [40, 25], [60, 40]], "color": "#2e86c1", "radius": 3}  a scribble

in the input's pixel coordinates (x to the right, y down, from the top-left pixel); ``radius``
(px, default 3) is the dot's radius or the stroke's half-width. Anything else is refused with a
one-line error naming the entry.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from utils.errors import InputError

HINT_CHANNELS = 4     # R, G, B of the hinted colour, and the hint mask
DEFAULT_RADIUS = 3
MAX_RADIUS = 64
NO_HINTS = 0.25       # share of training patches without any hint
REACH = 48            # px: how far a hint fills its region from its dot or stroke
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_POINT_KEYS = {"x", "y", "color", "radius"}
_SCRIBBLE_KEYS = {"points", "color", "radius"}


@dataclass
class Hint:
    """One hint: a dot (one point) or a scribble (a polyline), in pixel coordinates (x, y)."""
    points: list[tuple[float, float]]
    color: tuple[float, float, float]  # RGB in [0, 1]
    radius: int = DEFAULT_RADIUS


def parse_color(text, where: str) -> tuple[float, float, float]:
    if not isinstance(text, str) or not _HEX.match(text):
        raise InputError(f"{where}: color must be '#RRGGBB', got {text!r}")
    return tuple(int(text[i:i + 2], 16) / 255.0 for i in (1, 3, 5))


def _number(value, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise InputError(f"{where}: {name} must be a number, got {value!r}")
    return float(value)


def _inside(x: float, y: float, shape, where: str) -> None:
    h, w = shape
    if not (0 <= x <= w - 1 and 0 <= y <= h - 1):
        raise InputError(f"{where}: ({x:g}, {y:g}) is outside the {w}x{h} input")


def hint_entries(data, source: str = "hints") -> list:
    """The list of hint entries of a hints JSON document (a list, or ``{"hints": [...]}``),
    not yet checked one by one (:func:`parse_hints` does that)."""
    entries = data.get("hints") if isinstance(data, dict) and set(data) == {"hints"} else data
    if not isinstance(entries, list):
        raise InputError(f"{source}: expected a list of hints (or {{\"hints\": [...]}}), got {type(data).__name__}")
    return entries


def parse_hints(data, shape, source: str = "hints") -> list[Hint]:
    """Validate hints (the JSON document, already loaded) for an input of ``shape`` (h, w)."""
    entries = hint_entries(data, source)
    hints = []
    for i, entry in enumerate(entries):
        where = f"{source} entry {i}"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: expected an object like {{\"x\", \"y\", \"color\", \"radius\"}}, got {entry!r}")
        keys = set(entry)
        allowed = _SCRIBBLE_KEYS if "points" in keys else _POINT_KEYS
        if keys - allowed:
            raise InputError(f"{where}: unknown key(s) {sorted(keys - allowed)}; a point has x, y, color, radius; "
                             f"a scribble has points, color, radius")
        if "color" not in keys:
            raise InputError(f"{where}: no color")
        color = parse_color(entry["color"], where)
        radius = entry.get("radius", DEFAULT_RADIUS)
        if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not 0 < radius <= MAX_RADIUS:
            raise InputError(f"{where}: radius must be a number of pixels in (0, {MAX_RADIUS}], got {radius!r}")
        if "points" in keys:
            pts = entry["points"]
            if not isinstance(pts, list) or not pts or not all(isinstance(p, list) and len(p) == 2 for p in pts):
                raise InputError(f"{where}: points must be a list of [x, y] pairs")
            points = [(_number(p[0], where, "x"), _number(p[1], where, "y")) for p in pts]
        else:
            if "x" not in keys or "y" not in keys:
                raise InputError(f"{where}: a point needs x and y (a scribble: points)")
            points = [(_number(entry["x"], where, "x"), _number(entry["y"], where, "y"))]
        for x, y in points:
            _inside(x, y, shape, where)
        hints.append(Hint(points, color, max(1, int(round(radius)))))
    return hints


def read_hints(path, shape) -> list[Hint]:
    """Hints from a JSON file, checked against an input of ``shape`` (h, w)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"hints file not found: {p}")
    try:
        data = json.loads(p.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{p} is not a JSON file: {exc}") from None
    return parse_hints(data, shape, p.name)


def draw_hint(canvas: np.ndarray, hint: Hint, value: int) -> None:
    """Draw ``hint``'s dot (a disc of its radius) or stroke (a polyline of width 2 radius + 1) into
    the one-channel ``canvas`` (uint8 or int32) with ``value``, in place."""
    pts = np.round(np.array(hint.points)).astype(np.int32)
    if len(pts) == 1:
        cv2.circle(canvas, tuple(int(v) for v in pts[0]), hint.radius, value, -1)
    else:
        cv2.polylines(canvas, [pts.reshape(-1, 1, 2)], False, value, thickness=2 * hint.radius + 1)


def rasterise(hints: list[Hint], shape) -> np.ndarray:
    """Hints -> (H, W, 4) float32 channels: the hinted RGB (0 elsewhere) and the mask."""
    h, w = shape
    out = np.zeros((h, w, HINT_CHANNELS), np.float32)
    for hint in hints:
        mask = np.zeros((h, w), np.uint8)
        draw_hint(mask, hint, 1)
        on = mask > 0
        out[on, :3] = hint.color
        out[on, 3] = 1.0
    return out


def draw_hints(image: np.ndarray, hints: list[Hint]) -> np.ndarray:
    """``image`` (H, W) grey or (H, W, 3) RGB in [0, 1] with each hint drawn in its colour and
    ringed in black, so it reads on any background: a dot drawn larger than the hint itself (for
    the eye), a scribble as its stroke. Returns a new float32 RGB image."""
    img = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image
    img = img.astype(np.float32, copy=True)
    size = max(4, round(max(img.shape[:2]) / 90))
    for hint in hints:
        colour = tuple(float(c) for c in hint.color)
        pts = np.round(np.array(hint.points)).astype(np.int32)
        if len(pts) == 1:
            centre = tuple(int(v) for v in pts[0])
            cv2.circle(img, centre, max(size, hint.radius) + 2, (0.0, 0.0, 0.0), -1, cv2.LINE_AA)
            cv2.circle(img, centre, max(size, hint.radius), colour, -1, cv2.LINE_AA)
        else:
            width = 2 * hint.radius + 1
            cv2.polylines(img, [pts.reshape(-1, 1, 2)], False, (0.0, 0.0, 0.0), width + 4, cv2.LINE_AA)
            cv2.polylines(img, [pts.reshape(-1, 1, 2)], False, colour, width, cv2.LINE_AA)
    return img


def line_regions(sketch: np.ndarray, gap: int = 1) -> np.ndarray:
    """Regions closed by the sketch's lines (sketch < 0.5), gaps of up to 2 * ``gap`` px bridged
    (LazyBrush's unit, Sykora et al. 2009): (H, W) int32 labels, 0 on the (thickened) lines."""
    lines = (sketch < 0.5).astype(np.uint8)
    if gap > 0:
        lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1)))
    _, labels = cv2.connectedComponents(1 - lines, connectivity=4)
    return labels


def hint_regions(hints: list[Hint], sketch: np.ndarray, labels: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Which hint colours each pixel: (H, W) int32, 1 + the hint's index (0: no hint), and (H, W)
    bool, on a dot or stroke itself. A hint owns the region its dot or stroke touches (regions
    closed by the lines, :func:`line_regions`) up to :data:`REACH` px from it; later hints win
    where two share a region, a dot or stroke always keeps its own colour. ``labels``: the
    sketch's :func:`line_regions`, if the caller has them already."""
    h, w = sketch.shape
    owner = np.zeros((h, w), np.int32)
    on_dot = np.zeros((h, w), bool)
    if not hints:
        return owner, on_dot
    labels = line_regions(sketch) if labels is None else labels
    dots = [rasterise([hint], (h, w))[..., 3] > 0 for hint in hints]
    for i, dot in enumerate(dots):
        touched = np.unique(labels[dot])
        # within REACH px of the dot: the reach a hint had in training patches, so that a leaky
        # region (a line drawing's gaps) does not carry one colour across the whole picture.
        # Exact Euclidean distance (the 3x3 chamfer approximation made the reach an octagon), in the
        # dot's bounding box grown by REACH: nothing beyond it is that near.
        ys, xs = np.nonzero(dot)
        y0, y1 = max(0, ys.min() - REACH - 1), min(h, ys.max() + REACH + 2)
        x0, x1 = max(0, xs.min() - REACH - 1), min(w, xs.max() + REACH + 2)
        near = np.zeros((h, w), bool)
        near[y0:y1, x0:x1] = cv2.distanceTransform((~dot[y0:y1, x0:x1]).astype(np.uint8), cv2.DIST_L2,
                                                   cv2.DIST_MASK_PRECISE) <= REACH
        owner[np.isin(labels, touched[touched > 0]) & near & ~on_dot] = i + 1
        on_dot |= dot
    for i, dot in enumerate(dots):
        owner[dot] = i + 1
    return owner, on_dot


def hint_channels(hints: list[Hint], sketch: np.ndarray) -> np.ndarray:
    """Hints -> (H, W, 4) network channels: each hint's colour over its region
    (:func:`hint_regions`; mask 0.5 there) and on the dot or stroke itself (mask 1), so a hint
    fills its region up to the lines."""
    h, w = sketch.shape
    out = np.zeros((h, w, HINT_CHANNELS), np.float32)
    if not hints:
        return out
    owner, on_dot = hint_regions(hints, sketch)
    colours = np.array([(0.0, 0.0, 0.0)] + [hint.color for hint in hints], np.float32)
    out[..., :3] = colours[owner]
    out[..., 3] = np.where(on_dot, 1.0, np.where(owner > 0, 0.5, 0.0))
    return out


def random_hints(photo: np.ndarray, rng: np.random.Generator, max_hints: int) -> list[Hint]:
    """Training hints for a (patch of a) photo: none for :data:`NO_HINTS` of the calls, else 1 to
    ``max_hints`` dots and short scribbles, each in the photo's own mean colour under it."""
    h, w = photo.shape[:2]
    hints: list[Hint] = []
    if max_hints <= 0 or rng.random() < NO_HINTS:
        return hints
    for _ in range(int(rng.integers(1, max_hints + 1))):
        radius = int(rng.integers(1, 5))
        x, y = float(rng.uniform(0, w - 1)), float(rng.uniform(0, h - 1))
        points = [(x, y)]
        if rng.random() < 0.3:  # a short scribble: a few steps of a random walk
            for _ in range(int(rng.integers(1, 4))):
                x = float(np.clip(x + rng.normal(0, 8), 0, w - 1))
                y = float(np.clip(y + rng.normal(0, 8), 0, h - 1))
                points.append((x, y))
        mask = rasterise([Hint(points, (1.0, 1.0, 1.0), radius)], (h, w))[..., 3] > 0
        hints.append(Hint(points, tuple(float(c) for c in photo[mask].mean(axis=0)), radius))
    return hints
