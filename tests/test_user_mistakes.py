"""Mistakes a new user made in a review of the CLIs (each was a traceback, a silent no-op or a
lost file): each is now one ``error:`` line and exit code 2 before anything is written, or a note."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import batch_process
import evaluate
import generate_styles
import train
from preprocess.view import generate_multiview, generate_wiggle_gif, make_multiview_gif
from process import sketch_depth
from tests.conftest import load_script
from utils.cli import run_cli
from utils.image_io import write_depth, write_image

process_cli = load_script("process.py")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def files(tmp_path, sample_crop):
    _, _, photo, depth = sample_crop
    write_image(tmp_path / "photo.png", photo)
    write_image(tmp_path / "gray.png", photo.mean(axis=2))
    write_depth(tmp_path / "depth.png", depth)
    return tmp_path


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(main, argv, capsys, *words) -> str:
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    for w in words:
        assert w in err, err
    return err


def _render(tiny_run, files, *extra):
    return ["--checkpoint", str(tiny_run), "--image", str(files / "photo.png"), "--depth", str(files / "depth.png"),
            "--mirror-average", "off", *extra]


def test_process_never_writes_over_the_checkpoint(tiny_run, files, capsys):
    ck = tiny_run / "checkpoints" / "last.safetensors"
    before = _tree(tiny_run)
    for out in (ck, tiny_run / "config.json", files / "out.txt"):
        _refused(process_cli.main, _render(tiny_run, files, "--out", str(out)), capsys, "must end in", ".png")
    assert _tree(tiny_run) == before


def test_process_wiggle_is_a_gif_and_never_the_output(tiny_run, files, capsys):
    out = str(files / "same.png")
    for wiggle in (files / "w.png", out):
        _refused(process_cli.main, _render(tiny_run, files, "--out", out, "--wiggle", str(wiggle)), capsys,
                 "--wiggle must end in .gif")
    assert not (files / "same.png").exists()


def test_two_outputs_of_one_request_may_not_share_a_file(tiny_run, files, capsys):
    """The same palette named twice would write its variant twice: refused, naming the file."""
    out = files / "styles"
    _refused(generate_styles.main, ["--checkpoint", str(tiny_run), "--out", str(out), "--palettes", "sandstone",
                                    "sandstone"], capsys, "both be written to", "palette_sandstone.png")
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can pass the permission test and still fail to write")
def test_unwritable_wiggle_is_refused_before_rendering(tiny_run, files, capsys):
    out = files / "r.png"
    _refused(process_cli.main, _render(tiny_run, files, "--out", str(out), "--wiggle", "/sys/x.gif"), capsys,
             "cannot write /sys/x.gif")
    assert not out.exists()


def test_a_folder_where_a_file_is_expected_is_named_as_such(tiny_run, files, capsys):
    _refused(process_cli.main, ["--checkpoint", str(tiny_run), "--image", str(files), "--depth",
                                str(files / "depth.png")], capsys, "is a folder, not a file")


def test_evaluate_refuses_depth_alone_and_a_grayscale_held_out_photo(tiny_run, files, capsys):
    out = files / "eval"
    _refused(evaluate.main, ["--checkpoint", str(tiny_run), "--depth", str(files / "depth.png"), "--out", str(out)],
             capsys, "--depth is the held-out photo's depth")
    _refused(evaluate.main, ["--checkpoint", str(tiny_run), "--image", str(files / "gray.png"), "--depth",
                             str(files / "depth.png"), "--out", str(out)], capsys, "grayscale", "colour photo")
    assert not out.exists()


def test_align_homography_on_a_model_it_does_not_apply_to_says_so(tiny_run, files, capsys):
    assert run_cli(process_cli.main, _render(tiny_run, files, "--out", str(files / "a.png"), "--align",
                                             "homography")) == 0
    assert capsys.readouterr().err.count("--align homography applies to") == 1


def test_hint_fill_off_without_hints_says_it_does_nothing(tiny_run, files, capsys):
    assert run_cli(process_cli.main, _render(tiny_run, files, "--out", str(files / "a.png"), "--hint-fill",
                                             "off")) == 0
    assert capsys.readouterr().err.count("--hint-fill off has nothing to act on without --hints") == 1
    assert run_cli(process_cli.main, _render(tiny_run, files, "--out", str(files / "b.png"))) == 0
    assert "--hint-fill" not in capsys.readouterr().err
    # a refused request stays one error line: the note comes only once the request is accepted
    _refused(process_cli.main, _render(tiny_run, files, "--out", str(files / "c.txt"), "--hint-fill", "off"), capsys)
    _refused(batch_process.main, [str(files / "missing"), "--out", str(files / "o"), "--checkpoint", str(tiny_run),
                                  "--hint-fill", "off"], capsys)


@pytest.mark.parametrize("flags,words", [
    (["--batch-size", "0"], ["--batch-size must be 1 to"]),
    (["--steps-per-epoch", "0"], ["--steps-per-epoch"]),
    (["--lr", "-1"], ["--lr must be"]),
    (["--lr", "nan"], ["--lr must be a finite number"]),
    (["--width", "0"], ["--width"]),
    (["--patch-size", "-64"], ["--patch-size"]),
    (["--patch-size", "100000"], ["--patch-size must be 32 to 1024"]),
    (["--seed", "-1"], ["--seed"]),
    (["--epochs1", "-1"], ["--epochs1"]),
    (["--full-size", "0"], ["--full-size"]),
    (["--perceptual-weight", "-1"], ["--perceptual-weight"]),
    (["--threads", "-2"], ["--threads"]),
    (["--epochs1", "0", "--epochs2", "0"], ["nothing to train"]),
    (["--set", "augment.scale=2"], ["--set augment.scale"]),
    (["--heldout-depth", "DEPTH"], ["--heldout-image"]),
    (["--depth", "none", "--heldout-image", "PHOTO", "--heldout-depth", "DEPTH"], ["leave out --heldout-depth"]),
    (["--mask", "PHOTO"], ["distinct labels"]),
])
def test_train_refuses_values_out_of_range_before_writing(flags, words, files, capsys):
    flags = [str(files / "depth.png") if f == "DEPTH" else str(files / "photo.png") if f == "PHOTO" else f
             for f in flags]
    out = files / "run"
    base = ["--out", str(out), "--preset", "fast", "--quiet", "--device", "cpu", "--metrics-log",
            str(files / "train.log")]
    if "--mask" in flags:
        base += ["--image", str(files / "photo.png"), "--depth", str(files / "depth.png")]
    _refused(train.main, base + flags, capsys, *words)
    assert not out.exists()


@pytest.mark.parametrize("flags,words", [
    (["--extract", "PHOTO:abc"], ["K after the ':'"]),
    (["--extract", "PHOTO:0"], ["1 to 16"]),
    (["--style", "PHOTO", "PHOTO", "--blend", "2"], ["--blend weights lie in [0, 1]"]),
])
def test_generate_styles_refuses_bad_extract_and_blend(tiny_run, files, flags, words, capsys):
    flags = [str(files / "photo.png") if f == "PHOTO" else f.replace("PHOTO", str(files / "photo.png"))
             for f in flags]
    out = files / "styles"
    _refused(generate_styles.main, ["--checkpoint", str(tiny_run), "--out", str(out), "--palettes", "sandstone"]
             + flags, capsys, *words)
    assert not out.exists()


@pytest.mark.parametrize("script,flags,words", [
    ("wiggle", ["--duration", "-10"], ["--duration must be 10 to"]),
    ("wiggle", ["--views", "100000000"], ["--views must be 2 to"]),
    ("wiggle", ["--amplitude", "nan"], ["--amplitude"]),
    ("wiggle", ["--focus", "2"], ["--focus must lie in [0, 1]"]),
    ("multiview_gif", ["--duration", "-5"], ["--duration"]),
    ("multiview", ["--focus", "nan"], ["--focus"]),
    ("multiview", ["--views", "0"], ["--views"]),
])
def test_view_scripts_check_their_flags(script, flags, words, files, capsys):
    main = {"wiggle": generate_wiggle_gif.main, "multiview_gif": make_multiview_gif.main,
            "multiview": generate_multiview.main}[script]
    out = files / ("w.gif" if script == "wiggle" else "views")
    _refused(main, [str(files / "photo.png"), str(files / "depth.png"), "--out", str(out)] + flags, capsys, *words)
    assert not out.exists()


def test_wiggle_gif_must_be_named_gif(files, capsys):
    _refused(generate_wiggle_gif.main, [str(files / "photo.png"), str(files / "depth.png"), "--out",
                                        str(files / "w.png")], capsys, "must end in .gif")
    assert not (files / "w.png").exists()


def test_sketch_depth_checks_regions_before_writing(files, capsys):
    out = files / "pre"
    _refused(sketch_depth.main, [str(files / "photo.png"), "--out", str(out), "--depth", "none", "--segmenter",
                                 "slic", "--regions", "0"], capsys, "--regions must be 1 to")
    assert not out.exists()


@pytest.mark.parametrize("flags, words", [(["--sketch-thickness", "99"], "--sketch-thickness must be 1 to 32, got 99"),
                                          (["--sketch-blur", "-1"], "--sketch-blur must be 0.0 to 50.0")])
def test_sketch_depth_checks_the_sketch_flags_before_writing(files, flags, words, capsys):
    out = files / "pre"
    _refused(sketch_depth.main, [str(files / "photo.png"), "--out", str(out), "--depth", "none", *flags],
             capsys, words)
    assert not out.exists()


def test_sketch_depth_names_only_what_it_wrote(files, capsys):
    out = files / "pre"
    assert run_cli(sketch_depth.main, [str(files / "photo.png"), "--out", str(out), "--depth", "none",
                                       "--segmenter", "none"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    named = line.split("(", 1)[1].rstrip(")").split(", ")
    assert sorted(named) == sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize("flags, words", [(["--thickness", "1000"], "--thickness must be 1 to 32, got 1000"),
                                          (["--thickness", "0"], "--thickness must be 1 to 32, got 0")])
def test_sketch_script_checks_thickness_and_the_output_format(files, flags, words, capsys):
    from preprocess import sketch
    _refused(sketch.main, [str(files / "photo.png"), *flags, "--out", str(files / "s.png")], capsys, words)
    for out in ("lines.txt", "noext"):
        _refused(sketch.main, [str(files / "photo.png"), "--out", str(files / out)], capsys, "must end in")
    assert not any((files / n).exists() for n in ("s.png", "lines.txt", "noext"))


def test_batch_out_may_not_be_the_inputs_folder(tiny_run, files, capsys):
    folder = files / "batch"
    folder.mkdir()
    write_image(folder / "a.png", np.full((64, 64, 3), 0.5, np.float32))
    before = _tree(folder)
    _refused(batch_process.main, [str(folder), "--out", str(folder), "--checkpoint", str(tiny_run), "--depth-dir",
                                  str(files)], capsys, "holds the inputs")
    assert _tree(folder) == before


def test_hub_unreachable_fails_at_once(monkeypatch):
    """No network: one error naming the host, not minutes of download retries."""
    import socket

    from preprocess import depth
    from utils.errors import InputError

    def refuse(*a, **k):
        raise OSError(-2, "Name or service not known")

    class NotCached:
        downloads = 0

        @classmethod
        def from_pretrained(cls, name, local_files_only):
            if local_files_only:
                raise OSError("not in the cache")
            cls.downloads += 1

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(depth, "hub_offline", lambda: False)
    with pytest.raises(InputError, match="huggingface.co cannot be reached"):
        depth.load_pretrained(NotCached, "someone/not-cached-model", "Depth Anything", "give --depth FILE")
    assert NotCached.downloads == 0


def test_process_sh_takes_relative_paths_from_the_callers_folder(tiny_run, files):
    (files / "runs").mkdir()
    os.symlink(tiny_run, files / "runs" / "mine")
    r = subprocess.run(["bash", str(ROOT / "process.sh"), "--checkpoint", "runs/mine", "--image", "photo.png",
                        "--depth", "depth.png", "--out", "out/r.png", "--mirror-average", "off"],
                       capture_output=True, text=True, cwd=files, timeout=300,
                       env={**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert (files / "out" / "r.png").is_file()
