#!/usr/bin/env python3
"""Quality benchmark: train on each development case and score its held-out view.

    python bench/quality.py [--cases motorcycle graf aero china china-rows | all] [--tasks sketch lines bw]
                            [--presets fast default] [--set key=value ...] [--ablation] [--out DIR]
                            [--mirror-average on|off] [--framing] [--line-reaches PX ...] [--reuse]

Protocol: for each case (``bench/cases.py``: the bundled stereo sample with ground-truth
depth, graf, aero, china without depth) and task (``sketch``: photo-derived ink sketches;
``lines``: a line-drawing model given the held-out view's Canny edges, and a hand-drawn
version of them; ``bw``: a black-and-white model given the held-out view's B&W version),
train on the case's training photo, colorize the held-out input, and compare with the real
held-out photo: scikit-image PSNR / SSIM (data_range=1, channel_axis=-1), mean CIEDE2000,
chroma ratio (mean Lab chroma of prediction / of photo). Baselines in the same run: the
training photo's mean colour, and for ``bw`` the input's own L* with the mean a*, b*.
``lines`` rows are the drawing coloured as ``process.py --sketch`` renders it: the network's
colours evened out within the drawing's lines (``postprocess/line_structure.py``), its strokes
inked or not as ``--lines`` does by default, with a row for the other ``--lines`` mode, a
``--lines hide`` row per ``--line-reaches`` value, and the network's colours with no line
structure; each with **drawing fidelity** (edge F1, precision and recall of the output's edges
against the drawing's strokes, ``utils.metrics.drawing_fidelity``) beside the real photo's own F1
(the ceiling) and mean colour's (0). ``bw`` rows include the held-out view aged by each print
recipe (``data/print_ageing.py``), each beside its own free baseline, and ``--restore``'s scores.
``lines`` and ``bw`` also get a "+ reference alignment" row: the network's output with the
training photo's colours carried over where the held-out input lines up with it, as
``process.py`` does by default (``postprocess/reference_align.py``: a perspective map refined by
dense optical flow), and a "+ reference alignment (perspective map only)" row
(``process.py --align homography``).
``--framing`` adds the framing test and the re-framed splits (``bench/framing.py``).
Outputs as ``process.py`` makes them: mirror-averaged (``process/inference.py``) unless
``--mirror-average off`` (one network pass).
"train s" counts the optimisation steps; "total s" the whole training (set-up, evaluation,
precise BN, checkpoints) as ``train.py`` runs it. Prints Markdown tables; ``--ablation``
adds the ablation rows (bundled sample, sketch task).
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.compute import matmul_peak, step_flops  # noqa: E402
from bench.framing import REFRAMED_WINDOWS, crop, crop_guides, framing_test, window_box  # noqa: E402
from bench.cases import aged_suffix  # noqa: E402
from bench.cases import (TASKS, Case, add_cases_flag, chosen_cases, kept_training_photo, load_case,  # noqa: E402
                         task_overrides, test_inputs)
from bench.machine import describe_machine  # noqa: E402
from config.defaults import BW_COLOUR, BW_COLOURS, SketchConfig, train_config  # noqa: E402
from config.overrides import merge_overrides, parse_overrides  # noqa: E402
from data.dataset import TrainingView  # noqa: E402
from process.guides import GuideSources, guides_from_photo  # noqa: E402
from process.inference import colorize  # noqa: E402
from process.render import RenderConfig, Renderer  # noqa: E402
from postprocess.reference_align import align, carry_colours  # noqa: E402
from training.trainer import Trainer, TrainingData  # noqa: E402
from utils.image_io import write_image, write_json  # noqa: E402
from utils.cielab import image_to_lab, lightness_to_gray, photo_lightness, rgb_with_lightness  # noqa: E402
from utils.visualization import contact_sheet  # noqa: E402
from data.print_ageing import PRINT_RECIPES, age_print  # noqa: E402
from preprocess.damage_detector import DamageDetector  # noqa: E402
from preprocess.restore import restore_print  # noqa: E402
from postprocess.line_structure import LINES, colour_by_lines, draw_ink, even_within_lines  # noqa: E402
from utils.metrics import (drawing_fidelity, image_metrics, lightness_mean_chroma_baseline, mean_chroma_at,  # noqa: E402
                           mean_colour_baseline)

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
            mirror_average: bool = True, framing: bool = False, line_reaches=(), reuse: bool = False) -> list[dict]:
    """Train one model for ``task`` on ``case``; one result row per held-out input of the task.

    ``framing``: the network-alone rows also carry the framing test (``bench/framing.py``) and,
    where the case has one, the re-framed split (``reframed``: the window's own scores and baselines).
    ``line_reaches``: line-drawing models also get a ``--lines hide`` row for each of these reaches.
    ``reuse``: a model already trained in the run folder is loaded (resumed at its end), not trained
    again: the rows are recomputed with the current rendering code."""
    cfg = train_config(preset, out=str(out / _slug(f"{case.name}_{task}_{name}")),
                       metrics_log=str(out / "training.log"), eval_every=10_000, resume=reuse,
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
    lines = task == "lines"

    reference = trainer.reference.astype(np.float32) / 255.0
    # a black-and-white model is rendered by process.py's own Renderer, from the checkpoint just written:
    # its colour sources, how it reads a print, its reference alignment
    renderer = Renderer(cfg.out, "cpu") if task == "bw" else None

    def network_colours(g, source=BW_COLOUR):
        """What ``process.py --align off`` takes from the model: a black-and-white model's colours from
        ``source`` (``--bw-colour``), any other model's network output."""
        if task == "bw":
            request = RenderConfig(align="off", bw_colour=source, mirror_average=mirror_average)
            return renderer.colorize(renderer.prepare(g, request), request)
        return colorize(trainer.inference_model, g, mirror_average=mirror_average)

    def colour(g):
        """The render without alignment (``process.py --align off``): a line-drawing model's colours laid
        out by the drawing's lines, its strokes inked or not as by default (``postprocess/line_structure.py``)."""
        rgb = network_colours(g)
        return colour_by_lines(rgb, g.strokes) if lines else rgb

    inked = LINES == "keep"
    other = "hide" if inked else "keep"
    for suffix, guides in test_inputs(case, task, cfg.sketch).items():
        raw = network_colours(guides)
        evened = even_within_lines(raw, guides.strokes) if lines else raw
        pred = draw_ink(evened, guides.strokes) if lines and inked else evened
        outputs = [(suffix, pred, image_metrics(pred, case.test_photo))]
        if task == "bw":  # the same model, its colours from the other sources
            for source in BW_COLOURS:
                if source != BW_COLOUR:
                    other_source = network_colours(guides, source)
                    outputs.append((suffix + f" --bw-colour {source}", other_source,
                                    image_metrics(other_source, case.test_photo)))
        if lines:  # the same network output: the other line mode, other reaches (hidden), no line structure
            shown = evened if inked else draw_ink(evened, guides.strokes)
            outputs.append((suffix + f" --lines {other}", shown, image_metrics(shown, case.test_photo)))
            for reach in line_reaches:
                hide = even_within_lines(raw, guides.strokes, reach)
                outputs.append((suffix + f" --lines hide --line-reach {reach:g}", hide,
                                image_metrics(hide, case.test_photo)))
            outputs.append((suffix + " (no line structure)", raw, image_metrics(raw, case.test_photo)))
        extra = {}
        if task == "bw":  # the free baseline of this input: its own L* (an aged print's) + mean a*b*
            free = mean_chroma_at(case.train_photo, guides.luminance)
            extra["free_baseline"] = image_metrics(free, case.test_photo)
            # the photo's colours at the input's own lightness: what a render that keeps an aged print's
            # L* can at best give, so a gain against it is the colour's alone, not the print's tones'
            relit = rgb_with_lightness(guides.luminance, image_to_lab(case.test_photo)[:, 1:])
            extra["free_baseline"]["psnr_at_input_lightness"] = image_metrics(free, relit)["psnr"]
            recipe = next((r for r in PRINT_RECIPES if suffix == aged_suffix(r)), None)
            if recipe is not None:
                extra["restore"] = restore_scores(case.test_photo, recipe, case_damage_detector(case))
        if framing and "aged" not in suffix:
            extra["framing"] = framing_test(colour, guides, case.test_photo, pred, image_metrics)
            if case.name in REFRAMED_WINDOWS:
                extra["reframed"] = reframed_split(colour, guides, case, task, REFRAMED_WINDOWS[case.name])
        if task in ALIGNED_TASKS:  # process.py's default (--align auto): the training photo where it lines up
            bw = guides.luminance is not None
            alignment = None if bw else align(reference, guides.sketch, "drawing")
            variants = [(True, True, " + reference alignment"),
                        (False, True, " + reference alignment (perspective map only)")]
            if lines:
                variants.append((True, False, " + reference alignment (feathered edge, no area continuation)"))
            for refine, by_area, label in variants:
                if bw:  # process.py's render: the print read where it lines up, its colours, then the aligned photo's
                    request = RenderConfig(align="auto" if refine else "homography", mirror_average=mirror_average)
                    g = renderer.prepare(guides, request)
                    aligned = renderer.finish(request, g, renderer.colorize(g, request))
                    said = renderer.alignment_note.removeprefix("note: ")
                else:
                    # as process.py renders it: alignment on the network's (evened) colours, past the photo's
                    # edge continued area by area, the strokes drawn last
                    aligned = carry_colours(evened, reference, alignment, None, guides.sketch, refine=refine,
                                            strokes=guides.strokes if lines and by_area else None)
                if lines and inked:
                    aligned = draw_ink(aligned, guides.strokes)
                print(f"{case.name} {task}{suffix} --align {'auto' if refine else 'homography'}: "
                      f"{said if bw else alignment.describe()}")
                outputs.append((suffix + label, aligned, image_metrics(aligned, case.test_photo)))
        for label, image, metrics in outputs:
            if lines:
                metrics["fidelity"] = drawing_fidelity(image, guides.strokes)
            if task == "bw":
                metrics["psnr_at_input_lightness"] = image_metrics(image, relit)["psnr"]
            write_image(Path(cfg.out) / f"heldout{_slug(label)}.png", image)
            write_image(Path(cfg.out) / f"sheet{_slug(label)}.png", comparison_sheet(guides, image, case.test_photo, metrics))
            rows.append({"name": name + label, "case": case.name, "task": task, "preset": preset, "seconds": secs,
                         "total_seconds": total, "held": metrics, "train": train, "steps": trainer.progress["step"],
                         "pixels_per_s": pixels / secs, "gflops": (s1 * f1 + s2 * f2) / secs / 1e9,
                         "input": suffix, **(extra if label == suffix else
                                             {k: v for k, v in extra.items() if k == "free_baseline"})})
        if "reframed" in extra:
            split = extra["reframed"]
            write_image(Path(cfg.out) / f"sheet_reframed{_slug(suffix)}.png",
                        comparison_sheet(split["guides"], split["image"], split["photo"], split["held"]))
            for key in ("guides", "image", "photo"):
                del split[key]
    return rows


def restore_scores(photo: np.ndarray, recipe: str, detector=None) -> dict:
    """``process.py --restore`` on the held-out view aged by ``recipe``: the share of its dust and
    scratch pixels restored to within 2 L* of the same print without them, and the mean L* change
    where there was no damage; and what it filled against the recipe's damage mask: the share of the
    damage filled, and the pixels filled where there was none per damage pixel filled. ``detector``:
    as ``restore_print``'s (process.py's is learnt from the training photo: :func:`case_damage_detector`;
    None: the fixed rule)."""
    light = photo_lightness(photo)
    aged, damage = age_print(light, recipe)
    if not damage.any():
        return {}
    undamaged, _ = age_print(light, recipe, damage=False)
    restored, filled = restore_print(aged, detector=detector)
    diff = np.abs(restored - undamaged) * 100
    hit = int((filled & damage).sum())
    return {"restored_share": float((diff[damage] <= 2.0).mean()),
            "changed_elsewhere": float(np.abs(restored - aged)[~damage].mean() * 100),
            "damage": int(damage.sum()), "found_share": hit / int(damage.sum()),
            "false_per_hit": int((filled & ~damage).sum()) / max(hit, 1)}


_DAMAGE_DETECTORS: dict[str, DamageDetector] = {}


def case_damage_detector(case: Case) -> DamageDetector:
    """The dust and scratch detector ``process.py --restore`` learns from ``case``'s training photo
    (learnt once per case and kept)."""
    if case.name not in _DAMAGE_DETECTORS:
        _DAMAGE_DETECTORS[case.name] = DamageDetector.learn(photo_lightness(kept_training_photo(case)))
    return _DAMAGE_DETECTORS[case.name]


def reframed_split(colour, guides, case: Case, task: str, window: str) -> dict:
    """The held-out input cut to ``window`` (``bench/framing.py``), coloured alone and scored with
    its own baselines."""
    box = window_box(guides.shape, window)
    photo, cropped = crop(case.test_photo, box), crop_guides(guides, box)
    image = colour(cropped)
    held = image_metrics(image, photo)
    base = dict(baselines(replace(case, test_photo=photo), task))
    return {"window": window, "held": held, "baselines": base, "guides": cropped, "image": image, "photo": photo}


def comparison_sheet(guides, pred, photo, metrics: dict) -> np.ndarray:
    """input | output | reference, captioned: what the docs' pictures show for each task."""
    shown = lightness_to_gray(guides.luminance) if guides.luminance is not None else guides.strokes
    what = "black-and-white input" if guides.luminance is not None else "input drawing"
    return contact_sheet([shown, pred, photo],
                         [what, f"SemColorNet: {metrics['psnr']:.1f} dB, dE00 {metrics['delta_e00']:.1f}",
                          "reference photo (never seen)"], cell_width=360)


def baselines(case: Case, task: str) -> list[tuple[str, dict]]:
    rows = [("mean-colour baseline", image_metrics(mean_colour_baseline(case.train_photo, case.test_photo.shape),
                                                   case.test_photo))]
    if task == "lines":  # the drawing-fidelity ceiling: the real photo of the view, against each drawing
        drawings = test_inputs(case, task, SketchConfig(method="lines"))
        rows[0][1]["fidelity"] = drawing_fidelity(mean_colour_baseline(case.train_photo, case.test_photo.shape),
                                                  drawings[""].strokes)
        for suffix, guides in drawings.items():
            rows.append((f"real photo{suffix} (drawing-fidelity ceiling)",
                         {**image_metrics(case.test_photo, case.test_photo),
                          "fidelity": drawing_fidelity(case.test_photo, guides.strokes)}))
    if task == "bw":
        rows.append(("own L* + mean a*b* baseline",
                     image_metrics(lightness_mean_chroma_baseline(case.train_photo, case.test_photo), case.test_photo)))
    return rows


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:60]


