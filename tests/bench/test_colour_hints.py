"""The colour-hint benchmark's ceilings, hint placement and flags (bench/colour_hints.py,
bench/colour_control.py --hints): the ceilings are the evidence that the +3 dB goal is out of reach,
so each must find the correction it claims to."""
import numpy as np
import pytest
import torch

import bench.colour_control as colour_control
from bench.cases import load_case
from bench.colour_hints import (affine_ceiling, farthest_from_border, flat_ceiling, hint_segments, region_centres,
                                shaded_ceiling)
from utils.cielab import image_to_lab, lab_to_rgb_keep_lightness
from utils.metrics import psnr


def _photo(h: int = 96, w: int = 128) -> np.ndarray:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    base = np.stack([0.5 + 0.3 * np.sin(6 * x), 0.4 + 0.3 * np.cos(5 * y), 0.3 + 0.4 * x * y], -1)
    return np.clip(base + 0.03 * rng.standard_normal((h, w, 3)), 0, 1).astype(np.float32)


def _from_lab(lab: np.ndarray) -> np.ndarray:
    return lab_to_rgb_keep_lightness(torch.from_numpy(lab.astype(np.float32))[None])[0].permute(1, 2, 0).numpy()


def _lab_map(rgb: np.ndarray, matrix: np.ndarray, offset: np.ndarray) -> np.ndarray:
    return _from_lab(np.einsum("ij,jhw->ihw", matrix, image_to_lab(rgb)[0].numpy()) + offset[:, None, None])


def _masks(photo: np.ndarray) -> list[np.ndarray]:
    return [mask for _, mask in region_centres(photo)]


def test_affine_ceiling_undoes_an_affine_recolouring():
    photo = _photo()
    matrix = np.array([[0.9, 0.0, 0.0], [0.05, 0.7, 0.1], [0.0, -0.1, 0.8]])
    plain = _lab_map(photo, matrix, np.array([4.0, 6.0, -5.0]))
    assert psnr(plain, photo) < 30
    assert psnr(affine_ceiling(plain, photo), photo) > 60      # the offset column too (without it: ~45)


def test_affine_ceiling_keeps_the_photos_lightness_for_black_and_white():
    photo = _photo()
    lab = image_to_lab(photo)[0].numpy()
    lab[0] = 100 * (lab[0] / 100) ** 1.5 + 5                  # lightness no affine map can undo
    plain = _from_lab(lab)
    truth = image_to_lab(photo)[0, 0]
    kept = image_to_lab(affine_ceiling(plain, photo, keep_lightness=True))[0, 0]
    moved = image_to_lab(affine_ceiling(plain, photo))[0, 0]
    assert torch.allclose(kept, truth, atol=0.5)
    assert (moved - truth).abs().max() > 2


def test_shaded_ceiling_moves_each_segment_to_its_true_mean_and_keeps_the_shading():
    photo = _photo()
    masks = _masks(photo)
    labels = np.zeros(photo.shape[:2], int)
    for i, mask in enumerate(masks):
        labels[mask] = i
    shifts = np.random.default_rng(1).uniform(-8, 8, (len(masks), 3))
    plain = _from_lab(image_to_lab(photo)[0].numpy() + shifts[labels].transpose(2, 0, 1))
    assert psnr(shaded_ceiling(plain, photo, masks), photo) > psnr(plain, photo) + 10
    partial = shaded_ceiling(plain, photo, masks[:2])
    rest = ~(masks[0] | masks[1])
    assert np.abs(partial[rest] - plain[rest]).max() < 2e-3    # unhinted segments untouched


def test_ceilings_on_black_and_white_keep_the_photos_lightness():
    photo = _photo()
    masks = _masks(photo)
    plain = _lab_map(photo, np.eye(3), np.array([6.0, 10.0, -10.0]))
    truth = image_to_lab(photo)[0, 0]
    for ceiling in (shaded_ceiling, flat_ceiling):
        out = ceiling(plain, photo, masks, keep_lightness=True)
        assert torch.allclose(image_to_lab(out)[0, 0], truth, atol=0.5), ceiling.__name__
        assert psnr(out, photo) > psnr(plain, photo)


def test_flat_ceiling_paints_each_segment_its_true_mean():
    photo = _photo()
    masks = _masks(photo)[:3]
    out = flat_ceiling(np.zeros_like(photo), photo, masks)
    for mask in masks:
        assert np.allclose(out[mask], photo[mask].mean(axis=0), atol=1e-6)
    assert not out[~(masks[0] | masks[1] | masks[2])].any()


def test_graf_gets_its_ten_hints():
    """Plain SLIC (preprocess/segment.py) merged graf's held-out view into 5 regions: 5 hints of 10."""
    assert hint_segments(load_case("graf").test_photo).max() + 1 >= 10


def test_more_hints_than_segments_is_an_error_not_fewer_hints():
    photo = _photo()
    with pytest.raises(ValueError, match=f"has {len(_masks(photo))} segments, 30 hints asked"):
        region_centres(photo, 30)


def test_a_hint_sits_inside_a_region_that_is_not_convex():
    mask = np.zeros((60, 60), bool)
    mask[5:55, 5:20] = mask[5:20, 5:55] = mask[40:55, 5:55] = True    # a C: its centroid is outside
    ys, xs = np.nonzero(mask)
    assert not mask[int(ys.mean()), int(xs.mean())]
    x, y = farthest_from_border(mask)
    assert mask[y, x]


@pytest.mark.parametrize("flags, message", [
    (["--hint-runs", "x"], "go with --hints"),
    (["--hints", "--hint-cases", "all", "graf"], "all stands alone"),
    (["--hints", "--hint-cases", "nope"], "unknown case 'nope'"),
    (["--hints", "--hint-runs", "/nonexistent"], "no lines hint model for motorcycle"),
])
def test_colour_control_refuses_bad_hint_flags_before_any_work(flags, message, monkeypatch, capsys):
    monkeypatch.setattr(colour_control, "ensure_model", lambda *a: pytest.fail("trained before checking flags"))
    with pytest.raises(SystemExit) as stop:
        colour_control.main(flags)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
