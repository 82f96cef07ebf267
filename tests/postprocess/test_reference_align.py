"""Reference alignment (postprocess/reference_align.py): a view of the training photo's scene is
lined up with it by a homography, and takes its colours there; other scenes are left alone."""
import cv2
import numpy as np
import pytest

from preprocess.line_styles import photo_line_drawing
from postprocess.reference_align import (align, align_and_carry, carry_colours, harmonise, reference_image,
                                     residual_flow)
from utils.cielab import photo_lightness

# A perspective view: the photo seen a little rotated, smaller, and from the side.
TRUE_H = np.array([[0.92, 0.12, 14.0], [-0.08, 0.95, 20.0], [1.5e-4, -1e-4, 1.0]])  # reference -> view


def _scene(seed: int = 0, h: int = 240, w: int = 320) -> np.ndarray:
    """A colourful, detailed 'photo': random rectangles and discs of random colours on a gradient."""
    rng = np.random.default_rng(seed)
    img = np.dstack([np.linspace(0.2, 0.8, w)[None].repeat(h, 0)] * 3).astype(np.float32)
    for _ in range(120):
        colour = tuple(float(c) for c in rng.uniform(0, 1, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(5, 40)), y + int(rng.integers(5, 40))), colour, -1)
        else:
            cv2.circle(img, (x, y), int(rng.integers(3, 20)), colour, -1)
    return img


def _view(photo: np.ndarray) -> np.ndarray:
    h, w = photo.shape[:2]
    return cv2.warpPerspective(photo, TRUE_H, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _corner_error(H: np.ndarray, shape) -> float:
    """Largest distance (px) between where H and the true map send the view's corners to the reference."""
    h, w = shape
    corners = np.float32([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]]).reshape(-1, 1, 2)
    truth = cv2.perspectiveTransform(corners, np.linalg.inv(TRUE_H))
    return float(np.abs(cv2.perspectiveTransform(corners, H) - truth).max())


def test_a_black_and_white_view_of_the_scene_takes_its_colours_and_keeps_its_lightness():
    photo = _scene()
    view = _view(photo)
    lightness = photo_lightness(view)
    grey_guess = np.full_like(view, 0.5)
    out, alignment = align_and_carry(grey_guess, reference_image(photo), None, lightness)
    assert alignment.used, alignment.describe()
    assert _corner_error(alignment.homography, view.shape[:2]) < 2.0
    assert np.abs(photo_lightness(out) - lightness).max() < 2e-3  # L* / 100: the input's, kept
    inner = (slice(30, -30), slice(30, -30))
    err_out = np.abs(out[inner] - view[inner]).mean()
    assert err_out < 0.03, err_out  # the colours of the view itself, not the grey guess
    assert "lines up with the training photo" in alignment.describe()


def test_the_aligned_photo_is_trusted_where_its_lightness_agrees_with_the_print_s():
    """lightness_trust: an old print of the scene (its own tone curve) agrees with the aligned photo
    everywhere but where the photo shows something else (here a patch of the photo taken from another
    part of the scene, as a flow gone astray would bring): trusted fully there, not at all here."""
    from data.print_ageing import tone_curve
    from postprocess.reference_align import lightness_trust

    photo = _scene()
    aligned = photo.copy()
    aligned[90:150, 120:200] = 1.0 - photo[20:80, 220:300]          # another part of the scene, inverted
    print_light = tone_curve(photo_lightness(photo), contrast=0.6)
    share = np.ones(photo.shape[:2], np.float32)
    trust = lightness_trust(print_light, photo_lightness(aligned), share)
    differs = np.abs(photo_lightness(aligned) - photo_lightness(photo)) > 0.3
    far = cv2.erode(differs.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)   # away from the edges
    assert far.sum() > 300 and trust[far].max() < 0.05
    same = np.ones_like(differs)
    same[80:160, 110:210] = False
    assert trust[same].mean() > 0.97


def test_a_line_drawing_of_the_scene_is_aligned_too():
    photo = _scene()
    drawing = photo_line_drawing(_view(photo))
    alignment = align(photo, drawing, "drawing")
    assert alignment.used, alignment.describe()
    assert _corner_error(alignment.homography, drawing.shape) < 3.0


