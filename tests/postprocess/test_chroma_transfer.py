"""postprocess/chroma_transfer.py: a black-and-white photo's colours from the training photo, by what the
lightness around each pixel looks like, wherever the frame puts it."""
import numpy as np
import pytest
from skimage.color import lab2rgb, rgb2lab

from models.inputs import Guides
from postprocess.chroma_transfer import ChromaDatabase, describe
from process.inference import colorize_black_and_white
from tests.test_lines_and_bw import _bw_model

RED, BLUE = np.array([45.0, 60.0, 40.0]), np.array([70.0, -5.0, -45.0])


def _scene(red_on_top: bool, size: int = 96, seed: int = 0) -> np.ndarray:
    """A textured red band (lightness noise) and a smooth blue one, in either order, as RGB."""
    rng = np.random.default_rng(seed)
    lab = np.zeros((size, size, 3))
    half = size // 2
    red, blue = (slice(0, half), slice(half, size)) if red_on_top else (slice(half, size), slice(0, half))
    lab[red] = RED + np.stack([rng.normal(0, 8, (half, size)), np.zeros((half, size)), np.zeros((half, size))], -1)
    lab[blue] = BLUE + np.stack([np.linspace(-3, 3, size)[None].repeat(half, 0), np.zeros((half, size)),
                                 np.zeros((half, size))], -1)
    return np.clip(lab2rgb(lab), 0, 1).astype(np.float32)


def test_colour_follows_what_a_thing_looks_like_not_where_it_is():
    reference = _scene(red_on_top=True)
    view = _scene(red_on_top=False, seed=1)                       # the same things, the other way up
    light = (rgb2lab(view)[..., 0] / 100).astype(np.float32)
    ab = ChromaDatabase(reference).chroma(light)
    inner = slice(12, -12)                                        # away from the boundary's mixed windows
    red_ab, blue_ab = ab[60:84, inner].reshape(-1, 2).mean(0), ab[12:36, inner].reshape(-1, 2).mean(0)
    assert np.linalg.norm(red_ab - RED[1:]) < 12 and np.linalg.norm(blue_ab - BLUE[1:]) < 12, (red_ab, blue_ab)


def test_large_inputs_go_band_by_band_with_the_same_result():
    reference = _scene(red_on_top=True)
    light = (rgb2lab(_scene(red_on_top=False, seed=2))[..., 0] / 100).astype(np.float32)
    db = ChromaDatabase(reference, size=2000)
    assert np.allclose(db.chroma(light, band=10), db.chroma(light, band=1000), atol=1e-5)


def test_description_has_the_lightness_and_its_window_statistics():
    light = np.full((20, 20), 0.5, np.float32)
    features = describe(light)
    assert features.shape == (20, 20, 5)
    assert np.allclose(features[..., 0], 50) and np.allclose(features[..., 2], 0, atol=1e-3)   # flat: no deviation


@pytest.mark.parametrize("source", ["transfer", "network", "both"])
def test_every_source_keeps_the_input_lightness_exactly(source):
    reference = _scene(red_on_top=True, size=64)
    light = (rgb2lab(_scene(red_on_top=False, size=64, seed=3))[..., 0] / 100).astype(np.float32)
    rgb = colorize_black_and_white(_bw_model(), Guides(sketch=np.ones_like(light), luminance=light), ChromaDatabase(reference), source)
    assert np.abs(rgb2lab(rgb)[..., 0] / 100 - light).max() < 5e-4
    assert np.hypot(*rgb2lab(rgb)[..., 1:].transpose(2, 0, 1)).mean() > 5


def test_a_source_that_needs_the_training_photo_says_so():
    light = np.full((16, 16), 0.5, np.float32)
    with pytest.raises(ValueError, match="training photo"):
        colorize_black_and_white(_bw_model(), Guides(sketch=np.ones_like(light), luminance=light), None, "transfer")
    with pytest.raises(ValueError, match="source"):
        colorize_black_and_white(_bw_model(), Guides(sketch=np.ones_like(light), luminance=light), None, "sepia")


def test_a_library_request_for_an_unknown_source_is_refused_before_anything_runs():
    from config.defaults import ModelConfig
    from process.preflight import check_render_request
    from process.render import RenderConfig
    from utils.errors import InputError

    bw = ModelConfig(use_luminance=True, color_space="lab", use_depth=False)
    with pytest.raises(InputError, match="--bw-colour must be one of transfer, network, both"):
        check_render_request(bw, RenderConfig(bw_colour="sepia"), outputs=[])
    check_render_request(bw, RenderConfig(bw_colour="both"), outputs=[])


