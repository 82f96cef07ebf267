import pytest
import torch
import torch.nn as nn

from loss.combined_loss import CombinedLoss, VGGPerceptual, load_vgg_features
from utils.color_utils import rgb_to_space
from utils.errors import InputError


def _images(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(2, 3, 16, 16, generator=g), torch.rand(2, 3, 16, 16, generator=g)


@pytest.mark.parametrize("space", ["rgb", "hsv", "lab"])
def test_l1_is_zero_on_the_target_and_matches_by_hand(space):
    target, other = _images()
    loss = CombinedLoss(space)
    total, parts = loss(rgb_to_space(target, space), target)
    assert total.item() == pytest.approx(0.0, abs=1e-5) and set(parts) == {"l1", "total"}
    total, parts = loss(rgb_to_space(other, space), target)
    assert total.item() > 0.01 and parts["l1"].item() == pytest.approx(total.item())
    if space == "rgb":
        assert total.item() == pytest.approx((other - target).abs().mean().item(), rel=1e-6)


def test_gradient_flows_to_the_prediction_only():
    target, other = _images(1)
    pred = other.clone().requires_grad_(True)
    total, parts = CombinedLoss("rgb")(pred, target)
    total.backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert not parts["l1"].requires_grad  # logged values are detached


def test_perceptual_term_is_weighted_and_logged():
    target, other = _images(2)
    torch.manual_seed(0)
    feats = nn.Sequential(*[nn.Conv2d(3, 3, 3, padding=1) if i in (0, 5, 14) else nn.ReLU() for i in range(16)])
    loss = CombinedLoss("rgb")
    loss.perceptual_weight, loss.vgg = 0.5, VGGPerceptual(feats)
    total, parts = loss(other, target)
    assert parts["vgg"].item() > 0
    assert total.item() == pytest.approx(parts["l1"].item() + 0.5 * parts["vgg"].item(), rel=1e-5)
    same, parts = loss(target, target)
    assert parts["vgg"].item() == pytest.approx(0.0, abs=1e-6)


def test_missing_or_foreign_vgg_weights_are_refused(tmp_path):
    with pytest.raises(InputError, match="needs VGG-16 weights"):
        load_vgg_features(tmp_path / "absent.pth")
    torch.save({"weight": torch.zeros(1)}, tmp_path / "other.pth")
    with pytest.raises(InputError, match="not a torchvision VGG-16"):
        load_vgg_features(tmp_path / "other.pth")
