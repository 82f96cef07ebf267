#!/usr/bin/env python3
"""Colorize a folder (or glob, or manifest) of photos or drawings with trained checkpoints (or black-and-white
photos from a colour photo alone, --reference).

    python batch_process.py INPUTS --out DIR [--checkpoint RUN | --reference COLOUR_PHOTO] [--kind image|sketch]
                            [--depth-dir DIR] [--depth none] [--tile N] [--overwrite] [--align auto|homography|off]
                            [--hints-dir DIR] [--hint-fill on|off] [--chroma-smooth PX]
                            [--mirror-average on|off] [--context whole|local] [--bf16] [--lines keep|hide]
                            [--line-reach PX] [--restore] [--tones print|photo]
                            [--engine local|ray] [--address auto|HOST:PORT] [--workers N]
                            [--gpus-per-worker F]

INPUTS: a folder, a quoted glob, or a .txt (one path a line) / .csv manifest (an 'input'
column and an optional 'checkpoint' column naming the run per file). A file that fails is
reported and skipped; DIR/summary.json and summary.csv list every file's status and time;
finished outputs are skipped on a re-run; the exit code is 1 if any file failed.
--engine ray runs the same batch on Ray Data (pip install -r requirements-ray.txt).
"""
from __future__ import annotations

import argparse
import sys

from utils.cli import ArgumentParser, run_cli


def main(argv=None) -> int:
    from process.render_flags import add_render_flags, add_tiling_flags

    p = ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("inputs", help="folder, glob pattern (quote it) or .txt/.csv manifest of input images")
    p.add_argument("--out", required=True, help="output folder")
    model = p.add_mutually_exclusive_group()
    model.add_argument("--checkpoint", default="runs/latest", help="run for every input a manifest gives none for")
    model.add_argument("--reference", metavar="COLOUR_PHOTO",
                       help="no trained model: colour every black-and-white input from this colour photo alone, as "
                            "process.py --reference does")
    p.add_argument("--kind", default="image", choices=["image", "sketch"],
                   help="image: photos (sketch and depth derived); sketch: drawings used as they are")
    p.add_argument("--depth-dir", help="folder of depth maps named <input stem>.npy/.png")
    p.add_argument("--depth", help="a depth FILE for every input, or 'none' for a depth-free model; "
                                   "default: estimate (photos)")
    p.add_argument("--depth-model", help="Depth Anything hub id or local folder")
    add_tiling_flags(p)
    p.add_argument("--overwrite", action="store_true", help="re-render inputs whose output exists")
    add_render_flags(p)
    p.add_argument("--hints-dir", help="folder of colour-hint files <input stem>.json (as process.py --hints; "
                                       "an input without one gets no hints), for models trained with --hints")
    p.add_argument("--engine", default="local", choices=["local", "ray"],
                   help="local: this process; ray: Ray Data workers (locally, or on --address)")
    p.add_argument("--address", help="ray: an existing cluster ('auto' on one of its nodes or under `ray job submit`, "
                   "or the head's HOST:PORT; not ray://, which Ray Data does not support); default: a local Ray")
    p.add_argument("--workers", type=int, default=1, help="ray: number of workers, each loading its models once")
    p.add_argument("--gpus-per-worker", type=float, default=0.0, help="ray: GPUs per worker (0.5: two share one)")
    a = p.parse_args(argv)
    if a.engine == "local" and (a.address or a.workers != 1 or a.gpus_per_worker):
        from utils.errors import InputError
        raise InputError("--address, --workers and --gpus-per-worker are for --engine ray")
    from batch.local import BatchConfig, run_batch
    from process.render_flags import render_config

    cfg = BatchConfig(a.inputs, a.out, a.kind, a.depth_dir, a.overwrite, a.hints_dir, a.reference)
    render = render_config(a, checkpoint=a.checkpoint, depth=a.depth, depth_model=a.depth_model)
    if a.engine == "ray":
        from batch.ray_engine import RayConfig, import_ray, run_batch_ray
        import_ray()  # a missing Ray is reported before anything else is done
        rows = run_batch_ray(cfg, render, RayConfig(address=a.address, workers=a.workers,
                                                    gpus_per_worker=a.gpus_per_worker))
    else:
        rows = run_batch(cfg, render)
    failed = [r for r in rows if r["status"] == "failed"]
    done = sum(r["status"] == "ok" for r in rows)
    skipped = sum(r["status"].startswith("skipped") for r in rows)
    print(f"{done} rendered, {skipped} skipped, {len(failed)} failed; summary in {a.out}/summary.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