def test_flags_that_only_change_the_network_need_it_as_a_source():
    from config.defaults import ModelConfig
    from process.preflight import check_render_request
    from process.render import RenderConfig
    from utils.errors import InputError

    bw = ModelConfig(use_luminance=True, color_space="lab", use_depth=False)
    with pytest.raises(InputError, match="--style changes the network's colours.*--bw-colour network or both"):
        check_render_request(bw, RenderConfig(style="style.png"), outputs=[], check_files=False)
    with pytest.raises(InputError, match="--hint-fill off"):
        check_render_request(bw, RenderConfig(hints="h.json", hint_fill=False), outputs=[], check_files=False)
    check_render_request(bw, RenderConfig(style="style.png", bw_colour="both"), outputs=[], check_files=False)
    check_render_request(ModelConfig(), RenderConfig(style="style.png"), outputs=[], check_files=False)


def test_both_is_neither_source_alone():
    reference = _scene(red_on_top=True, size=64)
    light = (rgb2lab(_scene(red_on_top=False, size=64, seed=4))[..., 0] / 100).astype(np.float32)
    guides = Guides(sketch=np.ones_like(light), luminance=light)
    out = {s: colorize_black_and_white(_bw_model(), guides, ChromaDatabase(reference), s) for s in ("transfer", "network", "both")}
    for one in ("transfer", "network"):
        assert np.abs(out["both"] - out[one]).mean() > 0.005, one


def _textures(red_on_top: bool, size: int = 96, seed: int = 0) -> np.ndarray:
    """Two bands of one mean lightness told apart by their texture's scale alone: red with 1-px
    grain, blue with blobs of about 3 px."""
    import cv2

    rng = np.random.default_rng(seed)
    fine = rng.normal(0, 8, (size, size))
    coarse = cv2.GaussianBlur(rng.normal(0, 1, (size, size)), (0, 0), 3)
    coarse *= 8 / coarse.std()
    red, blue = np.array([55.0, 60.0, 40.0]), np.array([55.0, -5.0, -45.0])
    lab = np.zeros((size, size, 3))
    half = size // 2
    r, b = (slice(0, half), slice(half, size)) if red_on_top else (slice(half, size), slice(0, half))
    lab[r], lab[b] = red, blue
    lab[r][..., 0] += fine[r]
    lab[b][..., 0] += coarse[b]
    return np.clip(lab2rgb(lab), 0, 1).astype(np.float32)


def test_a_larger_input_is_described_at_the_training_photos_scale():
    import cv2

    reference = _textures(red_on_top=True)                                             # 96 px
    view = cv2.resize(_textures(red_on_top=False, seed=5), (288, 288), interpolation=cv2.INTER_NEAREST)  # 3x:
    light = (rgb2lab(view)[..., 0] / 100).astype(np.float32)             # its grain as coarse as the blobs
    ab = ChromaDatabase(reference).chroma(light)
    assert ab.shape == (288, 288, 2)
    red_ab, blue_ab = ab[180:252, 36:-36].reshape(-1, 2).mean(0), ab[36:108, 36:-36].reshape(-1, 2).mean(0)
    assert np.linalg.norm(red_ab - (60, 40)) < 8 and np.linalg.norm(blue_ab - (-5, -45)) < 8, (red_ab, blue_ab)


