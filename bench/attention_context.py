#!/usr/bin/env python3
"""Whole-image or local attention context: held-out quality and the framing test, network alone.

    python bench/attention_context.py --runs runs/bench_sketch runs/bench_lines_bw
                                      [--cases all] [--tasks sketch lines bw]

For each trained model that ``bench/quality.py --out DIR`` left in the run folders
(``DIR/<case>_<task>_preset_default``), the held-out input is coloured as ``process.py --align off``
renders it (mirror-averaged; a line drawing laid out by its lines, ``--lines`` as by default; a
black-and-white photo's colours the network's, ``--bw-colour network``), once
with each attention context (``process.py --context whole|local``, ``process/inference.py``), and
scored against the real photo (PSNR / SSIM / dE00 / chroma ratio), with the framing test
(``bench/framing.py``: three 70 % windows coloured alone against the same window of the full
frame). Inference only: the models are the quality benchmark's.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import TASKS, add_cases_flag, chosen_cases, load_case, test_inputs  # noqa: E402
from bench.framing import framing_test  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from config.defaults import CONTEXTS  # noqa: E402
from models.checkpoint import load_model, sketch_config_of  # noqa: E402
from postprocess.line_structure import colour_by_lines  # noqa: E402
from process.inference import colorize  # noqa: E402
from utils.metrics import image_metrics, mean_colour_baseline  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", nargs="+", required=True, help="bench/quality.py --out folders holding the models")
    add_cases_flag(p)
    p.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    args = p.parse_args()
    names = chosen_cases(p, args.cases)
    print(f"machine: {describe_machine()}; {time.strftime('%Y-%m-%d')}\n")
    print("| case | task | context | PSNR dB | SSIM | dE00 | chroma ratio | mean colour PSNR "
          "| framing: top-left / bottom-right / centre, dB | largest |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        case = load_case(name)
        mean = image_metrics(mean_colour_baseline(case.train_photo, case.test_photo.shape), case.test_photo)["psnr"]
        for task in args.tasks:
            folder = next((Path(r) / f"{name.replace('-', '_')}_{task}_preset_default" for r in args.runs
                           if (Path(r) / f"{name.replace('-', '_')}_{task}_preset_default").is_dir()), None)
            if folder is None:
                print(f"| {name} | {task} | (no model in {args.runs}) | | | | | | | |")
                continue
            model, meta = load_model(folder)
            guides = test_inputs(case, task, sketch_config_of(meta))[""]
            for context in CONTEXTS:
                def colour(g, context=context):
                    rgb = colorize(model, g, context=context)
                    return colour_by_lines(rgb, g.strokes) if task == "lines" else rgb
                pred = colour(guides)
                m = image_metrics(pred, case.test_photo)
                changes = [f["change_db"] for f in framing_test(colour, guides, case.test_photo, pred, image_metrics)]
                print(f"| {name} | {task} | {context} | {m['psnr']:.2f} | {m['ssim']:.3f} | {m['delta_e00']:.2f} "
                      f"| {m['chroma_ratio']:.2f} | {mean:.2f} | {' / '.join(f'{c:+.2f}' for c in changes)} "
                      f"| {max(abs(c) for c in changes):.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
