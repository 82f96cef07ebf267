import time

import numpy as np
import pytest

from preprocess.depth import DepthEstimator, estimate_depth
from utils.errors import InputError


def test_tiny_model_from_a_folder(tiny_depth_anything, sample_crop, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    photo = sample_crop[0]
    depth = estimate_depth(photo, tiny_depth_anything)
    assert depth.shape == photo.shape[:2] and depth.dtype == np.float32
    assert depth.min() >= 0 and depth.max() <= 1 and depth.std() > 0


def test_large_photo_is_resized_for_the_network(tiny_depth_anything, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    est = DepthEstimator(tiny_depth_anything)
    photo = np.random.default_rng(0).random((1200, 1600, 3)).astype(np.float32)
    depth = estimate_depth(photo, est)
    assert depth.shape == (1200, 1600)


def test_offline_without_weights_fails_fast(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        estimate_depth(np.zeros((64, 64, 3), np.float32), "depth-anything/no-such-model-hf")
    assert time.perf_counter() - t0 < 10
    msg = str(err.value)
    assert "run once online" in msg and "--depth-model LOCAL_DIR" in msg and "--depth FILE" in msg
    assert "\n" not in msg


def test_exception(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="save_pretrained"):
        estimate_depth(np.zeros((64, 64, 3), np.float32), str(tmp_path / "empty"))
