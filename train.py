#!/usr/bin/env python3
"""Train SemColorNet on one photo (default: the bundled stereo sample's left view).

    python train.py [--image PHOTO] [--depth FILE|none] [--mask FILE|none] [--out RUN_DIR]
                    [--preset fast|default|paper] [--device auto|cpu|cuda|mps] [--seed N] [--resume]

Flags become a :class:`config.defaults.TrainConfig`; ``training.trainer.train`` does the rest.
"""
from __future__ import annotations

import argparse
import copy
import signal
import sys

from config.defaults import BLACK_AND_WHITE, DEVICES, PRESETS, train_config
from config.overrides import merge_overrides, parse_overrides
from utils.cli import ArgumentParser, given_options, run_cli
from utils.errors import InputError
from utils.image_io import check_writable, check_writable_dir
from utils.color_utils import COLOR_SPACES
from preprocess.sketch import SKETCH_METHODS


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    io = p.add_argument_group("data")
    io.add_argument("--image", help="training photo (colour); default: the bundled sample")
    io.add_argument("--depth", help="depth file (8/16-bit PNG or .npy, larger = nearer) or 'none'; "
                                    "default: ground truth for the sample, Depth Anything V2 for --image")
    io.add_argument("--depth-model", help="Depth Anything hub id or local folder (when depth is estimated)")
    io.add_argument("--mask", help="label map PNG (one integer per region) or 'none'")
    io.add_argument("--heldout-image", help="a held-out photo to evaluate on while training")
    io.add_argument("--heldout-depth", help="depth of the held-out photo")
    io.add_argument("--out", default="runs/latest", help="run folder")
    run = p.add_argument_group("run")
    run.add_argument("--preset", default="default", choices=list(PRESETS))
    run.add_argument("--device", default="auto", choices=DEVICES)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    run.add_argument("--threads", type=int, help="torch CPU threads")
    run.add_argument("--metrics-log", help="readable metrics log (appended)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument("--set", nargs="+", default=[], metavar="SECTION.FIELD=VALUE",
                     help="any config field, e.g. --set lr=2e-4 model.width=24 augment.vflip=true "
                          "(applied after the preset and the flags above)")
    sched = p.add_argument_group("schedule (default: from the preset)")
    for flag, typ in [("epochs1", int), ("epochs2", int), ("steps-per-epoch", int), ("steps2-per-epoch", int),
                      ("patch-size", int), ("batch-size", int), ("full-size", int), ("lr", float),
                      ("lr-min", float), ("eval-every", int)]:
        sched.add_argument(f"--{flag}", type=typ)
    sched.add_argument("--lr-schedule", choices=["plateau", "cosine", "constant"])
    loss = p.add_argument_group("loss")
    loss.add_argument("--perceptual-weight", type=float, help="VGG-16 perceptual loss weight (0: off)")
    loss.add_argument("--vgg-weights", help="VGG-16 weights file (default: torchvision's cache)")
    model = p.add_argument_group("model")
    model.add_argument("--color-space", choices=COLOR_SPACES)
    model.add_argument("--width", type=int, help="channels of the first U-Net level")
    model.add_argument("--no-style", action="store_true", help="disable the AdaIN style branch")
    model.add_argument("--luminance", action="store_true",
                       help="a model for colorizing black-and-white photos: it sees the photo's lightness, "
                            "predicts a*, b* and keeps the input's L* exactly (Lab); trained on the photo's lightness, "
                            "part of it aged like an old print (--set augment.print_ageing=0: clean only)")
    model.add_argument("--hints", action="store_true",
                       help="a model that also reads colour hints (process.py --hints FILE): trained with random "
                            "dots and scribbles of the photo's true colour; works with no hints too")
    model.add_argument("--palette-size", type=int, help="learn a palette of K Lab colours (needs --color-space lab)")
    model.add_argument("--sketch-method", choices=SKETCH_METHODS,
                       help="xdog: ink sketches with dark masses (photo-derived sketches); lines: a model for pure "
                            "line drawings, trained on the photo drawn in many random line styles")
    return p


def config_from_args(args):
    over = {k: v for k, v in {
        "image": args.image, "depth": args.depth, "mask": args.mask, "heldout_image": args.heldout_image,
        "heldout_depth": args.heldout_depth, "depth_model": args.depth_model, "out": args.out, "seed": args.seed, "device": args.device,
        "resume": args.resume, "threads": args.threads, "metrics_log": args.metrics_log,
        "epochs1": args.epochs1, "epochs2": args.epochs2, "steps_per_epoch": args.steps_per_epoch,
        "steps2_per_epoch": args.steps2_per_epoch, "patch_size": args.patch_size, "batch_size": args.batch_size,
        "full_size": args.full_size, "lr": args.lr, "lr_min": args.lr_min, "eval_every": args.eval_every,
        "lr_schedule": args.lr_schedule, "perceptual_weight": args.perceptual_weight,
        "vgg_weights": args.vgg_weights}.items() if v is not None}
    model = {k: v for k, v in {"color_space": args.color_space, "width": args.width,
                               "palette_size": args.palette_size}.items() if v is not None}
    if args.no_style:
        model["use_style"] = False
    if args.hints:
        model["hints"] = True
    if args.luminance:
        if model.get("color_space", "lab") != "lab":
            raise InputError("--luminance predicts a*, b* and keeps the photo's own L*: it works in Lab; "
                             "drop --color-space or give --color-space lab")
    if model:
        over["model"] = model
    if args.luminance:  # the model and its print ageing (--set augment.print_ageing=... overrides it)
        over = merge_overrides(over, copy.deepcopy(BLACK_AND_WHITE))
    if args.sketch_method:
        over["sketch"] = {"method": args.sketch_method}
    return train_config(args.preset, **merge_overrides(over, parse_overrides(args.set)))


# What may change when a run is continued: where and how it runs, not what it learns.
RESUME_MAY_CHANGE = ("out", "resume", "device", "threads", "quiet", "metrics_log")


def resume_config(args, given: set[str]):
    """The config the run in ``args.out`` was started with, with the running flags that were given."""
    from training.trainer import config_for_resume

    refused = sorted(given - set(RESUME_MAY_CHANGE))
    if refused:
        names = ", ".join("--" + d.replace("_", "-") for d in refused)
        raise InputError(f"--resume continues a run with the config it was started with; {names} cannot change "
                         f"(allowed with --resume: --device, --threads, --quiet, --metrics-log)")
    cfg = config_for_resume(args.out)
    cfg.resume, cfg.out = True, args.out  # the run is where it is now, even if it was moved
    for name in ("device", "threads", "metrics_log"):
        if name in given:
            setattr(cfg, name, getattr(args, name))
    return cfg


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from training.trainer import Trainer

    cfg = resume_config(args, given_options(build_parser(), argv)) if args.resume else config_from_args(args)
    check_writable_dir(cfg.out)
    check_writable(cfg.metrics_log)
    final = Trainer(cfg, quiet=args.quiet).fit()
    print(" ".join(f"{k}={v:.4f}" for k, v in final.items()))
    return 0


if __name__ == "__main__":
    # SIGINT stops a run cleanly (its last completed epoch is kept), also when this process was
    # started with SIGINT ignored, as a shell without job control starts background commands and
    # the studio's jobs inherit from a studio started that way: Cancel sends SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(run_cli(main))
