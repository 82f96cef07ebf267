#!/usr/bin/env python3
"""Held-out evaluation: PSNR, SSIM and mean CIEDE2000 of a checkpoint on a view it never saw.

    python evaluate.py [--checkpoint RUN_DIR_OR_FILE] [--image PHOTO --depth FILE] [--out DIR] [--chroma-smooth PX]
                       [--bw-colour transfer|network|both] [--mirror-average on|off] [--context whole|local] [--lines keep|hide] [--line-reach PX]

With no --image: the bundled sample's held-out right view. Writes the prediction and a JSON
(metrics, the mean-colour baseline — and for a black-and-white model the own-L* + mean-a*b*
baseline — and the exact metric settings) into --out. The prediction is what
``process.py --align off`` renders (a black-and-white model's colours from ``--bw-colour``, its chroma
smoothed, ``--chroma-smooth``;
the mirrored input's colours averaged in, ``--mirror-average``).
"""
from __future__ import annotations

import argparse
import sys

from utils.cli import ArgumentParser, run_cli


def main(argv=None) -> int:
    from config.defaults import DEVICES, TILE
    from process.render_flags import add_colour_flags, colour_settings

    p = ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", default="runs/latest", help="run folder or checkpoint file")
    p.add_argument("--image", help="held-out photo (default: the bundled sample's right view)")
    p.add_argument("--depth", help="depth of the held-out photo (larger = nearer)")
    p.add_argument("--out", default=None, help="output folder (default: RUN_DIR/eval or ./eval)")
    p.add_argument("--tile", type=int, default=argparse.SUPPRESS,
                   help=f"tile side for large views (0: never tile; default: {TILE})")
    p.add_argument("--device", default="auto", choices=DEVICES)
    add_colour_flags(p)
    args = p.parse_args(argv)
    from pathlib import Path

    from process.evaluation import evaluate_checkpoint

    out = args.out or (Path(args.checkpoint) / "eval" if Path(args.checkpoint).is_dir() else Path("eval"))
    report = evaluate_checkpoint(args.checkpoint, args.image, args.depth, out, args.device,
                                 getattr(args, "tile", TILE) or None,
                                 **colour_settings(args))
    rows = [("model", report["model"])]
    if "baseline_mean_colour" in report:
        rows.append(("mean-colour baseline", report["baseline_mean_colour"]))
    if "baseline_lightness_mean_chroma" in report:
        rows.append(("own L* + mean a*b* baseline", report["baseline_lightness_mean_chroma"]))
    print(f"held-out view: {report['view']} {report['size'][1]}x{report['size'][0]}")
    print(f"{'':28s} {'PSNR dB':>8s} {'SSIM':>6s} {'dE00':>6s} {'chroma':>7s}"
          + (f" {'edge F1':>7s}" if "photo_fidelity" in report else ""))
    for name, m in rows:
        f1 = "" if "photo_fidelity" not in report else f" {m['fidelity']['f1']:7.2f}" if "fidelity" in m else f" {'-':>7s}"
        print(f"{name:28s} {m['psnr']:8.2f} {m['ssim']:6.3f} {m['delta_e00']:6.2f} {m['chroma_ratio']:7.2f}{f1}")
    if "photo_fidelity" in report:
        print(f"edge F1 of the real photo against the same drawing (the ceiling): {report['photo_fidelity']['f1']:.2f}; "
              "a flat picture: 0")
    print(f"wrote {out}/{report['view']}_metrics.json")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
