"""Preprocessing orchestrator: everything the network needs, from one photo, in one folder.

    python -m process.sketch_depth PHOTO --out DIR [--sketch-method canny|xdog|adaptive]
                                         [--depth auto|FILE|none] [--depth-model ID|DIR]
                                         [--segmenter sam|slic|felzenszwalb|none] [--regions N]

Writes ``sketch.png``, ``depth.png`` (16-bit) + ``depth.npy``, ``mask.png``, previews
(``depth_preview.png``, ``mask_overlay.png``, ``preview.png``) and ``manifest.json``
(source file hash, methods, model ids, parameters, timings). Each step is keyed by the
source hash and its own parameters; re-running with the same inputs reuses what is there.
``train.py --image`` and ``process.py --image`` estimate depth through
:func:`preprocess.depth.estimate_depth_cached`, the same code and cache (``preprocess/cache.py``).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

if not __package__:  # run by path (python process/sketch_depth.py): import from the repo root, not process/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from config.defaults import SketchConfig  # noqa: E402
from config.validation import check_range  # noqa: E402
from preprocess.cache import MANIFEST, Cache, file_hash  # noqa: E402
from preprocess.depth import DEFAULT_DEPTH_MODEL, depth_params, estimate_depth_cached  # noqa: E402
from preprocess.segment import DEFAULT_SAM_MODEL, SEGMENTERS, overlay, segment  # noqa: E402
from preprocess.sketch import SKETCH_METHODS, extract_sketch  # noqa: E402
from utils.errors import InputError  # noqa: E402
from utils.image_io import (MAX_LABELS, check_outputs, check_photo_size, check_same_size, read_depth,  # noqa: E402
                            read_gray, read_mask, read_photo, write_depth, write_image, write_json, write_mask)
from utils.visualization import contact_sheet, depth_to_rgb  # noqa: E402


@dataclass
class PreprocessConfig:
    sketch: SketchConfig = field(default_factory=SketchConfig)
    depth: str = "auto"                  # auto (Depth Anything) | FILE | none
    depth_model: str | None = None       # hub id or local folder (default DEFAULT_DEPTH_MODEL)
    segmenter: str = "slic"              # sam | slic | felzenszwalb | none
    regions: int = 24                    # at most this many regions in the mask
    min_region: float = 0.002            # regions smaller than this fraction of the image are merged
    sam_model: str | None = None         # hub id or local folder (default DEFAULT_SAM_MODEL)
    sam_points: int = 32                 # SAM point grid per side


def preprocess_photo(photo_path, out, cfg: PreprocessConfig, log=print) -> dict:
    """Run every step for one photo; returns the manifest."""
    out = Path(out)
    if cfg.segmenter != "none" and not 1 <= cfg.regions <= MAX_LABELS:
        raise InputError(f"--regions must be 1 to {MAX_LABELS}, got {cfg.regions}")
    if cfg.segmenter == "sam" and not 1 <= cfg.sam_points <= 128:
        raise InputError(f"--sam-points must be 1 to 128, got {cfg.sam_points}")
    check_range("sketch", "thickness", cfg.sketch.thickness, "--sketch-thickness")
    check_range("sketch", "blur_sigma", cfg.sketch.blur_sigma, "--sketch-blur")
    if not 0 <= cfg.min_region < 1:
        raise InputError(f"the smallest region must be a fraction of the image in [0, 1), got {cfg.min_region}")
    check_outputs(out, [MANIFEST, "sketch.png", "depth.png", "depth.npy", "depth_preview.png", "mask.png",
                        "mask_overlay.png", "preview.png"], [photo_path, cfg.depth])
    photo = read_photo(photo_path, allow_alpha=True)
    check_photo_size(photo, photo_path)
    given_depth = None
    if cfg.depth not in ("auto", "none"):  # read and checked before anything is written
        given_depth = read_depth(cfg.depth)
        check_same_size(photo, given_depth, f"depth {cfg.depth}")
    cache = Cache(out, file_hash(photo_path))
    cache.data.update(source=str(photo_path), size=[photo.shape[1], photo.shape[0]])

    params = {"method": "opencv", **asdict(cfg.sketch)}
    if cache.hit("sketch", params):
        log("sketch: cached")
    else:
        t0 = time.perf_counter()
        write_image(out / "sketch.png", extract_sketch(photo, cfg.sketch))
        cache.record("sketch", params, ["sketch.png"], time.perf_counter() - t0)
        log(f"sketch: {cfg.sketch.method}")

    depth = None
    if cfg.depth == "none":
        log("depth: none")
    elif cfg.depth != "auto":
        params = {"method": "file", "file": str(cfg.depth), "sha256": file_hash(cfg.depth)}
        depth = given_depth
        if not cache.hit("depth", params):
            write_depth(out / "depth.png", depth)
            cache.record("depth", params, ["depth.png", "depth.npy"], 0.0)
        log(f"depth: from {cfg.depth}")
    else:
        t0 = time.perf_counter()
        depth = estimate_depth_cached(photo, photo_path, cfg.depth_model, out)
        cache = Cache(out, cache.source_hash)  # estimate_depth_cached wrote the manifest
        log(f"depth: {depth_params(cfg.depth_model)['model']} ({time.perf_counter() - t0:.1f} s)")
    if depth is not None:
        write_image(out / "depth_preview.png", depth_to_rgb(depth))

    mask = None
    if cfg.segmenter != "none":
        params = {"method": cfg.segmenter, "regions": cfg.regions, "min_region": cfg.min_region}
        if cfg.segmenter == "sam":
            params.update(model=cfg.sam_model or DEFAULT_SAM_MODEL, points=cfg.sam_points)
        if cache.hit("mask", params):
            mask = read_mask(out / "mask.png")
            log("mask: cached")
        else:
            t0 = time.perf_counter()
            mask = segment(photo, cfg.segmenter, cfg.regions, cfg.min_region, cfg.sam_model, cfg.sam_points)
            write_mask(out / "mask.png", mask)
            write_image(out / "mask_overlay.png", overlay(photo, mask))
            cache.record("mask", params, ["mask.png", "mask_overlay.png"], time.perf_counter() - t0)
            log(f"mask: {cfg.segmenter}, {int(mask.max()) + 1} regions")

    images = [photo, read_gray(out / "sketch.png")]
    caps = ["photo", "sketch"]
    if depth is not None:
        images.append(depth_to_rgb(depth))
        caps.append("depth (near = bright)")
    if mask is not None:
        images.append(overlay(photo, mask))
        caps.append(f"mask ({int(mask.max()) + 1} regions)")
    write_image(out / "preview.png", contact_sheet(images, caps, cols=len(images), cell_width=320))
    write_json(out / MANIFEST, cache.data)
    return cache.data


def build_parser() -> argparse.ArgumentParser:
    from utils.cli import ArgumentParser

    p = ArgumentParser(prog="python -m process.sketch_depth", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("photo")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--sketch-method", default=SketchConfig().method, choices=SKETCH_METHODS)
    p.add_argument("--sketch-thickness", type=int, default=SketchConfig().thickness,
                   help="line thickness after dilation, px (1 to 32)")
    p.add_argument("--sketch-blur", type=float, default=SketchConfig().blur_sigma,
                   help="Gaussian blur before the lines are found, sigma in px (0 to 50)")
    p.add_argument("--depth", default="auto", help="auto (Depth Anything V2), a depth FILE, or none")
    p.add_argument("--depth-model", help=f"hub id or local folder (default {DEFAULT_DEPTH_MODEL}, Apache-2.0; "
                                         "the Base and Large V2 models are CC-BY-NC-4.0, non-commercial)")
    p.add_argument("--segmenter", default="slic", choices=SEGMENTERS)
    p.add_argument("--regions", type=int, default=24, help="at most this many mask regions")
    p.add_argument("--sam-model", help=f"SAM hub id or local folder (default {DEFAULT_SAM_MODEL})")
    p.add_argument("--sam-points", type=int, default=32, help="SAM point grid per side")
    return p


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    cfg = PreprocessConfig(sketch=SketchConfig(method=a.sketch_method, thickness=a.sketch_thickness,
                                               blur_sigma=a.sketch_blur),
                           depth=a.depth, depth_model=a.depth_model, segmenter=a.segmenter, regions=a.regions,
                           sam_model=a.sam_model, sam_points=a.sam_points)
    preprocess_photo(a.photo, a.out, cfg)
    written = ["sketch.png", *(["depth.png", "depth.npy", "depth_preview.png"] if a.depth != "none" else []),
               *(["mask.png", "mask_overlay.png"] if a.segmenter != "none" else []), "preview.png", MANIFEST]
    print(f"wrote {a.out}/ ({', '.join(written)})")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
