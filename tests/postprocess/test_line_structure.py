"""A line drawing's colours laid out by its lines: the filter, the gap bridging and the ink."""
import numpy as np
import pytest
from skimage.color import rgb2lab

from postprocess.line_structure import colour_by_lines, draw_ink, even_within_lines, filter_within_lines, line_barrier

N = 64
LEFT, RIGHT = np.array([0.8, 0.2, 0.1], np.float32), np.array([0.1, 0.3, 0.9], np.float32)


def _ramp() -> np.ndarray:
    """A network's hedge: red on the left turning to blue on the right, smoothly across the line."""
    t = np.linspace(0, 1, N, dtype=np.float32)[None, :, None]
    return np.broadcast_to((1 - t) * LEFT + t * RIGHT, (N, N, 3)).copy()


def _divided(gap: int = 0) -> np.ndarray:
    """A drawing: one vertical 1-px line at column N // 2, with a ``gap`` px opening in the middle."""
    sketch = np.ones((N, N), np.float32)
    sketch[:, N // 2] = 0.0
    if gap:
        sketch[N // 2 - gap // 2:N // 2 - gap // 2 + gap, N // 2] = 1.0
    return sketch


def _side_of(rgb: np.ndarray) -> np.ndarray:
    """(H, W) -1 where a pixel is nearer the left half's mean colour, +1 where nearer the right's."""
    left, right = rgb[:, :N // 2 - 1].reshape(-1, 3).mean(0), rgb[:, N // 2 + 2:].reshape(-1, 3).mean(0)
    return np.where(np.linalg.norm(rgb - left, axis=-1) < np.linalg.norm(rgb - right, axis=-1), -1, 1)


def test_smoke():
    out = colour_by_lines(_ramp(), _divided(), "hide")
    assert out.shape == (N, N, 3) and out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1


def test_colour_changes_on_the_line_and_nowhere_else():
    raw = _ramp()
    out = even_within_lines(raw, _divided())
    side = _side_of(out)
    assert (side[:, :N // 2 - 1] == -1).all() and (side[:, N // 2 + 2:] == 1).all()
    # inside each side the ramp is evened out: far less change than the network's hedge had
    for half in (out[:, :N // 2 - 1], out[:, N // 2 + 2:]):
        assert np.ptp(half[..., 2]) < 0.35 * np.ptp(raw[..., 2])


def test_a_region_keeps_shading_longer_than_the_reach():
    """A long sky gradient stays a gradient: it is evened out only over the reach."""
    raw = np.broadcast_to(np.linspace(0.2, 0.9, 400, dtype=np.float32)[None, :, None], (8, 400, 3)).copy()
    out = even_within_lines(raw, np.ones((8, 400), np.float32), reach=16)
    assert out[0, -1, 0] - out[0, 0, 0] > 0.5


@pytest.mark.parametrize("gap", [1, 2])
def test_a_gap_of_two_px_still_separates_the_regions(gap):
    out = even_within_lines(_ramp(), _divided(gap))
    side = _side_of(out)
    assert (side[:, :N // 2 - 1] == -1).all() and (side[:, N // 2 + 2:] == 1).all()


def test_without_bridging_a_gap_lets_colour_through():
    """Without the gap bridged, colour flows through the opening (the test above can fail): the
    colours just either side of it are closer."""
    raw, sketch = _ramp(), _divided(2)
    bridged = even_within_lines(raw, sketch, gap=1)
    leaky = even_within_lines(raw, sketch, gap=0)
    row, across = N // 2, (N // 2 - 1, N // 2 + 1)
    jump = lambda im: np.linalg.norm(im[row, across[1]] - im[row, across[0]])  # noqa: E731
    assert jump(bridged) > jump(leaky) + 0.05


def test_keep_draws_every_stroke_darker_than_its_neighbours():
    rng = np.random.default_rng(0)
    sketch = np.ones((N, N), np.float32)
    sketch[10:50, 20] = 0.45           # a grey pencil stroke
    sketch[30, 5:60] = 0.0             # a black ink line
    rgb = rng.uniform(0.3, 1.0, (N, N, 3)).astype(np.float32)
    out = colour_by_lines(rgb, sketch, "keep")
    light = rgb2lab(out)[..., 0]
    ys, xs = np.nonzero(sketch < 0.5)
    for y, x in zip(ys, xs):
        near = [(y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                if 0 <= y + dy < N and 0 <= x + dx < N and sketch[y + dy, x + dx] >= 0.5]
        assert all(light[y, x] < light[p] for p in near), (y, x)


def test_hide_leaves_no_ink():
    out = colour_by_lines(_ramp(), _divided(), "hide")
    assert out[:, N // 2].min() > 0.05     # the line's pixels take colour from their sides


def test_a_short_run_between_two_lines_gets_its_weighted_mean():
    """A 3-px band between two lines whose network colour turns from blue to red across it: the
    band gets the mean of its colours, not the colour of its first row (which a running average
    y = (1 - a) x + a y_prev would give)."""
    sketch = np.ones((16, 40), np.float32)
    sketch[4], sketch[10] = 0.0, 0.0          # lines; with the gap bridged, rows 6-8 are free
    raw = np.zeros((16, 40, 3), np.float32)
    raw[..., 0] = np.linspace(0, 1, 16)[:, None]
    out = even_within_lines(raw, sketch, reach=64)
    band = slice(6, 9)
    assert not line_barrier(sketch)[band].any() and line_barrier(sketch)[[5, 9]].all()
    expected = raw[band, 5:35, 0].mean()
    assert np.allclose(out[band, 5:35, 0], expected, atol=0.02)


@pytest.mark.parametrize("reach", [4, 16, 64, 256])
def test_one_colour_stays_that_colour_among_many_small_areas(reach):
    """A normalised filter: a flat colour comes back unchanged everywhere, in open areas and in
    areas of a few px shut in by lines alike (a filter scaled per pass lost those to 0)."""
    rng = np.random.default_rng(0)
    sketch = np.where(rng.random((60, 80)) < 0.3, 0.0, 1.0).astype(np.float32)
    sketch[:, :20] = 1.0                                        # and an open area
    flat = np.broadcast_to(np.float32([0.6, 0.3, 0.2]), (60, 80, 3)).copy()
    assert np.allclose(even_within_lines(flat, sketch, reach), flat, atol=1e-5)
    assert np.isfinite(filter_within_lines(flat, line_barrier(sketch), reach)).all()


def test_ink_is_the_drawing_paper_value():
    rgb = np.full((4, 4, 3), 0.8, np.float32)
    sketch = np.array([[1, 0.5, 0, 1]] * 4, np.float32)
    assert np.allclose(draw_ink(rgb, sketch)[0, :, 0], [0.8, 0.4, 0.0, 0.8])


def test_exception():
    with pytest.raises(ValueError, match="lines"):
        colour_by_lines(_ramp(), _divided(), "erase")
    with pytest.raises(ValueError, match="differ"):
        even_within_lines(_ramp(), np.ones((N, N + 1), np.float32))
    with pytest.raises(ValueError, match="reach"):
        even_within_lines(_ramp(), _divided(), reach=-1)
    assert np.array_equal(even_within_lines(_ramp(), _divided(), reach=0), _ramp())
