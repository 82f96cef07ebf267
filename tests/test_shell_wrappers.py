"""train.sh and process.sh as a user runs them (in the foreground, no tmux)."""
import os
import subprocess
import sys
from pathlib import Path

from utils.image_io import write_depth, write_image

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--epochs1", "1", "--steps-per-epoch", "2", "--epochs2", "1", "--steps2-per-epoch", "1", "--width", "8",
        "--patch-size", "32", "--batch-size", "2", "--full-size", "64", "--quiet"]


def _env(tmp_path):
    return {**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1"}


def test_train_sh_preprocesses_trains_and_renders(tmp_path, sample_crop):
    photo, depth, _, _ = sample_crop
    write_image(tmp_path / "photo.png", photo)
    write_depth(tmp_path / "depth.png", depth)
    out = tmp_path / "run"
    r = subprocess.run(["bash", str(ROOT / "train.sh"), "--foreground", "--wiggle", "--with-mask", "--image",
                        str(tmp_path / "photo.png"), "--depth", str(tmp_path / "depth.png"), "--out", str(out),
                        "--metrics-log", str(tmp_path / "training.log")] + TINY,
                       capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    for name in ["preprocess/sketch.png", "preprocess/mask.png", "preprocess/manifest.json", "config.json",
                 "checkpoints/last.safetensors", "previews/stage2.png", "render.png", "render_wiggle.gif"]:
        assert (out / name).is_file(), name
    assert "stage=1" in (tmp_path / "training.log").read_text()
    r = subprocess.run(["bash", str(ROOT / "process.sh"), "--checkpoint", str(out), "--image",
                        str(tmp_path / "photo.png"), "--depth", str(tmp_path / "depth.png"), "--mask",
                        str(out / "preprocess" / "mask.png"), "--out", str(tmp_path / "again.png")],
                       capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "again.png").is_file()


def test_train_sh_passes_bad_input_errors_through(tmp_path):
    r = subprocess.run(["bash", str(ROOT / "train.sh"), "--foreground", "--image", str(tmp_path / "none.png"),
                        "--depth", "none", "--out", str(tmp_path / "run")],
                       capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and "error: file not found" in r.stderr


def test_train_sh_refuses_wiggle_without_depth_before_training(tmp_path, sample_crop):
    photo, _, _, _ = sample_crop
    write_image(tmp_path / "photo.png", photo)
    r = subprocess.run(["bash", str(ROOT / "train.sh"), "--foreground", "--wiggle", "--image",
                        str(tmp_path / "photo.png"), "--depth", "none", "--out", str(tmp_path / "run")] + TINY,
                       capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and r.stderr.strip() == (
        "error: --wiggle needs depth, and this run trains with --depth none; drop one of them")
    assert "== training" not in r.stdout and not (tmp_path / "run").exists()
