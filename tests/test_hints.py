"""Colour hints (preprocess/hints.py): the file format, its errors, the channels, and a tiny hint
model trained with the real CLI that follows a hint."""
import json

import numpy as np
import pytest

import train
from skimage.color import rgb2lab

from preprocess.hints import (HINT_CHANNELS, NO_HINTS, REACH, Hint, hint_channels, parse_hints, random_hints,
                              rasterise, read_hints)
from postprocess.hint_fill import FEATHER, fill_hints
from tests.conftest import load_script
from tests.test_lines_and_bw import BLUE, RED, TINY_SCHEDULE, _two_region_photo
from utils.cli import run_cli
from utils.errors import InputError
from utils.image_io import read_photo, write_image
from utils.cielab import delta_e00

process = load_script("process.py")
batch_process = load_script("batch_process.py")
generate_styles = load_script("generate_styles.py")


def test_points_and_scribbles_are_read():
    hints = parse_hints([{"x": 3, "y": 4, "color": "#ff0000", "radius": 2},
                         {"points": [[0, 0], [9, 9]], "color": "#00FF80"}], (10, 12))
    assert hints[0] == Hint([(3.0, 4.0)], (1.0, 0.0, 0.0), 2)
    assert hints[1].points == [(0.0, 0.0), (9.0, 9.0)] and hints[1].color == (0.0, 1.0, 128 / 255) and hints[1].radius == 3
    assert parse_hints({"hints": []}, (5, 5)) == []


@pytest.mark.parametrize("entry, says", [
    ({"x": 12, "y": 4, "color": "#ff0000"}, "entry 1: (12, 4) is outside the 12x10 input"),
    ({"x": 1, "y": 4, "color": "red"}, "entry 1: color must be '#RRGGBB'"),
    ({"x": 1, "y": 4, "color": "#ff0000", "size": 3}, "entry 1: unknown key(s) ['size']"),
    ({"x": 1, "color": "#ff0000"}, "entry 1: a point needs x and y"),
    ({"x": 1, "y": 2, "color": "#ff0000", "radius": -1}, "entry 1: radius must be"),
    ({"points": [[1, 2], [3]], "color": "#ff0000"}, "entry 1: points must be a list of [x, y] pairs"),
    ({"x": "1", "y": 2, "color": "#ff0000"}, "entry 1: x must be a number"),
    ([1, 2], "entry 1: expected an object"),
])
def test_bad_hints_name_the_entry(entry, says):
    with pytest.raises(InputError) as err:
        parse_hints([{"x": 1, "y": 1, "color": "#000000"}, entry], (10, 12), "h.json")
    assert str(err.value).startswith("h.json " + says.split(":")[0]) and says.split(": ", 1)[1] in str(err.value)


def test_read_hints_refuses_a_file_that_is_not_json(tmp_path):
    (tmp_path / "h.json").write_text("{x: 1")
    with pytest.raises(InputError, match="not a JSON file"):
        read_hints(tmp_path / "h.json", (10, 10))
    with pytest.raises(InputError, match="not found"):
        read_hints(tmp_path / "missing.json", (10, 10))


def test_rasterise_draws_the_colour_and_the_mask():
    ch = rasterise([Hint([(5.0, 5.0)], (0.2, 0.4, 0.6), 2), Hint([(0.0, 9.0), (19.0, 9.0)], (1.0, 0.0, 0.0), 1)], (12, 20))
    assert ch.shape == (12, 20, HINT_CHANNELS)
    assert np.allclose(ch[5, 5], [0.2, 0.4, 0.6, 1.0]) and ch[5, 8, 3] == 0  # a disk of radius 2
    assert ch[9, :, 3].all() and np.allclose(ch[9, 15, :3], [1, 0, 0])       # the stroke, end to end
    assert ch[0, 19].sum() == 0


