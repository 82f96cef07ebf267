#!/usr/bin/env python3
"""Reference alignment's dense-flow refinement, on models ``bench/quality.py`` trained.

    python bench/alignment_flow.py [--runs DIR] [--cases motorcycle graf] [--preset default]

For each case and task (``lines``, ``bw``) it loads ``DIR/<case>_<task>_preset_<preset>`` (the
run folders ``python bench/quality.py --cases ... --tasks lines bw --presets P --out DIR``
leaves), builds the held-out inputs as that benchmark does (``bench/cases.py``), and prints:

1. the cost of carrying the aligned photo's colours over, with the perspective map alone
   (``--align homography``) and refined by dense flow (``--align auto``; best of 3, after
   ``align``), and the flow's length inside the aligned photo (median, 95th, 99th percentile);
2. an occlusion check that was tried and not adopted: a second flow from the aligned photo back
   to the input, and the network's colours wherever the two disagree by more than 2 or 5 px.
   Scores: PSNR dB / SSIM / mean CIEDE2000 against the real held-out photo;
3. the hand-drawn line drawing's output scored twice: against the real held-out photo (as
   ``bench/quality.py`` scores it) and against that photo moved by the drawing's own wobble
   (``bench.cases.moved_by_wobble``: where the hand-drawn strokes put each part), beside the clean
   drawing's output against the real photo. How much of the gap between hand-drawn and clean is
   the wobble itself, which an output that follows the strokes inherits;
4. the network's colours near the aligned photo corrected toward it (``harmonise``, shipped) against
   left as predicted, with the flow and with the perspective map alone, and the seconds of the whole
   carry-over with each (best of 3).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bench.cases import load_case, moved_by_wobble, test_inputs  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from models.checkpoint import load_model, read_reference, sketch_config_of  # noqa: E402
from process.inference import colorize  # noqa: E402
from postprocess.reference_align import (_feature_image, _footprint, _weight, align, blend,  # noqa: E402
                                     carry_colours, residual_flow)
from utils.metrics import image_metrics  # noqa: E402


def best_seconds(fn, reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def carry_with_occlusion_check(pred, reference, alignment, lightness, sketch, max_px: float):
    """carry_colours(refine=True), except that where the flow from the input to the aligned photo
    and the flow back disagree by more than ``max_px`` px, the network's colours stay. Returns the
    image and the share of the input handed back to the network."""
    h, w = pred.shape[:2]
    H = alignment.homography
    target, kind = (lightness, "photo") if lightness is not None else (sketch, "drawing")
    warped = cv2.warpPerspective(reference, H, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_REPLICATE)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    a, b = _feature_image(target, kind, False), _feature_image(warped, kind, True)
    forward, backward = dis.calc(a, b, None), dis.calc(b, a, None)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    mx, my = gx + forward[..., 0], gy + forward[..., 1]
    back = cv2.remap(backward, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    agree = np.hypot(forward[..., 0] + back[..., 0], forward[..., 1] + back[..., 1]) <= max_px
    keep = cv2.GaussianBlur(agree.astype(np.float32), (0, 0), 3)
    moved = cv2.remap(warped, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    weight = cv2.remap(_weight(H, reference.shape[:2], (h, w)), mx, my, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=0) * keep
    share = float((keep < 0.5).mean())
    return blend(pred, moved, weight, lightness), share


def table(title: str, header: str, rule: str, rows: list[str]) -> None:
    """A Markdown table after a blank line and its title (none for an empty title)."""
    if title:
        print(f"\n{title}\n")
    print("\n".join([header, rule] + rows))


def cell(m: dict) -> str:
    return f"{m['psnr']:.2f} / {m['ssim']:.3f} / {m['delta_e00']:.2f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default="runs/bench_quality", help="bench/quality.py's --out folder")
    p.add_argument("--cases", nargs="+", default=["motorcycle", "graf"])
    p.add_argument("--preset", default="default")
    a = p.parse_args(argv)
    cost, occlusion, wobble, harmonised = [], [], [], []
    for name in a.cases:
        case = load_case(name)
        for task in ("lines", "bw"):
            run = Path(a.runs) / f"{name}_{task}_preset_{a.preset}"
            if not run.is_dir():
                p.error(f"{run} not found: run python bench/quality.py --cases {name} --tasks {task} "
                        f"--presets {a.preset} --out {a.runs} first")
            model, meta = load_model(run)
            reference = read_reference(run).astype(np.float32) / 255.0
            for suffix, g in test_inputs(case, task, sketch_config_of(meta)).items():
                pred = colorize(model, g)
                bw = g.luminance is not None
                target, kind = (g.luminance, "photo") if bw else (g.sketch, "drawing")
                alignment = align(reference, target, kind)
                label = f"{name} | {task}{suffix}"
                if not alignment.used:
                    cost.append(f"| {label} | not aligned: {alignment.reason} | | | | | | |")
                    continue
                secs = {refine: best_seconds(lambda r=refine: carry_colours(pred, reference, alignment, g.luminance,
                                                                              g.sketch, refine=r))
                        for refine in (False, True)}
                flow = residual_flow(reference, alignment.homography, target, kind)
                inside = _footprint(alignment.homography, reference.shape[:2], target.shape[:2]) > 0
                length = np.hypot(flow[..., 0], flow[..., 1])[inside]
                h, w = target.shape[:2]
                cost.append(f"| {label} | {w}x{h} | {secs[False]:.3f} | {secs[True]:.3f} | {np.median(length):.1f} "
                            f"| {np.percentile(length, 95):.1f} | {np.percentile(length, 99):.1f} |")
                shipped = image_metrics(carry_colours(pred, reference, alignment, g.luminance, g.sketch, refine=True),
                                        case.test_photo)
                row = f"| {label} | {cell(shipped)} |"
                for max_px in (2.0, 5.0):
                    out, share = carry_with_occlusion_check(pred, reference, alignment, g.luminance, g.sketch, max_px)
                    row += f" {cell(image_metrics(out, case.test_photo))} ({100 * share:.0f} %) |"
                occlusion.append(row)
                for refine in (True, False):
                    row = f"| {label} | {'flow' if refine else 'perspective map only'} |"
                    for on in (False, True):
                        run = lambda r=refine, o=on: carry_colours(pred, reference, alignment, g.luminance,  # noqa: E731
                                                                   g.sketch, refine=r, harmonise_network=o)
                        row += f" {cell(image_metrics(run(), case.test_photo))} | {best_seconds(run):.2f} |"
                    harmonised.append(row)
                if task == "lines":
                    scores = {"": shipped} if not suffix else {
                        suffix: shipped, suffix + " against the wobbled photo": image_metrics(
                            carry_colours(pred, reference, alignment, g.luminance, g.sketch, refine=True),
                            moved_by_wobble(case.test_photo))}
                    wobble += [f"| {name} | {task}{k} | {cell(m)} |" for k, m in scores.items()]
                print(f"{label}: done", file=sys.stderr, flush=True)
    print(f"machine: {describe_machine()}; "
          f"{time.strftime('%Y-%m-%d')}; runs in {a.runs} (preset {a.preset})\n")
    table("", "| case | input | size | perspective map s | + flow s | flow median px | 95th pct | 99th pct |",
          "|---|---|---|---:|---:|---:|---:|---:|", cost)
    table("Occlusion check (tried, not shipped): PSNR dB / SSIM / dE00, and the share of the input handed back "
          "to the network", "| case | input | flow (shipped) | check at 2 px | check at 5 px |", "|---|---|---|---|---|",
          occlusion)
    table("Hand-drawn line drawings: the shipped output (perspective map + flow) against the real photo and against "
          "the photo moved by the drawing's wobble", "| case | input | PSNR dB / SSIM / dE00 |", "|---|---|---|", wobble)
    table("The network's colours near the aligned photo: as predicted, or corrected toward it (shipped); PSNR dB / "
          "SSIM / dE00 and seconds of the carry-over",
          "| case | input | alignment | as predicted | s | corrected (shipped) | s |", "|---|---|---|---|---:|---|---:|",
          harmonised)
    return 0


if __name__ == "__main__":
    sys.exit(main())
