#!/usr/bin/env python3
"""Colorize a photo or drawing with a trained SemColorNet checkpoint, or a black-and-white photo from a colour
photo alone (tiled for large inputs).

    python process.py --checkpoint RUN_DIR_OR_FILE (--image PHOTO | --sketch FILE [--depth FILE|none] [--mask FILE])
                      [--style IMAGE] [--out FILE] [--tile N] [--overlap N] [--device auto|cpu|cuda|mps]
                      [--align auto|homography|off] [--hints HINTS.json] [--hint-fill on|off]
                      [--chroma-smooth PX] [--mirror-average on|off] [--context whole|local] [--bf16]
                      [--lines keep|hide] [--line-reach PX] [--restore [--restore-mask PNG]] [--tones print|photo]
                      [--wiggle GIF]
    python process.py --reference COLOUR_PHOTO --image BLACK_AND_WHITE_PHOTO [--out FILE] [--align ...] [--restore]
                      [--tones print|photo] ...

With neither --image nor --sketch it renders the bundled sample's held-out right view. With
--reference instead of a checkpoint, a black-and-white photo takes its colours from that colour photo
alone, as a black-and-white model's default render takes them from its training photo, with no
training first.
"""
from __future__ import annotations

import argparse
import sys

from utils.cli import ArgumentParser, run_cli


def build_parser() -> argparse.ArgumentParser:
    from process.render_flags import add_render_flags, add_tiling_flags

    p = ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    model = p.add_mutually_exclusive_group()
    model.add_argument("--checkpoint", default="runs/latest", help="run folder or .safetensors checkpoint")
    model.add_argument("--reference", metavar="COLOUR_PHOTO",
                       help="no trained model: colour a black-and-white --image from this colour photo alone (its "
                            "colours by lookup and, where the two line up, alignment; --restore and --tones work too)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--image", help="photo: sketch and depth are derived from it as in training")
    src.add_argument("--sketch", help="drawing, used as it is (dark lines on white)")
    p.add_argument("--depth", help="depth file (larger = nearer) or 'none'; default: estimated from --image")
    p.add_argument("--depth-model", help="Depth Anything hub id or local folder")
    p.add_argument("--mask", help="label map PNG, if the model was trained with one")
    p.add_argument("--style", help="style image for the AdaIN branch (default: the training photo)")
    p.add_argument("--out", help="output PNG (default: outputs/<input>_color.png)")
    add_tiling_flags(p)
    p.add_argument("--hints", metavar="JSON",
                   help="colour hints: points {x, y, color '#RRGGBB', radius} and scribbles {points, color, radius} "
                        "in the input's pixels (a model trained with train.py --hints)")
    add_render_flags(p)
    p.add_argument("--wiggle", metavar="GIF", help="also write a depth-parallax wiggle GIF of the result")
    p.add_argument("--restore-mask", metavar="PNG",
                   help="with --restore: also write where it inpainted dust and scratches (white on black), to check "
                        "that no fine detail of the scene was taken for damage")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from process.preflight import (check_photo_only_request, check_render_request, check_training_photo_kept,
                                   note_idle_hint_fill)
    from process.render import PHOTO_ONLY, Renderer, default_out
    from process.render_flags import render_config
    from utils.errors import InputError
    from utils.image_io import check_suffix

    cfg = render_config(args, checkpoint=args.checkpoint, image=args.image, sketch=args.sketch, depth=args.depth,
                        depth_model=args.depth_model, mask=args.mask, style=args.style, out=args.out,
                        hints=args.hints)
    if args.wiggle:
        check_suffix(args.wiggle, {".gif"}, "--wiggle")
    if args.restore_mask is not None:
        if not cfg.restore:
            raise InputError("--restore-mask shows what --restore inpainted: add --restore")
        check_suffix(args.restore_mask, {".png"}, "--restore-mask")
    outputs = [cfg.out or default_out(cfg), args.wiggle, args.restore_mask]
    if args.reference:
        check_photo_only_request(cfg, args.reference, outputs)
        if args.wiggle:
            raise InputError("--wiggle needs depth, and --reference colours without it")
        check_render_request(PHOTO_ONLY, cfg, outputs=outputs)
        renderer = Renderer.from_photo(args.reference, cfg.device)
    else:
        renderer = Renderer(cfg.checkpoint, cfg.device)
        # everything the checkpoint needs is checked before any (possibly huge) input is read
        check_render_request(renderer.model_cfg, cfg, outputs=outputs, keeps_photo=renderer.reference is not None)
    check_training_photo_kept(cfg.tones, renderer.reference is not None)
    if args.wiggle and not renderer.model_cfg.use_depth:
        raise InputError("--wiggle needs depth; this model renders without it")
    note_idle_hint_fill(cfg.hint_fill, "--hints", cfg.hints)
    out, rgb, guides = renderer.render(cfg, progress=True)
    print(f"wrote {out}")
    if args.restore_mask is not None:
        from utils.image_io import write_image
        if renderer.restored_mask is None:  # preflight admits --restore only where the lightness is restored
            raise RuntimeError("--restore left no mask of what it inpainted")
        write_image(args.restore_mask, renderer.restored_mask.astype("uint8") * 255)
        print(f"wrote {args.restore_mask}")
    if args.wiggle:
        from preprocess.view.generate_wiggle_gif import wiggle_from_render
        print(f"wrote {wiggle_from_render(rgb, guides.depth, args.wiggle)}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