def test_training_hints_carry_the_photo_colour_and_are_sometimes_absent():
    photo = np.zeros((64, 64, 3), np.float32)
    photo[:, 32:] = [0.9, 0.1, 0.1]
    rng = np.random.default_rng(0)
    draws = [random_hints(photo, rng, 8) for _ in range(200)]
    assert abs(sum(not d for d in draws) / len(draws) - NO_HINTS) < 0.1
    for hints in draws:
        for hint in hints:
            xs = [x for x, _ in hint.points]
            if max(xs) + hint.radius + 2 < 32:  # entirely on the black half: black
                assert np.allclose(hint.color, 0)
            if min(xs) - hint.radius - 2 > 32:  # entirely on the red half: red
                assert np.allclose(hint.color, [0.9, 0.1, 0.1], atol=1e-6)


def test_a_hint_fills_its_region_up_to_the_lines():
    sketch = np.ones((40, 60), np.float32)
    sketch[:, 30] = 0.0                       # a vertical line splits the paper
    sketch[20, :30] = 0.0                     # the left half split again, with a 1-px gap at x=10
    sketch[20, 10] = 1.0
    ch = hint_channels([Hint([(5.0, 5.0)], (0.0, 0.0, 1.0), 2)], sketch)
    assert ch[5, 5, 3] == 1.0                 # the dot
    assert ch[12, 25, 3] == 0.5 and np.allclose(ch[12, 25, :3], [0, 0, 1])  # its region
    assert ch[30, 5, 3] == 0.0                # across the line with a 1-px gap (bridged)
    assert ch[5, 45, 3] == 0.0                # across the vertical line
    assert not ch[:, 30, 3].any()             # not on the line itself


@pytest.fixture(scope="module")
def hint_run(tmp_path_factory):
    # Four short full-frame epochs: with one, whether the unhinted wall came out red or blue was left to
    # the CPU's arithmetic (it differed between machines); with many more, the model ignores the hint
    out = tmp_path_factory.mktemp("hint_run")
    write_image(out / "photo.png", _two_region_photo())
    args = ["--image", str(out / "photo.png"), "--out", str(out / "run"), "--sketch-method", "lines", "--hints",
            "--epochs1", "8", "--steps-per-epoch", "25", "--epochs2", "4", "--steps2-per-epoch", "10",
            "--metrics-log", str(out / "training.log"), "--seed", "0"] + TINY_SCHEDULE
    assert run_cli(train.main, args) == 0
    return out


def test_in_an_open_area_a_hints_reach_is_a_disc():
    """Exact distances: the region is round (the 3x3 chamfer approximation made an octagon)."""
    from preprocess.hints import hint_regions

    owner, on_dot = hint_regions([Hint([(100.0, 100.0)], (1.0, 0.0, 0.0), 3)], np.ones((201, 201), np.float32))
    ys, xs = np.nonzero(owner)
    r = np.hypot(ys - 100, xs - 100)
    assert on_dot[100, 100] and abs(r.max() - (3 + REACH)) <= 1
    assert owner[100, 100 + 3 + REACH] and owner[100 + 35, 100 + 35]  # as far on the diagonal (49.5 px)
    assert not owner[100 + 37, 100 + 37]                              # 52.3 px: beyond


def test_a_hint_model_follows_a_hint_and_works_without_one(hint_run):
    """The network's own reading of a hint (``--hint-fill off``), and the kept hint (default)."""
    (hint_run / "hints.json").write_text(json.dumps([{"x": 48, "y": 72, "color": "#3366d9", "radius": 6}]))
    outs = {}
    hint = ["--hints", str(hint_run / "hints.json")]
    for name, extra in (("none", []), ("hint", hint + ["--hint-fill", "off"]), ("kept", hint)):
        outs[name] = hint_run / f"{name}.png"
        assert run_cli(process.main, ["--checkpoint", str(hint_run / "run"), "--image", str(hint_run / "photo.png"),
                                      "--depth", "none", "--out", str(outs[name]), "--align", "off"] + extra) == 0
    none, hinted = read_photo(outs["none"]), read_photo(outs["hint"])
    spot = (slice(68, 77), slice(44, 53))          # under the blue hint, in the red wall
    assert np.linalg.norm(none[spot].mean((0, 1)) - RED) < np.linalg.norm(none[spot].mean((0, 1)) - BLUE)
    assert np.linalg.norm(hinted[spot].mean((0, 1)) - BLUE) < np.linalg.norm(none[spot].mean((0, 1)) - BLUE) - 0.1
    far = (slice(4, 30), slice(4, 92))              # the sky, far from the hint, barely moves
    assert np.abs(hinted[far] - none[far]).mean() < 0.05
    kept = read_photo(outs["kept"])
    assert delta_e00(kept[spot], np.broadcast_to(BLUE, kept[spot].shape).astype(np.float32)).mean() < 10
    assert np.abs(kept[far] - hinted[far]).mean() < 0.05   # the fill keeps to the hint's region (and its ease)
    beyond = slice(0, 72 - 6 - REACH - int(FEATHER) - 2)       # past the dot's reach and the ease: untouched
    assert np.array_equal(kept[beyond], hinted[beyond])


