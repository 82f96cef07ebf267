#!/usr/bin/env python3
"""Chroma smoothing of black-and-white models (``process.py --chroma-smooth``), swept on models
``bench/quality.py`` trained.

    python bench/chroma_smoothing.py [--runs DIR] [--cases all] [--preset default]
                                     [--radii 0 4 8 12 16 24] [--eps 0.003 0.01 0.03]

For each case it loads ``DIR/<case>_bw_preset_<preset>`` (the run folders ``python bench/quality.py
--cases ... --tasks bw --presets P --out DIR`` leaves), colorizes the held-out view's
black-and-white version as that benchmark does (``bench/cases.py``) with the network's chroma as
predicted (radius 0), then guided-filters a*, b* along the input's L* for each radius and eps
(``postprocess/chroma_smoothing.py``) and scores the network's output and, where the view lines up with
the training photo, the output ``process.py`` writes (the aligned photo's colours carried over,
``--align auto``). Each cell: PSNR dB / SSIM / mean CIEDE2000 / chroma ratio and the issue's four
goals against the own-L* + mean-a*b* baseline (P: PSNR >= baseline + 1.5 dB, S: SSIM >= baseline's,
E: dE00 <= 0.75 x baseline's, C: chroma ratio 0.85-1.15; '-' where missed). Last, the seconds the
filter takes on one view and on a 12-megapixel scan.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.cases import add_cases_flag, chosen_cases, load_case, test_inputs  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from config.defaults import CHROMA_SMOOTH  # noqa: E402
from models.checkpoint import load_model, read_reference, sketch_config_of  # noqa: E402
from postprocess.chroma_smoothing import EPS, smooth_chroma  # noqa: E402
from process.inference import colorize  # noqa: E402
from postprocess.reference_align import align, carry_colours  # noqa: E402
from utils.metrics import image_metrics, lightness_mean_chroma_baseline  # noqa: E402


def goals(m: dict, base: dict) -> str:
    return "".join([
        "P" if m["psnr"] >= base["psnr"] + 1.5 else "-",
        "S" if m["ssim"] >= base["ssim"] else "-",
        "E" if m["delta_e00"] <= 0.75 * base["delta_e00"] else "-",
        "C" if 0.85 <= m["chroma_ratio"] <= 1.15 else "-",
    ])


def cell(m: dict, base: dict) -> str:
    return f"{m['psnr']:.2f} / {m['ssim']:.4f} / {m['delta_e00']:.2f} / {m['chroma_ratio']:.2f} {goals(m, base)}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default="runs/bench_quality", help="bench/quality.py's --out folder")
    add_cases_flag(p)
    p.add_argument("--preset", default="default")
    p.add_argument("--radii", nargs="+", type=int, default=[0, 4, 8, 12, 16, 24])
    p.add_argument("--eps", nargs="+", type=float, default=[0.003, 0.01, 0.03])
    args = p.parse_args(argv)
    names = chosen_cases(p, args.cases)
    views = {}
    for name in names:
        case = load_case(name)
        ck = Path(args.runs) / f"{name}_bw_preset_{args.preset}" / "checkpoints" / "last.safetensors"
        if not ck.is_file():
            p.error(f"no checkpoint at {ck}: run bench/quality.py --cases {name} --tasks bw "
                    f"--presets {args.preset} --out {args.runs} first")
        model, meta = load_model(ck)
        guides = next(iter(test_inputs(case, "bw", sketch_config_of(meta)).values()))
        pred = colorize(model, guides, chroma_smooth=0)
        reference = read_reference(ck).astype(np.float32) / 255.0
        alignment = align(reference, guides.luminance, "photo")
        base = image_metrics(lightness_mean_chroma_baseline(case.train_photo, case.test_photo), case.test_photo)
        views[name] = (case, guides, pred, reference, alignment, base)
        if alignment.used:
            carry_colours(pred, reference, alignment, guides.luminance, guides.sketch, refine=True)
        print(f"{name}: {alignment.describe()}")

    print(f"\nmachine: {describe_machine()}; {time.strftime('%Y-%m-%d')}; runs in {args.runs} "
          f"(preset {args.preset}); shipped: radius {CHROMA_SMOOTH}, eps {EPS}\n")
    print("| radius | eps | " + " | ".join(f"{n} (network)" + (f" | {n} (+ alignment)" if v[4].used else "")
                                          for n, v in views.items()) + " |")
    print("|---|---|" + "---|" * sum(1 + int(v[4].used) for v in views.values()))
    print("| baseline (own L* + mean a*b*) | - | " + " | ".join(
        f"{v[5]['psnr']:.2f} / {v[5]['ssim']:.4f} / {v[5]['delta_e00']:.2f} / {v[5]['chroma_ratio']:.2f}"
        + (" | -" if v[4].used else "") for v in views.values()) + " |")
    settings = [(0, 0.0)] + [(r, e) for r in args.radii if r > 0 for e in args.eps]
    met = {}
    for radius, eps in settings:
        cells = []
        for name, (case, guides, pred, reference, alignment, base) in views.items():
            out = smooth_chroma(pred, guides.luminance, radius, eps) if radius else pred
            m = image_metrics(out, case.test_photo)
            cells.append(cell(m, base))
            final = m
            if alignment.used:
                carried = carry_colours(out, reference, alignment, guides.luminance, guides.sketch, refine=True)
                final = image_metrics(carried, case.test_photo)
                cells.append(cell(final, base))
            met.setdefault((radius, eps), []).append(goals(final, base) == "PSEC")
        shipped = " (shipped)" if (radius, eps) == (CHROMA_SMOOTH, EPS) else ""
        print(f"| {radius}{shipped} | {eps if radius else '-'} | " + " | ".join(cells) + " |")
    print("\nCases whose output (as process.py writes it) meets all four goals:")
    for (radius, eps), ok in met.items():
        print(f"  radius {radius:2d}, eps {eps:<5}: {sum(ok)} of {len(ok)} "
              f"({', '.join(n for n, o in zip(views, ok) if o) or 'none'})")

    print("\nSeconds of the filter (best of 3):")
    name, (case, guides, pred, *_rest) = next(iter(views.items()))
    h, w = guides.shape
    big_l = np.tile(guides.luminance, (3000 // h + 1, 4000 // w + 1))[:3000, :4000]
    big = np.tile(pred, (3000 // h + 1, 4000 // w + 1, 1))[:3000, :4000]
    for label, rgb, light in ((f"{name} view {w}x{h}", pred, guides.luminance), ("12-megapixel scan 4000x3000", big, big_l)):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            smooth_chroma(rgb, light, CHROMA_SMOOTH)
            best = min(best, time.perf_counter() - t)
        print(f"  {label}: {best:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
