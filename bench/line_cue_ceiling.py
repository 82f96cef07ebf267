#!/usr/bin/env python3
"""How much colour do line-drawing cues carry across views? A learning-free ceiling test.

    python bench/line_cue_ceiling.py [--cases motorcycle graf aero china]

For each development case (``bench/cases.py``), a gradient-boosted regressor (scikit-learn,
a benchmark dependency) is fitted per Lab channel on 60,000 pixels of the *training* photo,
from cues a line drawing gives: ink density around the pixel at three scales, the distance to
the nearest line, the size and centroid height of the region closed by the lines (gaps of 2 px
bridged), optionally the (y, x) position, and depth where the case has it. It then predicts the
held-out view from the same cues of its Canny drawing (the ``lines`` task's input). Scores as
``bench/quality.py`` beside the mean-colour baseline. A network given the same drawings should
not be expected to beat this by much: it bounds what these cues say about colour.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from skimage.color import lab2rgb, rgb2lab  # noqa: E402

from bench.cases import CASES, canny_drawing, load_case  # noqa: E402
from preprocess.hints import line_regions  # noqa: E402
from utils.metrics import image_metrics, mean_colour_baseline  # noqa: E402

VARIANTS = {"density": (False, False), "density + regions": (True, False), "density + regions + position": (True, True)}


def cues(drawing: np.ndarray, depth, regions: bool, position: bool) -> np.ndarray:
    """(H * W, F) per-pixel cues of a line drawing (lines 0 on 1)."""
    h, w = drawing.shape
    ink = (drawing < 0.5).astype(np.float32)
    f = [cv2.GaussianBlur(ink, (0, 0), s * max(h, w) / 512) for s in (4, 16, 48)]
    f.append(np.minimum(cv2.distanceTransform((1 - ink).astype(np.uint8), cv2.DIST_L2, 3), 64) / 64)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if regions:
        labels = line_regions(drawing)
        count = np.bincount(labels.ravel())
        f.append(np.log(count[labels] / (h * w) + 1e-6))
        f.append((np.bincount(labels.ravel(), yy.ravel()) / np.maximum(count, 1))[labels] / h)
    if position:
        f += [yy / h, xx / w]
    if depth is not None:
        f.append(depth)
    return np.stack(f, -1).reshape(-1, len(f))


def main(argv=None) -> int:
    from sklearn.ensemble import HistGradientBoostingRegressor

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    a = p.parse_args(argv)
    print("| case | cues | PSNR dB | SSIM | dE00 |\n|---|---|---|---|---|")
    for name in a.cases:
        c = load_case(name)
        base = image_metrics(mean_colour_baseline(c.train_photo, c.test_photo.shape), c.test_photo)
        print(f"| {name} | mean-colour baseline | {base['psnr']:.2f} | {base['ssim']:.3f} | {base['delta_e00']:.2f} |")
        train_lab = rgb2lab(c.train_photo).reshape(-1, 3)
        for label, (regions, position) in VARIANTS.items():
            x = cues(canny_drawing(c.train_photo), c.train_depth, regions, position)
            xt = cues(canny_drawing(c.test_photo), c.test_depth, regions, position)
            pick = np.random.default_rng(0).choice(len(x), min(len(x), 60000), replace=False)
            lab = np.stack([HistGradientBoostingRegressor(max_iter=150, random_state=0)
                            .fit(x[pick], train_lab[pick, k]).predict(xt) for k in range(3)], -1)
            pred = np.clip(lab2rgb(lab.reshape(c.test_photo.shape)), 0, 1).astype(np.float32)
            m = image_metrics(pred, c.test_photo)
            print(f"| {name} | {label} | {m['psnr']:.2f} | {m['ssim']:.3f} | {m['delta_e00']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
