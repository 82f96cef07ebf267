import cv2
import numpy as np
import pytest

from data.print_ageing import (PRINT_RECIPES, age_print, dust, halftone, jpeg, random_print, scratches,
                                     tone_curve, tone_print)
from process.guides import lightness_of
from utils.errors import InputError


def _lightness(h=64, w=80, seed=0):
    """A smooth random scene, L* / 100 in [0.1, 0.9]."""
    rng = np.random.default_rng(seed)
    L = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 3)
    return (0.1 + 0.8 * (L - L.min()) / (L.max() - L.min())).astype(np.float32)


@pytest.mark.parametrize("recipe", list(PRINT_RECIPES))
def test_recipe_is_deterministic_with_its_seed_and_keeps_the_range(recipe):
    L = _lightness()
    aged, mask = age_print(L, recipe)
    again, mask_again = age_print(L, recipe)
    assert np.array_equal(aged, again) and np.array_equal(mask, mask_again)
    assert aged.shape == L.shape and aged.dtype == np.float32 and mask.dtype == bool
    assert aged.min() >= 0 and aged.max() <= 1
    assert np.abs(aged - L).mean() > 0.01          # it did age the print
    assert np.array_equal(L, _lightness())          # and left the input alone


@pytest.mark.parametrize("recipe", ["damaged", "worn-scan"])
def test_damage_mask_is_where_dust_and_scratches_were_drawn(recipe):
    L = _lightness(96, 96)
    aged, mask = age_print(L, recipe)
    clean, none = age_print(L, recipe, damage=False)   # the same print without its damage
    assert mask.any() and not none.any()
    assert (np.abs(aged - clean)[mask] > 0.1).mean() > 0.3  # the damage is there, and visible
    if recipe == "damaged":                              # no JPEG after the damage: nothing else differs
        assert np.array_equal(aged[~mask], clean[~mask])


def test_dust_and_scratch_masks_are_exactly_the_pixels_they_changed(rng):
    card = np.full((64, 64), 0.5, np.float32)
    specked, specks = dust(card, rng, 20)
    scratched, lines = scratches(card, rng, 3)
    assert specks.any() and lines.any()
    assert np.array_equal(specked != card, specks)
    assert np.array_equal(scratched != card, lines)


def test_unknown_recipe_is_refused_with_the_valid_ones():
    with pytest.raises(InputError, match="newspaper-halftone"):
        age_print(_lightness(), "sepia-ish")


def test_random_print_varies_per_draw_and_is_reproducible():
    L = _lightness(48, 40)
    draws = [random_print(L, np.random.default_rng(seed)) for seed in range(12)]
    assert all(d.shape == L.shape and d.dtype == np.float32 and 0 <= d.min() and d.max() <= 1 for d in draws)
    assert np.array_equal(draws[3], random_print(L, np.random.default_rng(3)))
    assert len({d.tobytes() for d in draws}) == len(draws)


def test_halftone_is_tone_exact_and_a_screen():
    card = np.full((60, 60), 0.3, np.float32)
    screened = halftone(card, period=5.0, angle_deg=45.0)
    assert abs(screened.mean() - 0.3) < 0.02
    assert ((screened < 0.05) | (screened > 0.95)).mean() > 0.5   # mostly ink or paper


def test_tone_curve_and_jpeg():
    L = np.linspace(0, 1, 101, dtype=np.float32)[None].repeat(8, 0)
    faded = tone_curve(L, black=0.2, white=0.8)
    assert np.isclose(faded.min(), 0.2) and np.isclose(faded.max(), 0.8)
    contrasty = tone_curve(L, contrast=1.0)
    assert contrasty[0, 25] < L[0, 25] and contrasty[0, 75] > L[0, 75] and contrasty[0, 50] == pytest.approx(0.5)
    assert np.abs(jpeg(L, 90) - L).mean() < 0.02
    with pytest.raises(ValueError, match="black < white"):
        tone_curve(L, black=0.9, white=0.1)


@pytest.mark.parametrize("kind, sign", [("sepia", 1), ("cyanotype", -1)])
def test_toned_print_is_read_through_its_lightness(kind, sign):
    L = _lightness()
    rgb = tone_print(L, kind)
    assert rgb.shape == L.shape + (3,) and rgb.min() >= 0 and rgb.max() <= 1
    assert np.abs(lightness_of(rgb) - L).max() < 0.005   # what a black-and-white model reads of a toned scan
    tint = rgb[..., 2] - rgb[..., 0]                       # blue minus red: cool toning > 0, warm < 0
    assert (np.sign(tint[L > 0.3]) == -sign).mean() > 0.95


def test_random_damaged_print_always_has_damage_and_says_where():
    """What a damage detector learns from: dust and scratches on every draw, marked in the mask, the
    same for the same seed."""
    from data.print_ageing import random_damaged_print

    L = _lightness(96, 80)
    for seed in range(8):
        aged, mask = random_damaged_print(L, np.random.default_rng(seed))
        assert aged.shape == L.shape and mask.dtype == bool and mask.any()
        again, same = random_damaged_print(L, np.random.default_rng(seed))
        assert np.array_equal(aged, again) and np.array_equal(mask, same)
