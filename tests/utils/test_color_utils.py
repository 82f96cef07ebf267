import numpy as np
import pytest
import torch
from skimage.color import rgb2hsv, rgb2lab

from utils.color_utils import COLOR_SPACES, activate, color_l1, hue_distance, rgb_to_space, space_to_rgb


@pytest.mark.parametrize("space", COLOR_SPACES)
def test_forth_and_back(space):
    rgb = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    back = space_to_rgb(rgb_to_space(rgb, space), space)
    assert torch.allclose(back, rgb, atol=2e-3)


def test_unit_against_skimage():
    rgb = np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)
    t = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    hsv = rgb_to_space(t, "hsv")[0].permute(1, 2, 0).numpy()
    ref = rgb2hsv(rgb)
    assert np.allclose(hue_distance(torch.from_numpy(hsv[..., 0]), torch.from_numpy(ref[..., 0])).numpy(), 0,
                       atol=1e-3)
    assert np.allclose(hsv[..., 1:], ref[..., 1:], atol=1e-3)
    lab = rgb_to_space(t, "lab")[0].permute(1, 2, 0).numpy()
    ref = rgb2lab(rgb)
    assert np.allclose(lab[..., 0] * 100, ref[..., 0], atol=0.05)
    assert np.allclose(lab[..., 1:] * 128, ref[..., 1:], atol=0.1)


def test_hue_wraps():
    h1, h2 = torch.tensor([0.99]), torch.tensor([0.01])
    assert hue_distance(h1, h2).item() == pytest.approx(0.02, abs=1e-6)
    # A saturated red predicted at hue 0.99 against a target at 0.01 costs little,
    # and the same error the other way round costs the same.
    target = torch.tensor([0.01, 1.0, 1.0]).view(1, 3, 1, 1)
    near = torch.tensor([0.99, 1.0, 1.0]).view(1, 3, 1, 1)
    far = torch.tensor([0.5, 1.0, 1.0]).view(1, 3, 1, 1)
    assert color_l1(near, target, "hsv").item() < 0.02
    assert color_l1(far, target, "hsv").item() > 0.3
    # Converting a hue just below 1 and just above 0 gives nearly the same red.
    a = space_to_rgb(torch.tensor([0.999, 1, 1]).view(1, 3, 1, 1), "hsv")
    b = space_to_rgb(torch.tensor([1.001, 1, 1]).view(1, 3, 1, 1), "hsv")
    assert torch.allclose(a, b, atol=0.02)


def test_hue_gradient_is_continuous_across_wrap():
    pred = torch.tensor([0.995, 1.0, 1.0]).view(1, 3, 1, 1).requires_grad_(True)
    target = torch.tensor([0.005, 1.0, 1.0]).view(1, 3, 1, 1)
    color_l1(pred, target, "hsv").sum().backward()
    assert pred.grad[0, 0].item() < 0 or pred.grad[0, 0].item() > 0
    # Moving up (towards 1.0 == 0.0) reduces the loss: the gradient is negative.
    assert pred.grad[0, 0].item() < 0


@pytest.mark.parametrize("space", COLOR_SPACES)
def test_activate_ranges(space):
    # The activation itself (not space_to_rgb, which clamps) keeps each channel in its range.
    raw = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(0)) * 10
    out = activate(raw, space)
    if space == "rgb":
        assert out.min() >= 0 and out.max() <= 1
    elif space == "hsv":
        assert torch.equal(out[:, 0], raw[:, 0])  # hue is read modulo 1: left unbounded
        assert out[:, 1:].min() >= 0 and out[:, 1:].max() <= 1
    else:
        assert out[:, 0].min() >= 0 and out[:, 0].max() <= 1 and out[:, 1:].abs().max() <= 1
    # Monotone: a larger raw value never gives a smaller activated one.
    bigger = activate(raw + 0.5, space)
    assert (bigger - out).min() >= -1e-6


def test_exception():
    with pytest.raises(ValueError, match="colour space"):
        rgb_to_space(torch.rand(1, 3, 4, 4), "xyz")
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        rgb_to_space(torch.rand(3, 4, 4), "lab")
    with pytest.raises(ValueError, match="colour space"):
        space_to_rgb(torch.rand(1, 3, 4, 4), "cmyk")
