#!/usr/bin/env python3
"""How well ``--restore`` finds dust and scratches on the development cases' aged prints.

    python bench/restore_detector.py [--cases all] [--recipes damaged worn-scan]

For each case the held-out view's lightness is aged by each print recipe that draws damage
(``data/print_ageing.py``: the recipe's own mask says where the dust and scratches are). The
detector (``preprocess/restore.find_damage``) is scored pixel by pixel against that mask: the share
of the damage it finds, and how many pixels of the scene's own detail it takes for damage for each
damaged pixel it finds. Then ``--restore``'s two goals as ``bench/quality.py`` scores them: the
share of the damage restored to within 2 L* of the same print without it, and the mean L* change
where there was no damage. Each row twice: with the detector as it is, and without its scratch
test (``SCRATCH_SIDES``: a thin piece counts as a scratch only with one tone on both sides), so the
test's effect stands beside it. No network is involved.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import CASES, load_case  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from bench.quality import restore_scores  # noqa: E402
from data.print_ageing import age_print  # noqa: E402
from preprocess import restore  # noqa: E402
from utils.cielab import photo_lightness  # noqa: E402

DAMAGE_RECIPES = ("damaged", "worn-scan")


def detector_scores(photo, recipe: str) -> dict:
    """``find_damage`` on the held-out view aged by ``recipe`` against the recipe's own damage mask."""
    aged, damage = age_print(photo_lightness(photo), recipe)
    found = restore.find_damage(aged)
    hit = int((found & damage).sum())
    return {"damage": int(damage.sum()), "found_share": hit / max(int(damage.sum()), 1),
            "false_per_hit": int((found & ~damage).sum()) / max(hit, 1)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", default=["all"], help=f"any of {list(CASES)}, or all")
    p.add_argument("--recipes", nargs="+", default=list(DAMAGE_RECIPES), choices=DAMAGE_RECIPES)
    args = p.parse_args(argv)
    cases = list(CASES) if args.cases == ["all"] else args.cases
    print(f"machine: {describe_machine()}\n")
    print("| case | recipe | scratch test | damage px | found | scene px taken per damage px found | "
          "restored within 2 L* | L* moved elsewhere |")
    print("|---|---|---|---|---|---|---|---|")
    sides = restore.SCRATCH_SIDES
    for name in cases:
        photo = load_case(name).test_photo
        for recipe in args.recipes:
            for label, limit in (("on", sides), ("off", float("inf"))):
                restore.SCRATCH_SIDES = limit
                try:
                    d, r = detector_scores(photo, recipe), restore_scores(photo, recipe)
                finally:
                    restore.SCRATCH_SIDES = sides
                print(f"| {name} | {recipe} | {label} | {d['damage']} | {100 * d['found_share']:.0f} % | "
                      f"{d['false_per_hit']:.1f} | {100 * r['restored_share']:.0f} % | {r['changed_elsewhere']:.2f} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
