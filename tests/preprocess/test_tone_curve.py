"""An old print's tone curve read where it lines up with the training photo (preprocess/tone_curve.py)."""
import numpy as np
import pytest

from data.print_ageing import tone_curve
from preprocess.tone_curve import MIN_PIXELS, fit_tone_curve


def _scene(n: int = 160, seed: int = 0) -> np.ndarray:
    """A photo's L* / 100 with every tone from deep shadow to highlight: a gradient with texture."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.03, 0.97, n, dtype=np.float32)[None, :].repeat(n, 0)
    return np.clip(ramp + rng.normal(0, 0.02, (n, n)).astype(np.float32), 0, 1)


def test_a_contrasty_print_s_curve_is_read_back_and_undone():
    photo = _scene()
    contrasty = tone_curve(photo, contrast=0.7)
    curve = fit_tone_curve(contrasty, photo, np.ones_like(photo), levels=contrasty)
    assert curve is not None and curve.explains_better
    back = curve.apply(contrasty)
    assert np.abs(back - photo).mean() < 0.01 and np.abs(back - photo).max() < 0.05
    assert curve.rms < curve.levels_rms / 3


def test_no_curve_where_the_levels_already_read_the_print():
    photo = _scene()
    assert not fit_tone_curve(photo, photo, np.ones_like(photo), levels=photo).explains_better   # a clean copy
    faded = tone_curve(photo, black=0.25, white=0.75)
    stretched = (faded - 0.25) / 0.5                                                     # the levels undo a fade
    assert not fit_tone_curve(faded, photo, np.ones_like(photo), levels=stretched).explains_better


def test_a_curve_that_explains_little_more_than_the_levels_is_not_used():
    """A print a little off the photo's tones plus grain: the curve explains some of the difference
    but not a third of it, or less than 1 L*: the levels' reading stays."""
    photo = _scene()
    rng = np.random.default_rng(2)
    grainy = np.clip(tone_curve(photo, gamma=1.1) + rng.normal(0, 0.04, photo.shape), 0, 1).astype(np.float32)
    curve = fit_tone_curve(grainy, photo, np.ones_like(photo), levels=grainy)
    assert curve is not None and curve.rms < curve.levels_rms and not curve.explains_better
    slight = tone_curve(photo, gamma=1.02)                                           # a third explained, but < 1 L*
    curve = fit_tone_curve(slight, photo, np.ones_like(photo), levels=slight)
    assert curve.rms < curve.levels_rms / 3 and curve.levels_rms - curve.rms < 0.01 and not curve.explains_better


def test_no_tone_range_is_flattened_where_the_photo_is_clipped():
    """The photo's shadows crushed and highlights blown, the print's not: the curve still rises through
    them, so the print's own detail there survives."""
    photo = _scene()
    clipped = np.clip((photo - 0.2) / 0.6, 0, 1).astype(np.float32)
    curve = fit_tone_curve(photo, clipped, np.ones_like(photo), levels=photo)
    out = curve.apply(np.linspace(0, 1, 1001, dtype=np.float32))
    assert np.all(np.diff(out) > 0) and out[0] == 0 and out[-1] == 1


def test_non_finite_lightness_is_refused():
    photo = _scene()
    bad = photo.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fit_tone_curve(bad, photo, np.ones_like(photo), levels=photo)


def test_no_curve_from_too_little_of_the_scene():
    photo = _scene()
    contrasty = tone_curve(photo, contrast=0.7)
    share = np.zeros_like(photo)
    share.flat[:MIN_PIXELS - 1] = 1.0
    assert fit_tone_curve(contrasty, photo, share, levels=contrasty) is None
    share[:] = 0.9                                                                       # only feathered border
    assert fit_tone_curve(contrasty, photo, share, levels=contrasty) is None


def test_the_curve_rises_everywhere_and_keeps_black_and_white():
    """No tone range is flattened, even where the photo's medians dip (noise, misalignment), and
    the print's own black and white stay black and white."""
    photo = _scene()
    rng = np.random.default_rng(1)
    noisy = np.clip(photo + rng.normal(0, 0.15, photo.shape).astype(np.float32), 0, 1)  # a poor match
    harsh = tone_curve(photo, gamma=2.0)
    curve = fit_tone_curve(harsh, noisy, np.ones_like(photo), levels=harsh)
    assert curve is not None
    grid = np.linspace(0, 1, 1001, dtype=np.float32)
    out = curve.apply(grid)
    assert np.all(np.diff(out) > 0)
    assert out[0] == 0 and out[-1] == 1


def test_inputs_of_different_shapes_are_refused():
    photo = _scene()
    with pytest.raises(ValueError, match="shapes differ"):
        fit_tone_curve(photo, photo[:-1], np.ones_like(photo), levels=photo)
