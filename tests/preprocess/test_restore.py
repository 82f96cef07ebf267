import argparse

import cv2
import numpy as np
import pytest
import torch

from config.defaults import ModelConfig, SketchConfig
from models.inputs import Guides
from models.unet import SemColorNet
from data.print_ageing import dust, film_grain, halftone, scratches, tone_curve
from process.preflight import check_render_request
from process.render import RenderConfig, Renderer
from process.render_flags import add_render_flags, render_config
from preprocess.restore import descreen, find_damage, find_screen, normalise_print, restore_print
from utils.errors import InputError


def _damaged_card(seed=0, grey=0.5, size=96):
    """A flat grey card with dust specks and two scratches, and the pixels they changed."""
    rng = np.random.default_rng(seed)
    card = np.full((size, size), grey, np.float32)
    specked, specks = dust(card, rng, 25)
    scratched, lines = scratches(specked, rng, 2)
    return card, scratched, specks | lines


@pytest.mark.parametrize("seed, grey", [(0, 0.5), (1, 0.3), (2, 0.7)])
def test_restore_removes_dust_and_scratches_from_a_grey_card(seed, grey):
    card, damaged, drawn = _damaged_card(seed, grey)
    restored, mask = restore_print(damaged)
    assert (np.abs(restored - card)[drawn] <= 0.02).mean() >= 0.95   # within 2 L* on >= 95 % of the damage
    assert np.array_equal(restored[~mask], damaged[~mask])           # nothing else touched, bit for bit
    assert restored.dtype == np.float32 and restored.shape == card.shape


def test_restore_leaves_a_clean_card_untouched():
    card = np.full((96, 96), 0.5, np.float32)
    restored, mask = restore_print(card)
    assert not mask.any() and np.array_equal(restored, card)
    grainy = film_grain(card, np.random.default_rng(0), 0.01)          # a clean card, photographed
    restored, mask = restore_print(grainy)
    assert np.abs(restored - grainy).mean() <= 0.005


def test_edges_of_larger_shapes_are_not_damage():
    L = np.full((96, 96), 0.3, np.float32)
    L[20:70, 30:80] = 0.8                                          # a bright box: edges and corners
    cv2.circle(L, (20, 75), 12, 0.1, -1)
    assert not find_damage(L).any()


def test_a_thin_line_between_two_tones_is_the_scenes_not_a_scratch():
    """A 1-px dark line along the border of a darker and a lighter field (an outline, a window frame) is
    the scene's own edge; the same line across one flat field is a scratch."""
    edge = np.full((80, 80), 0.35, np.float32)
    edge[:, 40:] = 0.75
    edge[:, 40] = 0.05
    assert not find_damage(edge).any()
    flat = np.full((80, 80), 0.55, np.float32)
    flat[:, 40] = 0.05
    assert find_damage(flat)[5:-5, 40].all()


@pytest.mark.parametrize("period, softness", [(4.0, 0.0), (5.0, 0.0), (6.0, 0.3)])
def test_halftone_gradient_is_descreened(period, softness):
    h, w = 96, 128
    gradient = np.tile(np.linspace(0.15, 0.85, w, dtype=np.float32), (h, 1))
    screened = halftone(gradient, period=period, angle_deg=45.0, softness=softness)
    screen = find_screen(screened)
    assert screen is not None and abs(screen.period - period) < 0.1 * period
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(screened - gradient)[inner].mean() > 0.1              # the screen is there ...
    assert np.abs(descreen(screened) - gradient)[inner].mean() <= 0.03  # ... and gone, within 3 L*
    assert find_damage(screened).mean() < 0.01                          # its dots are not dust


def test_no_screen_no_change():
    rng = np.random.default_rng(0)
    L = cv2.GaussianBlur(rng.random((96, 96)).astype(np.float32), (0, 0), 2)
    L = (L - L.min()) / (L.max() - L.min())
    assert find_screen(L) is None
    assert np.array_equal(descreen(L), L)


def test_normalise_print_equalises_a_faded_print():
    rng = np.random.default_rng(0)
    L = cv2.GaussianBlur(rng.random((96, 96)).astype(np.float32), (0, 0), 4)
    L = (L - L.min()) / (L.max() - L.min())
    faded = tone_curve(L, black=0.35, white=0.6)
    out = normalise_print(faded)
    assert out.shape == L.shape and out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    assert out.std() > 2 * faded.std()