def test_another_scene_is_left_to_the_network():
    photo, other = _scene(0), _scene(1)
    guess = np.random.default_rng(2).uniform(0, 1, other.shape).astype(np.float32)
    out, alignment = align_and_carry(guess, reference_image(photo), photo_line_drawing(other), None)
    assert not alignment.used
    assert alignment.describe().startswith("no colours taken from the aligned training photo: ")
    assert np.array_equal(out, guess)


def test_blank_input_has_no_features_and_is_left_alone():
    photo = _scene()
    blank = np.ones((120, 160), np.float32)
    alignment = align(photo, blank, "drawing")
    assert not alignment.used and "features" in alignment.reason
    guess = np.zeros((120, 160, 3), np.float32)
    assert np.array_equal(carry_colours(guess, photo, alignment), guess)


def test_reference_image_is_small_uint8():
    big = np.random.default_rng(0).uniform(0, 1, (1500, 2100, 3)).astype(np.float32)
    ref = reference_image(big)
    assert ref.dtype == np.uint8 and max(ref.shape[:2]) == 1024


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        align(_scene(), np.ones((10, 10), np.float32), "painting")


def test_implausible_maps_are_refused():
    from postprocess.reference_align import plausible

    shape = (240, 320)
    assert plausible(np.linalg.inv(TRUE_H), shape)
    assert not plausible(np.diag([-1.0, 1.0, 1.0]), shape)         # a mirror image
    assert not plausible(np.diag([20.0, 20.0, 1.0]), shape)        # 20x enlargement
    assert not plausible(np.array([[1, 0, 0], [0, 1, 0], [-0.01, 0, 1.0]]), shape)  # the horizon inside the input


def _parallax_pair(shift: int = 14):
    """A background scene and, in front of it, a foreground object that moves ``shift`` px
    between the two views (what one perspective map cannot follow), and the second view."""
    photo = _scene(3)
    fg = _scene(4)[60:160, 100:200].copy()  # a different, detailed object
    ref, view = photo.copy(), photo.copy()
    ref[70:170, 90:190] = fg
    view[70:170, 90 + shift:190 + shift] = fg
    return ref, view


@pytest.mark.parametrize("kind", ["photo", "drawing"])
def test_dense_flow_puts_a_foreground_object_back_in_its_place(kind):
    """Parallax: the perspective map fits the background, the foreground lands beside itself;
    --align auto's flow refinement moves it the rest of the way, --align homography does not."""
    ref, view = _parallax_pair()
    lightness = photo_lightness(view) if kind == "photo" else None
    sketch = photo_line_drawing(view) if kind == "drawing" else None
    guess = np.full_like(view, 0.5)
    fg = (slice(80, 160), slice(114, 194))  # inside the object in the second view
    errors = {}
    for mode in ("homography", "auto"):
        out, alignment = align_and_carry(guess, reference_image(ref), sketch, lightness, mode=mode)
        assert alignment.used and alignment.refined == (mode == "auto")
        assert ("dense flow" in alignment.describe()) == (mode == "auto")
        errors[mode] = float(np.abs(out[fg] - view[fg]).mean())
        if lightness is not None:
            assert np.abs(photo_lightness(out) - lightness).max() < 2e-3  # L* kept either way
    assert errors["auto"] < 0.5 * errors["homography"], errors


