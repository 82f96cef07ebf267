"""Development cases and held-out tasks of the quality benchmark (``bench/quality.py``).

A *case* is one scene: a training photo (with depth where the scene has it) and a held-out
test view. A *task* says what the model is trained for and what it is given of the test view:

=======  ============================================  ==============================================
task     training                                      held-out input
=======  ============================================  ==============================================
sketch   the run's photo-derived sketch (XDoG ink)     the test photo's sketch, same settings
lines    ``--sketch-method lines`` (random line        Canny edges of the test photo, 1-px, white
         styles)                                       background (``hand`` row: thick, wobbly,
                                                       grey, broken strokes of the same edges)
bw       ``--luminance`` (Lab, predicts a*, b*;        the test photo's black-and-white version
         half the patches aged like old prints)        (grey with the photo's own L*), and the same
                                                       aged by each recipe of ``PRINT_RECIPES``
                                                       (``aged`` rows)
=======  ============================================  ==============================================

Baselines, free of learning (``utils/metrics.py``): every pixel = the training photo's mean colour; for ``bw``
also the input's own L* (the aged print's, for an aged row) with the training photo's mean a*, b*.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from config.defaults import BLACK_AND_WHITE, SketchConfig
from data.samples import stereo_motorcycle_views
from models.inputs import Guides
from preprocess.line_styles import canny_edges, gray_u8
from data.print_ageing import PRINT_RECIPES, age_print
from process.guides import GuideSources, guides_from_photo, guides_from_sketch
from utils.image_io import read_photo
from utils.cielab import lightness_to_gray, photo_lightness

CASES_DIR = Path(__file__).resolve().parent / "cases"
# china-rows is china framed unlike its training photo (bench/framing.py: the re-framed splits).
CASES = ("motorcycle", "graf", "aero", "china", "china-rows")
TASKS = ("sketch", "lines", "bw")


@dataclass
class Case:
    name: str
    train_photo: np.ndarray             # (H, W, 3) RGB in [0, 1]
    test_photo: np.ndarray
    train_depth: np.ndarray | None = None
    test_depth: np.ndarray | None = None
    source: str = ""


def add_cases_flag(p, default: str = "all") -> None:
    """A benchmark's ``--cases`` flag: any of :data:`CASES`, or all (:func:`chosen_cases` reads it)."""
    p.add_argument("--cases", nargs="+", default=[default], help=f"any of {list(CASES)}, or all")


def chosen_cases(p, names: list[str]) -> list[str]:
    """The cases ``--cases`` names (``all``: every one of :data:`CASES`); an unknown one is refused
    with ``p.error`` (one line, exit 2)."""
    if "all" in names:
        return list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        p.error(f"--cases: unknown {', '.join(unknown)}; choose from {', '.join(CASES)}, or all")
    return names


def kept_training_photo(case: Case) -> np.ndarray:
    """``case``'s training photo as a checkpoint keeps it (``reference_image``: 8-bit, its long side
    capped), (H, W, 3) float32 in [0, 1]: what ``process.py`` takes colours, tones and a damage
    detector from."""
    from postprocess.reference_align import reference_image

    return reference_image(case.train_photo).astype(np.float32) / 255.0


def load_case(name: str) -> Case:
    if name == "motorcycle":
        left, right = stereo_motorcycle_views()
        return Case(name, left.photo, right.photo, left.depth, right.depth,
                    "skimage.data.stereo_motorcycle: left view -> right view, ground-truth depth")
    if name in ("china", "china-rows"):
        from sklearn.datasets import load_sample_image  # benchmark dependency only

        img = load_sample_image("china.jpg").astype(np.float32) / 255.0
        if name == "china-rows":  # the test view lies below the training view: framed unlike it
            cut = int(round(img.shape[0] * 0.6))
            return Case(name, np.ascontiguousarray(img[:cut]), np.ascontiguousarray(img[cut:]),
                        source="sklearn china.jpg: top 60 % -> bottom 40 %, no depth")
        cut = int(round(img.shape[1] * 0.6))
        return Case(name, np.ascontiguousarray(img[:, :cut]), np.ascontiguousarray(img[:, cut:]),
                    source="sklearn china.jpg: left 60 % -> right 40 %, no depth")
    if name in ("graf", "aero"):
        folder = CASES_DIR / name
        return Case(name, read_photo(folder / "train.png"), read_photo(folder / "test.png"),
                    source=f"bench/cases/{name}: train.png -> test.png, no depth")
    raise ValueError(f"unknown case {name!r}; choose from {CASES}")


