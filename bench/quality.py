#!/usr/bin/env python3
"""Quality benchmark: train on each development case and score its held-out view.

    python bench/quality.py [--cases motorcycle graf aero china | all] [--tasks sketch lines bw]
                            [--presets fast default] [--set key=value ...] [--ablation] [--out DIR]
                            [--mirror-average on|off]

Protocol: for each case (``bench/cases.py``: the bundled stereo sample with ground-truth
depth, graf, aero, china without depth) and task (``sketch``: photo-derived ink sketches;
``lines``: a line-drawing model given the held-out view's Canny edges, and a hand-drawn
version of them; ``bw``: a black-and-white model given the held-out view's B&W version),
train on the case's training photo, colorize the held-out input, and compare with the real
held-out photo: scikit-image PSNR / SSIM (data_range=1, channel_axis=-1), mean CIEDE2000,
chroma ratio (mean Lab chroma of prediction / of photo). Baselines in the same run: the
training photo's mean colour, and for ``bw`` the input's own L* with the mean a*, b*.
``lines`` and ``bw`` also get a "+ reference alignment" row: the network's output with the
training photo's colours carried over where the held-out input lines up with it, as
``process.py`` does by default (``process/reference_align.py``: a perspective map refined by
dense optical flow), and a "+ reference alignment (perspective map only)" row
(``process.py --align homography``).
Outputs as ``process.py`` makes them: mirror-averaged (``process/inference.py``) unless
``--mirror-average off`` (one network pass, how results before 2026-11-27's mirror averaging were made).
"train s" counts the optimisation steps; "total s" the whole training (set-up, evaluation,
precise BN, checkpoints) as ``train.py`` runs it. Prints Markdown tables; ``--ablation``
adds the ablation rows (bundled sample, sketch task).
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.compute import matmul_peak, step_flops  # noqa: E402
from bench.cases import CASES, TASKS, Case, load_case, task_overrides, test_inputs  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from config.defaults import train_config  # noqa: E402
from config.overrides import merge_overrides, parse_overrides  # noqa: E402
from data.dataset import TrainingView  # noqa: E402
from process.guides import GuideSources, guides_from_photo  # noqa: E402
from process.inference import colorize  # noqa: E402
from process.reference_align import align, carry_colours  # noqa: E402
from process.training import Trainer, TrainingData  # noqa: E402
from utils.image_io import write_image  # noqa: E402
from utils.lab_processor import lightness_to_gray  # noqa: E402
from utils.visualization import contact_sheet  # noqa: E402
from utils.metrics import image_metrics, lightness_mean_chroma_baseline, mean_colour_baseline  # noqa: E402

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


# Tasks whose held-out input process.py aligns with the training photo by default (--align auto);
# their tables get the network's row and the row with alignment.
ALIGNED_TASKS = ("lines", "bw")


def ablation_rows() -> list[tuple[str, str, dict]]:
    """(name, preset, overrides) with each row's change added to all earlier ones."""
    rows, cfg = [], copy.deepcopy(_BASE)
    for name, change in _CHANGES:
        cfg = merge_overrides(cfg, change)
        rows.append((name, "fast", copy.deepcopy(cfg)))
    return rows


def training_data(case: Case, cfg) -> TrainingData:
    """The case's training view with guides built as ``train.py --image`` builds them."""
    guides = guides_from_photo(case.train_photo, cfg.sketch, GuideSources(depth="none", mask="none"),
                               luminance=cfg.model.use_luminance)
    guides.depth = case.train_depth
    return TrainingData(TrainingView(case.train_photo, guides), None, case.source)


