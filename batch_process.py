#!/usr/bin/env python3
"""Colorize a folder (or glob) of photos or drawings with one trained checkpoint.

    python batch_process.py INPUTS --out DIR [--checkpoint RUN] [--kind image|sketch] [--depth-dir DIR]
                            [--depth none] [--tile N] [--overwrite]

A file that fails is reported and skipped; DIR/summary.json and summary.csv list every
file's status and time; finished outputs are skipped on a re-run; the exit code is 1 if
any file failed.
"""
from __future__ import annotations

import argparse
import sys

from utils.cli import run_cli


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("inputs", help="folder or glob pattern (quote it) of input images")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--checkpoint", default="runs/latest")
    p.add_argument("--kind", default="image", choices=["image", "sketch"],
                   help="image: photos (sketch and depth derived); sketch: drawings used as they are")
    p.add_argument("--depth-dir", help="folder of depth maps named <input stem>.npy/.png")
    p.add_argument("--depth", help="'none' to run a depth-free model; default: estimate (photos)")
    p.add_argument("--depth-model", help="Depth Anything hub id or local folder")
    p.add_argument("--tile", type=int, default=1024)
    p.add_argument("--overlap", type=int, default=64)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--overwrite", action="store_true", help="re-render inputs whose output exists")
    p.add_argument("--bf16", action="store_true", help="bfloat16 inference (about 2x faster where supported)")
    a = p.parse_args(argv)
    from process.batch import BatchConfig, run_batch
    from process.render import RenderConfig

    rows = run_batch(BatchConfig(a.inputs, a.out, a.kind, a.depth_dir, a.overwrite),
                     RenderConfig(checkpoint=a.checkpoint, depth=a.depth, depth_model=a.depth_model, tile=a.tile,
                                  overlap=a.overlap, device=a.device, bf16=a.bf16))
    failed = [r for r in rows if r["status"] == "failed"]
    done = sum(r["status"] == "ok" for r in rows)
    skipped = sum(r["status"].startswith("skipped") for r in rows)
    print(f"{done} rendered, {skipped} skipped, {len(failed)} failed; summary in {a.out}/summary.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
