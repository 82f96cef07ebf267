#!/usr/bin/env python3
"""Colour-hint benchmark: how much a few hints help a line-drawing or black-and-white model, per development case.

    python bench/colour_hints.py [--cases motorcycle graf aero china | all] [--preset default]
                                 [--task lines | bw] [--counts 0 1 5 10] [--out DIR] [--json FILE]
                                 [--figure PNG [--figure-case NAME]]

Protocol (issue 15, on the line-drawing task of ``bench/quality.py``): per case, train a
``--sketch-method lines --hints`` model on the training photo (seed 0) and give it the held-out
view's Canny line drawing with N hints placed automatically from the true held-out photo: its
segmentation (SLICO, about 24 regions: :func:`hint_segments`), one hint at the centre of each of the
N largest regions (the region's pixel farthest from its border), radius 3 px, in the photo's
mean colour under the dot. Scores as ``bench/quality.py`` (PSNR, SSIM, mean CIEDE2000), without
reference alignment (``--align off``: the hints' own effect), twice: the network's own reading of
the hints (``--hint-fill off``) and the output as ``process.py`` gives it, each hinted region moved
to its hint's colour (``postprocess/hint_fill.py``, the default). Goal (issue 28): the gain of 10 hints kept >= the
"10 true segments' colour, shading kept" ceiling.

``--task bw``: the same with a black-and-white photo as input (the other task of the line-drawing
issue; the setting of Zhang et al. 2017, whose +3 dB from 10 points the goal quotes): a
``--luminance --hints`` model given the held-out view's black-and-white version; the input's L* is
kept, so a hint moves only a*, b*, and the fill carries each hint's correction along the photo's
lightness (``postprocess/hint_propagation.py``) instead of filling a region closed by lines. The
ceilings then keep the photo's L* and move a*, b* only; the 10-segment ones are a perfect correction
of the 10 hinted segments' mean colour, not this fill, which also reaches beyond them. The free
baseline of that task is printed too: the input's L* with the training photo's mean a*, b*.

A line drawing's outputs are scored as ``process.py --align off`` renders them: the network's colours
evened out within the drawing's lines (``postprocess/line_structure.py``), then the hint fill.

Five ceilings, from the true photo, over the no-hint output: each of the 10 largest segments (the
ones the 10 hints are placed in) painted its true mean colour (a perfect flat fill of those regions);
the same 10 segments moved to their true mean colour in CIELAB with the network's shading inside
kept (a perfect correction of each hinted region's colour: what ``postprocess/hint_fill.py`` does, with
the true regions and their true mean colour instead of the drawing's regions and the colour under
the dot); that correction on all the segments (up to 24: more colours than 10 hints carry); and
the one affine map of CIELAB fitted to the whole true photo (the best global recolouring, which
hints could at most estimate); and, on a line drawing, the line-closed regions the 10 hints fill
(``preprocess.hints.hint_regions``) moved to their true mean colour, shading kept (what a perfect
hint fill of the drawing's own regions would give: the drawing, not the photo, bounds them). These "ceilings" are reference corrections, not bounds: a fill that
follows finer regions, or the network reading the hints, can beat them (china's line drawing
does). They say what correcting colour per segment, or globally, is worth on each scene.

``--runs DIR`` scores the models an earlier run of this script trained into DIR (its ``--out``)
instead of training them again (*train s* is then left out).

One-hint control test: one hint at the centre of the photo's largest segment, in whichever of
three distinct colours (red, blue, green) is farthest from what the model painted there without
hints. Its region is the one it fills on the drawing (closed by the drawing's lines, within
``preprocess.hints.REACH`` px); on a black-and-white photo, where its weight carried along the
lightness (``postprocess/hint_propagation.py``) is at least 1/2, and the colour it is compared with
inside is the hint's a*, b* at the photo's own lightness (which a black-and-white photo keeps).
Reported: mean CIEDE2000 between the output inside that region and the hint colour (goal <= 10), and the mean CIEDE2000 change outside it against the no-hint output
(goal <= 3), again for the network alone and with the hint kept.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.cases import CASES, black_and_white, load_case, task_overrides, test_inputs  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from bench.quality import training_data  # noqa: E402
from config.defaults import train_config  # noqa: E402
from config.overrides import merge_overrides  # noqa: E402
from models.checkpoint import load_model, sketch_config_of  # noqa: E402
from preprocess.hints import Hint, draw_hints, hint_channels, hint_regions, rasterise  # noqa: E402
from preprocess.segment import merge_regions  # noqa: E402
from postprocess.hint_fill import fill_hints  # noqa: E402
from postprocess.line_structure import even_within_lines  # noqa: E402
from postprocess.hint_propagation import carry_along_lightness, hint_dots  # noqa: E402
from process.inference import colorize  # noqa: E402
from training.trainer import Trainer  # noqa: E402
from utils.cli import run_cli  # noqa: E402
from utils.cielab import delta_e00, image_to_lab, lab_to_rgb_keep_lightness, photo_lightness  # noqa: E402
from utils.image_io import write_image  # noqa: E402
from utils.metrics import image_metrics, lightness_mean_chroma_baseline, mean_colour_baseline  # noqa: E402
from utils.visualization import contact_sheet  # noqa: E402

RADIUS = 3
SEGMENTS = 24   # the true photo's segmentation the hints are placed in
TASKS = {"lines": "line-drawing task", "bw": "black-and-white task"}
CONTROL_COLOURS = {"red": (0.84, 0.15, 0.16), "blue": (0.12, 0.47, 0.71), "green": (0.17, 0.63, 0.17)}


def hint_segments(photo: np.ndarray) -> np.ndarray:
    """(H, W) labels: the photo cut into about :data:`SEGMENTS` regions by SLICO (SLIC with its
    compactness adapted per superpixel), regions under 0.2 % of the picture merged into a neighbour.
    Not ``preprocess/segment.py``'s SLIC: its fixed compactness leaves graf's superpixels so ragged
    that keeping them connected merges them into 5, which gave graf 5 hints where the protocol
    places 10."""
    from skimage.segmentation import slic

    raw = slic(photo, n_segments=SEGMENTS, slic_zero=True, start_label=0, channel_axis=-1)
    return merge_regions(raw, min_size=int(0.002 * photo.shape[0] * photo.shape[1]), max_regions=SEGMENTS)


def region_centres(photo: np.ndarray, count: int | None = None) -> list[tuple[tuple[int, int], np.ndarray]]:
    """((x, y), region mask) of the ``count`` largest regions of :func:`hint_segments` (None: all,
    largest first), each point the region's pixel farthest from its border. A photo with fewer
    regions than ``count`` is an error, not fewer hints."""
    labels = hint_segments(photo)
    sizes = np.bincount(labels.ravel())
    if count is not None and count > len(sizes):
        raise ValueError(f"the photo has {len(sizes)} segments, {count} hints asked")
    masks = [labels == label for label in np.argsort(sizes)[::-1][:count]]
    return [(farthest_from_border(mask), mask) for mask in masks]


def farthest_from_border(mask: np.ndarray) -> tuple[int, int]:
    """(x, y) of the ``mask`` pixel farthest from its border: inside the region even where it is
    not convex, unlike its centroid."""
    dist = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 5)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return int(x), int(y)


def shaded_ceiling(plain: np.ndarray, photo: np.ndarray, masks: list[np.ndarray], keep_lightness: bool = False
                   ) -> np.ndarray:
    """``plain`` with each of the photo's segments ``masks`` moved to the photo's mean colour there in
    CIELAB (all three channels shifted by the segment's mean difference): the shading kept.
    ``keep_lightness`` (a black-and-white input): L* is the photo's own, only a*, b* move."""
    out, truth = image_to_lab(plain)[0], image_to_lab(photo)[0]
    for mask in masks:
        m = torch.from_numpy(mask)
        out[:, m] += (truth[:, m].mean(dim=1) - out[:, m].mean(dim=1))[:, None]
    out[0] = truth[0] if keep_lightness else out[0].clamp(0, 100)
    return lab_to_rgb_keep_lightness(out[None])[0].permute(1, 2, 0).numpy()


def flat_ceiling(plain: np.ndarray, photo: np.ndarray, masks: list[np.ndarray], keep_lightness: bool = False
                 ) -> np.ndarray:
    """``plain`` with each of the photo's segments ``masks`` painted the photo's mean colour there
    (``keep_lightness``: its mean a*, b* over the photo's own L*, for a black-and-white input)."""
    if not keep_lightness:
        out = plain.copy()
        for mask in masks:
            out[mask] = photo[mask].mean(axis=0)
        return out
    out, truth = image_to_lab(plain)[0], image_to_lab(photo)[0]
    for mask in masks:
        m = torch.from_numpy(mask)
        out[1:, m] = truth[1:, m].mean(dim=1)[:, None]
    out[0] = truth[0]
    return lab_to_rgb_keep_lightness(out[None])[0].permute(1, 2, 0).numpy()


def affine_ceiling(plain: np.ndarray, photo: np.ndarray, keep_lightness: bool = False) -> np.ndarray:
    """``plain`` through the one affine map of CIELAB (3x3 and an offset) that brings it closest to
    the photo over all its pixels (least squares): the best global recolouring, which a map fitted to
    a few hints can only approach (``keep_lightness``: the photo's own L*, as a black-and-white input keeps)."""
    x, y = (image_to_lab(img)[0].reshape(3, -1).T.numpy().astype(np.float64) for img in (plain, photo))
    design = np.c_[x, np.ones(len(x))]
    mapped = (design @ np.linalg.lstsq(design, y, rcond=None)[0]).T.reshape(3, *plain.shape[:2])
    mapped[0] = y[:, 0].reshape(plain.shape[:2]) if keep_lightness else np.clip(mapped[0], 0, 100)
    return lab_to_rgb_keep_lightness(torch.from_numpy(mapped.astype(np.float32))[None])[0].permute(1, 2, 0).numpy()


def at_lightness(colour: np.ndarray, lightness: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB: ``colour``'s a*, b* at each pixel's ``lightness`` (L* / 100): what a hint can
    make of a black-and-white photo, whose lightness is kept."""
    lab = image_to_lab(np.broadcast_to(colour, (*lightness.shape, 3)).astype(np.float32))
    lab[0, 0] = torch.from_numpy(lightness * 100.0)
    return lab_to_rgb_keep_lightness(lab)[0].permute(1, 2, 0).numpy()


def true_colour_hints(photo: np.ndarray, centres: list[tuple[tuple[int, int], np.ndarray]]) -> list[Hint]:
    """One hint at each of ``centres`` (:func:`region_centres`), in the photo's mean colour under the dot."""
    hints = []
    for (x, y), _ in centres:
        dot = rasterise([Hint([(x, y)], (1.0, 1.0, 1.0), RADIUS)], photo.shape[:2])[..., 3] > 0
        hints.append(Hint([(x, y)], tuple(float(c) for c in photo[dot].mean(axis=0)), RADIUS))
    return hints


def hint_sheet(given: np.ndarray, hints: list[Hint], plain: np.ndarray, hinted: np.ndarray, photo: np.ndarray,
               scores: tuple[dict, dict], what: str = "line drawing") -> np.ndarray:
    """input with hints | no hints | with the hints | reference: docs/hints.md's picture."""
    return contact_sheet([draw_hints(given, hints), plain, hinted, photo],
                         [f"{what} + 10 hints (dots enlarged)", f"no hints: {scores[0]['psnr']:.1f} dB",
                          f"10 hints: {scores[1]['psnr']:.1f} dB", "reference photo (never seen)"], cell_width=300)


def run_case(name: str, preset: str, counts: list[int], out: Path, figure: str | None = None,
             runs: Path | None = None, task: str = "lines") -> dict:
    case = load_case(name)
    folder = f"{name}_hints" if task == "lines" else f"{name}_{task}_hints"
    if runs is not None:  # the model an earlier run trained
        model, meta = load_model(runs / folder, "cpu")
        sketch, seconds = sketch_config_of(meta), None
    else:
        over = merge_overrides(task_overrides(task), {"model": {"hints": True}})
        cfg = train_config(preset, out=str(out / folder), metrics_log=str(out / "training.log"),
                           eval_every=10_000, **over)
        t0 = time.perf_counter()
        trainer = Trainer(cfg, data=training_data(case, cfg), quiet=True)
        trainer.fit()
        seconds = time.perf_counter() - t0
        model, sketch = trainer.inference_model, cfg.sketch
    guides = test_inputs(case, task, sketch)[""]
    bw = task == "bw"
    lightness = photo_lightness(case.test_photo) if bw else None   # what a B&W input keeps
    centres = region_centres(case.test_photo)      # segmented once, largest region first
    if max(counts) > len(centres):
        raise ValueError(f"the photo has {len(centres)} segments, {max(counts)} hints asked")
    def render(g):
        """The network's colours before the hint fill: a drawing's evened out within its lines as
        ``process.py --align off`` does (``postprocess/line_structure.py``); a black-and-white photo's as
        ``--bw-colour network`` gives them (the hint model's own reading of the hints is measured)."""
        rgb = colorize(model, g)
        return rgb if bw else even_within_lines(rgb, g.strokes)

    rows, kept, hinted_regions = {}, {}, []
    for n in counts:
        hints = true_colour_hints(case.test_photo, centres[:n])
        guides.hints = hint_channels(hints, guides.sketch) if n else None
        out = render(guides)
        rows[n] = image_metrics(out, case.test_photo)
        filled = fill_hints(out, hints, guides.sketch, lightness)
        kept[n] = image_metrics(filled, case.test_photo)
        if n == max(counts) and not bw:  # the line-closed regions the fill moves (preprocess.hints.hint_regions)
            owner, _ = hint_regions(hints, guides.sketch)
            hinted_regions = [owner == i + 1 for i in range(len(hints))]
        if figure and n == 10 and 0 in counts:
            plain = render(replace(guides, hints=None))
            given, what = ((black_and_white(case.test_photo), "black-and-white photo") if bw
                           else (guides.sketch, "line drawing"))
            write_image(Path(figure), hint_sheet(given, hints, plain, filled, case.test_photo, (kept[0], kept[10]), what))
    # one-hint control
    guides.hints = None
    plain = render(guides)
    segments = [mask for _, mask in centres]   # all of them, largest first
    (x, y), region = centres[0]
    painted = plain[region].mean(axis=0)
    far = max(CONTROL_COLOURS, key=lambda k: float(delta_e00(np.array([[CONTROL_COLOURS[k]]], np.float32),
                                                              painted[None, None].astype(np.float32)).mean()))
    colour = np.array(CONTROL_COLOURS[far], np.float32)
    hint = [Hint([(x, y)], tuple(colour), RADIUS)]
    guides.hints = hint_channels(hint, guides.sketch)
    hinted = render(guides)
    if bw:    # where the hint's weight, carried along the photo's lightness, is >= 1/2
        dots = hint_dots(hint, lightness.shape)
        region = carry_along_lightness(lightness, dots, np.zeros((*dots.shape, 1), np.float32))[1] >= 0.5
        target = at_lightness(colour, lightness)
    else:     # the hint's region: closed by the drawing's lines, within its reach
        region = guides.hints[..., 3] > 0
        target = np.broadcast_to(colour, hinted.shape)
    control = {"colour": far, "region_share": float(region.mean())}
    for how, img in (("network", hinted), ("kept", fill_hints(hinted, hint, guides.sketch, lightness))):
        control[how] = {"inside_de00": float(delta_e00(img[region], target[region]).mean()),
                         "outside_change_de00": float(delta_e00(img[~region], plain[~region]).mean())}
    base = image_metrics(mean_colour_baseline(case.train_photo, case.test_photo.shape), case.test_photo)
    bw_base = (image_metrics(lightness_mean_chroma_baseline(case.train_photo, case.test_photo), case.test_photo)
               if bw else None)
    return {"case": name, "task": task, "seconds": seconds, "segments": len(segments),
            "counts": rows, "kept": kept, "baseline": base, "bw_baseline": bw_base,
            "ceiling": image_metrics(flat_ceiling(plain, case.test_photo, segments[:10], bw), case.test_photo),
            "shaded_ceiling": image_metrics(shaded_ceiling(plain, case.test_photo, segments[:10], bw), case.test_photo),
            "all_segments_ceiling": image_metrics(shaded_ceiling(plain, case.test_photo, segments, bw),
                                                  case.test_photo),
            "affine_ceiling": image_metrics(affine_ceiling(plain, case.test_photo, bw), case.test_photo),
            "drawing_regions_ceiling": (image_metrics(shaded_ceiling(plain, case.test_photo, hinted_regions),
                                                      case.test_photo) if hinted_regions else None),
            "control": control}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", default=list(CASES), help=f"any of {list(CASES)}, or all")
    p.add_argument("--preset", default="default")
    p.add_argument("--task", choices=list(TASKS), default="lines",
                   help="lines: a Canny line drawing as input; bw: the black-and-white photo (default: lines)")
    p.add_argument("--counts", nargs="+", type=int, default=[0, 1, 5, 10])
    p.add_argument("--out", default="runs/bench_colour_hints")
    p.add_argument("--json", help="also write the results as JSON here")
    p.add_argument("--figure", help="write a picture here: drawing with 10 hints | no hints | 10 hints kept | "
                                    "reference (docs/hints.png)")
    p.add_argument("--figure-case", help="the case the picture shows (default: the first)")
    p.add_argument("--runs", help="score the models an earlier run of this script trained here (its --out) "
                                  "instead of training them")
    a = p.parse_args(argv)
    names = list(CASES) if a.cases == ["all"] else a.cases
    for n in names:
        if n not in CASES:
            p.error(f"unknown case {n!r}; choose from {list(CASES)} or all")
    shown = a.figure_case or names[0]
    results = [run_case(n, a.preset, a.counts, Path(a.out), a.figure if n == shown else None,
                        Path(a.runs) if a.runs else None, a.task) for n in names]
    print(f"\nmachine: {describe_machine()}; "
          f"{time.strftime('%Y-%m-%d')}; preset {a.preset}, {TASKS[a.task]}, network alone (no alignment)\n")
    cell = lambda m: f"{m['psnr']:.2f} / {m['ssim']:.3f} / {m['delta_e00']:.1f}"  # noqa: E731
    for key, title in (("counts", "the network's own reading of the hints (--hint-fill off)"),
                       ("kept", "hints kept (the default): each hinted region moved to its hint's colour; on a "
                                "black-and-white photo, the hints' a*, b* carried along its lightness")):
        print(f"\n{title}\n")
        free = " | input L*, mean a*b*" if a.task == "bw" else ""
        print("| case | train s | mean colour" + free + " | " + " | ".join(f"{n} hints" for n in a.counts)
              + " | 10 hints - 0 | ceiling: 10 true segments flat - 0 "
              "| ceiling: 10 true segments' colour, shading kept - 0 | ceiling: all true segments' colour, "
              "shading kept - 0 | ceiling: best global affine Lab map - 0 "
              "| ceiling: the hinted drawing regions' true colour, shading kept - 0 |")
        print("|---|---:|---|" + "---|" * (len(a.counts) + bool(free)) + "---|---|---|---|---|---|")
        for r in results:
            rows = r[key]
            gain = f"{rows[10]['psnr'] - rows[0]['psnr']:+.2f} dB" if 10 in rows and 0 in rows else "-"
            ceilings = " | ".join(f"{r[k]['psnr'] - rows[0]['psnr']:+.2f} dB" if 0 in rows and r[k] is not None
                                  else "-" for k in ("ceiling", "shaded_ceiling", "all_segments_ceiling", "affine_ceiling",
                                            "drawing_regions_ceiling"))
            seconds = "-" if r["seconds"] is None else f"{r['seconds']:.0f}"
            free_cell = f" | {cell(r['bw_baseline'])}" if r["bw_baseline"] else ""
            print(f"| {r['case']} | {seconds} | {cell(r['baseline'])}{free_cell} | "
                  + " | ".join(cell(rows[n]) for n in a.counts) + f" | {gain} | {ceilings} |")
    print("\nCells: PSNR dB / SSIM / mean dE00. Segments of the true photo (hints placed, at most): "
          + ", ".join(f"{r['case']} {r['segments']}" for r in results) + ".\n")
    print("| case | one hint: colour | region share | dE00 to the hint inside (goal <= 10): network / kept "
          "| dE00 change outside (goal <= 3): network / kept |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        c = r["control"]
        print(f"| {r['case']} | {c['colour']} | {100 * c['region_share']:.1f} % "
              f"| {c['network']['inside_de00']:.1f} / {c['kept']['inside_de00']:.1f} "
              f"| {c['network']['outside_change_de00']:.2f} / {c['kept']['outside_change_de00']:.2f} |")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
