import numpy as np
import pytest
import torch

from config.defaults import ModelConfig
from models.inputs import Guides, encode_guides
from models.unet import SemColorNet
from process.device import cpu_has_bf16
from process.preflight import check_tiling
from process.tiling import _cores, _ends, colorize_tiled, tile_starts
from process.inference import average_in_lab, colorize
from utils.errors import InputError
from utils.metrics import psnr


@pytest.fixture(scope="module")
def net_and_guides():
    torch.manual_seed(0)
    cfg = ModelConfig(width=8, attention_heads=2, attention_grid=4, style_dim=8)
    net = SemColorNet(cfg)
    for p in net.parameters():  # wake the zero-initialised attention and AdaIN branches
        if p.ndim > 1 and p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.3)
    net.eval()
    rng = np.random.default_rng(0)
    h, w = 150, 203
    yy, xx = np.mgrid[0:h, 0:w] / 50.0
    sketch = (np.sin(3 * xx) * np.cos(2 * yy) > 0.9).astype(np.float32)
    sketch = 1 - sketch
    depth = (0.5 + 0.4 * np.sin(xx + yy) + 0.05 * rng.random((h, w))).astype(np.float32)
    return net, Guides(sketch, depth)


def test_tile_layout_covers_and_partitions():
    for length, tile, overlap in [(100, 64, 16), (1000, 256, 64), (64, 64, 8), (513, 128, 32)]:
        s = tile_starts(length, tile, overlap)
        e = _ends(s, length, tile)
        assert s[0] == 0 and e[-1] == length and all(v % 8 == 0 for v in s)
        assert all(e[i] > s[i + 1] for i in range(len(s) - 1))  # neighbours overlap
        cores = _cores(s, e)
        assert cores[0][0] == 0 and cores[-1][1] == length
        assert all(cores[i][1] == cores[i + 1][0] for i in range(len(cores) - 1))


def test_tiled_matches_untiled(net_and_guides):
    net, g = net_and_guides
    whole = colorize(net, g, mirror_average=False)
    tiled = colorize_tiled(net, g, tile=64, overlap=32)
    assert tiled.shape == whole.shape
    assert psnr(tiled, whole) > 45
    # mirror averaging (the default) tiles the mirrored view the same way
    assert psnr(colorize(net, g, tile=64, overlap=32), colorize(net, g)) > 45


