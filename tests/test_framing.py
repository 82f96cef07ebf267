"""Colour follows what a thing is, not where the frame puts it: a tiny model trained on a
coloured square near the top of its photo colours the same square alike at the top and at
the bottom of a new view."""
import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

import train
from config.defaults import SketchConfig, train_config
from models.checkpoint import load_model
from process.guides import GuideSources, guides_from_photo
from process.inference import colorize
from tests.test_lines_and_bw import TINY_SCHEDULE
from utils.cli import run_cli
from utils.image_io import write_image

SQUARE, GROUND = np.array([0.85, 0.2, 0.15], np.float32), np.array([0.3, 0.55, 0.8], np.float32)
N, SIDE = 96, 28


def _square_photo(top: int) -> np.ndarray:
    """A red square of side SIDE at row ``top``, centred across, on a plain blue ground."""
    photo = np.broadcast_to(GROUND, (N, N, 3)).copy()
    left = (N - SIDE) // 2
    photo[top:top + SIDE, left:left + SIDE] = SQUARE
    return photo


def _square_colour(rgb: np.ndarray, top: int) -> np.ndarray:
    """Mean Lab colour inside the square, 6 px clear of its outline."""
    left = (N - SIDE) // 2
    return rgb2lab(rgb[top + 6:top + SIDE - 6, left + 6:left + SIDE - 6]).reshape(-1, 3).mean(0)


def test_the_default_model_reads_no_position():
    """Every task's default model colours by content (issue 27); tiling still places the attention."""
    for method in ("xdog", "lines"):
        cfg = train_config("default", sketch={"method": method})
        assert not cfg.model.position and cfg.augment.position_jitter == 0
    assert not train_config("default", model={"use_luminance": True, "color_space": "lab"}).model.position


@pytest.fixture(scope="module")
def square_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("square_run")
    write_image(out / "photo.png", _square_photo(top=10))
    args = ["--image", str(out / "photo.png"), "--out", str(out / "run"), "--epochs1", "10",
            "--steps-per-epoch", "25", "--epochs2", "2", "--steps2-per-epoch", "5",
            "--metrics-log", str(out / "training.log"), "--seed", "0"] + TINY_SCHEDULE
    args[args.index("--patch-size") + 1] = "48"
    assert run_cli(train.main, args) == 0
    return out / "run"


def test_a_square_is_coloured_alike_at_the_top_and_at_the_bottom(square_run):
    model, _ = load_model(square_run)
    none = GuideSources(depth="none", mask="none")
    colours = {}
    for top in (10, N - SIDE - 10):
        guides = guides_from_photo(_square_photo(top), SketchConfig(), none)
        colours[top] = _square_colour(colorize(model, guides), top)
    (a, b) = colours.values()
    assert float(deltaE_ciede2000(a, b)) <= 3.0, colours
    # and the colour is the square's, not the ground's
    red, blue = rgb2lab(SQUARE[None, None])[0, 0], rgb2lab(GROUND[None, None])[0, 0]
    assert all(np.linalg.norm(c - red) < np.linalg.norm(c - blue) for c in colours.values()), colours
