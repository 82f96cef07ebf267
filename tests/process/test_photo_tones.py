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
    assert tones.found is not None and tones.found.alignment.used and tones.curve is not None
    assert tones.found.share.shape == light.shape and tones.found.share.mean() > 0.8
    assert np.abs(tones.lightness - light).mean() < 0.01 < np.abs(contrasty - light).mean() / 5
    assert "tone curve" in tones.describe()
    # without alignment there is nothing to read the curve off: the contrasty print keeps its tones
    off = photo_tones(contrasty, ChromaDatabase(reference), reference, "off")
    assert off.found is None and off.curve is None and off.fade is None
    np.testing.assert_array_equal(off.lightness, contrasty)
    assert "alignment is off" in off.describe() and "its tones are kept" in off.describe()


def test_a_print_of_another_scene_is_read_by_its_levels_alone(reference):
    rng = np.random.default_rng(0)
    other = np.clip(0.5 + 0.2 * rng.standard_normal(reference.shape[:2]), 0, 1).astype(np.float32)
    tones = photo_tones(other, ChromaDatabase(reference), reference, "auto")
    assert tones.found is not None and not tones.found.alignment.used and tones.found.photo is None
    assert tones.curve is None and "does not line up" in tones.describe()


def test_a_render_reuses_the_alignment_found_only_for_the_same_input_and_mode(reference):
    """What --tones photo found is what reference alignment uses (the same result as aligning afresh
    for an untoned print), and it is refused for another mode or another input's shape."""
    from postprocess.reference_align import align_and_carry

    light = photo_lightness(reference)
    guess = np.full_like(reference, 0.5)
    tones = photo_tones(light, ChromaDatabase(reference), reference, "auto")
    reused, _ = align_and_carry(guess, reference, None, light, found=tones.found)
    afresh, _ = align_and_carry(guess, reference, None, light)
    assert np.abs(reused - afresh).max() < 1e-5
    with pytest.raises(ValueError, match="alignment found"):
        align_and_carry(guess, reference, None, light, mode="homography", found=tones.found)
    with pytest.raises(ValueError, match="alignment found"):
        align_and_carry(guess[:-1], reference, None, light[:-1], found=tones.found)


def test_an_unknown_align_mode_is_refused(reference):
    with pytest.raises(ValueError, match="align_mode"):
        photo_tones(photo_lightness(reference), ChromaDatabase(reference), reference, "sideways")
