"""process.py, batch_process.py and evaluate.py on a tiny trained run."""
import json

import numpy as np
import pytest

import batch_process
import evaluate
from tests.conftest import load_script
from utils.cli import run_cli

process = load_script("process.py")
from utils.image_io import read_photo, write_depth, write_image


@pytest.fixture
def inputs(tmp_path, sample_crop):
    photo, depth, hphoto, hdepth = sample_crop
    write_image(tmp_path / "view.png", hphoto)
    write_depth(tmp_path / "view_depth.png", hdepth)
    from preprocess.sketch import extract_sketch
    write_image(tmp_path / "drawing.png", extract_sketch(hphoto))
    return tmp_path


def test_render_default_sample(tiny_run, tmp_path):
    assert run_cli(process.main, ["--checkpoint", str(tiny_run), "--out", str(tmp_path / "r.png"), "--tile", "0"]) == 0
    assert read_photo(tmp_path / "r.png").shape == (500, 741, 3)


def test_render_photo_and_sketch_keep_size(tiny_run, inputs):
    out = inputs / "a.png"
    assert run_cli(process.main, ["--checkpoint", str(tiny_run), "--image", str(inputs / "view.png"), "--depth",
                                  str(inputs / "view_depth.png"), "--out", str(out)]) == 0
    assert read_photo(out).shape == (96, 128, 3)
    assert run_cli(process.main, ["--checkpoint", str(tiny_run), "--sketch", str(inputs / "drawing.png"), "--depth",
                                  str(inputs / "view_depth.png"), "--out", str(inputs / "b.png"), "--tile", "64",
                                  "--overlap", "16", "--wiggle", str(inputs / "b.gif")]) == 0
    assert read_photo(inputs / "b.png").shape == (96, 128, 3) and (inputs / "b.gif").is_file()


def test_mirror_average_flag(tiny_run, inputs):
    """--mirror-average off gives the network's one pass, the same as the library's; the default
    averages the mirrored input's colours in (process/inference.py)."""
    from models.checkpoint import load_model, sketch_config_of
    from process.guides import GuideSources, guides_from_sketch
    from process.inference import colorize
    from utils.image_io import read_gray

    outs = {}
    for mode in ("on", "off"):
        outs[mode] = inputs / f"mirror_{mode}.png"
        assert run_cli(process.main, ["--checkpoint", str(tiny_run), "--sketch", str(inputs / "drawing.png"),
                                      "--depth", str(inputs / "view_depth.png"), "--out", str(outs[mode]),
                                      "--mirror-average", mode]) == 0
    on, off = read_photo(outs["on"]), read_photo(outs["off"])
    assert np.abs(on - off).max() > 1 / 255
    model, meta = load_model(tiny_run)
    guides = guides_from_sketch(read_gray(inputs / "drawing.png"), GuideSources(depth=str(inputs / "view_depth.png")),
                                sketch_config_of(meta))
    for got, mirror in ((off, False), (on, True)):
        assert np.abs(got - colorize(model, guides, mirror_average=mirror)).max() <= 1 / 255


def test_mirror_average_is_off_for_a_model_trained_without_flips(tiny_run, inputs, tmp_path, capsys):
    """A network that never saw a flipped patch does not know a mirrored input: one pass, said once."""
    from safetensors.torch import save_file

    from models.checkpoint import read_checkpoint
    meta, tensors = read_checkpoint(tiny_run)
    meta["train_config"]["augment"]["hflip"] = False
    run = tmp_path / "noflip.safetensors"
    save_file(tensors, str(run), metadata={"semcolornet": json.dumps(meta)})
    outs = {}
    for name, checkpoint in (("noflip", run), ("off", tiny_run)):
        extra = ["--mirror-average", "off"] if name == "off" else []
        outs[name] = inputs / f"{name}.png"
        assert run_cli(process.main, ["--checkpoint", str(checkpoint), "--sketch", str(inputs / "drawing.png"),
                                      "--depth", str(inputs / "view_depth.png"), "--out", str(outs[name])] + extra) == 0
        err = capsys.readouterr().err
        assert ("mirror averaging is off" in err) == (name == "noflip"), err
    np.testing.assert_array_equal(read_photo(outs["noflip"]), read_photo(outs["off"]))


