"""Semantic masks: one label map per photo, from Segment Anything or a classical segmenter.

- ``sam``: Segment Anything through ``transformers`` (the ``mask-generation`` pipeline:
  a grid of point prompts, masks filtered by predicted IoU and stability). Masks are
  painted largest first, so smaller parts stay on top; pixels no mask covers form one
  region. Default ``facebook/sam-vit-base`` (Apache-2.0); any SAM hub id or local folder works.
- ``slic``: SLIC superpixels (Achanta et al., 2012) from scikit-image, offline.
- ``felzenszwalb``: graph-based segmentation (Felzenszwalb & Huttenlocher, 2004), offline.

Every method ends with the same clean-up: regions smaller than ``min_region`` of the
image are merged into the neighbour they share the longest border with, then the
smallest regions are merged until at most ``regions`` remain. Labels are 0..K-1.

    python preprocess/segment.py PHOTO --out MASK.png [--segmenter slic|felzenszwalb|sam] [--regions N]
"""
from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run by path (python preprocess/segment.py): import from the repo root, not preprocess/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np  # noqa: E402

from utils.errors import InputError  # noqa: E402

SEGMENTERS = ("sam", "slic", "felzenszwalb", "none")
DEFAULT_SAM_MODEL = "facebook/sam-vit-base"


def _relabel(labels: np.ndarray) -> np.ndarray:
    _, inv = np.unique(labels, return_inverse=True)
    return inv.reshape(labels.shape).astype(np.int64)


def _border_counts(labels: np.ndarray, n: int) -> np.ndarray:
    """(n, n) matrix: number of 4-neighbour pixel pairs between each two labels."""
    a = np.concatenate([labels[:, :-1].ravel(), labels[:-1, :].ravel()])
    b = np.concatenate([labels[:, 1:].ravel(), labels[1:, :].ravel()])
    diff = a != b
    m = np.zeros((n, n), np.int64)
    np.add.at(m, (a[diff], b[diff]), 1)
    return m + m.T


