"""Multi-view animation: a trajectory of views as a looping GIF, and MP4 where an encoder exists.

    python -m preprocess.view.make_multiview_gif IMAGE DEPTH --out DIR [--trajectory swing|circle|dolly]
                                                 [--views N] [--amplitude PX] [--duration MS]

Writes ``multiview.gif``, ``multiview.mp4`` (OpenCV's mp4v encoder, when installed),
``stereo_side_by_side.png`` and ``anaglyph.png``.
"""
from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run by path (python preprocess/view/make_multiview_gif.py): import from the repo root
    sys.path[0] = str(Path(__file__).resolve().parents[2])

from preprocess.view.generate_multiview import (TRAJECTORIES, anaglyph, render_views, side_by_side,  # noqa: E402
                                                stereo_pair)
from preprocess.view.gif import write_gif, write_mp4  # noqa: E402


def make_multiview(image, depth, out, kind="swing", views=24, amplitude=12.0, duration_ms=80, focus=0.5) -> dict:
    out = Path(out)
    frames = render_views(image, depth, kind, views, amplitude, focus)
    written = {"gif": write_gif(out / "multiview.gif", frames, duration_ms)}
    mp4 = write_mp4(out / "multiview.mp4", frames, fps=1000.0 / duration_ms)
    if mp4 is not None:
        written["mp4"] = mp4
    left, right = stereo_pair(image, depth, amplitude, focus)
    from utils.image_io import write_image
    written["stereo"] = write_image(out / "stereo_side_by_side.png", side_by_side(left, right))
    written["anaglyph"] = write_image(out / "anaglyph.png", anaglyph(left, right))
    return written


def main(argv=None) -> int:
    from preprocess.view.options import check_view_options
    from utils.cli import ArgumentParser
    from utils.image_io import check_outputs, read_depth, read_photo

    p = ArgumentParser(prog="python -m preprocess.view.make_multiview_gif",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("image")
    p.add_argument("depth")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--trajectory", default="swing", choices=TRAJECTORIES)
    p.add_argument("--views", type=int, default=24)
    p.add_argument("--amplitude", type=float, default=12.0)
    p.add_argument("--duration", type=int, default=80, help="frame duration, ms")
    p.add_argument("--focus", type=float, default=0.5)
    a = p.parse_args(argv)
    check_view_options(a.views, a.amplitude, a.duration, a.focus)
    check_outputs(a.out, ["multiview.gif", "multiview.mp4", "stereo_side_by_side.png", "anaglyph.png"],
                  [a.image, a.depth])
    written = make_multiview(read_photo(a.image), read_depth(a.depth), a.out, a.trajectory, a.views, a.amplitude,
                             a.duration, a.focus)
    for kind, path in written.items():
        print(f"wrote {kind}: {path}")
    if "mp4" not in written:
        print("note: OpenCV has no MP4 (mp4v) encoder here, so no multiview.mp4 was written; the GIF has the same "
              "frames", file=sys.stderr)
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
