"""The device sampler draws the CPU sampler's patches: same batches (to the tolerances
below), same random streams, interchangeable state.

Tolerances. Both sample at positions rounded to 1/32 px (cv2.remap's table); what is
left is the float32 round trip of a position through grid_sample's [-1, 1] coordinates,
~3e-5 px on these views, i.e. ~1e-5 of a sharp edge's contrast: so every sampled
channel must agree to 1e-4 everywhere, which a half-pixel offset or a flipped axis breaks
by orders of magnitude (the controls below check that). The one channel that may differ
by more is the line distance: a sketch pixel the CPU sampler reads as exactly 0.5 (a line
pixel half-covered, common without rotation) sits on the line threshold, and the ~1e-5
difference can put it on the other side; that changes the distance near it, so that
channel gets a bound on its mean and on the share of pixels that differ. Measured on
these views: sampled channels and target within 2e-5, position within 2e-7, labels all
equal, line distance off on < 0.3 % of pixels (by one axial step, 0.955 / 16).
"""
import numpy as np
import pytest
import torch

from config.defaults import AugmentConfig, ModelConfig
from data.dataset import PatchSampler, TrainingView, draw_transform, resize_view, sampling_map_of
from data.tensor_sampler import TensorPatchSampler, line_distance_t, sampling_maps_t
from models.inputs import Guides, line_distance
from preprocess.sketch import extract_sketch
from utils.cielab import photo_lightness

CFG = ModelConfig(num_labels=3, use_luminance=True)  # sketch, line distance, depth, lightness, y, x
LINE_DISTANCE = 1  # channel index in CFG's inputs
ALL_ON = AugmentConfig(vflip=True, rotate_deg=30, scale=0.3, warp=0.05, color_jitter=0.3, position_jitter=0.1)


@pytest.fixture(scope="module")
def view(sample_crop):
    """A 96 x 128 crop of the bundled sample with every guide: sketch, depth, lightness, mask."""
    photo, depth, _, _ = sample_crop
    mask = np.digitize(depth, np.quantile(depth, [1 / 3, 2 / 3])).astype(np.int64)  # 3 depth layers
    return TrainingView(photo, Guides(extract_sketch(photo), depth, mask, photo_lightness(photo)))


def differences(a, b) -> dict:
    """Per input channel (max, mean) absolute difference, the same for the target, and the
    share of equal labels, of two batches."""
    d = (a.inputs - b.inputs).abs()
    out = {c: (d[:, c].max().item(), d[:, c].mean().item()) for c in range(d.shape[1])}
    t = (a.target - b.target).abs()
    out["target"] = (t.max().item(), t.mean().item())
    out["labels"] = (a.labels == b.labels).float().mean().item()
    out["inputs_mean"] = d.mean().item()
    out["line_distance_changed"] = (d[:, LINE_DISTANCE] > 1e-6).float().mean().item()
    return out


def assert_same_batches(a, b):
    assert a.inputs.shape == b.inputs.shape and a.target.shape == b.target.shape and a.labels.shape == b.labels.shape
    assert a.labels.dtype == b.labels.dtype == torch.int64
    diff = differences(a, b)
    for c in range(a.inputs.shape[1]):
        if c != LINE_DISTANCE:
            assert diff[c][0] < 1e-4, (c, diff)
    assert diff[LINE_DISTANCE][1] < 1e-3 and diff["line_distance_changed"] < 0.01, diff
    assert diff["inputs_mean"] < 2e-4, diff
    assert diff["target"][0] < 1e-4, diff
    assert diff["labels"] >= 0.99, diff


@pytest.mark.parametrize("aug, size", [(ALL_ON, 64), (AugmentConfig(hflip=False, rotate_deg=0, scale=0), 48),
                                       (AugmentConfig(color_jitter=0.2, position_jitter=0.05), None)],
                         ids=["patches, all augmentations", "patches, translation only", "whole view"])
def test_same_batches_as_the_cpu_sampler(view, aug, size):
    cpu, dev = PatchSampler([view], CFG, aug, seed=7), TensorPatchSampler([view], CFG, aug, seed=7, device="cpu")
    for _ in range(2):
        a, b = cpu.sample(4, size), dev.sample(4, size)
        assert_same_batches(a, b)
        assert cpu.state_dict() == dev.state_dict()  # the same draws from all three streams