def merge_regions(labels: np.ndarray, min_size: int = 0, max_regions: int | None = None) -> np.ndarray:
    """Merge small regions into their longest-bordering neighbour (see module docstring)."""
    labels = _relabel(labels)
    while True:
        n = int(labels.max()) + 1
        sizes = np.bincount(labels.ravel(), minlength=n)
        too_small = sizes < min_size
        too_many = max_regions is not None and n > max_regions
        if n <= 1 or not (too_small.any() or too_many):
            return labels
        borders = _border_counts(labels, n)
        # Merge a batch of the smallest regions at once (each into its best neighbour).
        order = np.argsort(sizes)
        k = max(1, (n - max_regions) // 2) if too_many and not too_small.any() else int(too_small.sum())
        mapping = np.arange(n)
        taken = set()
        for r in order[:max(1, k)]:
            if r in taken:
                continue
            nb = borders[r].copy()
            nb[list(taken)] = 0
            if nb.max() == 0:
                continue
            target = int(np.argmax(nb))
            mapping[r] = target
            taken.update((int(r), target))
        if (mapping == np.arange(n)).all():
            return labels
        # Resolve chains (a -> b -> c).
        for _ in range(n):
            nxt = mapping[mapping]
            if (nxt == mapping).all():
                break
            mapping = nxt
        labels = _relabel(mapping[labels])


def slic_labels(photo: np.ndarray, regions: int, compactness: float = 10.0) -> np.ndarray:
    from skimage.segmentation import slic
    return slic(photo, n_segments=regions, compactness=compactness, start_label=0, channel_axis=-1,
                enforce_connectivity=True)


def felzenszwalb_labels(photo: np.ndarray, regions: int) -> np.ndarray:
    from skimage.segmentation import felzenszwalb
    h, w = photo.shape[:2]
    # Scale sets the preferred region size; start where regions of about h*w/regions pixels win.
    return felzenszwalb(photo, scale=max(1.0, 0.5 * h * w / max(regions, 1) ** 1.2), sigma=0.8,
                        min_size=max(10, h * w // (20 * max(regions, 1))))


def sam_labels(photo: np.ndarray, model=None, points_per_side: int = 32, device: str = "cpu") -> np.ndarray:
    """Automatic SAM masks painted into one label map (0: no mask)."""
    from PIL import Image
    from transformers import AutoProcessor, SamModel, pipeline

    from preprocess.depth import load_pretrained

    name = model or DEFAULT_SAM_MODEL
    ways = "run once online to cache them, pass --sam-model LOCAL_DIR, or use --segmenter slic (offline)"
    sam = load_pretrained(SamModel, name, "Segment Anything", ways)
    proc = load_pretrained(AutoProcessor, name, "Segment Anything", ways)
    gen = pipeline("mask-generation", model=sam, image_processor=proc.image_processor, device=device)
    u8 = (np.clip(photo, 0, 1) * 255 + 0.5).astype(np.uint8)
    out = gen(Image.fromarray(u8), points_per_batch=64, points_per_crop=points_per_side)
    masks = [np.asarray(m, dtype=bool) for m in out["masks"]]
    labels = np.zeros(photo.shape[:2], np.int64)
    for i, m in enumerate(sorted(masks, key=lambda m: -int(m.sum())), start=1):
        labels[m] = i
    return labels


def segment(photo: np.ndarray, method: str = "slic", regions: int = 24, min_region: float = 0.002,
            sam_model=None, sam_points: int = 32) -> np.ndarray:
    """Photo (H, W, 3) in [0, 1] -> labels (H, W) int64, 0..K-1 with K <= ``regions``."""
    if method not in SEGMENTERS or method == "none":
        raise InputError(f"segmenter must be one of {SEGMENTERS[:-1]}, got {method!r}")
    if regions < 1:
        raise InputError(f"--regions must be at least 1, got {regions}")
    if method == "slic":
        raw = slic_labels(photo, regions)
    elif method == "felzenszwalb":
        raw = felzenszwalb_labels(photo, regions)
    else:
        raw = sam_labels(photo, sam_model, sam_points)
    h, w = photo.shape[:2]
    return merge_regions(raw, min_size=int(min_region * h * w), max_regions=regions)


def overlay(photo: np.ndarray, labels: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """Regions tinted with distinct colours over the photo, with their borders; (H, W, 3) in [0, 1]."""
    from skimage.segmentation import mark_boundaries
    rng = np.random.default_rng(1)
    colours = rng.random((int(labels.max()) + 1, 3)).astype(np.float32)
    tinted = (1 - alpha) * photo + alpha * colours[labels]
    return mark_boundaries(tinted, labels, color=(1, 1, 1)).astype(np.float32)


def main(argv=None) -> int:
    from utils.cli import ArgumentParser
    from utils.image_io import check_not_input, check_photo_size, check_writable, read_photo, write_mask

    p = ArgumentParser(prog="python preprocess/segment.py", description=__doc__.split("\n\n")[0])
    p.add_argument("photo")
    p.add_argument("--out", required=True, help="output label map PNG (labels 0..K-1)")
    p.add_argument("--segmenter", default="slic", choices=SEGMENTERS[:-1])
    p.add_argument("--regions", type=int, default=24, help="at most this many regions")
    p.add_argument("--sam-model", help=f"SAM hub id or local folder (default {DEFAULT_SAM_MODEL})")
    a = p.parse_args(argv)
    check_not_input(a.out, [a.photo])
    check_writable(a.out)
    photo = read_photo(a.photo)
    check_photo_size(photo, a.photo)
    labels = segment(photo, a.segmenter, a.regions, sam_model=a.sam_model)
    write_mask(a.out, labels)
    print(f"wrote {a.out} ({int(labels.max()) + 1} regions)")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
