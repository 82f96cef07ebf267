"""Line drawings and black-and-white photos, end to end: train tiny models with the real CLI,
colorize with the real renderer."""
import json

import cv2
import numpy as np
import pytest
import torch
from PIL import Image
from skimage.color import rgb2lab

import train
from config.defaults import ModelConfig
from models.inputs import Guides
from models.unet import SemColorNet
from process.inference import colorize
from tests.conftest import load_script
from utils.cli import run_cli
from utils.errors import InputError
from utils.image_io import read_photo, write_image
from utils.cielab import gray_lightness, lightness_to_gray

process = load_script("process.py")

RED, BLUE = np.array([0.8, 0.15, 0.1], np.float32), np.array([0.2, 0.4, 0.85], np.float32)
TINY_SCHEDULE = ["--patch-size", "32", "--batch-size", "4", "--full-size", "96", "--width", "8", "--quiet",
                 "--device", "cpu", "--depth", "none"]


def _bricks(h: int, w: int) -> np.ndarray:
    """Mortar lines of a brick bond: (h, w) bool."""
    lines = np.zeros((h, w), bool)
    for y in range(0, h, 8):
        lines[y, :] = True
        off = 0 if (y // 8) % 2 == 0 else 8
        for x in range(off, w, 16):
            lines[y:y + 8, x] = True
    return lines


def _two_region_photo(n: int = 96) -> np.ndarray:
    """Red brick wall (with dark mortar lines) in the bottom half, plain blue sky above."""
    photo = np.empty((n, n, 3), np.float32)
    photo[: n // 2] = BLUE
    photo[n // 2:] = RED
    mortar = _bricks(n, n)
    mortar[: n // 2] = False
    photo[mortar] = 0.25 * RED
    return photo


@pytest.fixture(scope="module")
def line_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("line_run")
    write_image(out / "photo.png", _two_region_photo())
    args = ["--image", str(out / "photo.png"), "--out", str(out / "run"), "--sketch-method", "lines",
            "--epochs1", "8", "--steps-per-epoch", "25", "--epochs2", "1", "--steps2-per-epoch", "5",
            "--metrics-log", str(out / "training.log"), "--seed", "0"] + TINY_SCHEDULE
    # Patches larger than a brick and its mortar: a model that reads no position learns "far from any
    # line" = sky from them (with 32-px patches it coloured empty paper beside bricks red).
    args[args.index("--patch-size") + 1] = "48"
    assert run_cli(train.main, args) == 0
    return out


def test_line_model_colours_what_is_drawn(line_run, capsys):
    """A drawing laid out unlike the photo (bricks on the left, empty paper on the right, thick
    grey pencil strokes): the bricks get the wall's red, the empty paper the sky's blue."""
    n = 96
    ink = _bricks(n, n)
    ink[:, n // 2:] = False
    ink = cv2.dilate(ink.astype(np.uint8), np.ones((2, 2), np.uint8)) > 0
    drawing = np.where(ink, 0.45, 1.0).astype(np.float32)
    write_image(line_run / "drawing.png", drawing)
    out = line_run / "drawing_color.png"
    assert run_cli(process.main, ["--checkpoint", str(line_run / "run"), "--sketch", str(line_run / "drawing.png"),
                                  "--depth", "none", "--out", str(out)]) == 0
    rgb = read_photo(out)
    left, right = rgb[8:-8, 8:n // 2 - 8].reshape(-1, 3).mean(0), rgb[8:-8, n // 2 + 8:-8].reshape(-1, 3).mean(0)
    assert np.linalg.norm(left - RED) < np.linalg.norm(left - BLUE), left
    assert np.linalg.norm(right - BLUE) < np.linalg.norm(right - RED), right


def test_line_model_reads_a_photo_through_its_lines(line_run):
    out = line_run / "photo_color.png"
    assert run_cli(process.main, ["--checkpoint", str(line_run / "run"), "--image", str(line_run / "photo.png"),
                                  "--depth", "none", "--out", str(out)]) == 0
    rgb = read_photo(out)
    assert np.linalg.norm(rgb[60:90].reshape(-1, 3).mean(0) - RED) < np.linalg.norm(
        rgb[60:90].reshape(-1, 3).mean(0) - BLUE)


def _bw_model() -> SemColorNet:
    torch.manual_seed(0)
    net = SemColorNet(ModelConfig(width=8, attention_heads=2, attention_grid=4, style_dim=8, use_depth=False,
                                  use_luminance=True, color_space="lab"))
    for p in net.parameters():  # saturated, random chroma: many colours fall outside the sRGB gamut
        torch.nn.init.normal_(p, std=0.5)
    return net.eval()


@pytest.mark.parametrize("bf16, chroma_smooth, mirror_average", [(False, 12, True), (True, 12, True),
                                                                  (False, 0, True), (False, 0, False)])
def test_bw_output_keeps_the_input_lightness_exactly(bf16, chroma_smooth, mirror_average):
    rng = np.random.default_rng(0)
    gray = cv2.GaussianBlur(rng.random((40, 56)).astype(np.float32), (0, 0), 2)
    gray = (gray - gray.min()) / (gray.max() - gray.min())
    light = gray_lightness(gray)
    rgb = colorize(_bw_model(), Guides(sketch=np.ones_like(gray), luminance=light), bf16=bf16,
                   chroma_smooth=chroma_smooth, mirror_average=mirror_average)
    lab = rgb2lab(rgb)
    assert np.abs(lab[..., 0] - light * 100).max() < 0.05           # L* to within 0.05 of 100
    assert np.hypot(lab[..., 1], lab[..., 2]).mean() > 5              # and it is coloured
    assert rgb.min() >= 0 and rgb.max() <= 1


def test_bw_model_requires_lab():
    with pytest.raises(ValueError, match="lab"):
        SemColorNet(ModelConfig(use_luminance=True, color_space="rgb"))


@pytest.fixture(scope="module")
def bw_run(tmp_path_factory, sample_crop):
    out = tmp_path_factory.mktemp("bw_run")
    write_image(out / "photo.png", sample_crop[0])
    args = ["--image", str(out / "photo.png"), "--out", str(out / "run"), "--luminance", "--epochs1", "1",
            "--steps-per-epoch", "3", "--epochs2", "1", "--steps2-per-epoch", "1",
            "--metrics-log", str(out / "training.log")] + TINY_SCHEDULE
    assert run_cli(train.main, args) == 0
    return out


@pytest.mark.parametrize("bits", [8, 16])
def test_bw_one_channel_inputs_keep_their_lightness(bw_run, sample_crop, capsys, bits):
    gray = sample_crop[2].mean(axis=2)
    path = bw_run / f"bw{bits}.png"
    if bits == 8:
        Image.fromarray((gray * 255 + 0.5).astype(np.uint8), mode="L").save(path)
        value = np.asarray(Image.open(path)).astype(np.float32) / 255
    else:
        Image.fromarray((gray * 65535 + 0.5).astype(np.uint16)).save(path)
        value = np.asarray(Image.open(path)).astype(np.float32) / 65535
    out = bw_run / f"bw{bits}_color.png"
    assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--image", str(path), "--depth", "none",
                                  "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    # read as the grey photo it is (no "in colour" note); one line says what reference alignment did
    assert len(err) == 1 and "training photo" in err[0], err
    light = rgb2lab(read_photo(out))[..., 0]
    assert np.abs(light - gray_lightness(value) * 100).max() < 0.8      # 8-bit output quantisation only


def test_bw_model_given_a_colour_photo_says_so_once(bw_run, sample_crop, capsys):
    write_image(bw_run / "colour.png", sample_crop[2])
    assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "colour.png"),
                                  "--depth", "none", "--out", str(bw_run / "colour_color.png")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("note:") and "lightness" in err[0], err
    assert err[1].startswith("note:") and "training photo" in err[1]  # reference alignment's one line
    light_in = rgb2lab(sample_crop[2])[..., 0]
    assert np.abs(rgb2lab(read_photo(bw_run / "colour_color.png"))[..., 0] - light_in).max() < 1.0


def test_luminance_refuses_another_colour_space(tmp_path, capsys):
    assert run_cli(train.main, ["--luminance", "--color-space", "rgb", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Lab" in err


def test_evaluate_reports_the_black_and_white_baseline(bw_run, sample_crop, capsys):
    import evaluate
    write_image(bw_run / "heldout.png", sample_crop[2])
    assert run_cli(evaluate.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "heldout.png"),
                                   "--out", str(bw_run / "eval")]) == 0
    out = capsys.readouterr().out
    assert "mean-colour baseline" in out and "own L* + mean a*b* baseline" in out
    # the network's chroma as predicted: a different score, the same baselines
    assert run_cli(evaluate.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "heldout.png"),
                                   "--out", str(bw_run / "eval0"), "--chroma-smooth", "0"]) == 0
    import json
    smooth, raw = (json.loads((bw_run / d / "heldout_metrics.json").read_text()) for d in ("eval", "eval0"))
    assert smooth["model"] != raw["model"]
    assert smooth["baseline_lightness_mean_chroma"] == raw["baseline_lightness_mean_chroma"]


def test_align_off_gives_the_network_alone(bw_run, sample_crop, capsys):
    """The bundled crop's own grey version lines up with the training photo: by default its colours
    come from the aligned photo, the perspective map refined by dense flow (closer to the truth);
    --align homography uses the map alone; --align off leaves the network's."""
    gray = sample_crop[0].mean(axis=2)
    write_image(bw_run / "same.png", gray)
    outs = {}
    for mode in ("auto", "homography", "off"):
        outs[mode] = bw_run / f"same_{mode}.png"
        assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "same.png"),
                                      "--depth", "none", "--out", str(outs[mode]), "--align", mode]) == 0
        err = capsys.readouterr().err
        assert ("training photo" in err) == (mode != "off"), err
        assert ("dense flow" in err) == (mode == "auto"), err
    truth = sample_crop[0]
    errors = {mode: np.abs(read_photo(out) - truth).mean() for mode, out in outs.items()}
    assert errors["auto"] < errors["off"] and errors["homography"] < errors["off"], errors