def test_views_of_different_sizes(view):
    """Patches from several views, sampled view by view, land in the batch's order."""
    views = [view, resize_view(view, 100)]
    cpu, dev = PatchSampler(views, CFG, ALL_ON, seed=1), TensorPatchSampler(views, CFG, ALL_ON, seed=1)
    assert_same_batches(cpu.sample(6, 32), dev.sample(6, 32))


def test_resume_is_interchangeable(view):
    cpu, dev = PatchSampler([view], CFG, ALL_ON, seed=3), TensorPatchSampler([view], CFG, ALL_ON, seed=11)
    cpu.sample(2, 32)
    dev.load_state_dict(cpu.state_dict())
    assert_same_batches(cpu.sample(3, 32), dev.sample(3, 32))
    cpu.load_state_dict(dev.state_dict())
    assert_same_batches(cpu.sample(3, 32), dev.sample(3, 32))


@pytest.mark.parametrize("shift", ["half pixel", "flipped x"])
def test_the_comparison_catches_a_wrong_sampler(view, shift, monkeypatch):
    """Controls: a sampler half a pixel off, or mirrored, fails ``assert_same_batches``."""
    import data.tensor_sampler

    def wrong(transforms, device, dtype=torch.float64):
        my, mx = sampling_maps_t(transforms, device, dtype)
        return (my, mx + 0.5) if shift == "half pixel" else (my, mx.flip(-1))

    monkeypatch.setattr(data.tensor_sampler, "sampling_maps_t", wrong)
    aug = AugmentConfig(hflip=False)
    a = PatchSampler([view], CFG, aug, seed=0).sample(2, 32)
    b = TensorPatchSampler([view], CFG, aug, seed=0).sample(2, 32)
    with pytest.raises(AssertionError):
        assert_same_batches(a, b)


@pytest.mark.parametrize("aug", [AugmentConfig(vflip=True, rotate_deg=30, scale=0.3), ALL_ON])
def test_sampling_maps_match_the_cpu_maps(aug):
    rng = np.random.default_rng(0)
    for size in (32, (24, 40), (96, 128)):
        ts = [draw_transform(rng, 96, 128, size, aug) for _ in range(3)]
        my, mx = sampling_maps_t(ts, torch.device("cpu"))
        ref = [sampling_map_of(t) for t in ts]
        ry, rx = (torch.from_numpy(np.stack([r[i] for r in ref])) for i in (0, 1))
        if aug.warp == 0:  # the affine part is the CPU's arithmetic, bit for bit
            assert torch.equal(my, ry) and torch.equal(mx, rx)
        else:  # bicubic F.interpolate vs cv2.resize(INTER_CUBIC): float rounding only
            assert (my - ry).abs().max() < 1e-4 and (mx - rx).abs().max() < 1e-4


def test_line_distance_matches_opencv():
    rng = np.random.default_rng(0)
    sketches = [np.ones((40, 56), np.float32)]  # no lines: all ones, as line_distance
    sketches += [np.where(rng.random((40, 56)) < p, rng.random((40, 56)) * 0.5, 1.0).astype(np.float32)
                 for p in (0.001, 0.005, 0.02, 0.2)]
    one = np.ones((40, 56), np.float32)
    one[20, 30] = 0.0  # a single line pixel: the chamfer steps themselves
    sketches.append(one)
    got = line_distance_t(torch.from_numpy(np.stack(sketches))).numpy()
    ref = np.stack([line_distance(s) for s in sketches])
    assert np.abs(got - ref).max() < 1e-6
    assert (got[0] == 1).all()
    assert got[-1, 20, 31] * 16 == pytest.approx(0.955) and got[-1, 21, 31] * 16 == pytest.approx(1.3693)


def test_exceptions(view):
    with pytest.raises(ValueError, match="PatchSampler"):
        TensorPatchSampler([view], CFG, AugmentConfig(), line_styles=True)
    no_depth = TrainingView(view.photo, Guides(view.guides.sketch, None, view.guides.mask, view.guides.luminance))
    with pytest.raises(ValueError, match="depth"):
        TensorPatchSampler([no_depth], CFG, AugmentConfig())
    with pytest.raises(ValueError, match="shape"):
        line_distance_t(torch.ones(8, 8))
