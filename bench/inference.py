#!/usr/bin/env python3
"""Inference benchmark: megapixels per second and peak memory, tiled and untiled.

    python bench/inference.py [--checkpoint RUN] [--sizes 1 4 16] [--tile 512] [--overlap 64] [--threads N]
                              [--bf16] [--mirror-average on|off]

Each measurement runs in a fresh subprocess so that its peak resident memory (ru_maxrss)
is its own. Inputs are the bundled sample's held-out guides (sketch, depth) resized to
the given number of megapixels. Untiled runs are skipped above --untiled-max MP. The
last line compares tiled and untiled output at 1 MP (PSNR between the two). Without
``--mirror-average`` both run one network pass into a uint8 image (``colorize_tiled``); with it, both
go through ``process.inference.colorize`` as ``process.py`` does (float32 image, then 8 bits), with
mirror averaging ``on`` (two passes, process.py's default) or ``off``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(args) -> None:
    """One measurement; prints a JSON line."""
    import resource

    import cv2
    import numpy as np
    import torch

    from config.defaults import ModelConfig, SketchConfig
    from data.samples import stereo_motorcycle_views
    from models.checkpoint import load_model, sketch_config_of
    from models.inputs import Guides
    from models.unet import SemColorNet
    from preprocess.sketch import extract_sketch
    from process.tiling import colorize_tiled
    from process.inference import colorize

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.checkpoint:
        model, meta = load_model(args.checkpoint)
        sketch_cfg = sketch_config_of(meta)
    else:
        torch.manual_seed(0)
        model, sketch_cfg = SemColorNet(ModelConfig()).eval(), SketchConfig()
    _, right = stereo_motorcycle_views()
    h0, w0 = right.depth.shape
    s = (args.mp * 1e6 / (h0 * w0)) ** 0.5
    size = (round(w0 * s), round(h0 * s))
    guides = Guides(cv2.resize(extract_sketch(right.photo, sketch_cfg), size, interpolation=cv2.INTER_LINEAR),
                    cv2.resize(right.depth, size, interpolation=cv2.INTER_LINEAR))
    t0 = time.perf_counter()
    if args.mirror_average:
        tile = args.tile if args.mode == "tiled" else None
        out = colorize(model, guides, tile=tile, overlap=args.overlap, bf16=args.bf16,
                       mirror_average=args.mirror_average == "on")
        out = (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)
    elif args.mode == "tiled":
        out = colorize_tiled(model, guides, tile=args.tile, overlap=args.overlap, out_dtype=np.uint8, bf16=args.bf16)
    else:
        out = (np.clip(colorize(model, guides, bf16=args.bf16, mirror_average=False), 0, 1) * 255 + 0.5).astype(np.uint8)
    seconds = time.perf_counter() - t0
    if args.save:
        np.save(args.save, out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"mp": size[0] * size[1] / 1e6, "mode": args.mode, "seconds": seconds, "peak_mib": peak,
                      "size": f"{size[0]}x{size[1]}"}))


def run(mp, mode, a, save=None) -> dict:
    cmd = [sys.executable, __file__, "--child", "--mp", str(mp), "--mode", mode, "--tile", str(a.tile),
           "--overlap", str(a.overlap), "--threads", str(a.threads or 0)] + (["--bf16"] if a.bf16 else []) \
        + (["--mirror-average", a.mirror_average] if a.mirror_average else [])
    if a.checkpoint:
        cmd += ["--checkpoint", a.checkpoint]
    if save:
        cmd += ["--save", save]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"measurement failed: {r.stderr.strip().splitlines()[-1]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", help="run folder or checkpoint (default: a fresh default-width network)")
    p.add_argument("--sizes", nargs="+", type=float, default=[1, 4, 16], help="megapixels")
    p.add_argument("--tile", type=int, default=512)
    p.add_argument("--overlap", type=int, default=64)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--bf16", action="store_true", help="bfloat16 inference")
    p.add_argument("--mirror-average", choices=["on", "off"],
                   help="go through process.inference.colorize as process.py does, mirror averaging on or off")
    p.add_argument("--untiled-max", type=float, default=4, help="largest size (MP) also run untiled")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--mp", type=float, help=argparse.SUPPRESS)
    p.add_argument("--mode", help=argparse.SUPPRESS)
    p.add_argument("--save", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a)
        return 0
    import numpy as np

    from utils.metrics import psnr

    rows = []
    tmp = tempfile.mkdtemp()
    for mp in a.sizes:
        save = os.path.join(tmp, "tiled.npy") if mp == a.sizes[0] else None
        rows.append(run(mp, "tiled", a, save))
        if mp <= a.untiled_max:
            rows.append(run(mp, "untiled", a, os.path.join(tmp, "untiled.npy") if save else None))
    from bench.machine import describe_machine

    print(f"machine: {describe_machine(gpu=False)}; measured with {a.threads or 'default'} threads; "
          f"tile {a.tile}, overlap {a.overlap}; {'bf16' if a.bf16 else 'fp32'}; "
          f"{'one pass into uint8 (colorize_tiled)' if not a.mirror_average else 'as process.py, mirror averaging ' + a.mirror_average}; "
          f"model: {a.checkpoint or 'fresh default-width network'}")
    print("\n| size | MP | mode | seconds | MP/s | peak memory MiB |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} | {r['mp']:.1f} | {r['mode']} | {r['seconds']:.1f} | {r['mp'] / r['seconds']:.2f} | "
              f"{r['peak_mib']:.0f} |")
    tiled = [r for r in rows if r["mode"] == "tiled"]
    print(f"\npeak memory, largest / smallest tiled: {tiled[-1]['peak_mib'] / tiled[0]['peak_mib']:.2f}x")
    t, u = np.load(os.path.join(tmp, "tiled.npy")), os.path.join(tmp, "untiled.npy")
    if os.path.exists(u):
        print(f"tiled vs untiled at {a.sizes[0]:g} MP: PSNR {psnr(t / 255.0, np.load(u) / 255.0):.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