def _metric_cells(m: dict) -> str:
    return f"{m['psnr']:.2f} | {m['ssim']:.3f} | {m['delta_e00']:.2f} | {m['chroma_ratio']:.2f}"


def _fidelity_cell(m: dict) -> str:
    f = m.get("fidelity")
    return "-" if f is None else f"{f['f1']:.2f} ({f['precision']:.2f}/{f['recall']:.2f})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cases_flag(p, "motorcycle")
    p.add_argument("--tasks", nargs="+", default=["sketch"], choices=list(TASKS))
    p.add_argument("--presets", nargs="+", default=["fast", "default"])
    p.add_argument("--set", nargs="*", default=[], help="config overrides, e.g. lr=1e-3 model.width=24")
    p.add_argument("--ablation", action="store_true", help="also run the ablation rows (bundled sample, sketch)")
    p.add_argument("--out", default="runs/bench_quality")
    p.add_argument("--json", help="also write the rows as JSON here")
    p.add_argument("--framing", action="store_true",
                   help="also the framing test and the re-framed splits (bench/framing.py), without alignment")
    p.add_argument("--reuse", action="store_true",
                   help="load the models already trained in --out instead of training them again (rows recomputed "
                        "with the current rendering code)")
    p.add_argument("--line-reaches", nargs="*", type=float, default=[], metavar="PX",
                   help="lines task: also a --lines hide row for each of these --line-reach values")
    p.add_argument("--mirror-average", default="on", choices=["on", "off"],
                   help="outputs mirror-averaged as process.py makes them, or one network pass")
    args = p.parse_args()
    mirror = args.mirror_average == "on"
    names = chosen_cases(p, args.cases)
    out = Path(args.out)
    over = parse_overrides(args.set)
    cases = {n: load_case(n) for n in names}
    rows, base_rows = [], []
    for case in cases.values():
        for task in args.tasks:
            base_rows += [{"case": case.name, "task": task, "name": bn, "held": m} for bn, m in baselines(case, task)]
            for pr in args.presets:
                rows += run_one(f"preset {pr}", pr, over, out, case, task, mirror, args.framing, args.line_reaches,
                                args.reuse)
                if args.json:  # written after every model, so a long run that is stopped keeps what it measured
                    write_json(args.json, {"baselines": base_rows, "rows": rows})
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
          "| edge F1 (P/R) | train PSNR dB | train SSIM | train px/s | GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in cases.values():
        for task in args.tasks:
            for b in base_rows:
                if b["case"] == case.name and b["task"] == task:
                    print(f"| {case.name} | {task} | {b['name']} | - | - | {_metric_cells(b['held'])} "
                          f"| {_fidelity_cell(b['held'])} | - | - | - | - |")
            for r in rows:
                if r["case"] == case.name and r["task"] == task and not r["name"].startswith(("+", "Base")):
                    _print_row(r)
    if args.framing:
        print_framing(rows)
    if "bw" in args.tasks:
        print_aged(rows)
    abl = [r for r in rows if r["name"].startswith(("+", "Base"))]
    if abl:
        print("\nAblation (motorcycle, sketch task, fast schedule):\n")
        print("| case | task | run | train s | total s | held-out PSNR dB | SSIM | dE00 | chroma ratio "
              "| edge F1 (P/R) | train PSNR dB | train SSIM | train px/s | GFLOP/s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in abl:
            _print_row(r)
    if args.json:
        write_json(args.json, {"baselines": base_rows, "rows": rows})
    return 0


def print_framing(rows: list[dict]) -> None:
    """The framing test's table and the re-framed splits' table (``bench/framing.py``)."""
    tested = [r for r in rows if "framing" in r]
    print("\nFraming test (--align off): each 70 % window coloured on its own against the same window "
          "of the full-frame output, PSNR dB against the real photo's window\n")
    print("| case | task | run | window | alone | in the full frame | change dB |")
    print("|---|---|---|---|---|---|---|")
    for r in tested:
        for f in r["framing"]:
            print(f"| {r['case']} | {r['task']} | {r['name']} | {f['window']} | {f['alone']['psnr']:.2f} "
                  f"| {f['framed']['psnr']:.2f} | {f['change_db']:+.2f} |")
    changes = [abs(f["change_db"]) for r in tested for f in r["framing"]]
    if changes:
        print(f"\nlargest change: {max(changes):.2f} dB; windows within +-0.5 dB: "
              f"{sum(c <= 0.5 for c in changes)} of {len(changes)}")
    print("\nRe-framed splits (--align off): held-out inputs framed unlike the training photo; baselines "
          "of the same window\n")
    print("| case | task | run | split | PSNR dB | SSIM | dE00 | chroma ratio | mean colour PSNR "
          "| own L* + mean a*b* PSNR | gain over the free baseline dB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in tested:
        if "reframed" in r:
            split, held, base = r["reframed"]["window"] + " 70 %", r["reframed"]["held"], r["reframed"]["baselines"]
        elif r["case"] == "china-rows":
            split, held, base = "top 60 % -> bottom 40 %", r["held"], dict(baselines(load_case("china-rows"), r["task"]))
        else:
            continue
        mean = base["mean-colour baseline"]["psnr"]
        own = base.get("own L* + mean a*b* baseline", {}).get("psnr")
        free = own if own is not None else mean
        print(f"| {r['case']} | {r['task']} | {r['name']} | {split} | {_metric_cells(held)} | {mean:.2f} "
              f"| {'-' if own is None else f'{own:.2f}'} | {held['psnr'] - free:+.2f} |")


def print_aged(rows: list[dict]) -> None:
    """Old prints: each black-and-white input's gain over its own free baseline (its L*, aged or
    clean, + the training photo's mean a*b*): rendered without alignment (the default colour
    source), the network's own colours, and as rendered by default (aligned). Each gain twice:
    against the real photo, and against the real photo's colours at the input's own L* (an aged
    print's tones are kept, so only that part of the error is the colour's)."""
    print("\nOld prints (bw task): PSNR dB against the real photo, and the gain over the input's own free "
          "baseline (its L* + mean a*b*); in brackets the same gain against the photo's colours at the input's "
          f"own L*; --restore on the damaged recipes. Colours from --bw-colour {BW_COLOUR} unless named\n")
    print("| case | input | free baseline | --align off | gain | --bw-colour network --align off | gain "
          "| default render (aligned) | gain | chroma ratio (--align off / network / render) "
          "| --restore: damage restored within 2 L* | L* moved elsewhere |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")

    def find(r, suffix):
        return next((x["held"] for x in rows if x["case"] == r["case"] and x["task"] == "bw"
                     and x["name"] == r["name"] + suffix), None)

    def gain(m, free):
        if m is None:
            return "- | -"
        return (f"{m['psnr']:.2f} | {m['psnr'] - free['psnr']:+.2f} "
                f"({m['psnr_at_input_lightness'] - free['psnr_at_input_lightness']:+.2f})")

    for r in rows:
        if (r["task"] != "bw" or "free_baseline" not in r or r["name"].endswith(("alignment", "only)"))
                or "--bw-colour" in r["name"]):
            continue
        free = r["free_baseline"]
        net, render = find(r, " --bw-colour network"), find(r, " + reference alignment")
        rest = r.get("restore", {})
        rest_cells = (f"{100 * rest['restored_share']:.0f} % | {rest['changed_elsewhere']:.2f}" if rest else "- | -")
        ratios = " / ".join("-" if m is None else f"{m['chroma_ratio']:.2f}" for m in (r["held"], net, render))
        print(f"| {r['case']} | {r['input'].strip() or 'clean'} | {free['psnr']:.2f} | {gain(r['held'], free)} "
              f"| {gain(net, free)} | {gain(render, free)} | {ratios} | {rest_cells} |")


def _print_row(r: dict) -> None:
    t = r["train"]
    print(f"| {r['case']} | {r['task']} | {r['name']} | {r['seconds']:.0f} | {r['total_seconds']:.0f} | "
          f"{_metric_cells(r['held'])} | {_fidelity_cell(r['held'])} | {t['psnr']:.2f} | {t['ssim']:.3f} | "
          f"{r['pixels_per_s'] / 1e3:.0f} k | {r['gflops']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
