import os

import numpy as np
import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch.set_num_threads(2)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def sample_crop():
    """A 96 x 128 crop of the bundled sample's training and held-out views."""
    from data.samples import stereo_motorcycle_views
    left, right = stereo_motorcycle_views()
    sl = (slice(200, 296), slice(300, 428))
    return left.photo[sl], left.depth[sl], right.photo[sl], right.depth[sl]


from tests.conftest_models import tiny_depth_anything, tiny_sam  # noqa: E402,F401  (shared by several folders)
from tests.conftest_run import tiny_run  # noqa: E402,F401


def load_script(name: str):
    """Import a root script by path (``process.py`` shares its name with the ``process/`` package)."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / name
    spec = importlib.util.spec_from_file_location(f"script_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
