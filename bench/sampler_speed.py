#!/usr/bin/env python3
"""Patch-sampling speed: the CPU sampler (one cv2.remap per patch) vs the tensor sampler
(one batched grid_sample, on the CPU and, when there is one, on CUDA).

    python bench/sampler_speed.py [--batches 5] [--threads N] [--note "shared 2-core machine"]

On the bundled sample's training view with the default model and augmentation: stage 1
batches (``--batch`` x ``--patch`` px patches) and stage 2 batches (the whole view resized
to ``--full-size``, as the Trainer does). Milliseconds per batch, the mean of
``--batches`` timed batches after one warm-up batch; tensor-sampler batches are ready on
the device (CUDA is synchronised before the clock stops).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.machine import describe_machine  # noqa: E402
from config.defaults import AugmentConfig, ModelConfig, SketchConfig  # noqa: E402
from data.dataset import PatchSampler, TrainingView, resize_view  # noqa: E402
from data.samples import stereo_motorcycle_views  # noqa: E402
from data.tensor_sampler import TensorPatchSampler  # noqa: E402
from process.guides import sample_guides  # noqa: E402


def ms_per_batch(sampler, batch: int, size, batches: int, device: torch.device) -> float:
    def draw():
        sampler.sample(batch, size)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    draw()  # warm-up (CUDA context, kernel selection)
    t0 = time.perf_counter()
    for _ in range(batches):
        draw()
    return (time.perf_counter() - t0) / batches * 1000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--patch", type=int, default=128)
    p.add_argument("--full-size", type=int, default=512)
    p.add_argument("--batches", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--note", default="", help="a line printed under the table (e.g. the machine was shared)")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    left, _ = stereo_motorcycle_views()
    view = TrainingView(left.photo, sample_guides(left, SketchConfig()))
    full = resize_view(view, args.full_size)
    cfg, aug = ModelConfig(), AugmentConfig()
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    cases = [(f"{args.batch} x {args.patch}^2 px", [view], args.batch, args.patch),
             (f"1 x whole view {full.guides.shape[0]}x{full.guides.shape[1]} px", [full], 1, None)]

    print(f"machine: {describe_machine()}" + ("" if len(devices) > 1 else ", no CUDA")
          + f"; mean of {args.batches} batches\n")
    print("| batch | sampler | device | ms/batch | vs CPU sampler |")
    print("|---|---|---|---|---|")
    for name, views, batch, size in cases:
        base = ms_per_batch(PatchSampler(views, cfg, aug, seed=0), batch, size, args.batches, devices[0])
        print(f"| {name} | PatchSampler (cv2.remap) | cpu | {base:.1f} | 1.00x |")
        for device in devices:
            ms = ms_per_batch(TensorPatchSampler(views, cfg, aug, seed=0, device=device), batch, size,
                              args.batches, device)
            print(f"| {name} | TensorPatchSampler | {device.type} | {ms:.1f} | {base / ms:.2f}x |")
    if args.note:
        print(f"\n{args.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
