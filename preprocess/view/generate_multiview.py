"""Depth-image-based rendering (DIBR): new views from one image and its depth.

Conventions: ``depth`` is (H, W) in [0, 1], larger = nearer. A pixel moves by
``baseline x (depth - focus)`` pixels, so the ``focus`` plane stays still (the usual
choice for wiggle GIFs: the subject holds while the scene swings around it). With a
disparity map in pixels (:func:`warp_by_disparity`) the shift is the disparity itself.

Forward warping splats each pixel to the two integer positions around its target (no
cracks on slanted surfaces); where several land on one pixel the nearest wins (z-buffer).
Disocclusion holes are filled along the direction of motion from the background side
only: each hole takes the colour of whichever neighbouring visible pixel is farther,
never smearing the foreground object into the hole (Zitnick et al., 2004; Fehn, 2004).

    python -m preprocess.view.generate_multiview IMAGE DEPTH --out DIR [--trajectory swing|circle|dolly]
                                                 [--views N] [--amplitude PX] [--focus F]
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run by path (python preprocess/view/generate_multiview.py): import from the repo root
    sys.path[0] = str(Path(__file__).resolve().parents[2])

import numpy as np  # noqa: E402

from utils.errors import InputError  # noqa: E402

TRAJECTORIES = ("swing", "circle", "dolly")


@dataclass
class SynthesisedView:
    """A view rendered from an image and its depth (DIBR), with the pixels that received a source pixel."""
    image: np.ndarray   # (H, W, C) float32 in [0, 1] (C = 3 for colour images)
    depth: np.ndarray   # (H, W) float32, warped depth (holes filled from the background)
    valid: np.ndarray   # (H, W) bool, pixels that received a source pixel (not filled)


def check_depth(image: np.ndarray, depth: np.ndarray) -> None:
    if depth.shape != image.shape[:2]:
        raise InputError(f"depth is {depth.shape[1]}x{depth.shape[0]} but the image is "
                         f"{image.shape[1]}x{image.shape[0]}; they must be the same size")
    if not np.isfinite(depth).all():
        raise InputError("depth has NaN or infinite values; fill them before rendering views")


def splat(image: np.ndarray, depth: np.ndarray, tx: np.ndarray, ty: np.ndarray) -> SynthesisedView:
    """Forward-warp every pixel to (tx, ty) with a z-buffer (nearest wins) and fill holes from
    the background side along the dominant motion direction."""
    h, w = depth.shape
    sy, sx = np.mgrid[0:h, 0:w]
    zbuf = np.full(h * w, -np.inf, np.float32)
    src_for = np.full(h * w, -1, np.int64)
    flat_src = (sy * w + sx).ravel()
    d = depth.ravel()
    horizontal = np.abs(tx - sx).mean() >= np.abs(ty - sy).mean()
    # Two targets per pixel along the main motion axis, rounding down and up.
    cands = [(np.floor(tx), np.rint(ty)), (np.ceil(tx), np.rint(ty))] if horizontal else \
        [(np.rint(tx), np.floor(ty)), (np.rint(tx), np.ceil(ty))]
    for cx, cy in cands:
        cx, cy = cx.astype(np.int64).ravel(), cy.astype(np.int64).ravel()
        ok = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
        tgt = cy[ok] * w + cx[ok]
        np.maximum.at(zbuf, tgt, d[ok])
        # The winning source of each target: the pixel whose depth equals the target's z.
        win = d[ok] >= zbuf[tgt]
        src_for[tgt[win]] = flat_src[ok][win]
    valid = src_for >= 0
    c = image.shape[2]
    out = np.zeros((h * w, c), np.float32)
    out[valid] = image.reshape(-1, c)[src_for[valid]]
    zd = np.where(valid, zbuf, 0).astype(np.float32)
    img, dep, val = out.reshape(h, w, c), zd.reshape(h, w), valid.reshape(h, w)
    if not horizontal:
        img, dep, val = img.transpose(1, 0, 2), dep.T, val.T
    img, dep = fill_from_background(img, dep, val)
    if not horizontal:
        img, dep, val = img.transpose(1, 0, 2), dep.T, val.T
    return SynthesisedView(np.ascontiguousarray(img), np.ascontiguousarray(dep), np.ascontiguousarray(val))


def fill_from_background(img: np.ndarray, depth: np.ndarray, valid: np.ndarray):
    """Fill invalid pixels row by row from the farther (smaller depth) of the nearest valid
    pixels to the left and right: ``img`` (H, W, C) takes that pixel's values and ``depth``
    (H, W) its depth. In rows with no valid pixel, depth becomes the farthest valid depth of
    the image and ``img`` is left as it is. Returns (img, depth) as float32.

    The one hole filler of the project: view synthesis here, and the bundled sample's
    disparity maps (``data/samples.py``, with ``img`` = the disparity itself)."""
    h, w = valid.shape
    idx = np.broadcast_to(np.arange(w), (h, w))
    left = np.where(valid, idx, -1)
    np.maximum.accumulate(left, axis=1, out=left)
    right = np.where(valid, idx, w)
    right = np.minimum.accumulate(right[:, ::-1], axis=1)[:, ::-1]
    rows = np.broadcast_to(np.arange(h)[:, None], (h, w))
    lz = np.where(left >= 0, depth[rows, np.clip(left, 0, w - 1)], np.inf)
    rz = np.where(right < w, depth[rows, np.clip(right, 0, w - 1)], np.inf)
    use_left = lz <= rz
    src = np.where(use_left, left, right)
    has = (src >= 0) & (src < w)
    src = np.clip(src, 0, w - 1)
    fill_img = img[rows, src]
    fill_dep = depth[rows, src]
    far = depth[valid].min() if valid.any() else np.float32(0)
    out_img = np.where(valid[..., None] | ~has[..., None], img, fill_img)
    out_dep = np.where(valid, depth, np.where(has, fill_dep, far))
    return out_img.astype(np.float32), out_dep.astype(np.float32)


def shift_view(image: np.ndarray, depth: np.ndarray, dx: float, dy: float = 0.0, focus: float = 0.5) -> SynthesisedView:
    """A view from a camera moved by (dx, dy): pixels shift by (dx, dy) x (depth - focus)."""
    check_depth(image, depth)
    h, w = depth.shape
    sy, sx = np.mgrid[0:h, 0:w].astype(np.float32)
    rel = depth - focus
    return splat(image, depth, sx + dx * rel, sy + dy * rel)


def dolly_view(image: np.ndarray, depth: np.ndarray, amount: float, focus: float = 0.5) -> SynthesisedView:
    """Dolly zoom: the focus plane keeps its size, nearer parts grow and farther ones shrink."""
    check_depth(image, depth)
    h, w = depth.shape
    sy, sx = np.mgrid[0:h, 0:w].astype(np.float32)
    s = 1.0 + amount * (depth - focus)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    return splat(image, depth, cx + (sx - cx) * s, cy + (sy - cy) * s)


def warp_by_disparity(image: np.ndarray, disparity: np.ndarray, direction: float = -1.0) -> SynthesisedView:
    """Shift each pixel by ``direction x disparity`` px (left view -> right view: -1)."""
    if disparity.shape != image.shape[:2]:
        raise InputError("disparity and image differ in size")
    h, w = disparity.shape
    sy, sx = np.mgrid[0:h, 0:w]  # integer grid: targets in float64, exact for any disparity
    return splat(image, disparity.astype(np.float32), sx + direction * disparity, sy)


def trajectory(kind: str, views: int, amplitude: float) -> list[tuple[float, float]]:
    """Camera offsets (dx, dy) in px per unit depth; for ``dolly`` (amount, 0)."""
    if kind not in TRAJECTORIES:
        raise InputError(f"trajectory must be one of {TRAJECTORIES}, got {kind!r}")
    if views < 2:
        raise InputError(f"at least 2 views are needed, got {views}")
    t = np.arange(views) / views
    if kind == "swing":
        return [(amplitude * np.sin(2 * np.pi * v), 0.0) for v in t]
    if kind == "circle":
        return [(amplitude * np.cos(2 * np.pi * v), amplitude * np.sin(2 * np.pi * v)) for v in t]
    return [(amplitude / 100.0 * np.sin(2 * np.pi * v), 0.0) for v in t]


def render_views(image: np.ndarray, depth: np.ndarray, kind: str = "swing", views: int = 8,
                 amplitude: float = 12.0, focus: float = 0.5) -> list[np.ndarray]:
    """The frames of a trajectory: (H, W, 3) float32 images."""
    out = []
    for dx, dy in trajectory(kind, views, amplitude):
        v = dolly_view(image, depth, dx, focus) if kind == "dolly" else shift_view(image, depth, dx, dy, focus)
        out.append(v.image)
    return out


def stereo_pair(image: np.ndarray, depth: np.ndarray, baseline: float = 12.0, focus: float = 0.5):
    """(left, right) views a baseline apart, centred on the input view."""
    left = shift_view(image, depth, baseline / 2, 0, focus).image
    right = shift_view(image, depth, -baseline / 2, 0, focus).image
    return left, right


def side_by_side(left: np.ndarray, right: np.ndarray, gap: int = 8) -> np.ndarray:
    h = left.shape[0]
    return np.concatenate([left, np.ones((h, gap, 3), np.float32), right], axis=1)


def anaglyph(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Red-cyan anaglyph: red from the left eye's view, green and blue from the right's."""
    return np.concatenate([left[..., :1], right[..., 1:]], axis=2)


