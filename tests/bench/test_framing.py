"""The framing test's windows and crops (bench/framing.py)."""
import numpy as np
import pytest

from bench.framing import REFRAMED_WINDOWS, WINDOWS, crop_guides, framing_test, window_box
from models.inputs import Guides
from utils.metrics import image_metrics


@pytest.mark.parametrize("name, expected", [("top-left", (0, 70, 0, 140)), ("bottom-right", (30, 100, 60, 200)),
                                            ("centre", (15, 85, 30, 170)), ("bottom-left", (30, 100, 0, 140)),
                                            ("top-right", (0, 70, 60, 200))])
def test_window_box(name, expected):
    assert window_box((100, 200), name) == expected


def test_every_named_window_exists():
    for name in WINDOWS + tuple(REFRAMED_WINDOWS.values()):
        window_box((10, 10), name)
    with pytest.raises(ValueError, match="unknown window"):
        window_box((10, 10), "middle-left")


def test_crop_guides_cuts_every_guide_alike():
    rng = np.random.default_rng(0)
    g = Guides(sketch=rng.random((20, 30)), depth=rng.random((20, 30)), mask=rng.integers(0, 3, (20, 30)),
               luminance=rng.random((20, 30)), drawing=rng.random((20, 30)))
    box = window_box(g.shape, "bottom-right")
    c = crop_guides(g, box)
    assert c.shape == (14, 21)
    for name in ("sketch", "depth", "mask", "luminance", "drawing"):
        assert np.array_equal(getattr(c, name), getattr(g, name)[6:, 9:])
    with pytest.raises(ValueError, match="unmirrored"):
        crop_guides(g.mirror(), box)


def test_framing_test_reports_what_the_frame_moved():
    """A 'model' that colours by row position changes a window coloured alone; one that colours by
    content does not."""
    photo = np.random.default_rng(0).random((40, 40, 3)).astype(np.float32)
    guides = Guides(sketch=photo[..., 0].copy())
    by_content = lambda g: np.repeat(g.sketch[..., None], 3, axis=2)  # noqa: E731
    by_row = lambda g: np.repeat(np.linspace(0, 1, g.shape[0])[:, None, None], g.shape[1], axis=1).repeat(3, 2)  # noqa: E731
    for colour, moved in ((by_content, False), (by_row, True)):
        rows = framing_test(colour, guides, photo, colour(guides), image_metrics)
        assert [r["window"] for r in rows] == list(WINDOWS)
        assert any(abs(r["change_db"]) > 0.1 for r in rows) == moved