@pytest.mark.parametrize("tile", [None, 64])
def test_mirror_average_reads_the_flipped_input_with_the_same_positions(net_and_guides, tile):
    """The second pass reads exactly the first pass's input flipped left to right, position
    channels included (each pixel keeps its place in the unflipped view), whole or tile by tile;
    the output is the mean of the two readings, the second flipped back."""
    net, g = net_and_guides
    seen = []
    hook = net.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach().clone()))
    try:
        averaged = colorize(net, g, tile=tile, overlap=32)
    finally:
        hook.remove()
    first, second = seen[:len(seen) // 2], seen[len(seen) // 2:]
    assert len(first) == len(second) >= (1 if tile is None else 4)
    if tile is None:
        torch.testing.assert_close(second[0], first[0].flip(-1), rtol=0, atol=1e-6)
    else:  # each tile of the mirrored view is the flipped encoding of its unmirrored place
        h, w = g.shape
        ys, xs = tile_starts(h, 64, 32), tile_starts(w, 64, 32)
        ye, xe = _ends(ys, h, 64), _ends(xs, w, 64)
        windows = [(ys[i], ye[i], w - xe[j], w - xs[j]) for i in range(len(ys)) for j in range(len(xs))]
        for t, window in zip(second, windows):
            x, _ = encode_guides(g, net.cfg, window)
            np.testing.assert_allclose(t[0].numpy(), x[:, :, ::-1], rtol=0, atol=1e-6)
    one = colorize(net, g, tile=tile, overlap=32, mirror_average=False)
    other = colorize(net, g.mirror(), tile=tile, overlap=32, mirror_average=False)[:, ::-1]
    np.testing.assert_allclose(averaged, average_in_lab(one.copy(), other), rtol=0, atol=1e-5)


def test_no_seams(net_and_guides):
    """Gradient energy across tile borders is no higher than inside tiles."""
    net, g = net_and_guides
    tiled = colorize_tiled(net, g, tile=64, overlap=32)
    whole = colorize(net, g)
    diff = tiled - whole  # whatever tiling adds
    starts = tile_starts(g.shape[1], 64, 32)
    borders = sorted({s for s in starts[1:]} | {min(s + 64, g.shape[1]) for s in starts[:-1]})
    gx = np.abs(np.diff(tiled, axis=1)).mean(axis=(0, 2))
    at_borders = np.mean([gx[b - 1] for b in borders if 0 < b < g.shape[1]])
    inside = np.median(gx)
    assert at_borders <= 1.5 * inside + 1e-3
    assert np.abs(diff).max() < 0.02


def test_uint8_output_and_exception(net_and_guides):
    net, g = net_and_guides
    out = colorize_tiled(net, g, tile=64, overlap=16, out_dtype=np.uint8)
    assert out.dtype == np.uint8 and out.shape == (150, 203, 3)
    with pytest.raises(InputError, match="multiple of 8"):
        tile_starts(100, 60, 16)
    with pytest.raises(InputError, match="at least 32"):
        tile_starts(100, 16, 8)
    with pytest.raises(InputError, match="less than --tile"):
        tile_starts(100, 64, 64)
    with pytest.raises(InputError, match="--overlap"):
        check_tiling(64, 12)
    check_tiling(0, 64)  # 0: never tile


@pytest.mark.skipif(not cpu_has_bf16(), reason="this CPU has no native bfloat16 (avx512_bf16 or AMX): "
                                               "bf16 inference runs in float32 and the comparison means nothing")
def test_bf16_inference_is_close(net_and_guides):
    net, g = net_and_guides
    full = colorize(net, g)
    half = colorize(net, g, bf16=True)
    tiled = colorize_tiled(net, g, tile=64, overlap=32, bf16=True)
    assert psnr(half, full) > 30 and psnr(tiled, half) > 30


def test_bf16_without_native_support_says_so_once(net_and_guides, monkeypatch, capsys):
    import process.device as device

    net, g = net_and_guides
    monkeypatch.setattr(device, "cpu_has_bf16", lambda: False)
    device._say_no_bf16.cache_clear()
    try:
        assert np.array_equal(colorize(net, g, bf16=True), colorize(net, g))  # runs in float32, no surprise
        colorize_tiled(net, g, tile=64, overlap=32, bf16=True)
        err = capsys.readouterr().err
        assert err.count("warning: --bf16") == 1 and "float32" in err
    finally:
        device._say_no_bf16.cache_clear()


def test_average_in_lab_is_the_mean_in_lab_and_the_same_in_bands():
    from skimage.color import lab2rgb, rgb2lab

    rng = np.random.default_rng(0)
    a, b = (rng.uniform(0.2, 0.8, (37, 23, 3)).astype(np.float32) for _ in range(2))
    light = rng.random((37, 23)).astype(np.float32)
    expected = lab2rgb((rgb2lab(a) + rgb2lab(b)) / 2)
    got = average_in_lab(a.copy(), b)
    inside = ((expected > 0.001) & (expected < 0.999)).all(axis=-1)   # skimage clips out-of-gamut colours
    assert inside.mean() > 0.9
    np.testing.assert_allclose(got[inside], expected[inside], rtol=0, atol=2e-3)
    for lightness in (None, light):
        whole = average_in_lab(a.copy(), b, lightness, band=10_000)
        np.testing.assert_allclose(average_in_lab(a.copy(), b, lightness, band=7), whole, rtol=0, atol=1e-5)
    # a given lightness is kept
    assert np.abs(rgb2lab(average_in_lab(a.copy(), b, light))[..., 0] - light * 100).max() < 0.05



def test_a_local_context_is_tiles_of_its_own():
    """``context="local"``: tiles of LOCAL_CONTEXT px, half overlapping, each attending to its own
    tokens, so what lies far away in the frame does not reach a pixel's colour."""
    from config.defaults import LOCAL_CONTEXT

    torch.manual_seed(0)
    net = SemColorNet(ModelConfig(width=8, attention_heads=2, attention_grid=4, style_dim=8, use_depth=False))
    net.eval()
    sketch = np.where(np.random.default_rng(1).random((200, 300)) < 0.05, 0.0, 1.0).astype(np.float32)
    local = colorize(net, Guides(sketch), context="local", mirror_average=False)
    tiled = colorize_tiled(net, Guides(sketch), tile=LOCAL_CONTEXT, overlap=LOCAL_CONTEXT // 2, shared_context=False)
    assert np.array_equal(local, tiled)
    far = sketch.copy()
    far[:, 250:] = 0.0                       # change only what lies more than a tile away from the left edge
    moved = colorize(net, Guides(far), context="local", mirror_average=False)
    assert np.array_equal(moved[:, :64], local[:, :64])
    with pytest.raises(ValueError, match="context"):
        colorize(net, Guides(sketch), context="near")
