"""utils/cielab.py: the one CIELAB path (numpy and tensors alike), its gamut mapping and lightness helpers."""
import numpy as np
import torch
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from utils.cielab import (delta_e00, gamut_map, gray_lightness, image_to_lab, in_gamut, lab_to_rgb,
                          lightness_to_gray, photo_lightness, rgb_to_lab, rgb_with_lightness)


def _photo(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((16, 12, 3)).astype(np.float32)


def test_numpy_and_tensor_paths_give_one_lab_value_matching_scikit_image():
    rgb = _photo()
    lab = rgb_to_lab(rgb)
    assert lab.shape == rgb.shape and lab.dtype == np.float32
    assert np.allclose(lab, image_to_lab(rgb)[0].permute(1, 2, 0).numpy(), atol=1e-5)   # one value, either way in
    assert np.abs(lab - rgb2lab(rgb)).max() < 0.05          # the same standard as scikit-image (D65, sRGB)
    assert rgb_to_lab(rgb.astype(np.float64)).dtype == np.float64
    assert np.abs(lab_to_rgb(lab) - rgb).max() < 1e-4          # in gamut: the round trip is exact


def test_out_of_gamut_colours_lose_chroma_not_lightness_or_hue():
    wild = np.array([[50.0, 120.0, -120.0], [90.0, -100.0, 100.0], [30.0, 90.0, 90.0]])
    assert not in_gamut(wild).any()
    mapped = gamut_map(wild)
    assert in_gamut(mapped).all()
    assert np.allclose(mapped[:, 0], wild[:, 0])
    assert np.allclose(np.arctan2(mapped[:, 2], mapped[:, 1]), np.arctan2(wild[:, 2], wild[:, 1]))
    assert (np.hypot(mapped[:, 1], mapped[:, 2]) < np.hypot(wild[:, 1], wild[:, 2])).all()
    rgb = lab_to_rgb(wild)
    assert rgb.min() >= 0 and rgb.max() <= 1
    assert np.abs(rgb2lab(rgb[None])[0, :, 0] - wild[:, 0]).max() < 0.05   # clipping R, G, B would move L*
    tame = np.array([[50.0, 10.0, -5.0]])
    assert np.array_equal(gamut_map(tame), tame)


def test_rgb_with_lightness_keeps_the_given_lightness_exactly():
    light = np.linspace(0.05, 0.95, 48, dtype=np.float32).reshape(6, 8)
    ab = torch.full((1, 2, 6, 8), 70.0)                                   # far too saturated for most L*
    rgb = rgb_with_lightness(light, ab)
    assert np.abs(rgb2lab(rgb)[..., 0] / 100 - light).max() < 5e-4


def test_grey_lightness_helpers_invert_each_other_and_match_the_photo_path():
    grey = np.linspace(0, 1, 101, dtype=np.float32)[None]
    light = gray_lightness(grey)
    assert np.abs(lightness_to_gray(light) - grey).max() < 1e-4
    assert np.abs(photo_lightness(np.repeat(grey[..., None], 3, axis=-1)) - light).max() < 1e-4


def test_delta_e00_is_scikit_images_formula_on_these_lab_values():
    a, b = _photo(1), _photo(2)
    expected = deltaE_ciede2000(rgb2lab(a), rgb2lab(b))
    assert np.abs(delta_e00(a, b) - expected).max() < 0.05


def test_integer_images_are_refused_not_read_as_white():
    import pytest

    with pytest.raises(TypeError, match="float"):
        rgb_to_lab((_photo() * 255).astype(np.uint8))
