"""Wiggle GIF: a few views swinging back and forth around a still focus plane.

    python -m preprocess.view.generate_wiggle_gif IMAGE DEPTH --out FILE.gif [--views N]
                                                  [--amplitude PX] [--duration MS] [--focus F]

Views are rendered by ``generate_multiview.shift_view`` from ``-amplitude`` to
``+amplitude`` and played back and forth (2 views: the classic two-frame wiggle).
"""
from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run by path (python preprocess/view/generate_wiggle_gif.py): import from the repo root
    sys.path[0] = str(Path(__file__).resolve().parents[2])

import numpy as np  # noqa: E402

from preprocess.view.generate_multiview import check_depth, shift_view  # noqa: E402
from preprocess.view.gif import ping_pong, write_gif  # noqa: E402
from utils.errors import InputError  # noqa: E402


def wiggle_frames(image: np.ndarray, depth: np.ndarray, views: int = 4, amplitude: float = 10.0,
                  focus: float = 0.5) -> list[np.ndarray]:
    """``views`` frames from -amplitude to +amplitude, then back (the frames of one loop)."""
    if views < 2:
        raise InputError(f"a wiggle needs at least 2 views, got {views}")
    check_depth(image, depth)
    frames = [shift_view(image, depth, dx, 0.0, focus).image for dx in np.linspace(-amplitude, amplitude, views)]
    return frames if views == 2 else ping_pong(frames)


def wiggle_from_render(rgb: np.ndarray, depth: np.ndarray | None, out, views: int = 4, amplitude: float | None = None,
                       duration_ms: int = 120) -> Path:
    """A wiggle GIF of a rendered view (used by ``process.py --wiggle`` and ``train.sh --wiggle``)."""
    if depth is None:
        raise InputError("a wiggle GIF needs depth; this model renders without it")
    amp = amplitude if amplitude is not None else max(4.0, 0.015 * max(rgb.shape[:2]))
    return write_gif(out, wiggle_frames(rgb, depth, views, amp), duration_ms)


def main(argv=None) -> int:
    from preprocess.view.options import check_view_options
    from utils.cli import ArgumentParser
    from utils.image_io import check_not_input, check_suffix, check_writable, read_depth, read_photo

    p = ArgumentParser(prog="python -m preprocess.view.generate_wiggle_gif",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("image")
    p.add_argument("depth")
    p.add_argument("--out", required=True, help="output .gif")
    p.add_argument("--views", type=int, default=4)
    p.add_argument("--amplitude", type=float, default=10.0, help="largest shift, px")
    p.add_argument("--duration", type=int, default=120, help="frame duration, ms")
    p.add_argument("--focus", type=float, default=0.5, help="depth that stays still, in [0, 1]")
    a = p.parse_args(argv)
    check_view_options(a.views, a.amplitude, a.duration, a.focus)
    check_suffix(a.out, {".gif"}, "a wiggle")
    check_not_input(a.out, [a.image, a.depth])
    check_writable(a.out)
    image, depth = read_photo(a.image), read_depth(a.depth)
    frames = wiggle_frames(image, depth, a.views, a.amplitude, a.focus)
    print(f"wrote {write_gif(a.out, frames, a.duration)} ({len(frames)} frames, looping)")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
