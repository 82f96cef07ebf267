"""utils.metrics: the written-out PSNR is scikit-image's, and the metrics stay cheap to import."""
import subprocess
import sys

import numpy as np
from skimage.metrics import peak_signal_noise_ratio

from utils.metrics import image_metrics, psnr


def test_psnr_equals_scikit_image():
    rng = np.random.default_rng(0)
    target = rng.random((37, 53, 3))
    for pred in (target + rng.normal(0, 0.05, target.shape), rng.random((37, 53, 3)).astype(np.float32),
                 np.clip(target + 0.3, 0, 1.4)):
        expected = peak_signal_noise_ratio(target, np.clip(pred, 0, 1).astype(np.float64), data_range=1)
        assert abs(psnr(pred, target) - expected) < 1e-9


def test_identical_images_have_infinite_psnr():
    a = np.random.default_rng(1).random((8, 8, 3))
    assert psnr(a, a) == float("inf")


def test_shape_mismatch_is_refused():
    import pytest

    a = np.zeros((4, 4, 3))
    for fn in (image_metrics, psnr):
        with pytest.raises(ValueError, match="differ in shape"):
            fn(a, np.zeros((4, 5, 3)))


def test_metrics_do_not_import_scipy_stats():
    """Every training run imports utils.metrics; scipy.stats (pulled in by skimage's
    peak_signal_noise_ratio module) costs about a second of start-up."""
    code = "import sys, utils.metrics; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_drawing_fidelity_of_a_picture_that_follows_its_drawing():
    from utils.metrics import drawing_fidelity

    sketch = np.ones((64, 64), np.float32)
    sketch[:, 32] = 0.0
    follows = np.zeros((64, 64, 3), np.float32)
    follows[:, 32:] = [0.9, 0.2, 0.1]
    flat = np.full((64, 64, 3), 0.5, np.float32)
    elsewhere = np.zeros((64, 64, 3), np.float32)
    elsewhere[:, 10:] = [0.9, 0.2, 0.1]
    assert drawing_fidelity(follows, sketch)["f1"] > 0.9
    assert drawing_fidelity(flat, sketch) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert drawing_fidelity(elsewhere, sketch)["recall"] == 0.0
