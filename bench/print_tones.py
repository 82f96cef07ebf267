#!/usr/bin/env python3
"""An old print's tones kept (``--tones print``, the default) or given the training photo's
(``--tones photo``), on the development cases' aged prints.

    python bench/print_tones.py [--cases all] [--picture docs/print_tones.png]

For each case, the held-out view's clean grey version and its prints aged by every recipe of
``data/print_ageing.PRINT_RECIPES`` are coloured as ``process.py --align off`` colours them by
default (``--bw-colour transfer``: the training photo's colours, looked up on the print read as the
photo it was printed from), once keeping the input's L* and once with ``--tones photo`` (a halftone
screen removed and a faded print's black and white points stretched to the training photo's:
``ChromaDatabase.as_photo``). Scores: PSNR against the real photo; the gain over the input's own
free baseline (its L* + the training photo's mean a*b*), issue 29's measure; and, for ``--tones
photo``, the gain over the free baseline at the photo tones too (what the colours add to the
tones). No network is involved: the transfer reads only the training photo, so the figures do not
depend on a trained model or the CPU.

``--picture``: per case, the faded-grain print | coloured, its tones kept | with ``--tones photo``
| the real photo, each the view's centre.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import add_cases_flag, chosen_cases, kept_training_photo, load_case  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from bench.picture import add_picture_flag, centre, check_picture, side_by_side, stacked  # noqa: E402
from config.defaults import CHROMA_SMOOTH  # noqa: E402
from data.print_ageing import PRINT_RECIPES, age_print  # noqa: E402
from postprocess.chroma_transfer import ChromaDatabase  # noqa: E402
from process.inference import transfer_colours  # noqa: E402
from preprocess.restore import find_screen  # noqa: E402
from utils.cielab import lightness_to_gray, photo_lightness  # noqa: E402
from utils.image_io import write_image  # noqa: E402
from utils.metrics import image_metrics, mean_chroma_at  # noqa: E402

PICTURE_RECIPE = "faded-grain"
PICTURE_CROP = (240, 320)  # px (height, width) of each view's centre in the picture


def print_rows(case, database: ChromaDatabase) -> list[dict]:
    """One row per input of ``case`` (its clean view, then each aged print): the PSNRs of the free
    baselines and of the two renders, how ``--tones photo`` read the input, and the images."""
    light = photo_lightness(case.test_photo)
    inputs = {"clean": light} | {recipe: age_print(light, recipe)[0] for recipe in PRINT_RECIPES}
    rows = []
    for name, lightness in inputs.items():
        screen = find_screen(lightness)
        toned, fade = database.as_photo(lightness, screen)
        kept = transfer_colours(lightness, database, CHROMA_SMOOTH)
        photo_tones = transfer_colours(toned, database, CHROMA_SMOOTH)
        read = [s for s, on in (("descreened", screen is not None), ("faded: stretched", fade is not None)) if on]

        def psnr(image):
            return image_metrics(image, case.test_photo)["psnr"]

        rows.append({"input": name, "free": psnr(mean_chroma_at(case.train_photo, lightness)), "kept": psnr(kept),
                     "free_photo_tones": psnr(mean_chroma_at(case.train_photo, toned)), "photo_tones": psnr(photo_tones),
                     "read": ", ".join(read) or "as it is", "images": (lightness, kept, photo_tones)})
    return rows


def picture_row(rows: list[dict], photo: np.ndarray) -> np.ndarray:
    """The picture's row for one case: print | tones kept | --tones photo | photo, each the view's centre."""
    lightness, kept, photo_tones = next(r["images"] for r in rows if r["input"] == PICTURE_RECIPE)
    rows_, cols = centre(photo.shape[:2], PICTURE_CROP)
    grey = np.repeat(lightness_to_gray(lightness)[..., None], 3, axis=2)
    return side_by_side([image[rows_, cols] for image in (grey, kept, photo_tones, photo)])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cases_flag(p)
    add_picture_flag(p, "the faded prints, both renders and the photos")
    args = p.parse_args(argv)
    check_picture(p, args)
    cases = chosen_cases(p, args.cases)
    print(f"machine: {describe_machine()}\n")
    print("PSNR dB against the real photo; gain: over the input's own free baseline (its L* + the training photo's "
          "mean a*b*); --align off, colours from the training photo (--bw-colour transfer)\n")
    print("| case | input | free baseline | tones kept (default) | gain | --tones photo | gain | "
          "free baseline at the photo tones | gain over it | read as |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    pictures = []
    for name in cases:
        case = load_case(name)
        rows = print_rows(case, ChromaDatabase(kept_training_photo(case)))
        for r in rows:
            print(f"| {name} | {r['input']} | {r['free']:.2f} | {r['kept']:.2f} | {r['kept'] - r['free']:+.2f} | "
                  f"{r['photo_tones']:.2f} | {r['photo_tones'] - r['free']:+.2f} | {r['free_photo_tones']:.2f} | "
                  f"{r['photo_tones'] - r['free_photo_tones']:+.2f} | {r['read']} |", flush=True)
        if args.picture:
            pictures.append(picture_row(rows, case.test_photo))
    if pictures:
        print(f"\npicture: {write_image(args.picture, stacked(pictures))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