def _bw_model() -> SemColorNet:
    torch.manual_seed(0)
    return SemColorNet(ModelConfig(width=8, attention_heads=2, attention_grid=4, style_dim=8, use_depth=False,
                                   use_luminance=True, color_space="lab")).eval()


def _renderer(reference=None) -> Renderer:
    """A renderer of a tiny black-and-white model (no checkpoint to read) keeping ``reference`` as its
    training photo."""
    renderer = Renderer.__new__(Renderer)
    renderer.model, renderer.sketch_cfg, renderer.reference = _bw_model(), SketchConfig(), reference
    renderer._start()
    return renderer


def test_render_restore_says_what_it_did(capsys):
    """Without a training photo the damage is found by the fixed rule, and the note says so."""
    renderer = _renderer()
    card, damaged, _ = _damaged_card()
    guides = renderer.restored(Guides(sketch=np.ones_like(damaged), luminance=damaged))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: --restore inpainted") and "no halftone screen" in err[0]
    assert "fixed rule: this checkpoint keeps no training photo" in err[0]
    assert np.abs(guides.luminance - card).mean() < 0.002 and guides.sketch.shape == card.shape


def test_render_restore_learns_from_the_training_photo(capsys):
    """With a training photo (a textured grey card) the detector is learnt from it once per renderer
    and cleans the damaged card; a photo too small to learn from gives the rule, said in the note."""
    rng = np.random.default_rng(0)
    photo = np.repeat(np.clip(0.5 + rng.normal(0, 0.02, (128, 160, 1)), 0, 1) * 255, 3, axis=2).astype(np.uint8)
    renderer = _renderer(photo)
    card, damaged, drawn = _damaged_card()
    for _ in range(2):
        guides = renderer.restored(Guides(sketch=np.ones_like(damaged), luminance=damaged))
    detector = renderer.damage_detector()
    assert detector is not None and renderer.damage_detector() is detector
    err = capsys.readouterr().err.strip().splitlines()
    notes = [line for line in err if line.startswith("note:")]
    assert len(notes) == 2 and all("fixed rule" not in n for n in notes)
    assert np.abs(guides.luminance - card)[drawn].mean() < 0.5 * np.abs(damaged - card)[drawn].mean()
    small = _renderer(photo[:20])
    small.restored(Guides(sketch=np.ones_like(damaged), luminance=damaged))
    assert "fixed rule: the training photo (160 x 20 px) is too small" in capsys.readouterr().err


def test_restore_flag_and_refusal_for_a_colour_model():
    p = argparse.ArgumentParser()
    add_render_flags(p)
    assert render_config(p.parse_args(["--restore"])).restore and not render_config(p.parse_args([])).restore
    with pytest.raises(InputError, match="--restore"):
        check_render_request(ModelConfig(), RenderConfig(restore=True), outputs=[])
    check_render_request(ModelConfig(use_luminance=True, color_space="lab", use_depth=False),
                         RenderConfig(restore=True, depth="none"), outputs=[])


def test_tones_flag_and_its_refusals():
    """--tones photo: parsed into the request; refused for a colour model, and for a checkpoint that keeps
    no training photo (its tones come from there); --tones print needs nothing."""
    from process.preflight import check_training_photo_kept

    p = argparse.ArgumentParser()
    add_render_flags(p)
    assert render_config(p.parse_args(["--tones", "photo"])).tones == "photo"
    assert render_config(p.parse_args([])).tones == "print"
    with pytest.raises(InputError, match="--tones photo"):
        check_render_request(ModelConfig(), RenderConfig(tones="photo"), outputs=[])
    check_render_request(ModelConfig(use_luminance=True, color_space="lab", use_depth=False),
                         RenderConfig(tones="photo", depth="none"), outputs=[])
    with pytest.raises(InputError, match="does not keep"):
        check_training_photo_kept("photo", keeps_reference=False)
    check_training_photo_kept("print", keeps_reference=False)
    check_training_photo_kept("photo", keeps_reference=True)


def test_a_flawless_gradient_has_no_screen():
    ramp = np.linspace(0.43, 0.57, 96 * 96, dtype=np.float32).reshape(96, 96)
    assert find_screen(ramp) is None
