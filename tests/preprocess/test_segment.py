import numpy as np
import pytest
from skimage import data

from preprocess.segment import merge_regions, overlay, segment
from utils.errors import InputError


@pytest.fixture(scope="module")
def photo():
    return data.coffee()[::3, ::3].astype(np.float32) / 255.0


@pytest.mark.parametrize("method", ["slic", "felzenszwalb"])
@pytest.mark.parametrize("regions", [6, 16])
def test_requested_number_of_regions(photo, method, regions):
    labels = segment(photo, method, regions=regions)
    k = int(labels.max()) + 1
    assert labels.shape == photo.shape[:2] and labels.dtype == np.int64
    assert sorted(np.unique(labels)) == list(range(k))
    assert 0.5 * regions <= k <= regions


def test_merge_regions_unit():
    labels = np.zeros((10, 10), int)
    labels[:, 5:] = 1
    labels[0, 0] = 2                # a one-pixel region inside region 0
    merged = merge_regions(labels, min_size=2)
    assert int(merged.max()) == 1 and merged[0, 0] == merged[5, 0]
    assert int(merge_regions(labels, max_regions=1).max()) == 0


def test_sam_from_a_tiny_model(tiny_sam, photo, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    labels = segment(photo, "sam", regions=8, sam_model=tiny_sam, sam_points=4)
    assert labels.shape == photo.shape[:2] and 1 <= labels.max() + 1 <= 8
    assert overlay(photo, labels).shape == photo.shape


def test_exception(photo, monkeypatch):
    with pytest.raises(InputError, match="segmenter"):
        segment(photo, "watershed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError, match="--segmenter slic"):
        segment(photo, "sam", sam_model="facebook/no-such-sam")
