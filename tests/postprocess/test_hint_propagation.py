"""Colour hints on a black-and-white photo, carried along its lightness (postprocess/hint_propagation.py)."""
import numpy as np
import pytest
from skimage.color import rgb2lab

from preprocess.hints import Hint
from postprocess import hint_propagation
from postprocess.hint_fill import fill_hints
from postprocess.hint_propagation import DECAY, carry_along_lightness, hint_dots


def _dot(shape, x, y, radius=2):
    return hint_dots([Hint([(float(x), float(y))], (1.0, 0.0, 0.0), radius)], shape)


def test_a_hint_fades_with_distance_on_even_lightness():
    lightness = np.full((120, 240), 0.5, np.float32)
    dots = _dot(lightness.shape, 60, 60)
    carried, weight = carry_along_lightness(lightness, dots, np.full((120, 240, 1), 7.0, np.float32))
    assert np.all(weight[dots > 0] == 1.0)
    row = weight[60, 60:]
    assert np.all(np.diff(row) <= 1e-6) and row[3 * DECAY] < 0.15 * row[DECAY // 2]  # falls off along the row
    assert np.allclose(carried[weight > 1e-6], 7.0, atol=1e-3)                     # one hint: its value wherever it reaches
    assert abs(weight[60, 80] - weight[40, 60]) < 0.03                             # the same every way (20 px)


def test_an_edge_in_lightness_stops_a_hint():
    lightness = np.full((60, 120), 0.3, np.float32)
    lightness[:, 60:] = 0.7                                                         # a step at x = 60
    _, weight = carry_along_lightness(lightness, _dot(lightness.shape, 50, 30), np.zeros((60, 120, 1), np.float32))
    assert weight[30, 58] > 20 * weight[30, 62]                                     # 4 px apart, either side of it
    assert weight[30, 40] > weight[30, 62]                                          # 10 px on its side beats 12 across


def test_two_hints_blend_and_each_keeps_its_own_value_on_its_dot():
    lightness = np.full((40, 200), 0.5, np.float32)
    dots = hint_dots([Hint([(20.0, 20.0)], (1, 0, 0), 2), Hint([(180.0, 20.0)], (0, 0, 1), 2)], lightness.shape)
    values = np.where(dots[..., None] == 1, 10.0, -10.0).astype(np.float32)
    carried, _ = carry_along_lightness(lightness, dots, values)
    assert carried[20, 20, 0] == 10.0 and carried[20, 180, 0] == -10.0
    assert abs(carried[20, 100, 0]) < 0.5                                           # halfway: an even blend
    assert np.all(np.diff(carried[20, 25:175, 0]) < 1e-4)                           # from one to the other


def test_a_large_picture_is_solved_small_much_as_at_full_size(monkeypatch):
    h, w = 120, 200
    lightness = np.full((h, w), 0.3, np.float32)
    lightness[:, 110:] = 0.7                                                        # a step at x = 110
    dots = _dot((h, w), 100, 60, radius=1)                                          # 3 px: smaller than a solved pixel
    values = np.full((h, w, 2), 3.0, np.float32)
    full_carried, full = carry_along_lightness(lightness, dots, values)
    monkeypatch.setattr(hint_propagation, "MAX_PIXELS", 6_000)                      # solved at a quarter of the pixels
    carried, weight = carry_along_lightness(lightness, dots, values)
    assert carried.shape == (h, w, 2) and weight.shape == (h, w)
    assert np.all(weight[dots > 0] == 1.0) and np.all(carried[dots > 0] == 3.0)
    assert np.abs(weight - full).max() < 0.1                                        # the same fall-off (decay rescaled)
    assert abs(int((weight >= 0.5).sum()) - int((full >= 0.5).sum())) <= 0.5 * (full >= 0.5).sum()
    assert weight[:, 113:].max() < 0.02 and full[:, 113:].max() < 0.02              # past the edge: stopped, not smeared
    assert np.allclose(carried[weight > 0.01], 3.0, atol=0.05)


def test_a_failed_solve_is_an_error_not_a_silent_no_op():
    lightness = np.full((20, 20), 0.5, np.float32)
    lightness[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        carry_along_lightness(lightness, _dot((20, 20), 10, 10), np.zeros((20, 20, 1), np.float32))


def test_a_black_and_white_photo_keeps_its_lightness_and_takes_the_hint_around_it():
    h, w = 50, 400
    shade = np.linspace(0.35, 0.55, w, dtype=np.float32)[None].repeat(h, 0)       # a smooth wall
    rgb = np.repeat(shade[..., None], 3, axis=2)
    lightness = (rgb2lab(rgb)[..., 0] / 100).astype(np.float32)
    blue = (0.1, 0.3, 0.9)
    out = fill_hints(rgb, [Hint([(20.0, 25.0)], blue, 3)], np.ones((h, w), np.float32), lightness)
    assert np.abs(rgb2lab(out)[..., 0] / 100 - lightness).max() < 0.005            # L* kept
    b_star = rgb2lab(out)[..., 2]
    assert b_star[25, 20] < -40 and b_star[25, 30] < -30                            # blue on and around the dot
    assert np.array_equal(out[:, 350:], rgb[:, 350:])                               # beyond its reach: as it was
