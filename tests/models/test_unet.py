import numpy as np
import pytest
import torch

from config.defaults import ModelConfig
from models.inputs import Guides, encode_guides, input_channels
from models.unet import SemColorNet
from utils.color_utils import COLOR_SPACES, rgb_to_space, space_to_rgb
from utils.metrics import psnr

TINY = dict(width=8, attention_heads=2, attention_grid=4, style_dim=8)


@pytest.mark.parametrize("shape", [(1, 32, 32), (2, 40, 56), (1, 37, 29)])
@pytest.mark.parametrize("space", COLOR_SPACES)
def test_cardinality(shape, space):
    cfg = ModelConfig(color_space=space, **TINY)
    net = SemColorNet(cfg).eval()
    b, h, w = shape
    out = net(torch.rand(b, input_channels(cfg), h, w))
    assert out.shape == (b, 3, h, w)
    rgb = space_to_rgb(out, space)
    assert rgb.min() >= 0 and rgb.max() <= 1


def test_labels_and_style_change_the_output():
    cfg = ModelConfig(num_labels=3, **TINY)
    torch.manual_seed(0)
    net = SemColorNet(cfg)
    for p in net.parameters():  # make the zero-initialised branches active
        torch.nn.init.normal_(p, std=0.2)
    net.eval()
    x = torch.rand(1, input_channels(cfg), 16, 16)
    a = net(x, torch.zeros(1, 16, 16, dtype=torch.long))
    b = net(x, torch.full((1, 16, 16), 2, dtype=torch.long))
    assert not torch.allclose(a, b)
    s1 = net.encode_style(torch.zeros(1, 3, 32, 32))
    s2 = net.encode_style(torch.ones(1, 3, 32, 32))
    assert not torch.allclose(net(x, torch.zeros(1, 16, 16, dtype=torch.long), style=s1),
                              net(x, torch.zeros(1, 16, 16, dtype=torch.long), style=s2))


def test_exception():
    cfg = ModelConfig(num_labels=2, **TINY)
    net = SemColorNet(cfg)
    with pytest.raises(ValueError, match="input channels"):
        net(torch.rand(1, 2, 16, 16))
    with pytest.raises(ValueError, match="semantic mask"):
        net(torch.rand(1, input_channels(cfg), 16, 16))
    with pytest.raises(ValueError, match="divisible"):
        SemColorNet(ModelConfig(width=8, attention_heads=3))


def test_overfits_a_tiny_image():
    """32 x 32: a few hundred steps reach > 25 dB on the image it learns."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:32, 0:32] / 31.0
    photo = np.stack([0.2 + 0.6 * xx, 0.3 + 0.5 * yy, 0.5 + 0.3 * np.sin(6 * xx)], axis=2).astype(np.float32)
    photo[8:20, 10:22] = [0.8, 0.2, 0.1]
    sketch = np.ones((32, 32), np.float32)
    sketch[8, 10:22] = sketch[19, 10:22] = sketch[8:20, 10] = sketch[8:20, 21] = 0
    depth = rng.random((32, 32)).astype(np.float32) * 0.1 + yy.astype(np.float32) * 0.9
    cfg = ModelConfig(width=16, attention_grid=4, style_dim=16)
    net = SemColorNet(cfg)
    x, _ = encode_guides(Guides(sketch, depth), cfg)
    xt = torch.from_numpy(x)[None]
    target = torch.from_numpy(photo).permute(2, 0, 1)[None]
    t_space = rgb_to_space(target, cfg.color_space)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for _ in range(300):
        loss = (net(xt) - t_space).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        pred = space_to_rgb(net(xt), cfg.color_space)[0].permute(1, 2, 0).numpy()
    assert psnr(pred, photo) > 25


def test_labels_out_of_range_are_refused_not_clamped():
    cfg = ModelConfig(num_labels=3, **TINY)
    net = SemColorNet(cfg).eval()
    with pytest.raises(ValueError, match="0..2"):
        net(torch.rand(1, input_channels(cfg), 16, 16), torch.full((1, 16, 16), 3, dtype=torch.long))


def test_full_width_narrows_only_the_full_resolution_level():
    from torch.utils.flop_counter import FlopCounterMode

    flops = {}
    for full in (0, 16):
        cfg = ModelConfig(width=32, full_width=full)
        model = SemColorNet(cfg)
        assert model.enc0.body[0].out_channels == (full or 32)
        assert model.enc1.block.body[0].out_channels == 64  # the levels below keep 2w, 4w, 8w
        assert model.head.in_channels == (full or 32)
        x = torch.rand(1, input_channels(cfg), 32, 40)
        with FlopCounterMode(display=False) as counter:
            out = model(x)
        assert out.shape == (1, 3, 32, 40)
        flops[full] = counter.get_total_flops()
    assert flops[16] < 0.85 * flops[0]
