"""The guided filter that smooths a black-and-white model's chroma along the photo's lightness."""
import cv2
import numpy as np
import pytest
from skimage.color import lab2rgb, rgb2lab

from postprocess.chroma_smoothing import smooth_chroma


def _two_regions(rng, h=48, w=64):
    """Dark left half (L* 35, reddish) and light right half (L* 75, bluish), a* and b* speckled by
    +-12 per pixel: (rgb, lightness L*/100, the two regions' true a*b*)."""
    light = np.where(np.arange(w)[None, :] < w // 2, 35.0, 75.0) * np.ones((h, 1))
    ab_true = np.where((np.arange(w) < w // 2)[None, :, None], [[[30.0, 15.0]]], [[[-5.0, -30.0]]]) * np.ones((h, 1, 1))
    lab = np.dstack([light, ab_true + rng.uniform(-12, 12, (h, w, 2))])
    return np.clip(lab2rgb(lab), 0, 1).astype(np.float32), (light / 100).astype(np.float32), ab_true


def test_speckled_chroma_becomes_flat_inside_each_region_and_keeps_the_edge():
    rgb, light, ab_true = _two_regions(np.random.default_rng(0))
    out = smooth_chroma(rgb, light, radius=6)
    ab_in, ab_out = rgb2lab(rgb)[..., 1:], rgb2lab(out)[..., 1:]
    left, right = slice(0, 26), slice(38, 64)   # 6 px or more from the edge at x = 32
    for part in (left, right):
        assert ab_out[:, part].std(axis=(0, 1)).max() < 0.25 * ab_in[:, part].std(axis=(0, 1)).min()
        assert np.abs(ab_out[:, part] - ab_true[:, part]).mean() < 2
    # at the lightness edge, colour bleeds across far less than under a plain blur of the same window
    blurred = cv2.blur(ab_in.astype(np.float32), (13, 13), borderType=cv2.BORDER_REFLECT)
    edge = slice(29, 35)
    assert np.abs(ab_out[:, edge] - ab_true[:, edge]).mean() < 0.4 * np.abs(blurred[:, edge] - ab_true[:, edge]).mean()


def test_output_keeps_the_input_lightness_exactly():
    rgb, light, _ = _two_regions(np.random.default_rng(1))
    out = smooth_chroma(rgb, light, radius=8)
    assert np.abs(rgb2lab(out)[..., 0] - light * 100).max() < 0.05
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


def test_radius_zero_is_the_identity_and_bad_arguments_are_refused():
    rgb, light, _ = _two_regions(np.random.default_rng(2))
    assert smooth_chroma(rgb, light, radius=0) is rgb
    with pytest.raises(ValueError, match="radius"):
        smooth_chroma(rgb, light, radius=-1)
    with pytest.raises(ValueError, match="lightness"):
        smooth_chroma(rgb, light[:, :-1], radius=4)


def test_bands_give_the_whole_image_filter():
    rng = np.random.default_rng(3)
    rgb = rng.random((100, 60, 3)).astype(np.float32)
    light = rng.random((100, 60)).astype(np.float32)
    whole = smooth_chroma(rgb, light, radius=5, band=10**6)
    assert np.abs(smooth_chroma(rgb, light, radius=5, band=16) - whole).max() < 1e-5
    assert np.abs(smooth_chroma(rgb, light, radius=5, band=7) - whole).max() < 1e-5
