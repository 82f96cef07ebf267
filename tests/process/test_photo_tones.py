"""--tones photo's reading of a print (process/print_tones.py): the tone curve where it lines up with
the training photo, the levels elsewhere."""
import numpy as np
import pytest

from data.print_ageing import tone_curve
from postprocess.chroma_transfer import ChromaDatabase
from postprocess.reference_align import reference_image
from process.print_tones import photo_tones
from utils.cielab import photo_lightness


@pytest.fixture(scope="module")
def reference():
    from data.samples import stereo_motorcycle_views
    left, _ = stereo_motorcycle_views()
    return reference_image(left.photo[100:340, 200:520]).astype(np.float32) / 255.0


def test_a_contrasty_print_that_lines_up_gets_the_photo_s_tones(reference):
    light = photo_lightness(reference)
    contrasty = tone_curve(light, contrast=0.7)
    tones = photo_tones(contrasty, ChromaDatabase(reference), reference, "auto")
    assert tones.found is not None and tones.found[0].used and tones.curve is not None
    assert np.abs(tones.lightness - light).mean() < 0.01 < np.abs(contrasty - light).mean() / 5
    assert "tone curve" in tones.describe()
    # without alignment there is nothing to read the curve off: the contrasty print keeps its tones
    off = photo_tones(contrasty, ChromaDatabase(reference), reference, "off")
    assert off.found is None and off.curve is None and off.fade is None
    np.testing.assert_array_equal(off.lightness, contrasty)
    assert "its tones are kept" in off.describe()


def test_a_print_of_another_scene_is_read_by_its_levels_alone(reference):
    rng = np.random.default_rng(0)
    other = np.clip(0.5 + 0.2 * rng.standard_normal(reference.shape[:2]), 0, 1).astype(np.float32)
    tones = photo_tones(other, ChromaDatabase(reference), reference, "auto")
    assert tones.found is not None and not tones.found[0].used and tones.found[1] is None
    assert tones.curve is None


def test_an_unknown_align_mode_is_refused(reference):
    with pytest.raises(ValueError, match="align_mode"):
        photo_tones(photo_lightness(reference), ChromaDatabase(reference), reference, "sideways")
