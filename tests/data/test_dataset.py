import numpy as np
import pytest
import torch

from config.defaults import AugmentConfig, ModelConfig
from data.dataset import PatchSampler, TrainingView, resize_view
from models.inputs import Guides


def _view(h=64, w=80):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    photo = np.stack([xx / (w - 1), yy / (h - 1), np.zeros_like(xx)], axis=2).astype(np.float32)
    # The guides are functions of the photo, so alignment can be checked pixel by pixel.
    sketch = photo[..., 0].copy()
    depth = photo[..., 1].copy()
    mask = (xx > w / 2).astype(np.int64) + 2 * (yy > h / 2).astype(np.int64)
    return TrainingView(photo, Guides(sketch=sketch, depth=depth, mask=mask))


CFG = ModelConfig(line_distance=False, num_labels=4)  # channels: sketch, depth, y, x


@pytest.mark.parametrize("aug", [AugmentConfig(), AugmentConfig(vflip=True, rotate_deg=30, scale=0.3, warp=0.05)])
def test_augmentation_keeps_everything_aligned(aug):
    sampler = PatchSampler([_view()], CFG, aug, seed=1)
    b = sampler.sample(6, 32)
    assert b.inputs.shape == (6, 4, 32, 32) and b.target.shape == (6, 3, 32, 32) and b.labels.shape == (6, 32, 32)
    sketch, depth = b.inputs[:, 0], b.inputs[:, 1]
    assert torch.allclose(sketch, b.target[:, 0], atol=1e-4)
    assert torch.allclose(depth, b.target[:, 1], atol=1e-4)
    # Position channels are the source coordinates, which here are the photo's R, G.
    assert torch.allclose(b.inputs[:, 3], b.target[:, 0], atol=1e-3)
    # The mask was sampled with nearest neighbour at the same points.
    expect = (b.target[:, 0] * 79 > 40).long() + 2 * (b.target[:, 1] * 63 > 32).long()
    agree = (expect == b.labels).float().mean()
    assert agree > 0.97


def test_reproducible_with_seed():
    a = PatchSampler([_view()], CFG, AugmentConfig(), seed=3).sample(2, 16)
    b = PatchSampler([_view()], CFG, AugmentConfig(), seed=3).sample(2, 16)
    c = PatchSampler([_view()], CFG, AugmentConfig(), seed=4).sample(2, 16)
    assert torch.equal(a.inputs, b.inputs) and not torch.equal(a.inputs, c.inputs)


def test_colour_jitter_touches_the_target_only():
    aug = AugmentConfig(hflip=False, rotate_deg=0, scale=0, color_jitter=0.5)
    plain = PatchSampler([_view()], CFG, AugmentConfig(hflip=False, rotate_deg=0, scale=0), seed=0).sample(4, 16)
    jit = PatchSampler([_view()], CFG, aug, seed=0).sample(4, 16)
    assert torch.equal(plain.inputs, jit.inputs)
    assert not torch.allclose(plain.target, jit.target)


def test_sampler_state_roundtrip():
    s = PatchSampler([_view()], CFG, AugmentConfig(), seed=0)
    state = s.state_dict()
    a = s.sample(2, 16)
    s.load_state_dict(state)
    assert torch.equal(a.inputs, s.sample(2, 16).inputs)


def test_whole_view_batch_and_resize():
    v = resize_view(_view(64, 80), 40)
    assert v.guides.shape == (32, 40) and v.photo.shape == (32, 40, 3) and v.guides.mask.dtype == np.int64
    b = PatchSampler([v], CFG, AugmentConfig(), seed=0).sample(1)
    assert b.inputs.shape == (1, 4, 32, 40)
