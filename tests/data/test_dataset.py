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


def _sampling_map_before_split(rng, h, w, size, aug):
    """``sampling_map`` as it was before ``draw_transform``/``sampling_map_of`` (commit 80e4d09)."""
    import cv2
    ph, pw = (size, size) if isinstance(size, int) else size
    angle = np.deg2rad(rng.uniform(-aug.rotate_deg, aug.rotate_deg)) if aug.rotate_deg > 0 else 0.0
    zoom = rng.uniform(1 - aug.scale, 1 + aug.scale) if aug.scale > 0 else 1.0
    ca, sa = np.cos(angle), np.sin(angle)
    half_y = zoom * (ph * abs(ca) + pw * abs(sa)) / 2
    half_x = zoom * (pw * abs(ca) + ph * abs(sa)) / 2
    cy = rng.uniform(min(half_y, h / 2), max(h - half_y, h / 2))
    cx = rng.uniform(min(half_x, w / 2), max(w - half_x, w / 2))
    v, u = np.meshgrid((np.arange(ph, dtype=np.float32) - (ph - 1) / 2) * zoom,
                       (np.arange(pw, dtype=np.float32) - (pw - 1) / 2) * zoom, indexing="ij")
    if aug.hflip and rng.random() < 0.5:
        u = -u
    if aug.vflip and rng.random() < 0.5:
        v = -v
    map_x = cx + ca * u - sa * v
    map_y = cy + sa * u + ca * v
    if aug.warp > 0:
        coarse = rng.normal(0, aug.warp * max(ph, pw) / 3.0, size=(2, 4, 4)).astype(np.float32)
        dy, dx = np.stack([cv2.resize(c, (pw, ph), interpolation=cv2.INTER_CUBIC) for c in coarse])
        map_y, map_x = map_y + dy, map_x + dx
    return map_y.astype(np.float32), map_x.astype(np.float32)


AUGS = [AugmentConfig(), AugmentConfig(hflip=False, rotate_deg=0, scale=0),
        AugmentConfig(vflip=True, rotate_deg=30, scale=0.3, warp=0.05, color_jitter=0.3, position_jitter=0.1)]


@pytest.mark.parametrize("aug", AUGS)
@pytest.mark.parametrize("size", [16, (12, 20), (64, 80)])
def test_sampling_map_unchanged_by_the_transform_split(aug, size):
    from data.dataset import sampling_map
    for seed in range(5):
        old, new = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(3):
            oy, ox = _sampling_map_before_split(old, 64, 80, size, aug)
            ny, nx = sampling_map(new, 64, 80, size, aug)
            assert oy.dtype == ny.dtype == np.float32
            assert np.array_equal(oy, ny) and np.array_equal(ox, nx)
        assert old.bit_generator.state == new.bit_generator.state


@pytest.mark.parametrize("aug", AUGS)
def test_patch_sampler_batches_unchanged_by_the_transform_split(aug, monkeypatch):
    import data.dataset
    new = PatchSampler([_view()], CFG, aug, seed=2).sample(3, 24)
    monkeypatch.setattr(data.dataset, "sampling_map", _sampling_map_before_split)
    old = PatchSampler([_view()], CFG, aug, seed=2).sample(3, 24)
    assert torch.equal(old.inputs, new.inputs) and torch.equal(old.target, new.target)
    assert torch.equal(old.labels, new.labels)


def test_print_ageing_touches_the_lightness_input_only():
    view = _view()
    view.guides.luminance = view.photo[..., 0].copy()
    cfg = ModelConfig(line_distance=False, use_depth=False, use_luminance=True, color_space="lab")  # sketch, L, y, x
    plain = PatchSampler([view], cfg, AugmentConfig(), seed=0).sample(8, 32)
    aged_sampler = PatchSampler([view], cfg, AugmentConfig(print_ageing=1.0), seed=0)
    state = aged_sampler.state_dict()
    aged = aged_sampler.sample(8, 32)
    assert torch.equal(plain.target, aged.target)                    # the target stays the clean photo
    assert torch.equal(plain.inputs[:, [0, 2, 3]], aged.inputs[:, [0, 2, 3]])
    differs = (plain.inputs[:, 1] - aged.inputs[:, 1]).abs().flatten(1).mean(1) > 1e-3
    assert differs.all()                                             # every patch's lightness aged
    aged_sampler.load_state_dict(state)
    assert torch.equal(aged.inputs, aged_sampler.sample(8, 32).inputs)
    old = {k: v for k, v in state.items() if k != "print_rng"}      # a run saved before print ageing
    kept = aged_sampler.print_rng.bit_generator.state
    aged_sampler.load_state_dict(old)                                # loads, and leaves the print stream as it was
    assert aged_sampler.print_rng.bit_generator.state == kept
    assert aged_sampler.rng.bit_generator.state == state["rng"]
