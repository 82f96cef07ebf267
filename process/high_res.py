#!/usr/bin/env python3
"""Colorize a large drawing in tiles, seamless and with bounded memory (``process/tiling.py``).

    python process/high_res.py CHECKPOINT SKETCH --depth FILE|none --out FILE [--tile N] [--overlap N] [--bf16]

The same renderer as ``process.py`` (guides, tiling, alignment, a drawing's lines), with
smaller default tiles; ``process.py`` tiles whatever is larger than its ``--tile``.
"""
from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run by path (python process/high_res.py): import from the repo root, not from process/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from config.defaults import HIGH_RES_TILE  # noqa: E402
from utils.errors import InputError  # noqa: E402


def main(argv=None) -> int:
    from process.render import Renderer
    from process.render_flags import add_render_flags, add_tiling_flags, render_config
    from utils.cli import ArgumentParser

    p = ArgumentParser(prog="python process/high_res.py", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", help="run folder or .safetensors checkpoint")
    p.add_argument("sketch", help="drawing (dark lines on white), used as it is")
    p.add_argument("--depth", required=True, help="depth file of the drawing (larger = nearer) or 'none'")
    p.add_argument("--out", required=True, help="output PNG")
    add_tiling_flags(p, tile=HIGH_RES_TILE, untiled=False)
    add_render_flags(p, hints=False, photos=False)
    a = p.parse_args(argv)
    # The same renderer as process.py: guides, tiling (here with smaller default tiles) and alignment.
    cfg = render_config(a, tile=HIGH_RES_TILE, checkpoint=a.checkpoint, sketch=a.sketch, depth=a.depth, out=a.out)
    if cfg.tile == 0:
        raise InputError("--tile 0 means no tiling; use process.py for whole-image inference")
    out, _, _ = Renderer(a.checkpoint, a.device).render(cfg, progress=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
