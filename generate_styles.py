#!/usr/bin/env python3
"""Palette and style variants from one trained model (or, --reference, a colour photo alone): images, a contact
sheet and scores.

    python generate_styles.py [--checkpoint RUN | --reference COLOUR_PHOTO] [--image PHOTO | --sketch FILE --depth FILE]
                              [--mask FILE]
                              [--palettes NAME|FILE ...] [--extract IMAGE[:K] ...]
                              [--palette-mode smooth|posterize|regions|learned] [--mapping JSON] [--lightness L]
                              [--structure-floor SSIM]
                              [--style IMAGE ...] [--blend W ...] [--hints JSON] [--hint-fill on|off]
                              [--align auto|homography|off] [--chroma-smooth PX]
                              [--mirror-average on|off] [--context whole|local] [--lines keep|hide] [--line-reach PX]
                              [--restore] [--tones print|photo] [--device auto|cpu|cuda|mps] [--bf16] [--out DIR]

Default input: the bundled sample's held-out view; default palettes: all built-in ones.
Modes (``variants/palette.py``): ``smooth`` (default) recolours by palette offsets weighted
smoothly over colour (after Chang et al. 2015), lightness moving only as far as keeps the
shading (``--structure-floor``), so shading and edges stay;
``posterize`` snaps each pixel to its nearest palette colour (flat regions, new edges);
``regions`` gives each mask region one palette colour by the smooth transfer; ``learned``
renders again with the model's learned palette replaced.
Writes DIR/base.png, one PNG per variant, DIR/contact_sheet.png and DIR/styles.json (per
variant: structure SSIM of L*, gradient correlation, palette adherence in CIEDE2000 and, for
smooth, the share of the lightness change made).
"""
from __future__ import annotations

import argparse
import sys

from utils.cli import ArgumentParser, run_cli


def main(argv=None) -> int:
    from config.color_palettes import PALETTES
    from variants.palette import DEFAULT_LIGHTNESS, PALETTE_MODES
    from process.render_flags import add_render_flags

    p = ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    model = p.add_mutually_exclusive_group()
    model.add_argument("--checkpoint", default="runs/latest")
    model.add_argument("--reference", metavar="COLOUR_PHOTO",
                       help="no trained model: palette variants of a black-and-white --image coloured from this colour "
                            "photo alone, as process.py --reference colours it (smooth and posterize modes)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--image")
    src.add_argument("--sketch")
    p.add_argument("--depth")
    p.add_argument("--depth-model")
    p.add_argument("--mask", help="label map (needed by --palette-mode regions)")
    p.add_argument("--palettes", nargs="+", default=list(PALETTES),
                   help=f"built-in names ({', '.join(PALETTES)}) or .json/.gpl files")
    p.add_argument("--extract", nargs="*", default=[], metavar="IMAGE[:K]",
                   help="add a K-colour palette extracted from an image (k-means in Lab)")
    p.add_argument("--palette-mode", default="smooth", metavar="{" + ",".join(PALETTE_MODES) + "}",
                   help="smooth: palette-based transfer keeping the shading; posterize: nearest palette colour; "
                        "regions: one colour per --mask region; learned: re-render with the learned palette swapped")
    p.add_argument("--mapping", help="regions mode: a JSON file, or the JSON itself, {region: palette index or role}, "
                                     "e.g. '{\"0\": \"roof\", \"1\": 2}'")
    p.add_argument("--lightness", type=float,
                   help="how far lightness moves toward the palette (0..1); default: "
                        + ", ".join(f"{m} {v}" for m, v in DEFAULT_LIGHTNESS.items() if m != "learned"))
    p.add_argument("--structure-floor", type=float, metavar="SSIM", default=argparse.SUPPRESS,
                   help="smooth: lightness moves toward the palette no further than keeps the shading's SSIM (L*) "
                        "against the base at least this (0: no floor; default 0.95)")
    p.add_argument("--style", nargs="*", default=[], help="style images (AdaIN), one variant each")
    p.add_argument("--blend", nargs="*", type=float, default=[],
                   help="weights in [0, 1] between the first two styles (0: the first, 1: the second)")
    p.add_argument("--hints", metavar="JSON", help="colour hints, as process.py --hints (models trained with --hints)")
    add_render_flags(p)
    p.add_argument("--out", default="outputs/styles")
    a = p.parse_args(argv)
    from process.render_flags import render_config
    from variants.styles import StylesConfig, generate_styles

    cfg = StylesConfig(render=render_config(a, checkpoint=a.checkpoint, image=a.image, sketch=a.sketch, depth=a.depth,
                                            depth_model=a.depth_model, mask=a.mask, hints=a.hints),
                       out=a.out, palettes=a.palettes, extract=a.extract, mode=a.palette_mode, mapping=a.mapping,
                       lightness=a.lightness, structure_floor=getattr(a, "structure_floor", None), styles=a.style, blend=a.blend,
                       reference=a.reference)
    report = generate_styles(cfg)
    print(f"{'variant':32s} {'structure SSIM':>14s} {'gradient corr':>13s} {'palette dE00':>12s} "
          f"{'lightness moved':>15s}")
    for r in report["variants"]:
        adh = f"{r['palette_delta_e00']:12.2f}" if "palette_delta_e00" in r else f"{'-':>12s}"
        moved = f"{r['lightness_moved']:15.2f}" if "lightness_moved" in r else f"{'-':>15s}"
        print(f"{r['variant']:32s} {r['structure_ssim']:14.3f} {r['gradient_corr']:13.3f} {adh} {moved}")
    print(f"wrote {a.out}/ (variants, contact_sheet.png, styles.json)")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
