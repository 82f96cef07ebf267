"""train.py end to end on a small crop of the bundled sample, resume, and bad input."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import train
from models.checkpoint import load_model, read_checkpoint
from utils.cli import run_cli
from utils.image_io import write_depth, write_image

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--epochs1", "2", "--steps-per-epoch", "3", "--epochs2", "1", "--steps2-per-epoch", "2", "--patch-size", "32",
        "--batch-size", "2", "--full-size", "64", "--width", "8", "--quiet", "--device", "cpu"]


@pytest.fixture
def crop_files(tmp_path, sample_crop):
    photo, depth, hphoto, hdepth = sample_crop
    write_image(tmp_path / "photo.png", photo)
    write_depth(tmp_path / "depth.png", depth)
    write_image(tmp_path / "held.png", hphoto)
    write_depth(tmp_path / "held_depth.png", hdepth)
    return tmp_path


def _train(args, tmp_path):
    return run_cli(train.main, args + TINY + ["--metrics-log", str(tmp_path / "training.log")])


def test_end_to_end(crop_files, tmp_path):
    out = tmp_path / "run"
    code = _train(["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.npy"),
                   "--heldout-image", str(crop_files / "held.png"), "--heldout-depth",
                   str(crop_files / "held_depth.png"), "--out", str(out)], tmp_path)
    assert code == 0
    for name in ["config.json", "metrics.jsonl", "checkpoints/last.safetensors", "checkpoints/stage1.safetensors",
                 "checkpoints/stage2.safetensors", "previews/stage1.png", "previews/stage2.png"]:
        assert (out / name).is_file(), name
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["stage"] for r in rows] == [1, 1, 2]
    # evaluated at the end of each stage only (eval_every=0, the default)
    assert ["train_psnr" in r and "heldout_ssim" in r for r in rows] == [False, True, True]
    log = (tmp_path / "training.log").read_text()
    assert "stage=2" in log and "done:" in log
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["model"]["width"] == 8 and cfg["sketch"]["method"] == "xdog"
    model, meta = load_model(out)
    assert meta["progress"]["stage"] == 2 and meta["progress"]["step"] == 8
    # A second run into the same folder without --resume is refused.
    assert _train(["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.npy"),
                   "--out", str(out)], tmp_path) == 2


@pytest.mark.parametrize("extra", [["--eval-every", "1"], ["--set", "ema=0.9"], ["--set", "crop2=0.5"]],
                         ids=["plain", "ema", "stage-2 windows"])
def test_resume_continues_where_it_stopped(crop_files, tmp_path, monkeypatch, extra):
    args = ["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.npy")] + extra
    assert _train(args + ["--out", str(tmp_path / "a")], tmp_path) == 0

    from training import trainer as training
    original = training.Trainer._record
    calls = {"n": 0}

    def crash_after_first_epoch(self, row):
        original(self, row)
        calls["n"] += 1
        if calls["n"] == 2:  # the process dies after epoch 2's log line, before its checkpoint
            raise KeyboardInterrupt

    monkeypatch.setattr(training.Trainer, "_record", crash_after_first_epoch)
    assert _train(args + ["--out", str(tmp_path / "b")], tmp_path) == 130
    meta, _ = read_checkpoint(tmp_path / "b" / "checkpoints" / "last.safetensors")
    assert meta["progress"] == {**meta["progress"], "stage": 1, "epoch": 1}
    monkeypatch.setattr(training.Trainer, "_record", original)
    assert run_cli(train.main, ["--out", str(tmp_path / "b"), "--resume", "--quiet", "--device", "cpu"]) == 0
    _, wa = read_checkpoint(tmp_path / "a" / "checkpoints" / "last.safetensors")
    _, wb = read_checkpoint(tmp_path / "b" / "checkpoints" / "last.safetensors")
    assert any(k.startswith("train.") for k in wa) == ("ema=0.9" in extra)  # the raw weights beside their average
    if "ema=0.9" in extra:  # the checkpoint's network is the average, not the last weights
        assert not np.allclose(wa["model.head.weight"].numpy(), wa["train.head.weight"].numpy())
    for k in wa:
        if k.startswith(("model.", "train.")):
            assert np.allclose(wa[k].numpy(), wb[k].numpy(), atol=1e-5), k


def test_bundled_sample_is_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _train(["--out", "run", "--epochs1", "1", "--epochs2", "0"], tmp_path) == 0
    assert "stereo_motorcycle" in json.loads((tmp_path / "run" / "config.json").read_text())["data_source"]


def _bad(tmp_path, crop_files, capsys, args, match):
    before = {p: p.read_bytes() for p in crop_files.glob("*.*")}
    code = _train(args + ["--out", str(tmp_path / "bad")], tmp_path)
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error:") and "\n" not in err and match in err, err
    assert {p: p.read_bytes() for p in crop_files.glob("*.*")} == before


def test_bad_input(tmp_path, crop_files, capsys):
    photo = str(crop_files / "photo.png")
    _bad(tmp_path, crop_files, capsys, ["--image", str(tmp_path / "nope.png"), "--depth", "none"], "not found")
    (crop_files / "junk.png").write_bytes(b"junk")
    _bad(tmp_path, crop_files, capsys, ["--image", str(crop_files / "junk.png"), "--depth", "none"], "cannot read")
    np.save(crop_files / "small.npy", np.random.default_rng(0).random((10, 10)))
    _bad(tmp_path, crop_files, capsys, ["--image", photo, "--depth", str(crop_files / "small.npy")], "same size")
    rgba = np.zeros((96, 128, 4), np.uint8)
    Image.fromarray(rgba).save(crop_files / "rgba.png")
    _bad(tmp_path, crop_files, capsys, ["--image", str(crop_files / "rgba.png"), "--depth", "none"], "alpha")
    Image.fromarray(np.zeros((96, 128), np.uint8)).save(crop_files / "gray.png")
    _bad(tmp_path, crop_files, capsys, ["--image", str(crop_files / "gray.png"), "--depth", "none"], "grayscale")
    nan = np.ones((96, 128)) * np.linspace(0, 1, 128)
    nan[3, 3] = np.nan
    np.save(crop_files / "nan.npy", nan)
    _bad(tmp_path, crop_files, capsys, ["--image", photo, "--depth", str(crop_files / "nan.npy")], "NaN")


def test_exit_code_from_a_real_process(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "train.py"), "--image", str(tmp_path / "missing.jpg"),
                        "--depth", "none", "--out", str(tmp_path / "r")], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"error: file not found: {tmp_path / 'missing.jpg'}"]


def test_luminance_model_without_depth_colorizes_a_black_and_white_photo(crop_files, tmp_path, capsys):
    from models.checkpoint import load_model
    from tests.conftest import load_script
    from utils.image_io import read_photo
    out = tmp_path / "lum"
    assert _train(["--image", str(crop_files / "photo.png"), "--depth", "none", "--luminance", "--out", str(out)],
                  tmp_path) == 0
    model, _ = load_model(out)
    assert model.cfg.use_luminance and not model.cfg.use_depth
    gray = read_photo(crop_files / "held.png").mean(axis=2)
    write_image(crop_files / "bw.png", gray)
    process = load_script("process.py")
    assert run_cli(process.main, ["--checkpoint", str(out), "--image", str(crop_files / "bw.png"), "--out",
                                  str(tmp_path / "bw_color.png")]) == 0
    assert read_photo(tmp_path / "bw_color.png").shape == (96, 128, 3)
    assert run_cli(process.main, ["--checkpoint", str(out), "--sketch", str(crop_files / "bw.png"), "--depth",
                                  "none", "--out", str(tmp_path / "x.png")]) == 2
    assert "grayscale photos" in capsys.readouterr().err


@pytest.mark.parametrize("space", ["hsv", "lab"])
def test_other_colour_spaces_train_and_render(crop_files, tmp_path, space):
    out = tmp_path / space
    assert _train(["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.png"),
                   "--color-space", space, "--out", str(out), "--no-style"], tmp_path) == 0
    model, _ = load_model(out)
    assert model.cfg.color_space == space and model.style_encoder is None


def test_resume_applies_running_flags_and_refuses_the_rest(crop_files, tmp_path, capsys):
    args = ["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.npy")]
    run = tmp_path / "run"
    assert _train(args + ["--out", str(run)], tmp_path) == 0
    capsys.readouterr()
    for extra, names in [(["--lr", "0.5"], "--lr"), (["--width", "16", "--seed", "3"], "--seed, --width"),
                         (["--set", "model.width=16"], "--set"), (["--preset", "fast"], "--preset")]:
        assert run_cli(train.main, ["--resume", "--out", str(run)] + extra) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: --resume") and f"{names} cannot change" in err and "\n" not in err, err
    # Running flags are applied: the log goes where --metrics-log says, on the device asked for.
    log = tmp_path / "resumed.log"
    assert run_cli(train.main, ["--resume", "--out", str(run), "--device", "cpu", "--threads", "1", "--quiet",
                                "--metrics-log", str(log)]) == 0
    assert "resumed from" in log.read_text()


def test_set_reaches_nested_fields_and_refuses_unknown_ones(crop_files, tmp_path, capsys):
    args = ["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.npy"), "--out",
            str(tmp_path / "run")]
    assert _train(args + ["--set", "model.attention_heads=2", "augment.rotate_deg=0", "precise_bn=false"],
                  tmp_path) == 0
    cfg = json.loads((tmp_path / "run" / "config.json").read_text())
    assert cfg["model"]["attention_heads"] == 2 and cfg["augment"]["rotate_deg"] == 0.0 and cfg["precise_bn"] is False
    capsys.readouterr()
    assert _train(args + ["--set", "model.heads=2"], tmp_path) == 2
    assert "unknown key model.heads; valid: model.width" in capsys.readouterr().err


def test_device_sampler_trains_like_the_cpu_sampler(crop_files, tmp_path):
    """sampler=device (torch, here on CPU tensors) cuts the same patches as OpenCV: same run, same weights."""
    args = ["--image", str(crop_files / "photo.png"), "--depth", str(crop_files / "depth.npy")]
    rows = {}
    for kind in ("cpu", "device"):
        assert _train(args + ["--out", str(tmp_path / kind), "--set", f"sampler={kind}"], tmp_path) == 0
        rows[kind] = [json.loads(line) for line in (tmp_path / kind / "metrics.jsonl").read_text().splitlines()]
    # Patches agree to float rounding (tests/data/test_tensor_sampler.py); Adam turns that into
    # small weight differences, so the runs are compared by their losses and scores.
    for a, b in zip(rows["cpu"], rows["device"]):
        assert abs(a["loss_total"] - b["loss_total"]) < 1e-3 * a["loss_total"], (a, b)
        assert abs(a.get("train_psnr", 0) - b.get("train_psnr", 0)) < 0.05, (a, b)


def test_device_sampler_refuses_line_styles(crop_files, tmp_path, capsys):
    args = ["--image", str(crop_files / "photo.png"), "--depth", "none", "--sketch-method", "lines",
            "--out", str(tmp_path / "r"), "--set", "sampler=device"]
    assert _train(args, tmp_path) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: sampler=device cannot draw line-style patches") and "\n" not in err


def test_sigint_stops_a_run_even_when_started_with_sigint_ignored(tmp_path):
    """A shell without job control starts background commands with SIGINT ignored, and the
    studio's jobs inherit that; its Cancel sends SIGINT, which must still stop the run (exit 130)."""
    import signal
    import time

    run = tmp_path / "run"
    args = [sys.executable, str(ROOT / "train.py"), "--out", str(run), "--metrics-log", str(tmp_path / "log"),
            "--epochs1", "500", "--steps-per-epoch", "3", "--epochs2", "0", "--patch-size", "32", "--width", "8"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        for _ in range(600):
            if (run / "metrics.jsonl").is_file() or proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)  # right after the first epoch's row appeared
        assert proc.wait(60) == 130
        assert "interrupted" in proc.stderr.read().decode()
        # An epoch's row and its checkpoint land together (the studio's Resume needs the checkpoint).
        rows = (run / "metrics.jsonl").read_text().splitlines()
        assert rows and (run / "checkpoints" / "last.safetensors").is_file()
    finally:
        proc.kill()


