#!/usr/bin/env python3
"""How well ``--restore`` finds dust and scratches on the development cases' aged prints.

    python bench/restore_detector.py [--cases all] [--recipes damaged worn-scan] [--seeds 0 1 2]
                                     [--picture docs/restore.png]

For each case the held-out view's lightness is aged by each print recipe that draws damage
(``data/print_ageing.py``: the recipe's own mask says where the dust and scratches are). Each
detector is scored pixel by pixel against that mask (the share of the damage ``restore_print`` fills
with it, and how many pixels where there was no damage it fills for each damaged pixel it fills;
every piece found is filled with its soft edge, 2 px), then
``--restore``'s two goals as ``bench/quality.py`` scores them: the share of the damage restored to
within 2 L* of the same print without it, and the mean L* change where there was no damage.

The detectors, one row each:

- *rule*: ``preprocess/restore.find_damage``, what ``--restore`` uses for a checkpoint that keeps
  no training photo;
- *learnt, seed N*: ``preprocess/damage_detector.DamageDetector`` learnt from the case's training
  photo with random generator N (``process.py`` uses seed 0); several seeds show how much the
  random aged copies it learns from move it;
- *recipe's mask*: the recipe's own damage mask, filled the same way (grown 2 px, Telea): what any
  detector could reach with this fill.
- *the print without its damage, blurred 1 px* (no fill at all): how many damage pixels even the
  undamaged print itself, its grain and finest detail smoothed away (a Gaussian of sigma
  :data:`SMOOTH_ORACLE` px), puts within 2 L* of the undamaged print: the most a fill that cannot
  recreate the print's grain pixel by pixel could reach.

A second table gives each detector on the clean view, which has no damage: whatever it fills there
is the scene's own detail.

The learnt detector learns from this project's own synthetic damage (random draws), the family the
recipes draw from (named seeds): a favourable test of it; a real scan's damage may differ.

``--picture``: one row per case, the centre of its held-out view aged by the first recipe: the print
| the rule's fill | the learnt detector's fill (first seed) | the print without its damage; what each
detector filled is tinted red.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import add_cases_flag, chosen_cases, kept_training_photo, load_case  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from bench.picture import add_picture_flag, centre, check_picture, side_by_side, stacked  # noqa: E402
from bench.quality import restore_scores  # noqa: E402
from data.print_ageing import age_print  # noqa: E402
from preprocess import restore  # noqa: E402
from preprocess.damage_detector import DamageDetector  # noqa: E402
from utils.cielab import lightness_to_gray, photo_lightness  # noqa: E402
from utils.image_io import write_image  # noqa: E402

DAMAGE_RECIPES = ("damaged", "worn-scan")
SMOOTH_ORACLE = 1.0  # px: the Gaussian the undamaged print is smoothed by for the last row of each print
PICTURE_CROP = (240, 400)  # px (height, width): the centre of each view shown at full resolution, so specks show


def detector_scores(photo, recipe: str, detector=None) -> dict:
    """What ``restore_print`` fills with ``detector`` (None: the fixed rule, both its passes), each
    piece found grown by its soft edge as it is filled, on the held-out view aged by ``recipe``,
    against the recipe's own damage mask (``bench/quality.restore_scores``' last three scores)."""
    scores = restore_scores(photo, recipe, detector)
    return {k: scores[k] for k in ("damage", "found_share", "false_per_hit")}


def smooth_oracle_share(photo, recipe: str) -> float:
    """The share of ``recipe``'s damage pixels at which the print without its damage, smoothed by
    :data:`SMOOTH_ORACLE` px, lies within 2 L* of itself unsmoothed (``bench/quality.restore_scores``'
    measure, with that smoothed print as the restoration)."""
    light = photo_lightness(photo)
    _, damage = age_print(light, recipe)
    clean, _ = age_print(light, recipe, damage=False)
    smooth = cv2.GaussianBlur(clean, (0, 0), SMOOTH_ORACLE)
    return float((np.abs(smooth - clean)[damage] * 100 <= 2.0).mean())


def picture_row(photo, recipe: str, detector) -> np.ndarray:
    """The centre of ``photo``'s view aged by ``recipe``: print | rule's fill | ``detector``'s fill | the
    print without damage, (h, 4 w, 3) in [0, 1], what each fill changed tinted red."""
    light = photo_lightness(photo)
    aged, _ = age_print(light, recipe)
    clean, _ = age_print(light, recipe, damage=False)
    rows, cols = centre(light.shape, PICTURE_CROP)

    def panel(lightness, filled=None):
        grey = np.repeat(lightness_to_gray(lightness[rows, cols])[..., None], 3, axis=2)
        if filled is not None:
            tint = filled[rows, cols]
            grey[tint] = 0.5 * grey[tint] + 0.5 * np.array([1.0, 0.0, 0.0], np.float32)
        return grey

    return side_by_side([panel(aged), panel(*restore.restore_print(aged)),
                         panel(*restore.restore_print(aged, detector=detector)), panel(clean)])


def clean_view_cells(photo, detector) -> str:
    """``--restore`` with ``detector`` on ``photo``'s clean grey version: the share of its pixels filled
    and the mean L* change, as table cells."""
    light = photo_lightness(photo)
    restored, filled = restore.restore_print(light, detector=detector)
    return f"{100 * filled.mean():.2f} % | {100 * float(np.abs(restored - light).mean()):.2f}"


class RecipeMask:
    """A "detector" that returns a recipe's own damage mask: the ceiling of any detector with this fill."""

    def __init__(self, photo, recipe: str):
        self.mask = age_print(photo_lightness(photo), recipe)[1]

    def __call__(self, base):
        return self.mask


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cases_flag(p)
    p.add_argument("--recipes", nargs="+", default=list(DAMAGE_RECIPES), choices=DAMAGE_RECIPES)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2],
                   help="random generators the detector is learnt with, one row each (process.py uses 0)")
    add_picture_flag(p, "the cases' prints and fills side by side")
    args = p.parse_args(argv)
    check_picture(p, args)
    cases = chosen_cases(p, args.cases)
    print(f"machine: {describe_machine()}\n")
    print("| case | recipe | detector | damage px | found | scene px taken per damage px found | "
          "restored within 2 L* | L* moved elsewhere |")
    print("|---|---|---|---|---|---|---|---|")
    learning, rows, clean_rows = [], [], []
    for name in cases:
        case = load_case(name)
        detectors = [("rule", None)]
        for seed in args.seeds:
            start = time.perf_counter()
            detectors.append((f"learnt, seed {seed}", DamageDetector.learn(photo_lightness(kept_training_photo(case)),
                                                                             seed)))
            learning.append(f"{name} seed {seed} {time.perf_counter() - start:.1f} s")
        if args.picture:
            rows.append(picture_row(case.test_photo, args.recipes[0], detectors[1][1]))
        for recipe in args.recipes:
            for label, detector in detectors + [("recipe's mask", RecipeMask(case.test_photo, recipe))]:
                r = restore_scores(case.test_photo, recipe, detector)
                print(f"| {name} | {recipe} | {label} | {r['damage']} | {100 * r['found_share']:.0f} % | "
                      f"{r['false_per_hit']:.1f} | {100 * r['restored_share']:.0f} % | {r['changed_elsewhere']:.2f} |",
                      flush=True)
            print(f"| {name} | {recipe} | the print without its damage, blurred {SMOOTH_ORACLE:g} px | - | - | - | "
                  f"{100 * smooth_oracle_share(case.test_photo, recipe):.0f} % | - |", flush=True)
        clean_rows += [f"| {name} | {label} | {cells} |" for label, detector in detectors
                       for cells in [clean_view_cells(case.test_photo, detector)]]
    print(f"\nlearning a detector: {', '.join(learning)}")
    print("\nThe same detectors on each held-out view's clean grey version, which has no damage at all: what "
          "--restore fills there is the scene's own detail.\n")
    print("| case | detector | pixels filled | L* moved (mean over the view) |")
    print("|---|---|---|---|")
    print("\n".join(clean_rows))
    if rows:
        print(f"picture: {write_image(args.picture, stacked(rows))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
