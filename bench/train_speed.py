#!/usr/bin/env python3
"""Time to quality: ``train.py`` timed as a user runs it, per preset and precision.

    python bench/train_speed.py [--presets fast default] [--precisions bf16 fp32]
                                [--variant NAME=KEY=VALUE[,KEY=VALUE...] ...] [--profile] [--markdown FILE]

Each row runs ``python train.py --preset P --quiet --set amp=... [variant overrides]`` on the
bundled sample in a fresh process and reports:

- **end-to-end s**: wall time of the whole command, start-up to exit (imports, preprocessing,
  evaluation, precise BN, checkpoints, previews included);
- **step s**: the optimisation steps (patch sampling + forward + backward + update), from the
  run's ``timing.json``; **overhead** = end-to-end / step s (goal <= 1.15);
- **GFLOP/s**: training FLOPs (torch's FlopCounterMode, one step of each stage times the steps)
  over the step seconds, beside the fp32 (and, where native, bf16) matrix-multiply peak
  measured in the same run;
- held-out PSNR / SSIM / mean CIEDE2000 of the right view (``process/evaluation.py``), with the
  training photo's mean colour as the baseline that costs nothing.

``fp32`` forces the full-precision path (``--set amp=false``), which is what a CPU without
native bfloat16 runs; ``bf16`` rows are skipped on such CPUs. ``--variant`` adds rows with
config overrides, each measured alone against its preset. ``--profile`` prints where one
stage-1 step's time goes, per operator (torch.profiler) and per convolution layer (each timed
alone with its FLOPs and GFLOP/s); ``--profile-only`` prints just those.

``--device cuda`` times the runs on an NVIDIA GPU: the peaks are the GPU's (bf16, and fp32
with TensorFloat-32, which torch's cuDNN convolutions use by default), and a **GPU util**
column gives the mean ``nvidia-smi`` utilisation during the optimisation steps (the run's
``timing.json`` says when they ran): how much of the step time the GPU was busy, i.e.
whether the patch sampler starves it (``--variant 'cpu sampler=sampler=cpu'`` compares the
OpenCV sampler with the on-device one, ``data/tensor_sampler.py``).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench.compute import GpuUtilisation, matmul_peak, step_flops  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from config.defaults import train_config  # noqa: E402
from config.overrides import parse_overrides  # noqa: E402
from process.device import cpu_has_bf16  # noqa: E402


def run_row(preset: str, precision: str, sets: list[str], workdir: Path, device: str = "auto") -> dict:
    """One ``train.py`` run in a fresh process; its timings, held-out scores and (CUDA) the mean
    GPU utilisation during its optimisation steps."""
    from process.evaluation import evaluate_checkpoint

    out = workdir / f"{preset}_{precision}_{len(list(workdir.iterdir()))}"
    cmd = [sys.executable, str(ROOT / "train.py"), "--preset", preset, "--out", str(out), "--quiet",
           "--device", device, "--metrics-log", str(workdir / "training.log"),
           "--set", f"amp={precision == 'bf16'}", *sets]
    sampling = GpuUtilisation() if device == "cuda" else contextlib.nullcontext()
    t0 = time.perf_counter()
    with sampling as util:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"error: train.py failed ({' '.join(cmd)}):\n{proc.stderr[-2000:]}")
    timing = json.loads((out / "timing.json").read_text())
    busy = util.mean_between(*timing["windows"]["steps"]) if util is not None else None
    report = evaluate_checkpoint(out, tile=None, device=device)
    return {"preset": preset, "precision": precision, "sets": sets, "wall": wall, "timing": timing,
            "held": report["model"], "baseline": report["baseline_mean_colour"], "run": str(out),
            "gpu_util": busy}


def training_flops(preset: str, sets: list[str], device: str = "auto") -> float:
    """FLOPs of the whole schedule: one counted step of each stage times its step count."""
    from training.trainer import Trainer

    with tempfile.TemporaryDirectory() as tmp:
        cfg = train_config(preset, out=tmp, metrics_log=str(Path(tmp) / "log"), device=device,
                           **parse_overrides(sets))
        trainer = Trainer(cfg, quiet=True)
        s1, s2 = cfg.epochs1 * cfg.steps_per_epoch, cfg.epochs2 * cfg.steps2_per_epoch
        f1 = step_flops(trainer, trainer.sampler.sample(cfg.batch_size, cfg.patch_size)) if s1 else 0.0
        f2 = step_flops(trainer, trainer.full_sampler.sample(1)) if s2 else 0.0
    return s1 * f1 + s2 * f2


def profile_step(preset: str, precision: str, sets: list[str], steps: int = 5, device: str = "cpu") -> None:
    """Per-operator time of stage-1 steps (after two warm-up steps)."""
    from torch.profiler import ProfilerActivity, profile

    from training.trainer import Trainer

    with tempfile.TemporaryDirectory() as tmp:
        cfg = train_config(preset, out=tmp, metrics_log=str(Path(tmp) / "log"), amp=precision == "bf16",
                           device=device, **parse_overrides(sets))
        trainer = Trainer(cfg, quiet=True)
        batches = [trainer.sampler.sample(cfg.batch_size, cfg.patch_size) for _ in range(steps + 2)]
        for b in batches[:2]:
            trainer._step(b)
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
        with profile(activities=activities) as prof:
            for b in batches[2:]:
                trainer._step(b)
            if device == "cuda":
                torch.cuda.synchronize()
    print(f"\nProfile: {preset}, {precision}, {steps} stage-1 steps (batch {cfg.batch_size} x "
          f"{cfg.patch_size}^2 px), operators by self time\n")
    key = "self_cuda_time_total" if device == "cuda" else "self_cpu_time_total"
    print(prof.key_averages().table(sort_by=key, row_limit=18))


def profile_layers(preset: str, precision: str, sets: list[str], reps: int = 5, device: str = "cpu") -> None:
    """Per-layer profile of one stage-1 step: every convolution timed alone (forward + backward,
    the step's input shape, memory layout and precision; median of ``reps``) with its FLOPs and
    GFLOP/s against the fp32/bf16 matrix-multiply peak, and beside the whole step's time, so that
    what the convolutions leave (normalisation, activations, attention, the optimiser) shows as
    the remainder."""
    from training.trainer import Trainer

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def median_seconds(fn) -> float:
        fn()
        times = []
        for _ in range(reps):
            sync()
            t = time.perf_counter()
            fn()
            sync()
            times.append(time.perf_counter() - t)
        return sorted(times)[len(times) // 2]

    with tempfile.TemporaryDirectory() as tmp:
        cfg = train_config(preset, out=tmp, metrics_log=str(Path(tmp) / "log"), amp=precision == "bf16",
                           device=device, **parse_overrides(sets))
        trainer = Trainer(cfg, quiet=True)
        batch = trainer.sampler.sample(cfg.batch_size, cfg.patch_size)
        seen: dict[str, tuple] = {}  # each convolution's first call in a step (each is called once)

        def record(name):
            def hook(mod, inp, out) -> None:  # returns None: the output is left as it is
                seen.setdefault(name, (mod, tuple(inp[0].shape), inp[0].requires_grad))
            return hook

        hooks = [m.register_forward_hook(record(name))
                 for name, m in trainer.model.named_modules() if isinstance(m, torch.nn.Conv2d)]
        trainer._step(batch)
        for h in hooks:
            h.remove()
        step_s = median_seconds(lambda: trainer._step(batch))
        step_gflop = step_flops(trainer, batch) / 1e9
        full = trainer.full_sampler.sample(1) if cfg.epochs2 > 0 else None
        full_s = median_seconds(lambda: trainer._step(full)) if full is not None else None
        full_gflop = step_flops(trainer, full) / 1e9 if full is not None else None
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        dev = trainer.device
        peak = matmul_peak(dtype, device=dev.type)
        fmt = torch.channels_last if cfg.channels_last else torch.contiguous_format
        rows, conv_total = [], 0.0
        for name, (mod, shape, needs_input_grad) in seen.items():
            conv = copy.deepcopy(mod).to(memory_format=fmt)  # fp32 weights, as in training (autocast for bf16)
            x = torch.randn(shape, device=dev).contiguous(memory_format=fmt).requires_grad_(needs_input_grad)

            def run():
                conv.zero_grad(set_to_none=True)
                with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
                    out = conv(x)
                out.float().sum().backward()

            seconds = median_seconds(run)
            with torch.no_grad():
                out = conv(x)
            k = conv.kernel_size[0] * conv.kernel_size[1] * conv.in_channels // conv.groups
            forward = 2 * out.numel() * k
            flops = forward * (3 if needs_input_grad else 2)  # forward, weight gradient, input gradient
            conv_total += seconds
            rows.append((name, shape, conv, seconds, flops))
    print(f"\nPer-layer profile: {preset}, {precision}, one stage-1 step (batch {cfg.batch_size} x "
          f"{cfg.patch_size}^2 px, {'channels-last' if cfg.channels_last else 'contiguous'}): every "
          f"convolution alone, forward + backward, median of {reps}; {precision} matrix-multiply peak "
          f"{peak:.0f} GFLOP/s\n")
    print("| layer | input (C x H x W) | out C | kernel | ms | GFLOP | GFLOP/s | % of peak | % of step |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for name, shape, conv, seconds, flops in sorted(rows, key=lambda r: -r[3]):
        print(f"| {name} | {shape[1]} x {shape[2]} x {shape[3]} | {conv.out_channels} | "
              f"{conv.kernel_size[0]}x{conv.kernel_size[1]}{' /2' if conv.stride[0] == 2 else ''} | "
              f"{1e3 * seconds:.1f} | {flops / 1e9:.2f} | {flops / seconds / 1e9:.0f} | "
              f"{100 * flops / seconds / 1e9 / peak:.0f} % | {100 * seconds / step_s:.0f} % |")
    conv_flops = sum(r[4] for r in rows)
    print(f"| all convolutions | | | | {1e3 * conv_total:.0f} | {conv_flops / 1e9:.2f} | "
          f"{conv_flops / conv_total / 1e9:.0f} | {100 * conv_flops / conv_total / 1e9 / peak:.0f} % | "
          f"{100 * conv_total / step_s:.0f} % |")
    print(f"| the whole step (convolutions + normalisation, activations, attention, loss, optimiser) | | | | "
          f"{1e3 * step_s:.0f} | {step_gflop:.2f} | {step_gflop / step_s:.0f} | "
          f"{100 * step_gflop / step_s / peak:.0f} % | 100 % |")
    if full_s is not None:
        print(f"| a stage-2 step (batch 1, the whole training view at full_size {cfg.full_size}) | | | | "
              f"{1e3 * full_s:.0f} | {full_gflop:.2f} | {full_gflop / full_s:.0f} | "
              f"{100 * full_gflop / full_s / peak:.0f} % | |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--presets", nargs="+", default=["fast", "default"])
    p.add_argument("--precisions", nargs="+", default=["bf16", "fp32"], choices=["bf16", "fp32"])
    p.add_argument("--variant", action="append", default=[], metavar="NAME=KEY=VALUE[,KEY=VALUE]",
                   help="an extra row per preset and precision with these overrides, e.g. "
                        "'eval at stage ends=eval_every=1000'")
    p.add_argument("--no-baseline", action="store_true", help="only the --variant rows")
    p.add_argument("--profile", action="store_true",
                   help="also print a per-operator and a per-layer profile of one step (the last preset and precision)")
    p.add_argument("--profile-only", action="store_true", help="only the profiles, no timed runs")
    p.add_argument("--markdown", help="also write the table here")
    p.add_argument("--workdir", default=None, help="run folders (default: a temporary folder)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where train.py runs (cuda: GPU peaks and a GPU-utilisation column)")
    args = p.parse_args()
    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        p.error("--device cuda: torch sees no CUDA GPU here")
    native_bf16 = cuda or cpu_has_bf16()
    precisions = [q for q in args.precisions if q == "fp32" or native_bf16]
    if len(precisions) < len(args.precisions):
        print("bf16 rows skipped: this CPU has no native bfloat16 (avx512_bf16 / AMX)")
    variants = [] if args.no_baseline else [("preset as it is", [])]
    for v in args.variant:
        name, _, sets = v.partition("=")
        if not sets:
            p.error(f"--variant {v!r}: give NAME=KEY=VALUE[,KEY=VALUE]")
        variants.append((name, sets.split(",")))

    machine = f"{describe_machine(gpu=cuda)}, {time.strftime('%Y-%m-%d')}"
    if cuda:
        true32 = matmul_peak(torch.float32, n=8192, device="cuda")
        peak32 = matmul_peak(torch.float32, n=8192, device="cuda", tf32=True)
        peak16 = matmul_peak(torch.bfloat16, n=8192, device="cuda")
        peaks = (f"GPU matrix-multiply peak (8192^3, this run): {peak16:.0f} GFLOP/s bf16, {peak32:.0f} GFLOP/s "
                 f"fp32 with TF32 (the fp32 rows' reference: cuDNN convolutions use TF32 by default), "
                 f"{true32:.0f} GFLOP/s true fp32")
    else:
        peak32 = matmul_peak(torch.float32)
        peak16 = matmul_peak(torch.bfloat16) if cpu_has_bf16() else None
        peaks = (f"matrix-multiply peak (2048^3, this run): {peak32:.0f} GFLOP/s fp32"
                 + (f", {peak16:.0f} GFLOP/s bf16" if peak16 else ""))
    load = os.getloadavg()
    machine += f", load average at the start {load[0]:.1f}"
    device = "cuda" if cuda else "cpu"
    if args.profile_only:
        print(f"machine: {machine}")
        profile_step(args.presets[-1], precisions[-1], [], device=device)
        profile_layers(args.presets[-1], precisions[-1], [], device=device)
        return 0
    util_head, util_rule = (" GPU util |", "---:|") if cuda else ("", "")
    lines = [f"machine: {machine}", peaks, "",
             "| preset | precision | variant | end-to-end s | step s | overhead | GFLOP/s | % of peak |"
             + util_head + " held-out PSNR dB | SSIM | dE00 | mean colour PSNR / SSIM / dE00 |",
             "|---|---|---|---:|---:|---:|---:|---:|" + util_rule + "---:|---:|---:|---|"]
    print("\n".join(lines), flush=True)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="train_speed_"))
    workdir.mkdir(parents=True, exist_ok=True)
    for preset in args.presets:
        for precision in precisions:
            for name, sets in variants:
                r = run_row(preset, precision, sets, workdir, args.device)
                flops = training_flops(preset, sets, args.device)
                t = r["timing"]["seconds"]
                step_s = t.get("sampling", 0.0) + t.get("steps", 0.0)
                gflops = flops / t["steps"] / 1e9
                peak = peak16 if precision == "bf16" else peak32
                h, b = r["held"], r["baseline"]
                line = (f"| {preset} | {precision} | {name} | {r['wall']:.0f} | {step_s:.0f} | {r['wall'] / step_s:.2f} "
                        f"| {gflops:.0f} | {100 * gflops / peak:.0f} % |"
                        + (f" {_percent(r['gpu_util'])} |" if cuda else "")
                        + f" {h['psnr']:.2f} | {h['ssim']:.3f} "
                        f"| {h['delta_e00']:.2f} | {b['psnr']:.2f} / {b['ssim']:.3f} / {b['delta_e00']:.2f} |")
                lines.append(line)
                print(line, flush=True)
                phases = ", ".join(f"{k} {v:.1f}" for k, v in t.items())
                phases += f"; outside them (interpreter start-up, imports, exit) {r['wall'] - sum(t.values()):.1f}"
                print(f"    seconds by phase ({r['run']}): {phases}", flush=True)
    load = os.getloadavg()
    lines.append(f"\nload average at the end (1/5/15 min): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
                 f"(the runs themselves hold it near the core count; well above it, other work shared the CPU "
                 f"and the seconds are inflated)")
    print(lines[-1])
    if args.profile:
        profile_step(args.presets[-1], precisions[-1], [], device=device)
        profile_layers(args.presets[-1], precisions[-1], [], device=device)
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n")
    return 0


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"


if __name__ == "__main__":
    sys.exit(main())