def test_a_patch_larger_than_the_photo_is_cut_to_fit_and_said(crop_files, tmp_path):
    out = tmp_path / "run"
    # later flags win: --patch-size 500 over TINY's 32, on a 96 x 128 photo
    assert run_cli(train.main, ["--image", str(crop_files / "photo.png"), "--depth", "none", "--out", str(out)]
                   + TINY + ["--patch-size", "500", "--metrics-log", str(tmp_path / "training.log")]) == 0
    assert json.loads((out / "config.json").read_text())["patch_size"] == 96
    log = (tmp_path / "training.log").read_text()
    assert log.count("note: patches of 500 px do not fit the training photo (128x96): stage 1 cuts patches of 96 px") == 1


def test_stage2_windows_are_a_random_share_of_the_image_on_the_unet_grid(crop_files, tmp_path):
    from config.defaults import DOWNSCALE, train_config
    from training.trainer import Trainer

    cfg = train_config("default", image=str(crop_files / "photo.png"), depth=str(crop_files / "depth.npy"),
                       out=str(tmp_path / "w"), metrics_log=str(tmp_path / "log"), crop2=0.5,
                       model={"width": 8, "attention_grid": 4, "style_dim": 8})
    trainer = Trainer(cfg, quiet=True)
    h, w = trainer.full_view.guides.shape
    sizes = []
    for step in range(40):
        trainer.progress["step"] = step
        sizes.append(trainer._stage2_window())
    assert all(s[0] % DOWNSCALE == 0 and 0.5 * h - DOWNSCALE <= s[0] <= h for s in sizes), sizes
    assert all(0.5 * w - DOWNSCALE <= s[1] <= w for s in sizes) and len(set(sizes)) > 5
    trainer.progress["step"] = 7
    assert trainer._stage2_window() == sizes[7]                        # the step alone decides: resumable
