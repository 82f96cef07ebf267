"""models/inputs.encode_guides: a window of the whole image's encoding is the encoding of that window."""
import numpy as np
import pytest

from config.defaults import ModelConfig
from models.inputs import Guides, encode_guides


@pytest.fixture(scope="module")
def guides():
    rng = np.random.default_rng(0)
    h, w = 70, 90
    sketch = np.ones((h, w), np.float32)
    sketch[rng.integers(0, h, 60), rng.integers(0, w, 60)] = 0.0    # scattered ink
    sketch[20, 5:80] = 0.0                                           # and a long line
    depth = rng.random((h, w)).astype(np.float32)
    mask = rng.integers(0, 4, (h, w)).astype(np.int64)
    lum = rng.random((h, w)).astype(np.float32)
    return Guides(sketch=sketch, depth=depth, mask=mask, luminance=lum)


@pytest.mark.parametrize("window", [(0, 32, 0, 40), (16, 70, 24, 90), (8, 40, 40, 72), (0, 70, 0, 90)])
@pytest.mark.parametrize("cfg", [ModelConfig(num_labels=4, use_luminance=True, color_space="lab"),
                                 ModelConfig(use_depth=False, line_distance=False, position=False)])
def test_window_of_whole_equals_encoding_of_window(guides, window, cfg):
    g = guides if cfg.use_depth else Guides(sketch=guides.sketch)
    whole, whole_labels = encode_guides(g, cfg)
    part, part_labels = encode_guides(g, cfg, window)
    y0, y1, x0, x1 = window
    assert part.shape == (whole.shape[0], y1 - y0, x1 - x0)
    # Equal up to float rounding (the line distance of a crop differs from the whole's by ~1e-8).
    np.testing.assert_allclose(part, whole[:, y0:y1, x0:x1], rtol=0, atol=1e-6)
    if cfg.num_labels:
        np.testing.assert_array_equal(part_labels, whole_labels[y0:y1, x0:x1])
    else:
        assert part_labels is None and whole_labels is None


def test_line_distance_and_position_channels_vary(guides):
    """The equality above is not vacuous: the window-dependent channels carry information."""
    cfg = ModelConfig()
    whole, _ = encode_guides(Guides(sketch=guides.sketch, depth=guides.depth), cfg)
    assert whole.shape[0] >= 5
    assert all(np.ptp(whole[c]) > 0 for c in range(whole.shape[0]))


def test_mask_labels_the_model_never_learned_are_refused():
    from config.defaults import ModelConfig
    from models.inputs import check_labels
    from utils.errors import InputError

    cfg = ModelConfig(num_labels=3)
    check_labels(np.array([[0, 1], [2, 2]]), cfg)
    with pytest.raises(InputError, match="labels up to 5"):
        check_labels(np.array([[0, 5]]), cfg)


@pytest.mark.parametrize("window", [None, (0, 32, 0, 40), (16, 70, 24, 90), (8, 40, 40, 72)])
def test_mirrored_view_is_the_flipped_encoding(guides, window):
    """Guides.mirror: every channel of the mirrored view (or of a window of it) is the unmirrored
    view's, flipped left to right, position included, as a horizontally flipped training patch."""
    cfg = ModelConfig(num_labels=4, use_luminance=True, color_space="lab", hints=True)
    hints = np.zeros(guides.shape + (4,), np.float32)
    hints[10:14, 7:11] = [0.9, 0.2, 0.1, 1.0]
    g = Guides(sketch=guides.sketch, depth=guides.depth, mask=guides.mask, luminance=guides.luminance, hints=hints)
    w = g.shape[1]
    y0, y1, x0, x1 = window or (0, g.shape[0], 0, w)
    mirrored, mirrored_labels = encode_guides(g.mirror(), cfg, window)
    plain, plain_labels = encode_guides(g, cfg, (y0, y1, w - x1, w - x0))
    np.testing.assert_allclose(mirrored, plain[:, :, ::-1], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(mirrored_labels, plain_labels[:, ::-1])
    assert g.mirror().mirrored and not g.mirror().mirror().mirrored
    np.testing.assert_array_equal(g.mirror().mirror().hints, g.hints)