def test_chroma_smooth_flag(bw_run, line_run, sample_crop, capsys):
    """--chroma-smooth 0 keeps the network's chroma as predicted; the default smooths it along the
    photo's lightness (postprocess/chroma_smoothing.py); both keep the lightness. The flag is refused for a
    model that predicts lightness, and for a negative radius."""
    write_image(bw_run / "smooth_in.png", sample_crop[2].mean(axis=2))
    outs = {}
    for radius in (None, "0"):
        outs[radius] = bw_run / f"smooth_{radius}.png"
        extra = [] if radius is None else ["--chroma-smooth", radius]
        assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "smooth_in.png"),
                                      "--depth", "none", "--out", str(outs[radius]), "--align", "off"] + extra) == 0
    a, b = read_photo(outs[None]), read_photo(outs["0"])
    assert np.abs(a - b).max() > 2 / 255
    assert np.abs(rgb2lab(a)[..., 0] - rgb2lab(b)[..., 0]).max() < 0.8
    capsys.readouterr()
    for run, given, radius, message in ((line_run / "run", "--sketch", "4", "black-and-white models"),
                                        (bw_run / "run", "--image", "-1", ">= 0")):
        assert run_cli(process.main, ["--checkpoint", str(run), given, str(bw_run / "smooth_in.png"),
                                      "--depth", "none", "--chroma-smooth", radius,
                                      "--out", str(bw_run / "refused.png")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:") and message in err[0], err
    assert not (bw_run / "refused.png").exists()


def _sky_above_bricks(n: int = 96) -> np.ndarray:
    """A drawing of two parts closed off from each other by a horizontal line at row n // 2:
    empty paper above (one region), a brick bond below."""
    ink = _bricks(n, n)
    ink[: n // 2] = False
    ink[n // 2] = True
    return np.where(ink, 0.0, 1.0).astype(np.float32)


def test_a_drawing_keeps_its_colour_boundary_on_its_line(line_run):
    """Two parts closed off by a line: the colour changes on the line (within 1 px) and neither
    part takes the other's colour (lines hidden, so only the colours are compared). The
    network alone blurs its colours across the line."""
    n = 96
    write_image(line_run / "two_regions.png", _sky_above_bricks(n))
    nearer_top = {}
    for reach in ("0", "32"):
        out = line_run / f"two_regions_color_{reach}.png"
        assert run_cli(process.main, ["--checkpoint", str(line_run / "run"), "--sketch",
                                      str(line_run / "two_regions.png"), "--depth", "none", "--align", "off",
                                      "--lines", "hide", "--line-reach", reach, "--out", str(out)]) == 0
        lab = rgb2lab(read_photo(out))
        top, bottom = lab[: n // 2 - 1].reshape(-1, 3).mean(0), lab[n // 2 + 2:].reshape(-1, 3).mean(0)
        assert np.linalg.norm(top - bottom) > 10                               # two colours, not one smear
        nearer_top[reach] = np.linalg.norm(lab - top, axis=-1) < np.linalg.norm(lab - bottom, axis=-1)
    laid_out = nearer_top["32"]
    assert laid_out[: n // 2 - 1].all() and not laid_out[n // 2 + 2:].any()
    smeared = nearer_top["0"]                                                  # the network alone does not
    assert not (smeared[: n // 2 - 1].all() and not smeared[n // 2 + 2:].any())


def test_lines_keep_draws_the_strokes_as_ink(line_run):
    n = 96
    drawing = _sky_above_bricks(n)
    write_image(line_run / "two_regions_ink.png", drawing)
    out = line_run / "two_regions_ink_color.png"
    assert run_cli(process.main, ["--checkpoint", str(line_run / "run"), "--sketch",
                                  str(line_run / "two_regions_ink.png"), "--depth", "none", "--align", "off",
                                  "--lines", "keep", "--out", str(out)]) == 0
    light = rgb2lab(read_photo(out))[..., 0]
    stroke = drawing < 0.5
    paper = cv2.dilate(stroke.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~stroke
    assert light[stroke].max() < 5 < light[paper].min()                # every stroke pixel darker than beside it


@pytest.mark.parametrize("flags, says", [(["--line-reach", "-1"], "--line-reach"),
                                         (["--line-reach", "nan"], "--line-reach"),
                                         (["--restore"], "--restore"),
                                         (["--tones", "photo"], "--tones")])
def test_bad_line_and_restore_flags_get_one_line(line_run, capsys, flags, says):
    """A negative or NaN reach, or --restore or --tones photo for a model that reads no photo's
    lightness: one error line, exit 2, nothing written."""
    out = line_run / "refused_lines.png"
    write_image(line_run / "refused_drawing.png", _sky_above_bricks())
    assert run_cli(process.main, ["--checkpoint", str(line_run / "run"), "--sketch",
                                  str(line_run / "refused_drawing.png"), "--depth", "none", "--out", str(out)] + flags) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and says in err[0], err
    assert not out.exists()


def test_bw_colour_source_is_chosen_by_flag_and_keeps_the_lightness(bw_run, sample_crop):
    gray = sample_crop[2].mean(axis=2)
    write_image(bw_run / "grey.png", np.repeat(gray[..., None], 3, axis=2))
    outs = {}
    for source in ("transfer", "network"):
        out = bw_run / f"grey_{source}.png"
        assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "grey.png"),
                                      "--depth", "none", "--align", "off", "--bw-colour", source,
                                      "--out", str(out)]) == 0
        outs[source] = read_photo(out)
        assert np.abs(rgb2lab(outs[source])[..., 0] - rgb2lab(read_photo(bw_run / "grey.png"))[..., 0]).max() < 0.8
    assert np.abs(outs["transfer"] - outs["network"]).mean() > 0.005     # two different sources of colour


@pytest.mark.parametrize("flags, says", [
    (["--bf16"], "--bf16 sets how the network runs"),
    (["--tile", "512", "--overlap", "32"], "--tile and --overlap set how the network runs"),
    (["--mirror-average", "off", "--context", "local", "--bf16"], "--bf16, --mirror-average and --context set"),
])
def test_flags_for_the_network_are_refused_where_a_black_and_white_render_runs_none(bw_run, sample_crop, capsys,
                                                                                  flags, says):
    write_image(bw_run / "grey.png", np.repeat(sample_crop[2].mean(axis=2)[..., None], 3, axis=2))
    out = bw_run / f"grey_flags_{len(flags)}.png"
    argv = ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "grey.png"), "--depth", "none",
            "--out", str(out)]
    assert run_cli(process.main, argv + flags) == 2                       # the default colours run no network
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and says in err[0] and "--bw-colour network" in err[0], err
    assert not out.exists()
    assert run_cli(process.main, argv + flags + ["--bw-colour", "both", "--align", "off"]) == 0  # the network runs
    assert out.exists()


def test_network_flags_in_a_batch_are_refused_only_where_no_checkpoint_runs_its_network(bw_run, line_run,
                                                                                       sample_crop, capsys):
    """A manifest mixing a black-and-white checkpoint (default colours: no network) with a line-drawing
    one takes --bf16 for the latter and renders both; with the black-and-white one alone it is refused;
    a batch's settings fingerprint does not depend on a flag being given with its default value."""
    import batch_process
    from batch.local import BatchConfig, settings_key
    from process.render import RenderConfig

    folder = bw_run / "mixed"
    folder.mkdir()
    write_image(folder / "a.png", sample_crop[2].mean(axis=2))
    write_image(folder / "b.png", sample_crop[2])
    (folder / "m.csv").write_text(f"input,checkpoint\n{folder / 'a.png'},{bw_run / 'run'}\n"
                                  f"{folder / 'b.png'},{line_run / 'run'}\n")
    common = ["--depth", "none", "--align", "off", "--bf16"]
    assert run_cli(batch_process.main, [str(folder / "m.csv"), "--out", str(folder / "both")] + common) == 0
    assert (folder / "both" / "a_color.png").exists() and (folder / "both" / "b_color.png").exists()
    (folder / "one.csv").write_text(f"input,checkpoint\n{folder / 'a.png'},{bw_run / 'run'}\n")
    capsys.readouterr()
    assert run_cli(batch_process.main, [str(folder / "one.csv"), "--out", str(folder / "one")] + common) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --bf16 sets how the network runs"), err
    cfg = BatchConfig(str(folder), str(folder / "x"))
    assert settings_key(cfg, RenderConfig()) == settings_key(cfg, RenderConfig(network_flags=("--mirror-average",)))


def test_network_flags_are_taken_where_a_checkpoint_without_its_photo_runs_its_network():
    from config.defaults import ModelConfig
    from process.preflight import check_render_request
    from process.render import RenderConfig

    bw = ModelConfig(use_luminance=True, color_space="lab", use_depth=False)
    given = RenderConfig(network_flags=("--bf16",))
    with pytest.raises(InputError, match="--bf16 sets how the network runs"):
        check_render_request(bw, given, outputs=[])
    check_render_request(bw, given, outputs=[], keeps_photo=False)   # its colours are the network's
    with pytest.raises(InputError, match="give --image, not --sketch"):  # the input's own fault comes first
        check_render_request(bw, RenderConfig(sketch="x.png", network_flags=("--bf16",)), outputs=[], check_files=False)


def test_a_checkpoint_without_its_training_photo_colours_with_the_network_and_says_so_once(bw_run, capsys):
    from process.render import RenderConfig, Renderer

    renderer = Renderer(str(bw_run / "run"), "cpu")
    renderer.reference = None                      # as a checkpoint saved before reference alignment
    cfg = RenderConfig(checkpoint=str(bw_run / "run"))
    assert renderer.bw_colour(cfg) == "network" and renderer.bw_colour(cfg) == "network"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note:") and "training photo" in err[0], err
    assert renderer.bw_colour(RenderConfig(bw_colour="network")) == "network"


def test_a_faded_print_says_it_is_read_as_faded_and_keeps_its_lightness(bw_run, sample_crop, capsys):
    from data.print_ageing import tone_curve

    faded = tone_curve(gray_lightness(sample_crop[2].mean(axis=2)), black=0.25, white=0.75)
    write_image(bw_run / "faded.png", lightness_to_gray(faded))
    out = bw_run / "faded_color.png"
    assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "faded.png"),
                                  "--depth", "none", "--align", "off", "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: the print looks faded") and "L* is kept" in err[0], err
    light_in = rgb2lab(read_photo(bw_run / "faded.png"))[..., 0]
    assert np.abs(rgb2lab(read_photo(out))[..., 0] - light_in).max() < 0.8


def test_restore_mask_shows_what_restore_inpainted(bw_run, capsys):
    """A flat grey card with three dark specks: --restore-mask is white on each speck (and its soft
    edge) and black elsewhere, the size of the input; without --restore the flag is refused."""
    card = np.full((96, 96), 0.55, np.float32)
    specks = [(20, 30), (50, 70), (75, 15)]
    for y, x in specks:
        card[y - 1:y + 2, x - 1:x + 2] = 0.05
    write_image(bw_run / "dusty.png", card)
    out, mask_path = bw_run / "dusty_color.png", bw_run / "dusty_mask.png"
    args = ["--checkpoint", str(bw_run / "run"), "--image", str(bw_run / "dusty.png"), "--depth", "none",
            "--align", "off", "--out", str(out)]
    assert run_cli(process.main, args + ["--restore", "--restore-mask", str(mask_path)]) == 0
    mask = np.asarray(Image.open(mask_path)) > 127
    assert mask.shape == card.shape and all(mask[y, x] for y, x in specks)
    assert mask.sum() < 3 * 9 * 6                          # the specks grown by their soft edge, nothing else
    capsys.readouterr()
    for flags, says in ((["--restore-mask", str(bw_run / "nothing.png")], "add --restore"),
                        (["--restore", "--restore-mask", str(bw_run / "nothing.jpg")], ".png"),
                        (["--restore", "--restore-mask", str(out)], "")):          # the same file as --out
        out.unlink(missing_ok=True)
        assert run_cli(process.main, args + flags) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:") and says in err[0], err
        assert not (bw_run / "nothing.png").exists() and not (bw_run / "nothing.jpg").exists() and not out.exists()


def test_tones_photo_gives_a_faded_print_the_training_photo_s_levels(bw_run, sample_crop, capsys):
    """--tones photo: a faded print of the training photo comes back with the photo's black and white
    points (one note says so); a print that is not faded keeps its L*; a checkpoint without its
    training photo is refused with one line."""
    from postprocess.chroma_transfer import levels
    from data.print_ageing import tone_curve
    from process.render import RenderConfig, Renderer

    photo_light = gray_lightness(sample_crop[0].mean(axis=2))
    faded = tone_curve(photo_light, black=0.25, white=0.75)
    write_image(bw_run / "faded_for_tones.png", lightness_to_gray(faded))
    out = bw_run / "faded_photo_tones.png"
    args = ["--checkpoint", str(bw_run / "run"), "--depth", "none", "--align", "off", "--tones", "photo"]
    assert run_cli(process.main, args + ["--image", str(bw_run / "faded_for_tones.png"), "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: --tones photo stretched the print's black and white points"), err
    reference = Renderer(str(bw_run / "run"), "cpu").reference.astype(np.float32) / 255
    wanted = levels(rgb2lab(reference)[..., 0] / 100)
    got = levels(rgb2lab(read_photo(out))[..., 0] / 100)
    assert abs(got[0] - wanted[0]) < 0.03 and abs(got[1] - wanted[1]) < 0.03, (got, wanted)
    assert levels(faded)[0] - wanted[0] > 0.1                                     # it was faded to begin with
    write_image(bw_run / "unfaded.png", lightness_to_gray(photo_light))
    assert run_cli(process.main, args + ["--image", str(bw_run / "unfaded.png"), "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not read the print as faded" in err[0], err
    assert np.abs(rgb2lab(read_photo(out))[..., 0] - rgb2lab(read_photo(bw_run / "unfaded.png"))[..., 0]).max() < 0.8
    renderer = Renderer(str(bw_run / "run"), "cpu")
    renderer.reference = None                      # as a checkpoint saved before reference alignment
    with pytest.raises(InputError, match="--tones photo"):
        renderer.render(RenderConfig(checkpoint=str(bw_run / "run"), image=str(bw_run / "unfaded.png"), depth="none",
                                     tones="photo", out=str(bw_run / "never.png")))
    assert not (bw_run / "never.png").exists()


def test_tones_photo_undoes_a_contrasty_print_s_curve_where_it_lines_up(bw_run, capsys):
    """--tones photo with reference alignment (the default --align auto): a contrasty print of the
    training photo, whose black and white points stay put so no fade is read, comes back with the
    photo's tones, read off where the two line up; one note says so, beside the alignment's."""
    from data.print_ageing import tone_curve
    from process.render import Renderer

    reference = Renderer(str(bw_run / "run"), "cpu").reference.astype(np.float32) / 255
    light = rgb2lab(reference)[..., 0] / 100
    contrasty = tone_curve(light, contrast=0.7)
    write_image(bw_run / "contrasty.png", lightness_to_gray(contrasty))
    out = bw_run / "contrasty_photo_tones.png"
    args = ["--checkpoint", str(bw_run / "run"), "--depth", "none", "--tones", "photo",
            "--image", str(bw_run / "contrasty.png"), "--out", str(out)]
    assert run_cli(process.main, args) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("note: --tones photo read the print's tone curve"), err
    assert err[1].startswith("note: the input lines up with the training photo"), err
    got = rgb2lab(read_photo(out))[..., 0] / 100
    assert np.abs(got - light).mean() < 0.015 < np.abs(contrasty - light).mean() / 4
    # by default the print keeps its own L*; the colour lookup reads it through the same curve, and says so
    kept = bw_run / "contrasty_kept.png"
    args_kept = [a for a in args if a not in ("--tones", "photo")]
    args_kept[args_kept.index("--out") + 1] = str(kept)
    assert run_cli(process.main, args_kept) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("note: the print's tone curve where it lines up") and \
        "its own L* is kept" in err[0], err
    got = rgb2lab(read_photo(kept))[..., 0] / 100
    assert np.abs(got - contrasty).max() < 0.006                     # the print's own L*, exactly (8-bit)


def test_batch_tones_photo_gives_every_print_the_photo_s_levels(bw_run, line_run, sample_crop, capsys):
    """batch_process.py --tones photo: each faded print of a folder comes back with the training photo's
    levels, and what the render said of each (its note) names that file, on stderr and in the summary;
    a colour model is refused with one line before any file is written."""
    import batch_process
    from data.print_ageing import tone_curve
    from postprocess.chroma_transfer import levels
    from process.render import Renderer

    prints = bw_run / "prints_for_tones"
    prints.mkdir()
    light = gray_lightness(sample_crop[0].mean(axis=2))
    for name, (black, white) in {"a": (0.25, 0.75), "b": (0.2, 0.8)}.items():
        write_image(prints / f"{name}.png", lightness_to_gray(tone_curve(light, black=black, white=white)))
    out = bw_run / "batch_tones"
    common = ["--kind", "image", "--depth", "none", "--align", "off", "--tones", "photo"]
    assert run_cli(batch_process.main, [str(prints), "--out", str(out), "--checkpoint", str(bw_run / "run")] + common) == 0
    reference = Renderer(str(bw_run / "run"), "cpu").reference.astype(np.float32) / 255
    wanted = levels(rgb2lab(reference)[..., 0] / 100)
    for name in ("a", "b"):
        got = levels(rgb2lab(read_photo(out / f"{name}_color.png"))[..., 0] / 100)
        assert abs(got[0] - wanted[0]) < 0.03 and abs(got[1] - wanted[1]) < 0.03, (name, got, wanted)
    err = capsys.readouterr().err.splitlines()
    summary = json.loads((out / "summary.json").read_text())
    for name in ("a", "b"):
        path = str(prints / f"{name}.png")
        assert any(line.startswith(f"{path}: note: --tones photo stretched") for line in err), err
        row = next(r for r in summary if r["input"] == path)
        assert row["notes"].startswith("note: --tones photo stretched")
    refused = bw_run / "batch_tones_refused"
    assert run_cli(batch_process.main, [str(prints), "--out", str(refused), "--checkpoint", str(line_run / "run")]
                   + common) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "--tones" in err[0], err
    assert not any(refused.glob("*.png"))


def test_a_checkpoint_without_its_training_photo_says_so_once_per_render(bw_run, capsys):
    """A black-and-white render from a checkpoint saved before reference alignment: one note says its
    colours are the network's (not a second one from alignment saying the same)."""
    from process.render import RenderConfig, Renderer

    renderer = Renderer(str(bw_run / "run"), "cpu")
    renderer.reference = None                      # as a checkpoint saved before reference alignment
    write_image(bw_run / "grey_once.png", np.full((48, 64), 0.5, np.float32))
    renderer.render(RenderConfig(checkpoint=str(bw_run / "run"), image=str(bw_run / "grey_once.png"), depth="none",
                                 out=str(bw_run / "grey_once_color.png")))
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "network" in notes[0], notes


def test_batch_rerun_with_other_settings_says_its_kept_outputs_were_made_otherwise(bw_run, sample_crop, capsys):
    """A batch re-run keeps finished outputs (it resumes); when they were made with other settings
    (here without --tones photo) one note says so and how to redo them, and the summary keeps the
    settings each output was made with. The same settings, or --overwrite, give no such note."""
    import batch_process

    prints = bw_run / "prints_for_rerun"
    prints.mkdir()
    write_image(prints / "a.png", lightness_to_gray(gray_lightness(sample_crop[0].mean(axis=2))))
    out = bw_run / "batch_rerun"
    base = [str(prints), "--out", str(out), "--checkpoint", str(bw_run / "run"), "--kind", "image", "--depth", "none",
            "--align", "off"]
    assert run_cli(batch_process.main, base) == 0
    first = json.loads((out / "summary.json").read_text())[0]["settings"]
    made = (out / "a_color.png").read_bytes()
    capsys.readouterr()
    assert run_cli(batch_process.main, base) == 0                                  # the same settings
    assert "other settings" not in capsys.readouterr().err
    assert run_cli(batch_process.main, base + ["--tones", "photo"]) == 0
    err = capsys.readouterr().err
    assert "note: 1 finished output(s)" in err and "other settings" in err and "--overwrite" in err, err
    assert (out / "a_color.png").read_bytes() == made
    assert json.loads((out / "summary.json").read_text())[0]["settings"] == first   # still what made it
    assert run_cli(batch_process.main, base + ["--tones", "photo", "--overwrite"]) == 0
    assert "other settings" not in capsys.readouterr().err
    assert json.loads((out / "summary.json").read_text())[0]["settings"] not in ("", first)


def test_a_colour_photo_alone_gives_a_black_and_white_checkpoint_s_default_render(bw_run, sample_crop):
    """process.py --reference PHOTO renders a black-and-white photo exactly as a --luminance checkpoint
    trained on PHOTO does by default (its colours come from the training photo, not the network),
    with --restore and --tones photo too."""
    write_image(bw_run / "held_out_grey.png", lightness_to_gray(gray_lightness(sample_crop[2].mean(axis=2))))
    for extra in ([], ["--restore", "--tones", "photo"]):
        common = ["--image", str(bw_run / "held_out_grey.png")] + extra
        checkpoint, photo_only = bw_run / "by_checkpoint.png", bw_run / "by_reference.png"
        assert run_cli(process.main, ["--checkpoint", str(bw_run / "run"), "--depth", "none", "--out", str(checkpoint)]
                       + common) == 0
        assert run_cli(process.main, ["--reference", str(bw_run / "photo.png"), "--out", str(photo_only)] + common) == 0
        assert checkpoint.read_bytes() == photo_only.read_bytes(), extra
