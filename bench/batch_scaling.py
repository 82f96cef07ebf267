#!/usr/bin/env python3
"""Batch colorization throughput: the local engine against Ray with 1 and 2 workers.

    python bench/batch_scaling.py [--checkpoint RUN] [--images 24] [--megapixels 1] [--workers 1 2]

All engines render the same drawings (the bundled sample's held-out sketch resized to
--megapixels, shifted per image) with depth maps from a folder, into fresh output folders.
Rows: the local engine with one torch thread (what one Ray worker gets) and with all
threads, then Ray Data with N workers of one CPU each on an already started local Ray
(its start-up is timed apart). Ray's overhead is its 1-worker time over the 1-thread local
time, split by the outputs' mtimes into the time to the first output (start-up and one image)
and the rate after it. Without --checkpoint a tiny run is trained first (width 8; seconds, not
quality).
Prints a Markdown table and the machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_inputs(root: Path, n: int, megapixels: float) -> tuple[Path, Path]:
    import numpy as np
    from PIL import Image

    from data.samples import stereo_motorcycle_views
    from preprocess.sketch import extract_sketch
    from utils.image_io import write_depth, write_image

    _, right = stereo_motorcycle_views()
    h0, w0 = right.photo.shape[:2]
    scale = (megapixels * 1e6 / (h0 * w0)) ** 0.5
    h, w = int(h0 * scale), int(w0 * scale)
    photo = np.asarray(Image.fromarray((right.photo * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC))
    depth = np.asarray(Image.fromarray(right.depth.astype(np.float32)).resize((w, h), Image.BILINEAR))
    sketch = extract_sketch(photo.astype(np.float32) / 255)
    src, depths = root / "in", root / "depths"
    src.mkdir(), depths.mkdir()
    for k in range(n):
        shift = (k * 37) % w
        write_image(src / f"img{k:03d}.png", np.roll(sketch, shift, axis=1))
        write_depth(depths / f"img{k:03d}.png", np.clip(np.roll(depth, shift, axis=1), 0, 1))
    return src, depths


def tiny_checkpoint(root: Path) -> Path:
    import train
    from utils.cli import run_cli
    args = ["--out", str(root / "run"), "--epochs1", "1", "--steps-per-epoch", "3", "--epochs2", "1",
            "--steps2-per-epoch", "1", "--patch-size", "32", "--batch-size", "2", "--full-size", "64", "--width", "8",
            "--quiet", "--device", "cpu", "--metrics-log", str(root / "training.log")]
    assert run_cli(train.main, args) == 0
    return root / "run"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", help="run to render with (default: train a tiny one)")
    p.add_argument("--images", type=int, default=24)
    p.add_argument("--megapixels", type=float, default=1.0)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    a = p.parse_args(argv)
    import torch

    from batch.local import BatchConfig, run_batch
    from batch.ray_engine import RayConfig, init_ray, run_batch_ray
    from process.render import RenderConfig

    tmp = Path(tempfile.mkdtemp(prefix="batch_scaling_"))
    checkpoint = a.checkpoint or str(tiny_checkpoint(tmp))
    src, depths = make_inputs(tmp, a.images, a.megapixels)
    render = RenderConfig(checkpoint=checkpoint, device="cpu")
    results = []

    def timed(name, fn, out):
        wall0, t0 = time.time(), time.perf_counter()
        rows = fn(BatchConfig(str(src), str(tmp / out), "sketch", str(depths)), render)
        dt = time.perf_counter() - t0
        assert all(r["status"] == "ok" for r in rows), rows
        # The outputs' mtimes split the run: start-up and one image, then the steady rate.
        done = sorted(p.stat().st_mtime for p in (tmp / out).glob("*_color.png"))
        results.append((name, dt, done[0] - wall0, (len(done) - 1) / max(done[-1] - done[0], 1e-9)))
        print(f"{name}: {dt:.1f} s", file=sys.stderr)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    timed("local, 1 thread", lambda c, r: run_batch(c, r, progress=False), "local1")
    torch.set_num_threads(threads)
    timed(f"local, {threads} threads", lambda c, r: run_batch(c, r, progress=False), "localN")
    t0 = time.perf_counter()
    init_ray(num_cpus=max(a.workers))
    ray_start = time.perf_counter() - t0
    for n in a.workers:
        timed(f"Ray, {n} worker{'s' if n > 1 else ''}",
              lambda c, r, n=n: run_batch_ray(c, r, RayConfig(workers=n), progress=False), f"ray{n}")
    import ray
    ray.shutdown()

    base, first_base, rate_base = results[0][1:]
    print("| engine | seconds | images/s | vs local, 1 thread | to the first output, s | images/s after it |\n"
          "|---|---:|---:|---:|---:|---:|")
    for name, dt, first, rate in results:
        print(f"| {name} | {dt:.1f} | {a.images / dt:.2f} | {base / dt:.2f}x | {first:.1f} | {rate:.2f} |")
    ray1 = {r[0]: r for r in results}.get("Ray, 1 worker")
    if ray1:
        print(f"\nRay overhead on one worker: {100 * (ray1[1] - base) / base:+.0f} % of the 1-thread local time "
              f"(goal <= 15 %): {ray1[2] - first_base:+.1f} s more to the first output (the worker's start: "
              f"imports, model load), then {100 * (rate_base / ray1[3] - 1):+.1f} % per image; "
              f"local Ray start-up {ray_start:.1f} s, not included.")
    from bench.machine import describe_machine

    print(f"\n{a.images} drawings of {a.megapixels:g} MP (sketch + depth map, no tiling), checkpoint "
          f"{'tiny width-8 run' if not a.checkpoint else a.checkpoint}, device cpu; "
          f"machine: {describe_machine(gpu=False)} (load average {os.getloadavg()[2]:.1f} over 15 min), ray {ray.__version__}; {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