@pytest.mark.parametrize("args,match", [
    (["--checkpoint", "/nonexistent/run"], "checkpoint not found"),
    (["--image", "{d}/view.png", "--depth", "{d}/small.npy"], "same size"),
    (["--image", "{d}/view.png", "--depth", "{d}/view_depth.png", "--out", "{d}/view.png"], "refusing to write over"),
    (["--sketch", "{d}/drawing.png"], "give --depth FILE"),
    (["--image", "{d}/view.png", "--depth", "none"], "trained with depth"),
    (["--image", "{d}/view.png", "--tile", "100"], "--tile must be"),
    (["--image", "{d}/view.png", "--mask", "{d}/view.png"], "without a semantic mask"),
    (["--image", "{d}/view.png", "--depth", "{d}/view_depth.png", "--bw-colour", "network"],
     "chooses a black-and-white model's colours"),
])
def test_bad_arguments(tiny_run, inputs, capsys, args, match):
    np.save(inputs / "small.npy", np.random.default_rng(0).random((10, 10)))
    before = (inputs / "view.png").read_bytes()
    args = [a.format(d=inputs) for a in args]
    if "--checkpoint" not in args:
        args = ["--checkpoint", str(tiny_run)] + args
    assert run_cli(process.main, args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and match in err and "\n" not in err
    assert (inputs / "view.png").read_bytes() == before


def test_checkpoint_of_another_version(tiny_run, tmp_path, capsys):
    from safetensors.torch import load_file, save_file
    from safetensors import safe_open
    src = tiny_run / "checkpoints" / "last.safetensors"
    with safe_open(str(src), framework="pt") as fh:
        meta = json.loads(fh.metadata()["semcolornet"])
    meta["version"] = 0
    save_file(load_file(str(src)), str(tmp_path / "old.safetensors"), metadata={"semcolornet": json.dumps(meta)})
    assert run_cli(process.main, ["--checkpoint", str(tmp_path / "old.safetensors")]) == 2
    assert "format version 0" in capsys.readouterr().err


def test_batch_survives_a_corrupt_file(tiny_run, inputs, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "b"):
        write_image(src / f"{name}.png", read_photo(inputs / "drawing.png"))
    (src / "broken.png").write_bytes(b"not a png")
    out = tmp_path / "out"
    # The tiny run uses depth: --depth none is refused before any file is read or written.
    args = [str(src), "--out", str(out), "--checkpoint", str(tiny_run), "--kind", "sketch", "--depth", "none"]
    assert run_cli(batch_process.main, args) == 2 and not out.exists()
    depth_dir = tmp_path / "depths"
    depth_dir.mkdir()
    for name in ("a", "b", "broken"):
        write_depth(depth_dir / f"{name}.png", np.linspace(0, 1, 96 * 128).reshape(96, 128))
    args = [str(src), "--out", str(out), "--checkpoint", str(tiny_run), "--kind", "sketch", "--depth-dir",
            str(depth_dir)]
    assert run_cli(batch_process.main, args) == 1
    rows = {r["input"].split("/")[-1]: r for r in json.loads((out / "summary.json").read_text())}
    assert rows["a.png"]["status"] == rows["b.png"]["status"] == "ok"
    assert rows["broken.png"]["status"] == "failed" and "cannot read" in rows["broken.png"]["error"]
    assert (out / "a_color.png").is_file() and (out / "summary.csv").is_file()
    # A re-run skips what is finished and still reports the failure.
    assert run_cli(batch_process.main, args) == 1
    rows = {r["input"].split("/")[-1]: r for r in json.loads((out / "summary.json").read_text())}
    assert rows["a.png"]["status"].startswith("skipped")
    (src / "broken.png").unlink()
    assert run_cli(batch_process.main, args) == 0


def test_evaluate_writes_every_field(tiny_run, tmp_path, capsys):
    assert run_cli(evaluate.main, ["--checkpoint", str(tiny_run), "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "motorcycle-right_metrics.json").read_text())
    for key in ("psnr", "ssim", "delta_e00", "chroma_ratio"):
        assert np.isfinite(report["model"][key]) and np.isfinite(report["baseline_mean_colour"][key])
    assert report["settings"]["ssim"].endswith("channel_axis=-1)")
    assert report["rendering"] == {"mirror_average": True, "context": "whole", "chroma_smooth": None,
                                   "bw_colour": None}
    assert abs(report["baseline_mean_colour"]["psnr"] - 12.47) < 0.05
    assert (tmp_path / "motorcycle-right_prediction.png").is_file()
    assert "mean-colour baseline" in capsys.readouterr().out
