import numpy as np
import pytest
from scipy import ndimage
from skimage import data

from config.defaults import SketchConfig
from preprocess.sketch import SKETCH_METHODS, extract_sketch, remove_specks


@pytest.fixture(scope="module")
def photo():
    return data.astronaut()[::2, ::2].astype(np.float32) / 255.0  # a real photo, 256 x 256


@pytest.mark.parametrize("method", SKETCH_METHODS)
def test_lines_land_on_strong_gradients(photo, method):
    sketch = extract_sketch(photo, SketchConfig(method=method))
    assert sketch.shape == photo.shape[:2] and sketch.dtype == np.float32
    assert sketch.min() >= 0 and sketch.max() <= 1
    gray = photo.mean(axis=2)
    grad = np.hypot(ndimage.sobel(gray, 0), ndimage.sobel(gray, 1))
    ink = 1 - sketch
    strong = grad > np.percentile(grad, 90)                            # the photo's edges
    flat_bright = (grad < np.percentile(grad, 50)) & (gray > 0.5)      # plain light areas
    assert ink[strong].mean() > 0.4                                    # edges are drawn
    assert ink[flat_bright].mean() < 0.05                              # plain light areas stay paper
    assert 0.01 < ink.mean() < 0.6  # a drawing, neither blank nor black


def test_thickness_and_specks(photo):
    thin = extract_sketch(photo, SketchConfig(method="canny", thickness=1))
    thick = extract_sketch(photo, SketchConfig(method="canny", thickness=3))
    assert (1 - thick).sum() > 1.5 * (1 - thin).sum()
    lines = np.zeros((20, 20), bool)
    lines[2, 2] = True           # a speck
    lines[10, 2:15] = True       # a line
    cleaned = remove_specks(lines, 5)
    assert not cleaned[2, 2] and cleaned[10, 2:15].all()


def test_same_settings_same_sketch(photo):
    cfg = SketchConfig(method="xdog", blur_sigma=0.8)
    assert np.array_equal(extract_sketch(photo, cfg), extract_sketch(photo.copy(), cfg))


def test_exception(photo):
    with pytest.raises(ValueError, match="sketch method"):
        extract_sketch(photo, SketchConfig(method="pencil"))