def run_one(name: str, preset: str, over: dict, out: Path, case: Case, task: str = "sketch",
            mirror_average: bool = True) -> list[dict]:
    """Train one model for ``task`` on ``case``; one result row per held-out input of the task."""
    cfg = train_config(preset, out=str(out / _slug(f"{case.name}_{task}_{name}")),
                       metrics_log=str(out / "training.log"), eval_every=10_000,
                       **merge_overrides(task_overrides(task), over))
    t0 = time.perf_counter()
    trainer = Trainer(cfg, data=training_data(case, cfg), quiet=True)
    trainer.fit()
    total = time.perf_counter() - t0
    train = image_metrics(colorize(trainer.inference_model, trainer.data.train.guides, mirror_average=mirror_average),
                          case.train_photo, full=False)
    # Work done: FLOPs of one step of each stage (counted, after training, on a copy of the state).
    s1, s2 = cfg.epochs1 * cfg.steps_per_epoch, cfg.epochs2 * cfg.steps2_per_epoch
    f1 = step_flops(trainer, trainer.sampler.sample(cfg.batch_size, cfg.patch_size)) if s1 else 0
    f2 = step_flops(trainer, trainer.full_sampler.sample(1)) if s2 else 0
    h2, w2 = trainer.full_view.guides.shape
    pixels = s1 * cfg.batch_size * cfg.patch_size ** 2 + s2 * h2 * w2
    secs = trainer.progress["seconds"]
    rows = []
    for suffix, guides in test_inputs(case, task, cfg.sketch).items():
        pred = colorize(trainer.inference_model, guides, mirror_average=mirror_average)
        held = image_metrics(pred, case.test_photo)
        outputs = [(suffix, pred, held)]
        if task in ALIGNED_TASKS:  # process.py's default (--align auto): the training photo where it lines up
            reference = trainer.reference.astype(np.float32) / 255.0
            bw = guides.luminance is not None
            alignment = align(reference, guides.luminance if bw else guides.sketch, "photo" if bw else "drawing")
            for refine, label in ((True, " + reference alignment"),
                                  (False, " + reference alignment (perspective map only)")):
                aligned = carry_colours(pred, reference, alignment, guides.luminance, guides.sketch, refine=refine)
                print(f"{case.name} {task}{suffix} --align {'auto' if refine else 'homography'}: "
                      f"{alignment.describe()}")
                outputs.append((suffix + label, aligned, image_metrics(aligned, case.test_photo)))
        for label, image, metrics in outputs:
            write_image(Path(cfg.out) / f"heldout{_slug(label)}.png", image)
            write_image(Path(cfg.out) / f"sheet{_slug(label)}.png", comparison_sheet(guides, image, case.test_photo, metrics))
            rows.append({"name": name + label, "case": case.name, "task": task, "preset": preset, "seconds": secs,
                         "total_seconds": total, "held": metrics, "train": train, "steps": trainer.progress["step"],
                         "pixels_per_s": pixels / secs, "gflops": (s1 * f1 + s2 * f2) / secs / 1e9})
    return rows


def comparison_sheet(guides, pred, photo, metrics: dict) -> np.ndarray:
    """input | output | reference, captioned: what the README shows for each task."""
    shown = lightness_to_gray(guides.luminance) if guides.luminance is not None else guides.sketch
    what = "black-and-white input" if guides.luminance is not None else "input drawing"
    return contact_sheet([shown, pred, photo],
                         [what, f"SemColorNet: {metrics['psnr']:.1f} dB, dE00 {metrics['delta_e00']:.1f}",
                          "reference photo (never seen)"], cell_width=360)


def baselines(case: Case, task: str) -> list[tuple[str, dict]]:
    rows = [("mean-colour baseline", image_metrics(mean_colour_baseline(case.train_photo, case.test_photo.shape),
                                                   case.test_photo))]
    if task == "bw":
        rows.append(("own L* + mean a*b* baseline",
                     image_metrics(lightness_mean_chroma_baseline(case.train_photo, case.test_photo), case.test_photo)))
    return rows


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:60]