def main(argv=None) -> int:
    from utils.image_io import check_outputs, read_depth, read_photo, write_image
    from utils.visualization import contact_sheet
    from preprocess.view.options import check_view_options
    from utils.cli import ArgumentParser

    p = ArgumentParser(prog="python -m preprocess.view.generate_multiview", description=__doc__.split("\n\n")[0])
    p.add_argument("image")
    p.add_argument("depth", help="depth map (larger = nearer), same size as the image")
    p.add_argument("--out", required=True)
    p.add_argument("--trajectory", default="swing", choices=TRAJECTORIES)
    p.add_argument("--views", type=int, default=8)
    p.add_argument("--amplitude", type=float, default=12.0, help="max shift in px (dolly: zoom percent)")
    p.add_argument("--focus", type=float, default=0.5, help="depth that stays still, in [0, 1]")
    a = p.parse_args(argv)
    check_view_options(a.views, a.amplitude, None, a.focus)
    out = Path(a.out)
    check_outputs(out, [f"view_{i:03d}.png" for i in range(max(a.views, 0))]
                  + ["stereo_side_by_side.png", "anaglyph.png", "views_sheet.png"], [a.image, a.depth])
    image, depth = read_photo(a.image), read_depth(a.depth)
    frames = render_views(image, depth, a.trajectory, a.views, a.amplitude, a.focus)
    for i, f in enumerate(frames):
        write_image(out / f"view_{i:03d}.png", f)
    left, right = stereo_pair(image, depth, a.amplitude, a.focus)
    write_image(out / "stereo_side_by_side.png", side_by_side(left, right))
    write_image(out / "anaglyph.png", anaglyph(left, right))
    write_image(out / "views_sheet.png", contact_sheet(frames, [f"view {i}" for i in range(len(frames))], cols=4))
    print(f"wrote {len(frames)} views, stereo_side_by_side.png, anaglyph.png and views_sheet.png to {out}")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
