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

# name -> (preset, overrides): each row adds one change to the row before it (the original's format).
ABLATION = [
    ("Base (U-Net + attention, L1, constant LR)", "default",
     dict(lr_schedule="constant", model=dict(use_style=False, line_distance=False, position=False))),
    ("+ AdaIN style", "default", dict(lr_schedule="constant", model=dict(line_distance=False, position=False))),
    ("+ adaptive LR decay", "default", dict(model=dict(line_distance=False, position=False))),
    ("+ line-distance channel", "default", dict(model=dict(position=False))),
    ("+ position channels (Final)", "default", dict()),
]


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
    return {"name": name, "preset": preset, "seconds": trainer.progress["seconds"], "held": held, "train": train,
            "steps": trainer.progress["step"]}


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
        rows += [run_one(name, pr, {**o, **over}, out) for name, pr, o in ABLATION]
    print(f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch "
          f"{torch.__version__}, {torch.get_num_threads()} threads; {time.strftime('%Y-%m-%d')}")
    if over:
        print(f"overrides: {over}")
    print("\n| run | train s | steps | held-out PSNR dB | SSIM | dE00 | chroma ratio | train PSNR dB | train SSIM |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| mean-colour baseline | - | - | {base['psnr']:.2f} | {base['ssim']:.3f} | {base['delta_e00']:.2f} | "
          f"{base['chroma_ratio']:.2f} | - | - |")
    for r in rows:
        h, t = r["held"], r["train"]
        print(f"| {r['name']} | {r['seconds']:.0f} | {r['steps']} | {h['psnr']:.2f} | {h['ssim']:.3f} | "
              f"{h['delta_e00']:.2f} | {h['chroma_ratio']:.2f} | {t['psnr']:.2f} | {t['ssim']:.3f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"baseline": base, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
