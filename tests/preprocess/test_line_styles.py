import cv2
import numpy as np
import pytest
from skimage import data

from preprocess.line_styles import normalise_drawing, photo_line_drawing, random_line_drawing


@pytest.fixture(scope="module")
def photo():
    return data.astronaut()[::2, ::2].astype(np.float32) / 255.0  # a real photo, 256 x 256


def _stroke(width: int, darkness: float) -> np.ndarray:
    """A square outline drawn with ``width``-px strokes of ``darkness`` on white paper."""
    img = np.ones((80, 80), np.float32)
    cv2.rectangle(img, (20, 20), (60, 60), 1.0 - darkness, width)
    return img


def _is_thin(lines: np.ndarray) -> bool:
    """Lines one pixel wide: (almost) no 2 x 2 block is all line (thinning leaves a few at junctions)."""
    ink = lines < 0.5
    blocks = (ink[:-1, :-1] & ink[1:, :-1] & ink[:-1, 1:] & ink[1:, 1:]).sum()
    return blocks <= 0.005 * ink.sum()


def test_normalise_width_and_darkness_do_not_matter():
    thin_black = normalise_drawing(_stroke(1, 1.0))
    for width, darkness in [(3, 1.0), (5, 0.35), (2, 0.6)]:
        lines = normalise_drawing(_stroke(width, darkness))
        assert set(np.unique(lines)) <= {0.0, 1.0} and _is_thin(lines)
        # every centre line lies within a pixel of the 1-px black drawing's line
        dist = cv2.distanceTransform((thin_black > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
        assert dist[lines < 0.5].max() <= 1.5
        assert abs((lines < 0.5).sum() - (thin_black < 0.5).sum()) < 0.1 * (thin_black < 0.5).sum()


def test_normalise_blank_paper_has_no_lines():
    assert normalise_drawing(np.full((32, 32), 0.9, np.float32)).min() == 1.0


def test_photo_line_drawing_is_thin_and_on_edges(photo):
    lines = photo_line_drawing(photo)
    assert lines.shape == photo.shape[:2] and lines.dtype == np.float32 and _is_thin(lines)
    gray = photo.mean(axis=2)
    grad = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    assert grad[lines < 0.5].mean() > 3 * grad.mean()
    assert np.array_equal(lines, photo_line_drawing(photo))


def test_random_styles_vary_and_stay_on_the_drawing(photo):
    rng = np.random.default_rng(0)
    canonical = photo_line_drawing(photo) < 0.5
    near = cv2.distanceTransform((~canonical).astype(np.uint8), cv2.DIST_L2, 3)
    draws = [random_line_drawing(photo, rng) for _ in range(6)]
    for d in draws:
        assert d.shape == photo.shape[:2] and _is_thin(d)
        ink = d < 0.5
        assert 0.002 < ink.mean() < 0.3
        assert np.median(near[ink]) <= 4  # lines of the same scene, displaced by a few px at most
    assert len({d.tobytes() for d in draws}) == len(draws)


def test_normalise_keeps_the_lines_of_a_sparse_drawing():
    """A large drawing with very few lines (a CAD export) is not mistaken for blank paper."""
    d = np.ones((1000, 1000), np.float32)
    d[100, :] = 0.0
    d[:, 500] = 0.3
    lines = normalise_drawing(d) < 0.5
    assert lines.sum() >= 1990 and lines[100].all() and lines[:, 500].all()