def _tone_bands(size: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Three smooth bands, dark red, mid green and light blue, as RGB and their L* / 100."""
    lab = np.zeros((size, size, 3))
    third = size // 3
    lab[:third] = (20.0, 45.0, 30.0)
    lab[third:2 * third] = (50.0, -40.0, 35.0)
    lab[2 * third:] = (80.0, -5.0, -40.0)
    lab[..., 0] += np.linspace(-2, 2, size)[None]
    rgb = np.clip(lab2rgb(lab), 0, 1).astype(np.float32)
    return rgb, (rgb2lab(rgb)[..., 0] / 100).astype(np.float32)


def test_a_faded_print_is_matched_on_its_tones_stretched_to_the_photos_levels():
    from data.print_ageing import tone_curve

    reference, light = _tone_bands()
    db = ChromaDatabase(reference)
    faded = tone_curve(light, black=0.3, white=0.7)         # dark red now L* 38: nearer the green's 50
    ab, fade = db.print_chroma(faded)
    assert fade is not None and "faded" in fade.describe()
    truth = rgb2lab(reference)[..., 1:]
    assert np.hypot(*(ab - truth)[4:28].reshape(-1, 2).T).mean() < 8      # the dark band is red again
    raw = db.chroma(faded)                                 # read as it is, the dark band turns green
    assert np.hypot(*(raw - truth)[4:28].reshape(-1, 2).T).mean() > 30


def test_a_clean_input_is_described_as_it_is():
    reference, light = _tone_bands()
    db = ChromaDatabase(reference)
    darker = np.clip(light - 0.03, 0, 1)                    # a clean view, a little darker: not a fade
    ab, fade = db.print_chroma(darker)
    assert fade is None and np.array_equal(ab, db.chroma(darker))


def test_a_halftone_print_is_described_without_its_dots():
    from data.print_ageing import halftone

    reference, light = _tone_bands(size=192)
    db = ChromaDatabase(reference)
    screened = halftone(light, period=5.0, angle_deg=45.0)
    ab, _ = db.print_chroma(screened)
    truth = rgb2lab(reference)[..., 1:]
    inner = (slice(8, 56), slice(8, -8))                    # inside the dark band, away from its edges
    error = np.hypot(*(ab - truth)[inner].reshape(-1, 2).T).mean()
    raw_error = np.hypot(*(db.chroma(screened) - truth)[inner].reshape(-1, 2).T).mean()
    assert error < 10 and raw_error > 2 * error, (error, raw_error)


def _striped_bands(size: int = 192) -> tuple[np.ndarray, np.ndarray, tuple[slice, slice]]:
    """A red band of strong stripes over a green band of weak stripes of the same mean tone, as RGB
    and as a halftone print of its L* / 100 (5 px screen), and the red band's inside."""
    from data.print_ageing import halftone

    stripes = np.sin(2 * np.pi * np.arange(size) / 16.0)[None, :]
    lab = np.zeros((size, size, 3))
    lab[: size // 2] = (50.0, 50.0, 30.0)
    lab[size // 2:] = (50.0, -40.0, 35.0)
    lab[: size // 2, :, 0] += 15.0 * stripes
    lab[size // 2:, :, 0] += 5.0 * stripes
    reference = np.clip(lab2rgb(lab), 0, 1).astype(np.float32)
    light = (rgb2lab(reference)[..., 0] / 100).astype(np.float32)
    return reference, halftone(light, period=5.0, angle_deg=45.0), (slice(16, size // 2 - 16), slice(16, -16))


def _ab_error(ab: np.ndarray, reference: np.ndarray, inside) -> float:
    return float(np.hypot(*(ab - rgb2lab(reference)[..., 1:])[inside].reshape(-1, 2).T).mean())


def test_a_descreened_print_is_matched_on_the_photo_blurred_as_descreening_blurred_it():
    """Descreening blurs a halftone print (preprocess.restore.descreen), which weakens its texture: a
    strongly striped red band then looks like the photo's weakly striped green one, unless the photo
    is described blurred alike; a print descreened before (--restore, --tones photo) is matched the
    same when the blur is passed on."""
    from preprocess.restore import descreen, find_screen

    reference, screened, red = _striped_bands()
    screen = find_screen(screened)
    assert screen is not None and screen.blur > 1.5
    db = ChromaDatabase(reference)
    ab, _ = db.print_chroma(screened)
    sharp = db.chroma(db.as_photo(screened, screen)[0])      # the same description against the sharp photo
    assert _ab_error(ab, reference, red) < 0.5 * _ab_error(sharp, reference, red)
    before, _ = db.print_chroma(descreen(screened, screen), None, blur=screen.blur)
    assert np.array_equal(before, ab)


@pytest.mark.parametrize("request_", [dict(tones="photo"), dict(restore=True)])
def test_a_halftone_descreened_by_the_render_is_matched_on_the_photo_blurred_alike(request_):
    """--tones photo and --restore remove the screen before the lookup sees the print: the render tells
    the lookup the blur that left, so the red band stays red."""
    from process.render import RenderConfig, Renderer

    reference, screened, red = _striped_bands()
    renderer = Renderer.from_reference((reference * 255 + 0.5).astype(np.uint8), "cpu")
    cfg = RenderConfig(align="off", **request_)
    guides = renderer.prepare(Guides(sketch=np.ones_like(screened), luminance=screened), cfg)
    ab = rgb2lab(renderer.colorize(guides, cfg))[..., 1:]
    assert _ab_error(ab, reference, red) < 15, _ab_error(ab, reference, red)


def test_a_view_without_shadows_is_not_read_as_faded():
    reference, light = _tone_bands()
    db = ChromaDatabase(reference)
    no_shadow = light[light.shape[0] // 3:]                # the green and blue bands: a high black point,
    assert db.fade(no_shadow) is None                      # but the photo's own whites


@pytest.mark.parametrize("low, high", [(0.5, 0.5), (0.43, 0.57)])
def test_a_flat_or_low_contrast_view_is_not_read_as_faded(low, high):
    reference, _ = _tone_bands()
    db = ChromaDatabase(reference)
    view = np.linspace(low, high, 96 * 96, dtype=np.float32).reshape(96, 96)   # one grey; a close-up of a wall
    ab, fade = db.print_chroma(view)
    assert fade is None and np.array_equal(ab, db.chroma(view))
