import cv2
import numpy as np
import pytest
import torch
from skimage.color import deltaE_ciede2000, rgb2lab

import process.inference as inference
from config.defaults import ModelConfig
from models.inputs import Guides
from models.unet import SemColorNet
from data.print_ageing import halftone


def _bw_model() -> SemColorNet:
    torch.manual_seed(0)
    net = SemColorNet(ModelConfig(width=8, attention_heads=2, attention_grid=4, style_dim=8, use_depth=False,
                                  use_luminance=True, color_space="lab"))
    for p in net.parameters():  # saturated, random chroma, as tests/test_lines_and_bw.py's
        torch.nn.init.normal_(p, std=0.5)
    return net.eval()


def _scratched_grey(h=64, w=80):
    """A smooth grey ramp (L* / 100 0.35-0.45) with a bright 2-px scratch, the scratch's pixels and
    a band 4-7 px around it."""
    light = np.tile(np.linspace(0.35, 0.45, w, dtype=np.float32), (h, 1))
    line = np.zeros((h, w), np.uint8)
    cv2.polylines(line, [np.array([[10, 5], [30, 30], [60, 58]], np.int32).reshape(-1, 1, 2)], False, 1, 2)
    scratch = line.astype(bool)
    light[scratch] += 0.2
    disk = lambda r: cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))  # noqa: E731
    band = cv2.dilate(line, disk(7)).astype(bool) & ~cv2.dilate(line, disk(3)).astype(bool)
    return light, scratch, band


def _chroma_gap(rgb, scratch, band) -> float:
    """CIEDE2000 between the mean a*, b* on the scratch and around it (at one L*)."""
    lab = rgb2lab(rgb)
    on, around = lab[scratch][:, 1:].mean(0), lab[band][:, 1:].mean(0)
    return float(deltaE_ciede2000(np.array([50.0, *on]), np.array([50.0, *around])))


@pytest.mark.parametrize("chroma_smooth, mirror_average", [(0, False), (12, True)])
def test_scratch_takes_its_surroundings_chroma(chroma_smooth, mirror_average, monkeypatch):
    light, scratch, band = _scratched_grey()
    guides = Guides(sketch=np.ones_like(light), luminance=light)
    net = _bw_model()
    rgb = inference.colorize(net, guides, chroma_smooth=chroma_smooth, mirror_average=mirror_average)
    assert _chroma_gap(rgb, scratch, band) <= 3.0
    assert np.abs(rgb2lab(rgb)[..., 0] - light * 100).max() < 0.05      # L* the input's, scratch and all
    if chroma_smooth == 0:  # the network alone gives the scratch a colour of its own
        monkeypatch.setattr(inference, "find_damage", lambda L, screen="find": np.zeros(L.shape, bool))
        raw = inference.colorize(net, guides, chroma_smooth=0, mirror_average=False)
        assert _chroma_gap(raw, scratch, band) > 3.0


def test_halftone_keeps_its_lightness_and_undamaged_pixels_are_untouched(monkeypatch):
    h, w = 64, 80
    light = halftone(np.tile(np.linspace(0.3, 0.7, w, dtype=np.float32), (h, 1)), period=5.0)
    guides = Guides(sketch=np.ones_like(light), luminance=light)
    rgb = inference.colorize(_bw_model(), guides)
    assert np.abs(rgb2lab(rgb)[..., 0] - light * 100).max() < 0.05
    rgb_in = np.random.default_rng(0).random((h, w, 3)).astype(np.float32)
    damage = np.zeros((h, w), bool)
    damage[30:33, 10:70] = True
    out = inference.chroma_over_damage(rgb_in.copy(), light, damage, grow=0)
    assert np.array_equal(out[~damage], rgb_in[~damage]) and not np.array_equal(out[damage], rgb_in[damage])
