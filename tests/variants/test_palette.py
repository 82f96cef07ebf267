"""variants/palette.py: the smooth palette transfer (Chang et al. 2015), posterisation, and the scores."""
import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from config.color_palettes import PALETTES, Palette, extract_palette
from variants.palette import (SmoothTransfer, apply_posterize, apply_regions, apply_smooth, floor_fraction,
                             gradient_correlation, lightness_curve, match_palettes, palette_delta_e00, rbf_weights,
                             smooth_variant, structure_kept, transfer_lab)
from utils.cielab import gamut_map, in_gamut
from utils.errors import InputError


def lab_image(lab: np.ndarray) -> np.ndarray:
    return np.clip(lab2rgb(lab), 0, 1).astype(np.float32)


def gradient_image(size: int = 96) -> np.ndarray:
    """Smooth colour gradients with soft shading and one sharp vertical edge."""
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1.0)
    lab = np.stack([30 + 45 * yy + 8 * np.sin(6 * xx), 25 * xx - 10, 30 - 40 * yy], axis=-1)
    lab[:, size // 2:, 1] += 20   # a colour edge
    return lab_image(lab)


def two_colour_image(size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    lab = np.array([[35.0, 30.0, 20.0], [75.0, -20.0, 35.0]])
    img = np.empty((size, size, 3))
    img[:, : size // 2], img[:, size // 2:] = lab[0], lab[1]
    return lab_image(img), lab


def rotated_palette(rgb: np.ndarray, degrees: float, dl: float = 5.0) -> Palette:
    """The image's own 5-colour palette with hues rotated and lightness shifted: a new scheme."""
    lab = extract_palette(rgb, 5).lab.copy()
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    lab[:, 1:] = lab[:, 1:] @ np.array([[c, s], [-s, c]])
    lab[:, 0] = np.clip(lab[:, 0] + dl, 0, 100)
    return Palette("rotated", gamut_map(lab))


def test_smooth_keeps_structure_on_gradients():
    base = gradient_image()
    # Any hue rotation with colours paired in lightness order; a small one with the default pairing.
    for degrees, match in ((90, "lightness"), (180, "lightness"), (270, "lightness"), (30, "colour")):
        pal = rotated_palette(base, degrees)
        v = apply_smooth(base, pal, settings=SmoothTransfer(match=match))
        assert v.shape == base.shape and v.dtype == np.float32
        assert np.abs(rgb2lab(v)[..., 1:] - rgb2lab(base)[..., 1:]).mean() > 5, degrees   # it does recolour
        assert structure_kept(v, base) >= 0.95, degrees
        assert gradient_correlation(v, base) >= 0.9, degrees                             # no new edges
        assert palette_delta_e00(v, pal) <= 8, degrees


def test_posterize_makes_new_edges_that_smooth_does_not():
    base = gradient_image()
    pal = PALETTES["brick_slate"]
    pal = rotated_palette(base, 30)
    smooth, poster = apply_smooth(base, pal), apply_posterize(base, pal)
    assert gradient_correlation(poster, base) < gradient_correlation(smooth, base)
    assert structure_kept(poster, base) < structure_kept(smooth, base)


def test_two_colour_image_lands_on_two_colour_target():
    img, _ = two_colour_image()
    # Darker source (a red) -> darker target (a purple), lighter (a yellow-green) -> lighter (a teal).
    target = Palette("t", [[60.0, -30.0, -5.0], [30.0, 30.0, -25.0]])
    assert in_gamut(target.lab).all()
    v = apply_smooth(img, target)
    out = rgb2lab(v)
    # Lightness order is kept: the darker source colour goes to the darker target colour.
    left, right = out[:, :32].reshape(-1, 3).mean(0), out[:, 32:].reshape(-1, 3).mean(0)
    assert deltaE_ciede2000(left, target.lab[1]) < 3.0
    assert deltaE_ciede2000(right, target.lab[0]) < 3.0
    assert palette_delta_e00(v, target) < 3.0


def test_curve_lightness_is_monotonic():
    L = np.linspace(0, 100, 201)
    ramp = np.stack([L, np.full_like(L, 10.0), np.full_like(L, -5.0)], axis=-1)
    source = np.array([[20.0, 0, 0], [50.0, 20, 10], [80.0, -10, 30]])
    target = np.array([[40.0, 5, 5], [45.0, 30, -20], [90.0, 0, 0]])
    per_pixel = SmoothTransfer(lightness_transfer="curve", detail_sigma=0)
    out = transfer_lab(ramp, source, target, per_pixel)
    assert np.all(np.diff(out[:, 0]) >= -1e-9)
    # A curve through pairs that would reverse order is made non-decreasing.
    curve = lightness_curve(np.array([30.0, 60.0]), np.array([70.0, 40.0]))
    assert np.all(np.diff(curve(L)) >= 0) and curve(0) == 0 and curve(100) == 100
    # Any lightness amount in [0, 1] stays monotone; 0 keeps L exactly.
    half = SmoothTransfer(lightness=0.5, lightness_transfer="curve", detail_sigma=0)
    assert np.all(np.diff(transfer_lab(ramp, source, target, half)[:, 0]) >= -1e-9)
    for how in ("curve", "offsets"):
        still = SmoothTransfer(lightness=0.0, lightness_transfer=how, detail_sigma=0)
        assert np.allclose(transfer_lab(ramp, source, target, still)[:, 0], L)
    # The curve on the local mean, detail kept, on a lightness ramp image: monotone too.
    image = np.repeat(ramp[None, 10:191], 8, axis=0)                # (8, 181, 3), L from 5 to 95
    moved = transfer_lab(image, source, target, SmoothTransfer(lightness_transfer="curve", detail_sigma=24))
    assert np.all(np.diff(moved[..., 0], axis=1) >= -1e-9)
    assert moved[0, 0, 0] < moved[0, -1, 0]


def test_rbf_weights_interpolate_and_sum_to_one():
    pal = PALETTES["sandstone"].lab
    w = rbf_weights(pal, pal)
    assert np.allclose(w, np.eye(len(pal)), atol=1e-6)
    rng = np.random.default_rng(0)
    x = np.stack([rng.uniform(0, 100, 500), rng.uniform(-60, 60, 500), rng.uniform(-60, 60, 500)], -1)
    wx = rbf_weights(x, pal)
    assert np.all(wx >= 0) and np.allclose(wx.sum(-1), 1)


def test_palette_colours_map_exactly_and_stay_in_gamut():
    source = np.array([[30.0, 10, 10], [55.0, 0, -20], [80.0, 5, 20]])
    target = PALETTES["heritage_ochre"].lab[[1, 4, 0]]
    out = transfer_lab(source, source, target, SmoothTransfer(detail_sigma=0))
    assert np.allclose(out, target, atol=1e-3)   # built-in colours are in gamut
    wild = np.array([[50.0, 120.0, -120.0], [90.0, -100.0, 100.0], [50.0, 10.0, 10.0]])
    mapped = gamut_map(wild)
    assert in_gamut(mapped).all() and np.allclose(mapped[:, 0], wild[:, 0]) and np.allclose(mapped[2], wild[2])
    assert np.allclose(np.arctan2(mapped[:2, 2], mapped[:2, 1]), np.arctan2(wild[:2, 2], wild[:2, 1]))


def test_match_palettes_by_colour_then_lightness():
    # Greys (no chroma to go by) are paired in lightness order.
    source = np.array([[80.0, 0, 0], [20.0, 0, 0], [50.0, 0, 0]])
    target = np.array([[30.0, 1, 0], [90.0, 0, 1], [60.0, -1, 0]])
    assert match_palettes(source, target).tolist() == [1, 0, 2]
    # A saturated red goes to the target's red even though a grey is closer in lightness.
    source = np.array([[52.0, 55, 35], [40.0, 2, 2]])
    target = np.array([[42.0, -9, 10], [37.0, 31, 22]])
    assert match_palettes(source, target).tolist() == [1, 0]
    with pytest.raises(InputError, match="cannot match 2 colours onto a palette of 1"):
        match_palettes(source, target[:1])


def test_scores_on_hand_made_cases():
    base = gradient_image()
    assert structure_kept(base, base) == pytest.approx(1.0)
    assert gradient_correlation(base, base) == pytest.approx(1.0)
    # An ab-only change with the same edges keeps L exactly; a blocky copy loses structure and edges.
    lab = rgb2lab(base)
    shifted = lab.copy()
    shifted[..., 1:] *= 0.5
    assert structure_kept(lab_image(shifted), base) > 0.99
    blocky = np.repeat(np.repeat(base[::16, ::16], 16, 0), 16, 1)
    assert structure_kept(blocky, base) < 0.9 and gradient_correlation(blocky, base) < 0.8
    # Adherence: an image made of exactly the palette's colours scores ~0, one colour off by a
    # known amount scores that amount / k.
    img, lab2 = two_colour_image()
    assert palette_delta_e00(img, Palette("p", rgb2lab(img[[0], [0, 40]][None])[0])) < 0.5
    off = lab2.copy()
    off[0, 0] += 10
    expected = float(deltaE_ciede2000(rgb2lab(img[0, 0][None, None])[0, 0], off[0])) / 2
    assert palette_delta_e00(img, Palette("p", off)) == pytest.approx(expected, abs=0.5)
    # Posterised output of a gradient does not get a better score than the smooth one just by being flat.
    flat = np.zeros_like(img) + img[0, 0]
    assert palette_delta_e00(flat, Palette("p", lab2)) > 10   # one target colour is missing


def test_regions_use_smooth_transfer_and_keep_shading():
    yy = np.mgrid[0:40, 0:40][0] / 39.0
    lab = np.stack([40 + 30 * yy, np.full_like(yy, 5.0), np.full_like(yy, 5.0)], -1)
    img = lab_image(lab)
    labels = np.zeros((40, 40), np.int64)
    labels[:, 20:] = 1
    pal = PALETTES["whitewash_terracotta"]
    v = apply_regions(img, labels, pal, {"0": "roof", "1": "ground"})
    out = rgb2lab(v)
    assert np.abs(out[:, 2:8, 1:].mean((0, 1)) - pal.lab[pal.role_index("roof"), 1:]).max() < 3
    assert np.all(np.diff(out[:, 4, 0]) > 0)           # shading inside the region kept (monotone in y)
    assert structure_kept(v, img) > 0.85
    with pytest.raises(InputError, match="mask is 40x20 but the image is 40x40"):
        apply_regions(img, labels[:20], pal)
    with pytest.raises(InputError, match="neither a role nor a palette index"):
        apply_regions(img, labels, pal, {"0": 7, "1": "wall"})


def test_offsets_follow_a_scheme_that_reverses_lightness_where_the_curve_cannot():
    """Light walls to dark brick and a dark trim to white: the default lightness transfer (palette
    offsets) lands both colours; the monotone curve clamps the reversed pair and misses it."""
    img, _ = two_colour_image(128)                 # dark red (L 35) | light yellow-green (L 75)
    target = Palette("t", [[75.0, 25.0, 20.0], [35.0, -25.0, 25.0]])   # a light red, a dark green
    no_floor = SmoothTransfer(structure_floor=0)
    v, moved = smooth_variant(img, target, no_floor)
    out = rgb2lab(v)
    # 3 sigmas of the lightness smoothing (8 px) away from the edge at x = 64
    left, right = out[:, 4:40].reshape(-1, 3).mean(0), out[:, 88:124].reshape(-1, 3).mean(0)
    assert moved == 1.0
    assert deltaE_ciede2000(left, target.lab[0]) < 3 and deltaE_ciede2000(right, target.lab[1]) < 3
    curve, _ = smooth_variant(img, target, SmoothTransfer(structure_floor=0, lightness_transfer="curve"))
    assert palette_delta_e00(curve, target) > palette_delta_e00(v, target) + 5


def test_structure_floor_moves_lightness_only_as_far_as_the_shading_allows():
    base = gradient_image()
    pal = rotated_palette(base, 30, dl=-30.0)     # a much darker scheme: the full move flattens the shading
    free, moved_free = smooth_variant(base, pal, SmoothTransfer(structure_floor=0))
    kept, moved = smooth_variant(base, pal)       # default floor 0.95
    assert moved_free == 1.0 and structure_kept(free, base) < 0.95
    assert 0 < moved < 1 and structure_kept(kept, base) >= 0.95
    as_png = lambda x: np.round(np.clip(x, 0, 1) * 255) / 255    # noqa: E731 -- the floor holds as written too
    assert structure_kept(as_png(kept), as_png(base)) >= 0.95
    # the largest such fraction: a little more lightness change breaks the floor
    lab = rgb2lab(base)
    ab_change = smooth_variant(base, pal, SmoothTransfer(structure_floor=0, lightness=moved + 0.02))[0]
    assert structure_kept(ab_change, base) < 0.95
    # floor_fraction: the bound itself when it already holds, 0 <= f <= most always
    change = np.full(lab.shape[:2], -30.0)
    assert floor_fraction(lab[..., 0], change, 0.5, 0.0) == 0.5
    assert 0 <= floor_fraction(lab[..., 0], change, 1.0, 0.99) < 1.0


def test_smooth_on_an_image_too_small_for_ssim_has_no_floor():
    img, _ = two_colour_image(6)
    v, moved = smooth_variant(img, Palette("t", [[60.0, -30.0, -5.0], [30.0, 30.0, -25.0]]))
    assert v.shape == img.shape and moved == 1.0
