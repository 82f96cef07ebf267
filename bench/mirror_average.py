#!/usr/bin/env python3
"""Mirror averaging (``process.py --mirror-average``), measured on models ``bench/quality.py`` trained.

    python bench/mirror_average.py [--runs DIR] [--cases all] [--tasks sketch lines bw] [--preset default]
                                   [--sheets DIR]

For each case and task it loads ``DIR/<case>_<task>_preset_<preset>`` (the run folders ``python
bench/quality.py --cases ... --tasks ... --presets P --out DIR`` leaves), colorizes the held-out
input(s) of ``bench/cases.py`` with one pass of the network and with mirror averaging (the network
also colours the mirrored input; the two averaged in CIELAB, ``process/inference.py``), and scores
each as that benchmark does: the network's output and, for line drawings and black-and-white
photos, the output ``process.py`` writes (the aligned training photo's colours carried over where the
view lines up with it). Cells: PSNR dB / SSIM / mean CIEDE2000 / chroma ratio, and the issue's goals
(lines: P PSNR >= mean colour + 2 dB, S SSIM >= mean colour's + 0.05, E dE00 <= 0.8 x mean colour's;
bw: P >= own-L* baseline + 1.5 dB, S >= its SSIM, E <= 0.75 x its dE00, C chroma 0.85-1.15; '-' where
missed). Last, the seconds of one view's colorization with each setting (best of 3). ``--sheets DIR``:
also write each mirror-averaged output as a picture (input | output | reference photo, with its
scores), named ``<case>_<task>[_hand-drawn]_<network|aligned>.png``.
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
from bench.quality import comparison_sheet  # noqa: E402
from models.checkpoint import load_model, read_reference, sketch_config_of  # noqa: E402
from process.inference import colorize  # noqa: E402
from postprocess.reference_align import align_and_carry  # noqa: E402
from utils.image_io import write_image  # noqa: E402
from utils.metrics import image_metrics, lightness_mean_chroma_baseline, mean_colour_baseline  # noqa: E402

TASKS = ("sketch", "lines", "bw")


def goals(m: dict, base: dict, task: str) -> str:
    if task == "lines":
        return "".join(["P" if m["psnr"] >= base["psnr"] + 2 else "-",
                        "S" if m["ssim"] >= base["ssim"] + 0.05 else "-",
                        "E" if m["delta_e00"] <= 0.8 * base["delta_e00"] else "-"])
    if task == "bw":
        return "".join(["P" if m["psnr"] >= base["psnr"] + 1.5 else "-",
                        "S" if m["ssim"] >= base["ssim"] else "-",
                        "E" if m["delta_e00"] <= 0.75 * base["delta_e00"] else "-",
                        "C" if 0.85 <= m["chroma_ratio"] <= 1.15 else "-"])
    return ""


def cell(m: dict, base: dict, task: str) -> str:
    return (f"{m['psnr']:.2f} / {m['ssim']:.4f} / {m['delta_e00']:.2f} / {m['chroma_ratio']:.3f} "
            f"{goals(m, base, task)}").strip()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default="runs/bench_quality", help="bench/quality.py's --out folder")
    add_cases_flag(p)
    p.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    p.add_argument("--preset", default="default")
    p.add_argument("--sheets", help="also write a picture of each mirror-averaged output into this folder")
    args = p.parse_args(argv)
    names = chosen_cases(p, args.cases)
    runs = {(n, t): Path(args.runs) / f"{n}_{t}_preset_{args.preset}" / "checkpoints" / "last.safetensors"
            for n in names for t in args.tasks}
    missing = [str(ck) for ck in runs.values() if not ck.is_file()]
    if missing:
        p.error(f"no checkpoint at {missing[0]}: run bench/quality.py --cases {' '.join(names)} --tasks "
                f"{' '.join(args.tasks)} --presets {args.preset} --out {args.runs} first")

    print(f"machine: {describe_machine()}; {time.strftime('%Y-%m-%d')}; runs in {args.runs} "
          f"(preset {args.preset}, seed as trained); inference in fp32\n")
    print("| case | input | output | baseline | one pass | mirror averaged | change (dB / SSIM) |")
    print("|---|---|---|---|---|---|---|")
    gains, timing = [], None
    for name in names:
        case = load_case(name)
        for task in args.tasks:
            model, meta = load_model(runs[name, task])
            reference = read_reference(runs[name, task])
            base = image_metrics(lightness_mean_chroma_baseline(case.train_photo, case.test_photo) if task == "bw"
                                 else mean_colour_baseline(case.train_photo, case.test_photo.shape), case.test_photo)
            for suffix, guides in test_inputs(case, task, sketch_config_of(meta)).items():
                outs = {m: colorize(model, guides, mirror_average=m) for m in (False, True)}
                rows = [("network", outs)]
                if task != "sketch":
                    bw = guides.luminance is not None
                    carried = {m: align_and_carry(o, reference, guides.sketch, guides.luminance if bw else None)
                               for m, o in outs.items()}
                    if carried[True][1].used:
                        rows.append(("as process.py writes it (aligned)", {m: c[0] for m, c in carried.items()}))
                for label, pair in rows:
                    one, avg = (image_metrics(pair[m], case.test_photo) for m in (False, True))
                    if args.sheets:
                        kind = "network" if label == "network" else "aligned"
                        name_ = f"{name}_{task}{'_hand-drawn' if suffix else ''}_{kind}.png"
                        write_image(Path(args.sheets) / name_, comparison_sheet(guides, pair[True], case.test_photo, avg))
                    gains.append((avg["psnr"] - one["psnr"], avg["ssim"] - one["ssim"]))
                    print(f"| {name} | {task}{suffix} | {label} | {cell(base, base, '')} | {cell(one, base, task)} | "
                          f"{cell(avg, base, task)} | {gains[-1][0]:+.2f} / {gains[-1][1]:+.4f} |")
            if timing is None:
                timing = (name, task, model, next(iter(test_inputs(case, task, sketch_config_of(meta)).values())))
    d_psnr, d_ssim = np.array(gains).T
    print(f"\n{len(gains)} outputs: PSNR change {d_psnr.min():+.2f} to {d_psnr.max():+.2f} dB (mean {d_psnr.mean():+.3f}), "
          f"SSIM change {d_ssim.min():+.4f} to {d_ssim.max():+.4f} (mean {d_ssim.mean():+.4f}); "
          f"PSNR lower on {int((d_psnr < -0.005).sum())}, SSIM lower on {int((d_ssim < -0.00005).sum())}")

    name, task, model, guides = timing
    h, w = guides.shape
    print(f"\nSeconds to colorize {name}'s held-out {task} input ({w}x{h}), best of 3:")
    for m in (False, True):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            colorize(model, guides, mirror_average=m)
            best = min(best, time.perf_counter() - t)
        print(f"  mirror averaging {'on ' if m else 'off'}: {best:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