def _metric_cells(m: dict) -> str:
    return f"{m['psnr']:.2f} | {m['ssim']:.3f} | {m['delta_e00']:.2f} | {m['chroma_ratio']:.2f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", default=["motorcycle"], help=f"any of {list(CASES)}, or all")
    p.add_argument("--tasks", nargs="+", default=["sketch"], choices=list(TASKS))
    p.add_argument("--presets", nargs="+", default=["fast", "default"])
    p.add_argument("--set", nargs="*", default=[], help="config overrides, e.g. lr=1e-3 model.width=24")
    p.add_argument("--ablation", action="store_true", help="also run the ablation rows (bundled sample, sketch)")
    p.add_argument("--out", default="runs/bench_quality")
    p.add_argument("--json", help="also write the rows as JSON here")
    p.add_argument("--mirror-average", default="on", choices=["on", "off"],
                   help="outputs mirror-averaged as process.py makes them, or one network pass")
    args = p.parse_args()
    mirror = args.mirror_average == "on"
    names = list(CASES) if args.cases == ["all"] else args.cases
    for n in names:
        if n not in CASES:
            p.error(f"unknown case {n!r}; choose from {list(CASES)} or all")
    out = Path(args.out)
    over = parse_overrides(args.set)
    cases = {n: load_case(n) for n in names}
    rows, base_rows = [], []
    for case in cases.values():
        for task in args.tasks:
            base_rows += [{"case": case.name, "task": task, "name": bn, "held": m} for bn, m in baselines(case, task)]
            for pr in args.presets:
                rows += run_one(f"preset {pr}", pr, over, out, case, task, mirror)
    if args.ablation:
        sample = cases.get("motorcycle") or load_case("motorcycle")
        for name, pr, o in ablation_rows():
            rows += run_one(name, pr, merge_overrides(o, over), out, sample, mirror_average=mirror)
        if over.get("perceptual_weight", 0) == 0:
            from loss.combined_loss import vgg_cache_path
            if vgg_cache_path().is_file():
                rows += run_one("+ VGG perceptual loss (weight 0.1)", "fast", {"perceptual_weight": 0.1}, out, sample,
                                mirror_average=mirror)
            else:
                print(f"VGG perceptual row not run: no VGG-16 weights at {vgg_cache_path()} (offline machine)")
    print(f"\nmachine: {describe_machine()}; {time.strftime('%Y-%m-%d')}")
    if over:
        print(f"overrides: {over}")
    print(f"outputs: {'mirror-averaged' if mirror else 'one network pass'} (--mirror-average {args.mirror_average})")
    peak32, peak16 = matmul_peak(torch.float32), matmul_peak(torch.bfloat16)
    print(f"matrix-multiply peak (2048^3, same run): {peak32:.0f} GFLOP/s fp32, {peak16:.0f} GFLOP/s bf16")
    print("\n| case | task | run | train s | total s | held-out PSNR dB | SSIM | dE00 | chroma ratio "
          "| train PSNR dB | train SSIM | train px/s | GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in cases.values():
        for task in args.tasks:
            for b in base_rows:
                if b["case"] == case.name and b["task"] == task:
                    print(f"| {case.name} | {task} | {b['name']} | - | - | {_metric_cells(b['held'])} "
                          f"| - | - | - | - |")
            for r in rows:
                if r["case"] == case.name and r["task"] == task and not r["name"].startswith(("+", "Base")):
                    _print_row(r)
    abl = [r for r in rows if r["name"].startswith(("+", "Base"))]
    if abl:
        print("\nAblation (motorcycle, sketch task, fast schedule):\n")
        print("| case | task | run | train s | total s | held-out PSNR dB | SSIM | dE00 | chroma ratio "
              "| train PSNR dB | train SSIM | train px/s | GFLOP/s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in abl:
            _print_row(r)
    if args.json:
        Path(args.json).write_text(json.dumps({"baselines": base_rows, "rows": rows}, indent=2))
    return 0


def _print_row(r: dict) -> None:
    t = r["train"]
    print(f"| {r['case']} | {r['task']} | {r['name']} | {r['seconds']:.0f} | {r['total_seconds']:.0f} | "
          f"{_metric_cells(r['held'])} | {t['psnr']:.2f} | {t['ssim']:.3f} | "
          f"{r['pixels_per_s'] / 1e3:.0f} k | {r['gflops']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