def task_overrides(task: str) -> dict:
    """Config overrides that train a model for ``task``."""
    if task == "sketch":
        return {}
    if task == "lines":
        return {"sketch": {"method": "lines"}}
    if task == "bw":
        return copy.deepcopy(BLACK_AND_WHITE)  # as train.py --luminance: Lab, half the patches aged like old prints
    raise ValueError(f"unknown task {task!r}; choose from {TASKS}")


def canny_drawing(photo: np.ndarray) -> np.ndarray:
    """The held-out line drawing: OpenCV Canny edges (automatic thresholds, sigma 1), 1-px
    black lines on white, (H, W) float32."""
    return np.where(canny_edges(gray_u8(photo), 1.0), 0.0, 1.0).astype(np.float32)


def _wobble(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    coarse = rng.normal(0, 1.5, size=(2, max(2, h // 32), max(2, w // 32))).astype(np.float32)
    dy, dx = (cv2.resize(c, (w, h), interpolation=cv2.INTER_CUBIC) for c in coarse)
    return dy, dx


def hand_drawn_wobble(shape: tuple[int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(dy, dx), each (h, w) px: :func:`hand_drawn`'s pixel (x, y) shows the drawing at (x + dx, y + dy)."""
    return _wobble(np.random.default_rng(seed), *shape)


def moved_by_wobble(image: np.ndarray, seed: int = 0) -> np.ndarray:
    """``image`` moved as :func:`hand_drawn` moves a drawing of its size: what a hand-drawn copy shows where."""
    h, w = image.shape[:2]
    dy, dx = hand_drawn_wobble((h, w), seed)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(image, xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)


def hand_drawn(drawing: np.ndarray, seed: int = 0) -> np.ndarray:
    """The same drawing as a person with a soft pencil might make it: 3-px grey strokes
    (darkness 0.55), wobbling by about 1.5 px, with gaps."""
    rng = np.random.default_rng(seed)
    h, w = drawing.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    dy, dx = _wobble(rng, h, w)
    ink = cv2.remap(1.0 - drawing, xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    gaps = cv2.resize(rng.random((max(2, h // 12), max(2, w // 12))).astype(np.float32), (w, h)) > 0.15
    ink = np.clip(ink, 0, 1) * gaps * 0.55
    return (1.0 - ink).astype(np.float32)


def black_and_white(photo: np.ndarray) -> np.ndarray:
    """The photo's black-and-white version: grey (H, W, 3) with the photo's own L*."""
    gray = lightness_to_gray(photo_lightness(photo))
    return np.repeat(gray[..., None], 3, axis=2)


def test_inputs(case: Case, task: str, sketch_cfg: SketchConfig) -> dict[str, Guides]:
    """The held-out input(s) of ``task``: {row suffix: guides}, built as ``process.py`` builds them."""
    depth = case.test_depth

    def with_depth(g: Guides) -> Guides:
        g.depth = depth
        return g

    none = GuideSources(depth="none", mask="none")
    if task == "sketch":
        return {"": with_depth(guides_from_photo(case.test_photo, sketch_cfg, none))}
    if task == "lines":
        drawing = canny_drawing(case.test_photo)
        return {"": with_depth(guides_from_sketch(drawing, none, sketch_cfg)),
                " (hand-drawn)": with_depth(guides_from_sketch(hand_drawn(drawing), none, sketch_cfg))}
    if task == "bw":  # the clean black-and-white view, and the same view aged by each print recipe
        inputs = {"": black_and_white(case.test_photo)}
        for recipe in PRINT_RECIPES:
            inputs[aged_suffix(recipe)] = aged_print(case.test_photo, recipe)
        return {s: with_depth(guides_from_photo(grey, sketch_cfg, none, luminance=True)) for s, grey in inputs.items()}
    raise ValueError(f"unknown task {task!r}")


def aged_suffix(recipe: str) -> str:
    """The row suffix of the held-out view aged by ``recipe``."""
    return f" (aged: {recipe})"


def aged_print(photo: np.ndarray, recipe: str, damage: bool = True) -> np.ndarray:
    """The photo's black-and-white version aged like an old print by the named recipe
    (``data/print_ageing.PRINT_RECIPES``), as a grey (H, W, 3) image, the file a restorer
    would scan; ``damage`` False: the same print without its dust and scratches."""
    aged, _ = age_print(photo_lightness(photo), recipe, damage)
    gray = lightness_to_gray(aged)
    return np.repeat(gray[..., None], 3, axis=2)
