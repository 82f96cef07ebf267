"""Line sketches from photos with OpenCV.

Three extractors, all returning dark lines on white as (H, W) float32 in [0, 1], the
size of the photo:

- ``canny``: Canny edges with thresholds set from the median intensity
  (0.66 x and 1.33 x the median, the usual automatic rule), on a Gaussian-blurred image;
- ``xdog``: eXtended Difference of Gaussians (Winnemoeller et al., 2012), soft ink-like lines;
- ``adaptive``: adaptive mean threshold of the blurred image (dark strokes of drawings);
- ``lines``: pure 1-px line drawings (``preprocess/line_styles.py``): the canonical Canny
  drawing of a photo; a ``lines`` model trains on many line styles and reads any drawing
  after :func:`preprocess.line_styles.normalise_drawing`.

Lines are then thickened (``thickness`` px) and specks smaller than ``min_area`` pixels
removed. Training and inference call :func:`extract_sketch` with the same
:class:`config.defaults.SketchConfig`, stored in every run's ``config.json``.
"""
from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run by path (python preprocess/sketch.py): import from the repo root, not preprocess/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from config.defaults import SketchConfig  # noqa: E402
from preprocess.line_styles import canny_edges, gray_u8, normalise_drawing, photo_line_drawing  # noqa: E402

SKETCH_METHODS = ("canny", "xdog", "adaptive", "lines")


def _blur(gray: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(gray, (0, 0), sigma) if sigma > 0 else gray


def xdog_lines(gray: np.ndarray, sigma: float, k: float = 1.6, p: float = 20.0, eps: float = 0.4,
               phi: float = 12.0) -> np.ndarray:
    """Soft line darkness in [0, 1] (1 = full ink) from XDoG in its sharpening form
    (Winnemoeller et al., 2012, eq. 7): S = (1 + p) G_sigma - p G_k.sigma, ink where S < eps,
    with a tanh ramp of steepness ``phi``. Dark areas get soft hatching-like tone."""
    g = gray.astype(np.float32) / 255.0
    s = max(sigma, 0.3)
    sharp = (1 + p) * cv2.GaussianBlur(g, (0, 0), s) - p * cv2.GaussianBlur(g, (0, 0), s * k)
    white = np.where(sharp >= eps, 1.0, 1.0 + np.tanh(phi * (sharp - eps)))
    return np.clip(1.0 - white, 0.0, 1.0).astype(np.float32)


def adaptive_lines(gray: np.ndarray, sigma: float, block: int = 15, c: int = 6) -> np.ndarray:
    g = _blur(gray, sigma)
    block = max(3, block | 1)
    th = cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, c)
    return th == 0


def remove_specks(lines: np.ndarray, min_area: int) -> np.ndarray:
    """Drop connected line fragments with fewer than ``min_area`` pixels (bool mask in, bool out)."""
    if min_area <= 1:
        return lines
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    return keep[labels]


def thicken(darkness: np.ndarray, thickness: int) -> np.ndarray:
    if thickness <= 1:
        return darkness
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness))
    return cv2.dilate(darkness, kernel)


def extract_sketch(photo: np.ndarray, cfg: SketchConfig | None = None) -> np.ndarray:
    """Photo (H, W, 3) or (H, W) in [0, 1] -> sketch (H, W) float32, lines 0 on white 1."""
    cfg = cfg or SketchConfig()
    if cfg.method not in SKETCH_METHODS:
        raise ValueError(f"sketch method must be one of {SKETCH_METHODS}, got {cfg.method!r}")
    if cfg.method == "lines":
        return photo_line_drawing(photo, cfg.blur_sigma)
    gray = gray_u8(photo)
    if cfg.method == "canny":
        dark = remove_specks(canny_edges(gray, cfg.blur_sigma), cfg.min_area).astype(np.float32)
    elif cfg.method == "adaptive":
        dark = remove_specks(adaptive_lines(gray, cfg.blur_sigma), cfg.min_area).astype(np.float32)
    else:
        soft = xdog_lines(gray, cfg.blur_sigma)
        dark = soft * remove_specks(soft > 0.5, cfg.min_area)
    dark = thicken(dark.astype(np.float32), cfg.thickness)
    return (1.0 - dark).astype(np.float32)


def prepare_drawing(drawing: np.ndarray, cfg: SketchConfig | None = None) -> np.ndarray:
    """A drawing given by the user, as the network of a run with sketch settings ``cfg`` reads it:
    ``lines`` models reduce it to 1-px centre lines (any darkness or width); others take it as it is."""
    if cfg is not None and cfg.method == "lines":
        return normalise_drawing(drawing)
    return drawing


def main(argv=None) -> int:
    """``python preprocess/sketch.py PHOTO --out SKETCH.png [--method M]``; with ``--drawing``,
    the input is a drawing, written as a ``lines`` model reads it (1-px centre lines)."""
    from config.validation import check_range
    from utils.cli import ArgumentParser
    from utils.image_io import (IMAGE_FORMATS, check_not_input, check_suffix, check_writable, read_gray, read_photo,
                                write_image)

    p = ArgumentParser(prog="python preprocess/sketch.py", description=__doc__.split("\n\n")[0])
    p.add_argument("image", help="photo (or, with --drawing, a line drawing)")
    p.add_argument("--out", required=True, help="output PNG, dark lines on white")
    p.add_argument("--method", default=SketchConfig.method, choices=SKETCH_METHODS)
    p.add_argument("--thickness", type=int, default=SketchConfig.thickness, help="line thickness, px (1 to 32)")
    p.add_argument("--drawing", action="store_true", help="normalise a line drawing instead of drawing a photo")
    a = p.parse_args(argv)
    check_range("sketch", "thickness", a.thickness, "--thickness")
    check_suffix(a.out, IMAGE_FORMATS)
    check_not_input(a.out, [a.image])
    check_writable(a.out)
    if a.drawing:
        sketch = normalise_drawing(read_gray(a.image))
    else:
        sketch = extract_sketch(read_photo(a.image), SketchConfig(method=a.method, thickness=a.thickness))
    print(f"wrote {write_image(a.out, sketch)}")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