def _shaded_two_rooms():
    """A 40x60 drawing split by a vertical line, and a rendering of it: red with a left-to-right
    shading ramp left of the line, grey right of it."""
    sketch = np.ones((40, 60), np.float32)
    sketch[:, 30] = 0.0
    rgb = np.empty((40, 60, 3), np.float32)
    rgb[:, :30] = np.array([0.7, 0.2, 0.2], np.float32) * np.linspace(0.6, 1.0, 30, dtype=np.float32)[None, :, None]
    rgb[:, 30:] = 0.5
    return sketch, rgb


def test_a_kept_hint_moves_its_region_to_the_hint_colour_with_its_shading():
    sketch, rgb = _shaded_two_rooms()
    green = (0.2, 0.6, 0.25)
    out = fill_hints(rgb, [Hint([(10.0, 20.0)], green, 2)], sketch)
    room = (slice(None), slice(0, 30))
    mean_lab = rgb2lab(out[room]).reshape(-1, 3).mean(0)
    # the region's mean is the hint (within what bringing the shaded greens into gamut takes)
    assert np.abs(mean_lab - rgb2lab(np.array([[green]]))[0, 0]).max() < 4.0
    assert delta_e00(out[room], np.broadcast_to(np.float32(green), out[room].shape)).mean() < 10
    light_in, light_out = rgb2lab(rgb[room])[..., 0], rgb2lab(out[room])[..., 0]
    assert np.corrcoef(light_in.ravel(), light_out.ravel())[0, 1] > 0.99          # shading kept
    assert np.array_equal(out[:, 31:], rgb[:, 31:])                                # the other room untouched


def test_a_kept_hint_keeps_a_black_and_white_photo_lightness():
    sketch, rgb = _shaded_two_rooms()
    lightness = (rgb2lab(rgb)[..., 0] / 100).astype(np.float32)
    out = fill_hints(rgb, [Hint([(10.0, 20.0)], (0.1, 0.3, 0.9), 2)], sketch, lightness)
    assert np.abs(rgb2lab(out)[..., 0] / 100 - lightness).max() < 0.005
    assert rgb2lab(out[:, :30])[..., 2].mean() < -20                               # blue now (b* < 0)


def test_a_kept_hint_eases_out_where_its_reach_ends():
    sketch = np.ones((40, 200), np.float32)                                       # an open area, no lines
    rgb = np.full((40, 200, 3), 0.5, np.float32)
    out = fill_hints(rgb, [Hint([(20.0, 20.0)], (0.9, 0.1, 0.1), 2)], sketch)
    change = delta_e00(out, rgb)[20]
    assert change[20] > 30 and np.allclose(change[20:20 + REACH], change[20], atol=0.5)  # full within reach
    assert change[20 + 2 + REACH + int(FEATHER) + 2] == 0                                          # none past the ease
    steps = np.abs(np.diff(change[20:20 + REACH + 20]))
    assert steps.max() < 0.25 * change[20]                                        # no hard edge at the reach


def test_hints_on_a_model_without_them_are_refused(hint_run, tmp_path, capsys):
    (tmp_path / "h.json").write_text("[]")
    args = ["--image", str(hint_run / "photo.png"), "--out", str(tmp_path / "run"), "--epochs1", "1",
            "--steps-per-epoch", "1", "--epochs2", "0", "--metrics-log", str(tmp_path / "log")] + TINY_SCHEDULE
    assert run_cli(train.main, args) == 0
    code = run_cli(process.main, ["--checkpoint", str(tmp_path / "run"), "--image", str(hint_run / "photo.png"),
                                  "--depth", "none", "--out", str(tmp_path / "o.png"), "--hints", str(tmp_path / "h.json")])
    assert code == 2 and capsys.readouterr().err.startswith("error: this model was trained without colour hints")