def test_a_scan_larger_than_the_kept_reference_is_refined_at_the_reference_scale():
    """The flow is computed with the input's long side at most MAX_SIDE and scaled up: a 4x
    scan of the second view (1280 x 960) still gets its foreground back in place."""
    from postprocess.reference_align import MAX_SIDE

    ref, view = _parallax_pair()
    big = cv2.resize(view, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    assert max(big.shape[:2]) > MAX_SIDE
    lightness = photo_lightness(big)
    guess = np.full_like(big, 0.5)
    fg = (slice(4 * 80, 4 * 160), slice(4 * 114, 4 * 194))
    errors = {}
    for mode in ("homography", "auto"):
        out, alignment = align_and_carry(guess, reference_image(ref), None, lightness, mode=mode)
        assert alignment.used and out.shape == big.shape
        errors[mode] = float(np.abs(out[fg] - big[fg]).mean())
    assert errors["auto"] < 0.5 * errors["homography"], errors


def test_alignment_mode_is_checked():
    ref, view = _parallax_pair()
    with pytest.raises(ValueError, match="mode"):
        align_and_carry(np.zeros_like(view), reference_image(ref), None, photo_lightness(view), mode="flow")
    alignment = align(ref, photo_lightness(view), "photo")
    with pytest.raises(ValueError, match="refine needs the input"):
        carry_colours(np.zeros_like(view), ref, alignment, refine=True)
    carry_colours(np.zeros_like(view), ref, alignment, photo_lightness(view), refine=True)
    assert alignment.refined  # set where the refinement happens


def test_a_render_request_with_an_unknown_align_mode_is_refused_in_one_line():
    from config.defaults import ModelConfig
    from process.preflight import check_render_request
    from process.render import RenderConfig
    from utils.errors import InputError

    with pytest.raises(InputError, match=r"--align must be one of auto, homography, off, got 'flow'"):
        check_render_request(ModelConfig(), RenderConfig(checkpoint="runs/x", align="flow"), outputs=[])


def test_residual_flow_takes_the_callers_warp():
    """carry_colours hands its own warped reference to residual_flow: the same flow as warping again."""
    rng = np.random.default_rng(3)
    reference = cv2.GaussianBlur(rng.random((90, 120, 3)).astype(np.float32), (0, 0), 3)
    target = cv2.cvtColor(reference, cv2.COLOR_RGB2GRAY)[5:85, 10:110]
    H = np.array([[1.0, 0.02, 10.0], [0.01, 1.0, 5.0], [0.0, 0.0, 1.0]])
    warped = cv2.warpPerspective(reference, H, (100, 80), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_REPLICATE)
    np.testing.assert_array_equal(residual_flow(reference, H, target, "photo", warped),
                                  residual_flow(reference, H, target, "photo"))
    with pytest.raises(ValueError, match="warped"):
        residual_flow(reference, H, target, "photo", warped[:-1])


@pytest.mark.parametrize("black_and_white", [False, True])
def test_the_networks_colours_near_the_aligned_photo_follow_its_correction(black_and_white):
    """harmonise: the network painted a wall grey that the aligned photo (left part) shows red. Near
    the photo's edge the network's part turns toward red; far from it, nothing moves; inside, the
    full correction, at the image's top row as in its middle; a black-and-white input's lightness is
    kept exactly; worked in bands, the same; a photo that agrees with the network changes nothing."""
    h, w = 60, 400
    grey, red = np.float32([0.5, 0.5, 0.5]), np.float32([0.75, 0.3, 0.28])
    prediction = np.broadcast_to(grey, (h, w, 3)).copy()
    aligned = np.broadcast_to(red, (h, w, 3)).copy()
    weight = np.zeros((h, w), np.float32)
    weight[:, :150] = 1.0
    lightness = photo_lightness(prediction) if black_and_white else None
    out = harmonise(prediction, aligned, weight, lightness, reach=0.05)           # sigma 20 px
    redness = out[:, :, 0] - out[:, :, 1]
    full = red[0] - red[1] if not black_and_white else redness[h // 2, 0]
    assert redness[h // 2, 60] > 0.95 * full                 # well inside: the full correction
    assert abs(redness[0, 60] - redness[h // 2, 60]) < 1e-3   # the image's border does not thin it
    assert 0.05 < redness[h // 2, 170] < redness[h // 2, 60]  # 1 sigma past the edge: part of it
    assert abs(redness[h // 2, 399]) < 1e-3                  # 12 sigma away: the network's grey as it was
    assert np.all(np.diff(redness[h // 2, 150:]) <= 1e-4)    # fading with the distance
    np.testing.assert_allclose(harmonise(prediction, aligned, weight, lightness, reach=0.05, band=7), out, atol=1e-5)
    np.testing.assert_allclose(harmonise(prediction, prediction, weight, lightness), prediction, atol=1e-4)
    if black_and_white:
        np.testing.assert_allclose(photo_lightness(out), lightness, atol=5e-4)
