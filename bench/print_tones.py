#!/usr/bin/env python3
"""An old print's tones kept (``--tones print``, the default) or given the training photo's
(``--tones photo``), on the development cases' aged prints.

    python bench/print_tones.py [--cases all] [--picture docs/print_tones.png]

For each case, the held-out view's clean grey version and its prints aged by every recipe of
``data/print_ageing.PRINT_RECIPES`` are coloured as ``process.py --align off`` colours them by
default (``--bw-colour transfer``: the training photo's colours, looked up on the print read as the
photo it was printed from), once keeping the input's L* and once with ``--tones photo`` (a halftone
screen removed and a faded print's black and white points stretched to the training photo's:
``ChromaDatabase.as_photo``). Then the same, as the default render makes it, with reference
alignment (``--align auto``), where ``--tones photo`` also reads the print's tone curve off the
aligned pixels (``process/print_tones.py``), beside how far that curve and the levels' reading each
leave the print from the aligned photo's L* and the render had the curve been taken on every
aligned print (what its rule saves); on a case whose views do not line up the aligned columns
repeat the others. Scores: PSNR against the real photo; the gain over the input's own
free baseline (its L* + the training photo's mean a*b*), issue 29's measure; and, for ``--tones
photo``, the gain over the free baseline at the photo tones too (what the colours add to the
tones). No network is involved: the transfer reads only the training photo, and the aligned photo
carries its own colours, so the figures do not depend on a trained model or the CPU.

``--picture``: per case, the faded-grain print | coloured, its tones kept | with ``--tones photo``
| the real photo, each the view's centre. ``--curve-picture``: per case whose views line up, the
contrasty ``damaged`` print | the default render (aligned, its tones kept) | aligned with ``--tones
photo`` | the real photo.
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
from postprocess.reference_align import align_and_carry  # noqa: E402
from process.inference import transfer_colours  # noqa: E402
from process.print_tones import photo_tones  # noqa: E402
from process.render import RenderConfig, Renderer  # noqa: E402
from models.inputs import Guides  # noqa: E402
from preprocess.restore import descreen  # noqa: E402
from utils.cielab import lightness_to_gray, photo_lightness  # noqa: E402
from utils.image_io import write_image  # noqa: E402
from utils.metrics import image_metrics, mean_chroma_at  # noqa: E402

PICTURE_RECIPE = "faded-grain"
CURVE_PICTURE_RECIPE = "damaged"  # a contrasty print: the tone curve, not the levels, undoes it
PICTURE_CROP = (240, 320)  # px (height, width) of each view's centre in the picture


def print_rows(case, database: ChromaDatabase, reference: np.ndarray) -> list[dict]:
    """One row per input of ``case`` (its clean view, then each aged print): the PSNRs of the free
    baselines and of the renders (without and with alignment, tones kept and ``--tones photo``),
    how ``--tones photo`` read the input, and the images."""
    light = photo_lightness(case.test_photo)
    inputs = {"clean": light} | {recipe: age_print(light, recipe)[0] for recipe in PRINT_RECIPES}
    # the renders are process.py --reference's own, from the photo as a checkpoint keeps it
    renderer = Renderer.from_reference((reference * 255 + 0.5).astype(np.uint8), "cpu")

    def render(lightness: np.ndarray, align: str, tones: str) -> np.ndarray:
        request = RenderConfig(align=align, tones=tones)
        # a black-and-white photo is aligned and coloured by its lightness: no sketch is read
        guides = renderer.prepare(Guides(sketch=np.ones_like(lightness), luminance=lightness), request)
        return renderer.finish(request, guides, renderer.colorize(guides, request))

    rows = []
    for name, lightness in inputs.items():
        levels = photo_tones(lightness, database, reference, "off")  # what each reading found, for the table
        aligned = photo_tones(lightness, database, reference, "auto")
        kept, toned = render(lightness, "off", "print"), render(lightness, "off", "photo")
        alignment = aligned.found.alignment
        kept_aligned, toned_aligned = render(lightness, "auto", "print"), render(lightness, "auto", "photo")
        fitted = aligned.fitted
        # the tone curve taken on every aligned print, whether or not it explains the photo better: what the rule saves
        always = fitted.apply(descreen(lightness, aligned.screen)) if fitted else None
        blur = aligned.screen.blur if aligned.screen is not None else 0.0  # the lookup is told the descreening's blur
        always_aligned = (align_and_carry(transfer_colours(always, database, CHROMA_SMOOTH, blur=blur), reference, None,
                                          always, found=aligned.found)[0] if fitted else toned_aligned)
        read = [s for s, on in (("descreened", levels.screen is not None), ("faded: stretched", levels.fade is not None))
                if on]

        def psnr(image):
            return image_metrics(image, case.test_photo)["psnr"]

        rows.append({"input": name, "free": psnr(mean_chroma_at(case.train_photo, lightness)), "kept": psnr(kept),
                     "free_photo_tones": psnr(mean_chroma_at(case.train_photo, levels.lightness)),
                     "photo_tones": psnr(toned), "read": ", ".join(read) or "as it is",
                     "aligned": f"{100 * aligned.found.share.mean():.0f} %" if alignment.used else "no",
                     "kept_aligned": psnr(kept_aligned), "photo_tones_aligned": psnr(toned_aligned),
                     "curve": aligned.curve is not None, "always": psnr(always_aligned),
                     "fit": f"{100 * fitted.rms:.1f} / {100 * fitted.levels_rms:.1f}" if fitted else "-",
                     "images": (lightness, kept, toned, kept_aligned, toned_aligned)})
    return rows


def picture_row(rows: list[dict], photo: np.ndarray, aligned: bool = False) -> np.ndarray:
    """A picture's row for one case, each panel the view's centre: print | tones kept | --tones photo |
    photo, without alignment (the faded-grain print) or ``aligned`` (the damaged print)."""
    recipe = CURVE_PICTURE_RECIPE if aligned else PICTURE_RECIPE
    lightness, kept, toned, kept_aligned, toned_aligned = next(r["images"] for r in rows if r["input"] == recipe)
    rows_, cols = centre(photo.shape[:2], PICTURE_CROP)
    grey = np.repeat(lightness_to_gray(lightness)[..., None], 3, axis=2)
    renders = (kept_aligned, toned_aligned) if aligned else (kept, toned)
    return side_by_side([image[rows_, cols] for image in (grey, *renders, photo)])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cases_flag(p)
    add_picture_flag(p, "the faded prints, both renders and the photos")
    p.add_argument("--curve-picture", type=Path,
                   help="also write the contrasty prints of the cases that line up, both aligned renders and the "
                        "photos to this PNG")
    args = p.parse_args(argv)
    check_picture(p, args, "curve_picture")
    cases = chosen_cases(p, args.cases)
    print(f"machine: {describe_machine()}\n")
    print("PSNR dB against the real photo; gain: over the input's own free baseline (its L* + the training photo's "
          "mean a*b*); colours from the training photo (--bw-colour transfer); --align off, then the default "
          "--align auto (aligned: the share of the view the aligned photo covers; curve: --tones photo read the "
          "print's tone curve there)\n")
    print("| case | input | free baseline | tones kept (default) | gain | --tones photo | gain | "
          "free baseline at the photo tones | gain over it | read as | aligned | aligned, tones kept | gain | "
          "aligned, --tones photo | gain | curve | RMS L* from the photo, curve / levels | aligned, curve always |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    pictures, curve_pictures = [], []
    for name in cases:
        case = load_case(name)
        reference = kept_training_photo(case)
        rows = print_rows(case, ChromaDatabase(reference), reference)
        for r in rows:
            print(f"| {name} | {r['input']} | {r['free']:.2f} | {r['kept']:.2f} | {r['kept'] - r['free']:+.2f} | "
                  f"{r['photo_tones']:.2f} | {r['photo_tones'] - r['free']:+.2f} | {r['free_photo_tones']:.2f} | "
                  f"{r['photo_tones'] - r['free_photo_tones']:+.2f} | {r['read']} | {r['aligned']} | "
                  f"{r['kept_aligned']:.2f} | {r['kept_aligned'] - r['free']:+.2f} | {r['photo_tones_aligned']:.2f} | "
                  f"{r['photo_tones_aligned'] - r['free']:+.2f} | {'yes' if r['curve'] else 'no'} | {r['fit']} | "
                  f"{r['always']:.2f} |", flush=True)
        if args.picture:
            pictures.append(picture_row(rows, case.test_photo))
        if args.curve_picture and next(r for r in rows if r["input"] == CURVE_PICTURE_RECIPE)["aligned"] != "no":
            curve_pictures.append(picture_row(rows, case.test_photo, aligned=True))
    if pictures:
        print(f"\npicture: {write_image(args.picture, stacked(pictures))}")
    if curve_pictures:
        print(f"curve picture: {write_image(args.curve_picture, stacked(curve_pictures))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
