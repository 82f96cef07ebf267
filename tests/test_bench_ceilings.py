"""The colour-hint benchmark's ceilings and hint placement (bench/colour_hints.py): the ceilings are
the evidence that its +3 dB goal is out of reach, so each must find the correction it claims to."""
import numpy as np
import torch

from bench.colour_hints import affine_ceiling, hint_segments, region_centres, shaded_ceiling
from utils.color_utils import image_to_lab, lab_to_rgb_keep_lightness
from utils.metrics import psnr


def _photo(h: int = 96, w: int = 128) -> np.ndarray:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    base = np.stack([0.5 + 0.3 * np.sin(6 * x), 0.4 + 0.3 * np.cos(5 * y), 0.3 + 0.4 * x * y], -1)
    return np.clip(base + 0.03 * rng.standard_normal((h, w, 3)), 0, 1).astype(np.float32)


def _lab_map(rgb: np.ndarray, matrix: np.ndarray, offset: np.ndarray) -> np.ndarray:
    lab = image_to_lab(rgb)[0].numpy()
    out = np.einsum("ij,jhw->ihw", matrix, lab) + offset[:, None, None]
    return lab_to_rgb_keep_lightness(torch.from_numpy(out.astype(np.float32))[None])[0].permute(1, 2, 0).numpy()


def test_affine_ceiling_undoes_an_affine_recolouring():
    photo = _photo()
    matrix = np.array([[0.9, 0.0, 0.0], [0.05, 0.7, 0.1], [0.0, -0.1, 0.8]])
    plain = _lab_map(photo, matrix, np.array([4.0, 6.0, -5.0]))
    assert psnr(plain, photo) < 30
    assert psnr(affine_ceiling(plain, photo), photo) > 40


def test_affine_ceiling_keeps_the_photos_lightness_for_black_and_white():
    photo = _photo()
    plain = _lab_map(photo, np.eye(3), np.array([10.0, 8.0, -8.0]))     # lightness wrong too
    kept = image_to_lab(affine_ceiling(plain, photo, keep_lightness=True))[0, 0]
    assert torch.allclose(kept, image_to_lab(photo)[0, 0], atol=0.5)


def test_shaded_ceiling_moves_each_segment_to_its_true_mean_and_keeps_the_shading():
    photo = _photo()
    masks = [mask for _, mask in region_centres(photo, 24)]
    labels = np.zeros(photo.shape[:2], int)
    for i, mask in enumerate(masks):
        labels[mask] = i
    shifts = np.random.default_rng(1).uniform(-8, 8, (len(masks), 3))
    lab = image_to_lab(photo)[0].numpy() + shifts[labels].transpose(2, 0, 1)
    plain = lab_to_rgb_keep_lightness(torch.from_numpy(lab.astype(np.float32))[None])[0].permute(1, 2, 0).numpy()
    assert psnr(shaded_ceiling(plain, photo, masks), photo) > psnr(plain, photo) + 10
    partial = shaded_ceiling(plain, photo, masks[:2])
    rest = ~(masks[0] | masks[1])
    assert np.abs(partial[rest] - plain[rest]).max() < 2e-3    # unhinted segments untouched


def test_hint_segments_give_ten_regions_and_a_centre_inside_each():
    photo = _photo()
    labels = hint_segments(photo)
    assert labels.max() + 1 >= 10
    for (x, y), mask in region_centres(photo, 10):
        assert mask[y, x]
