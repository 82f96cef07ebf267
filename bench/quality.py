#!/usr/bin/env python3
"""Quality benchmark: train each preset on the bundled sample and score the held-out view.

    python bench/quality.py [--presets fast default] [--set key=value ...] [--ablation] [--out DIR]

Protocol: train on the left view of skimage.data.stereo_motorcycle (photo + ground-truth
depth); colorize the right view from its own sketch and depth; compare with the real
right photo (scikit-image PSNR / SSIM with data_range=1, channel_axis=-1; mean CIEDE2000;
chroma ratio = mean Lab chroma of prediction / of photo). Training seconds are wall-clock
seconds of the optimisation steps (evaluation excluded). The mean-colour baseline is
computed in the same run. Prints one Markdown table; ``--ablation`` adds the ablation rows.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from config.defaults import train_config  # noqa: E402
from data.samples import stereo_motorcycle_views  # noqa: E402
from process.inference import colorize  # noqa: E402
from process.training import Trainer  # noqa: E402
from utils.metrics import image_metrics, mean_colour_baseline  # noqa: E402

# The ablation, in the original's format: each row adds one change to the row before it,
# on the fast preset (rows must stay cheap to run). The last row is the fast preset itself.
_BASE = dict(lr_schedule="constant", sketch=dict(method="canny"),
             model=dict(use_style=False, line_distance=False, position=False, color_space="lab"))
_CHANGES = [
    ("Base (U-Net + attention, L1 in Lab, Canny sketch, constant LR)", {}),
    ("+ AdaIN style", dict(model=dict(use_style=True))),
    ("+ adaptive LR decay", dict(lr_schedule="plateau")),
    ("+ XDoG ink sketch", dict(sketch=dict(method="xdog"))),
    ("+ line-distance channel", dict(model=dict(line_distance=True))),
    ("+ position channels", dict(model=dict(position=True))),
    ("+ RGB output space (Final = fast preset)", dict(model=dict(color_space="rgb"))),
]


def ablation_rows() -> list[tuple[str, str, dict]]:
    """(name, preset, overrides) with each row's change added to all earlier ones."""
    rows, cfg = [], copy.deepcopy(_BASE)
    for name, change in _CHANGES:
        for key, value in change.items():
            if isinstance(value, dict):
                cfg[key] = {**cfg.get(key, {}), **value}
            else:
                cfg[key] = value
        rows.append((name, "fast", copy.deepcopy(cfg)))
    return rows


def parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def overrides_from(sets: list[str]) -> dict:
    over: dict = {}
    for item in sets:
        key, _, value = item.partition("=")
        node = over
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = parse_value(value)
    return over


def run_one(name: str, preset: str, over: dict, out: Path) -> dict:
    cfg = train_config(preset, out=str(out / _slug(name)), metrics_log=str(out / "training.log"),
                       eval_every=10_000, **over)
    trainer = Trainer(cfg, quiet=True)
    trainer.fit()
    left, right = trainer.data.train, trainer.data.heldout
    held = image_metrics(colorize(trainer.model, right.guides), right.photo)
    train = image_metrics(colorize(trainer.model, left.guides), left.photo, full=False)
    # Work done: FLOPs of one step of each stage (counted, after training, on a copy of the state).
    s1, s2 = cfg.epochs1 * cfg.steps_per_epoch, cfg.epochs2 * cfg.steps2_per_epoch
    f1 = step_flops(trainer, trainer.sampler.sample(cfg.batch_size, cfg.patch_size)) if s1 else 0
    f2 = step_flops(trainer, trainer.full_sampler.sample(1)) if s2 else 0
    h2, w2 = trainer.full_view.guides.shape
    pixels = s1 * cfg.batch_size * cfg.patch_size ** 2 + s2 * h2 * w2
    secs = trainer.progress["seconds"]
    return {"name": name, "preset": preset, "seconds": secs, "held": held, "train": train,
            "steps": trainer.progress["step"], "pixels_per_s": pixels / secs, "gflops": (s1 * f1 + s2 * f2) / secs / 1e9}


def step_flops(trainer: Trainer, batch) -> float:
    """FLOPs of one training step (forward + backward) as torch's FlopCounterMode counts them."""
    import copy

    from torch.utils.flop_counter import FlopCounterMode

    model_state = copy.deepcopy(trainer.model.state_dict())
    opt_state = copy.deepcopy(trainer.opt.state_dict())
    with FlopCounterMode(display=False) as counter:
        trainer._step(batch)
    trainer.model.load_state_dict(model_state)
    trainer.opt.load_state_dict(opt_state)
    return float(counter.get_total_flops())


def matmul_peak(dtype=torch.float32, n: int = 2048, reps: int = 10) -> float:
    """GFLOP/s of an n x n matrix product on this machine (best of ``reps``)."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:60]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--presets", nargs="+", default=["fast", "default"])
    p.add_argument("--set", nargs="*", default=[], help="config overrides, e.g. lr=1e-3 model.width=24")
    p.add_argument("--ablation", action="store_true", help="also run the ablation rows")
    p.add_argument("--out", default="runs/bench_quality")
    p.add_argument("--json", help="also write the rows as JSON here")
    args = p.parse_args()
    out = Path(args.out)
    over = overrides_from(args.set)
    left, right = stereo_motorcycle_views()
    base = image_metrics(mean_colour_baseline(left.photo, right.photo.shape), right.photo)
    rows = [run_one(f"preset {pr}", pr, over, out) for pr in args.presets]
    if args.ablation:
        rows += [run_one(name, pr, {**o, **over}, out) for name, pr, o in ablation_rows()]
        if over.get("perceptual_weight", 0) == 0:
            from loss.combined_loss import vgg_cache_path
            if vgg_cache_path().is_file():
                rows.append(run_one("+ VGG perceptual loss (weight 0.1)", "fast", {"perceptual_weight": 0.1}, out))
            else:
                print(f"VGG perceptual row not run: no VGG-16 weights at {vgg_cache_path()} (offline machine)")
    print(f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch "
          f"{torch.__version__}, {torch.get_num_threads()} threads; {time.strftime('%Y-%m-%d')}")
    if over:
        print(f"overrides: {over}")
    peak32, peak16 = matmul_peak(torch.float32), matmul_peak(torch.bfloat16)
    print(f"matrix-multiply peak (2048^3, same run): {peak32:.0f} GFLOP/s fp32, {peak16:.0f} GFLOP/s bf16")
    print("\n| run | train s | steps | held-out PSNR dB | SSIM | dE00 | chroma ratio | train PSNR dB | train SSIM "
          "| train px/s | GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| mean-colour baseline | - | - | {base['psnr']:.2f} | {base['ssim']:.3f} | {base['delta_e00']:.2f} | "
          f"{base['chroma_ratio']:.2f} | - | - | - | - |")
    for r in rows:
        h, t = r["held"], r["train"]
        print(f"| {r['name']} | {r['seconds']:.0f} | {r['steps']} | {h['psnr']:.2f} | {h['ssim']:.3f} | "
              f"{h['delta_e00']:.2f} | {h['chroma_ratio']:.2f} | {t['psnr']:.2f} | {t['ssim']:.3f} | "
              f"{r['pixels_per_s'] / 1e3:.0f} k | {r['gflops']:.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"baseline": base, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
