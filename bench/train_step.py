#!/usr/bin/env python3
"""Training-step speed on this machine: fp32 vs channels-last vs bf16 autocast vs both.

    python bench/train_step.py [--widths 16 32] [--batch 8] [--patch 96] [--steps 10]

One Adam step (forward, L1 loss, backward, update) of SemColorNet on random inputs; the
mean of ``--steps`` timed steps after 3 warm-up steps. bf16 rows are skipped on CPUs
without native bfloat16 (``process/device.cpu_has_bf16``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.machine import describe_machine  # noqa: E402
from config.defaults import ModelConfig  # noqa: E402
from models.inputs import input_channels  # noqa: E402
from models.unet import SemColorNet  # noqa: E402
from process.device import cpu_has_bf16  # noqa: E402


def time_step(width: int, batch: int, patch: int, steps: int, channels_last: bool, bf16: bool) -> float:
    torch.manual_seed(0)
    cfg = ModelConfig(width=width)
    model = SemColorNet(cfg)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.rand(batch, input_channels(cfg), patch, patch)
    target = torch.rand(batch, 3, patch, patch)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            y = model(x)
        loss = (y.float() - target).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--widths", nargs="+", type=int, default=[16, 32])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--patch", type=int, default=96)
    p.add_argument("--steps", type=int, default=10)
    a = p.parse_args()
    modes = [("fp32", False, False), ("channels-last", True, False)]
    if cpu_has_bf16():
        modes += [("bf16", False, True), ("channels-last + bf16", True, True)]
    print(f"machine: {describe_machine(gpu=False)}; batch {a.batch} x {a.patch}^2 px")
    print("\n| width | mode | s/step | speed-up |\n|---|---|---|---|")
    for w in a.widths:
        base = None
        for name, cl, bf in modes:
            t = time_step(w, a.batch, a.patch, a.steps, cl, bf)
            base = base or t
            print(f"| {w} | {name} | {t:.3f} | {base / t:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