def test_batch_takes_each_inputs_own_hints_file(hint_run, tmp_path):
    """batch_process.py --hints-dir: <stem>.json per input; an input without one gets no hints."""
    inputs, hints = tmp_path / "in", tmp_path / "hints"
    inputs.mkdir(), hints.mkdir()
    for stem in ("a", "b"):
        (inputs / f"{stem}.png").write_bytes((hint_run / "photo.png").read_bytes())
    (hints / "a.json").write_text(json.dumps([{"x": 48, "y": 72, "color": "#3366d9", "radius": 6}]))
    assert run_cli(batch_process.main, [str(inputs), "--out", str(tmp_path / "out"), "--checkpoint",
                                        str(hint_run / "run"), "--depth", "none", "--align", "off",
                                        "--hints-dir", str(hints)]) == 0
    a, b = read_photo(tmp_path / "out" / "a_color.png"), read_photo(tmp_path / "out" / "b_color.png")
    spot = (slice(68, 77), slice(44, 53))
    assert delta_e00(a[spot], np.broadcast_to(BLUE, a[spot].shape).astype(np.float32)).mean() < 10
    assert np.linalg.norm(b[spot].mean((0, 1)) - RED) < np.linalg.norm(b[spot].mean((0, 1)) - BLUE)


def test_batch_hints_on_a_model_without_them_are_refused_before_any_work(tmp_path, capsys):
    hints = tmp_path / "hints"
    hints.mkdir()
    run = tmp_path / "run"
    write_image(tmp_path / "photo.png", _two_region_photo())
    assert run_cli(train.main, ["--image", str(tmp_path / "photo.png"), "--out", str(run), "--epochs1", "1",
                                "--steps-per-epoch", "1", "--epochs2", "0", "--metrics-log",
                                str(tmp_path / "log")] + TINY_SCHEDULE) == 0
    code = run_cli(batch_process.main, [str(tmp_path / "photo.png"), "--out", str(tmp_path / "out"), "--checkpoint",
                                        str(run), "--depth", "none", "--hints-dir", str(hints)])
    assert code == 2 and capsys.readouterr().err.startswith("error: this model was trained without colour hints")
    assert not (tmp_path / "out").exists()


def test_generate_styles_renders_its_base_with_the_hints_kept(hint_run, tmp_path):
    (tmp_path / "h.json").write_text(json.dumps([{"x": 48, "y": 72, "color": "#3366d9", "radius": 6}]))
    assert run_cli(generate_styles.main, ["--checkpoint", str(hint_run / "run"), "--image", str(hint_run / "photo.png"),
                                          "--depth", "none", "--palettes", "brick_slate", "--align", "off",
                                          "--hints", str(tmp_path / "h.json"), "--out", str(tmp_path / "styles")]) == 0
    base = read_photo(tmp_path / "styles" / "base.png")
    spot = (slice(68, 77), slice(44, 53))
    assert delta_e00(base[spot], np.broadcast_to(BLUE, base[spot].shape).astype(np.float32)).mean() < 10


def test_hints_are_drawn_in_their_colour_on_grey_and_colour_images():
    from preprocess.hints import draw_hints

    grey = np.ones((60, 80), np.float32)
    hints = [Hint([(20.0, 30.0)], (1.0, 0.0, 0.0), 3), Hint([(40.0, 10.0), (70.0, 10.0)], (0.0, 0.0, 1.0), 2)]
    out = draw_hints(grey, hints)
    assert out.shape == (60, 80, 3) and out.dtype == np.float32
    assert np.allclose(out[30, 20], [1, 0, 0], atol=0.05)   # the dot
    assert np.allclose(out[10, 55], [0, 0, 1], atol=0.05)   # on the scribble's stroke
    assert np.allclose(out[50, 5], 1.0)                      # untouched paper
    colour = np.full((60, 80, 3), 0.5, np.float32)
    out2 = draw_hints(colour, hints)
    assert np.allclose(colour, 0.5) and np.allclose(out2[10, 55], [0, 0, 1], atol=0.05)  # input left as it was
