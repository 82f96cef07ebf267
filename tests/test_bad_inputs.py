"""The bad-input corpus: every CLI, fed every kind of broken file it can be given.

For each (CLI, case) pair: one line on stderr starting with ``error:``, exit code 2, no
traceback, no file written anywhere under the test's folders, the inputs unchanged.
``batch_process.py`` keeps its own documented contract for a bad *file* among its inputs
(reported in the summary and skipped, exit code 1); bad checkpoints and output folders
stop it with exit code 2 like every other CLI.

Accepted on purpose (tested at the end): a photo with an EXIF orientation is read as the
user sees it, and a JPEG named ``.png`` is read by its content.

Most runs call each CLI's ``main`` in-process through ``utils.cli.run_cli`` (the torch
import is paid once); a few real subprocesses check that nothing else reaches the user.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import batch_process
import evaluate
import generate_styles
import train
from preprocess import depth as depth_cli
from preprocess import segment as segment_cli
from preprocess.view import generate_multiview, generate_wiggle_gif, make_multiview_gif
from process import high_res, sketch_depth
from tests.conftest import load_script
from utils.cli import run_cli
from utils.image_io import read_photo, write_image

process_cli = load_script("process.py")
ROOT = Path(__file__).resolve().parents[1]
TINY_TRAIN = ["--epochs1", "1", "--steps-per-epoch", "1", "--epochs2", "1", "--steps2-per-epoch", "1",
              "--patch-size", "32", "--batch-size", "2", "--full-size", "64", "--width", "8", "--quiet",
              "--device", "cpu"]


# ---------------------------------------------------------------------------------------------- the corpus
def _png_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


def _jpeg_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _bomb_png(side: int = 100_000) -> bytes:
    """A few hundred bytes that claim to be a 100 000 x 100 000 picture (10 gigapixels)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        _png_chunk(b"IEND", b"")


def _rgba16_png(h: int, w: int) -> bytes:
    import cv2
    arr = np.full((h, w, 4), 40000, np.uint16)
    ok, enc = cv2.imencode(".png", arr)
    assert ok
    return enc.tobytes()


IMAGE_CASES = ["zero_byte", "truncated_png", "truncated_jpeg", "text_named_png", "one_by_one", "wide_65535x1",
               "rgba16", "cmyk_jpeg", "animated_gif", "decompression_bomb"]
DEPTH_CASES = ["depth_nan", "depth_inf", "depth_complex", "depth_rank1", "depth_rank4", "depth_truncated",
               "png_named_npy"]
PALETTE_CASES = ["palette_malformed_json", "palette_no_colours", "palette_out_of_gamut", "palette_bad_gpl"]
CHECKPOINT_CASES = ["checkpoint_foreign", "checkpoint_truncated", "checkpoint_zero_byte"]
OUTPUT_CASES = ["out_is_input", "out_unwritable"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sample_crop, tiny_run):
    """Good inputs (96 x 128 crop of the bundled sample) and one file per bad case."""
    d = tmp_path_factory.mktemp("corpus")
    photo, depth, _, _ = sample_crop
    h, w = depth.shape
    write_image(d / "photo.png", photo)
    np.save(d / "depth.npy", depth)
    from preprocess.sketch import extract_sketch
    write_image(d / "sketch.png", extract_sketch(photo))
    good = Image.open(d / "photo.png").convert("RGB")
    png, jpeg = _png_bytes(good), _jpeg_bytes(good)
    files = {
        "zero_byte": ("zero_byte.png", b""),
        "truncated_png": ("truncated.png", png[: len(png) // 2]),
        "truncated_jpeg": ("truncated.jpg", jpeg[: len(jpeg) // 2]),
        "text_named_png": ("text.png", b"this is a text file, not a picture\n"),
        "one_by_one": ("one.png", _png_bytes(Image.new("RGB", (1, 1), (200, 10, 10)))),
        "wide_65535x1": ("wide.png", _png_bytes(Image.new("RGB", (65535, 1), (200, 10, 10)))),
        "rgba16": ("rgba16.png", _rgba16_png(h, w)),
        "cmyk_jpeg": ("cmyk.jpg", _jpeg_bytes(good.convert("CMYK"))),
        "decompression_bomb": ("bomb.png", _bomb_png()),
    }
    frames = [good, good.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    files["animated_gif"] = ("animated.gif", buf.getvalue())
    for case, (name, data) in files.items():
        (d / name).write_bytes(data)
    paths = {case: d / name for case, (name, _) in files.items()}

    def npy(name, arr):
        np.save(d / name, arr)
        return d / name

    paths["depth_nan"] = npy("nan.npy", np.where(np.arange(h * w).reshape(h, w) % 7 == 0, np.nan, depth))
    paths["depth_inf"] = npy("inf.npy", np.where(np.arange(h * w).reshape(h, w) % 5 == 0, np.inf, depth))
    paths["depth_complex"] = npy("complex.npy", depth.astype(np.complex64))
    paths["depth_rank1"] = npy("rank1.npy", depth.ravel())
    paths["depth_rank4"] = npy("rank4.npy", depth[None, None])
    full = (d / "depth.npy").read_bytes()
    (d / "truncated.npy").write_bytes(full[: len(full) // 2])
    paths["depth_truncated"] = d / "truncated.npy"
    (d / "png_named.npy").write_bytes(png)
    paths["png_named_npy"] = d / "png_named.npy"

    (d / "malformed.json").write_text('{"colors": [[50, 0, 0], ')
    (d / "empty.json").write_text('{"name": "empty", "colors": []}')
    (d / "gamut.json").write_text(json.dumps({"space": "lab", "colors": [[150, 0, 0], [50, 10, 10]]}))
    (d / "bad.gpl").write_text("GIMP Palette\nName: bad\n255 0 zero wall\n")
    paths.update(palette_malformed_json=d / "malformed.json", palette_no_colours=d / "empty.json",
                 palette_out_of_gamut=d / "gamut.json", palette_bad_gpl=d / "bad.gpl")

    import torch
    from safetensors.torch import save_file
    save_file({"weight": torch.zeros(3, 3)}, str(d / "foreign.safetensors"))
    ck = (tiny_run / "checkpoints" / "last.safetensors").read_bytes()
    (d / "truncated.safetensors").write_bytes(ck[: len(ck) // 2])
    (d / "zero.safetensors").write_bytes(b"")
    paths.update(checkpoint_foreign=d / "foreign.safetensors", checkpoint_truncated=d / "truncated.safetensors",
                 checkpoint_zero_byte=d / "zero.safetensors")
    return {"dir": d, "photo": d / "photo.png", "depth": d / "depth.npy", "sketch": d / "sketch.png",
            "checkpoint": tiny_run, "bad": paths}


# ---------------------------------------------------------------------------------------------- the CLIs
def _cli_args(cli: str, role: str, bad: str, c: dict, out: Path, tmp: Path) -> list[str]:
    """The command line of ``cli`` with ``bad`` in the place of its ``role`` input."""
    photo, depth, sketch, ck = str(c["photo"]), str(c["depth"]), str(c["sketch"]), str(c["checkpoint"])
    image = bad if role == "image" else photo
    dep = bad if role == "depth" else depth
    ckpt = bad if role == "checkpoint" else ck
    if cli == "train":
        return ["--image", image, "--depth", dep, "--out", str(out / "run"), "--metrics-log", str(tmp / "log.txt"),
                *TINY_TRAIN]
    if cli == "process":
        return ["--checkpoint", ckpt, "--image", image, "--depth", dep, "--out", str(out / "o.png")]
    if cli == "process_sketch":
        return ["--checkpoint", ckpt, "--sketch", bad if role == "image" else sketch, "--depth", dep,
                "--out", str(out / "o.png")]
    if cli == "evaluate":
        return ["--checkpoint", ckpt, "--image", image, "--depth", dep, "--out", str(out)]
    if cli == "generate_styles":
        pal = bad if role == "palette" else "brick_slate"
        return ["--checkpoint", ckpt, "--image", image, "--depth", dep, "--out", str(out), "--palettes", pal]
    if cli == "sketch_depth":
        return [image, "--out", str(out), "--depth", dep, "--segmenter", "none"]
    if cli == "generate_multiview":
        return [image, dep, "--out", str(out), "--views", "2"]
    if cli == "generate_wiggle_gif":
        return [image, dep, "--out", str(out / "w.gif"), "--views", "2"]
    if cli == "make_multiview_gif":
        return [image, dep, "--out", str(out), "--views", "2"]
    if cli == "high_res":
        return [ckpt, bad if role == "image" else sketch, "--depth", dep, "--out", str(out / "o.png"), "--tile", "64"]
    if cli == "depth":
        return [image, "--out", str(out / "d.png")]
    if cli == "segment":
        return [image, "--out", str(out / "m.png")]
    raise AssertionError(cli)


MAINS = {"train": train.main, "process": process_cli.main, "process_sketch": process_cli.main,
         "evaluate": evaluate.main, "generate_styles": generate_styles.main, "sketch_depth": sketch_depth.main,
         "generate_multiview": generate_multiview.main, "generate_wiggle_gif": generate_wiggle_gif.main,
         "make_multiview_gif": make_multiview_gif.main, "high_res": high_res.main, "depth": depth_cli.main,
         "segment": segment_cli.main}
ROLES = {  # which kinds of input each CLI takes
    "train": ("image", "depth", "output"),
    "process": ("image", "depth", "checkpoint", "output"),
    "process_sketch": ("image",),
    "evaluate": ("image", "depth", "checkpoint", "output"),
    "generate_styles": ("image", "depth", "checkpoint", "palette", "output"),
    "sketch_depth": ("image", "depth", "output"),
    "generate_multiview": ("image", "depth", "output"),
    "generate_wiggle_gif": ("image", "depth", "output"),
    "make_multiview_gif": ("image", "depth", "output"),
    "high_res": ("image", "depth", "checkpoint", "output"),
    "depth": ("image", "output"),
    "segment": ("image", "output"),
}
CASES_OF_ROLE = {"image": IMAGE_CASES, "depth": DEPTH_CASES, "checkpoint": CHECKPOINT_CASES,
                 "palette": PALETTE_CASES, "output": OUTPUT_CASES}
PAIRS = [(cli, role, case) for cli, roles in ROLES.items() for role in roles for case in CASES_OF_ROLE[role]]


def _tree(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with the hash of its bytes."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for f in folders if f.exists() for p in sorted(f.rglob("*")) if p.is_file()}


def _output_case_args(cli: str, case: str, c: dict, out: Path, tmp: Path) -> list[str]:
    args = _cli_args(cli, "none", "", c, out, tmp)
    if case == "out_is_input":  # the output (file or folder) is the input photo (or drawing)
        target = str(c["sketch"]) if cli == "high_res" else str(c["photo"])
    else:  # a folder that cannot be made: its parent is a file (root may write anywhere else)
        target = str(c["photo"] / Path("sub") / ("o.png" if cli in ("process", "high_res", "depth", "segment")
                                                 else "w.gif" if cli == "generate_wiggle_gif" else ""))
    i = args.index("--out")
    args[i + 1] = target
    return args


@pytest.mark.parametrize("cli,role,case", PAIRS, ids=[f"{cli}-{case}" for cli, _, case in PAIRS])
def test_bad_input_is_one_line_and_exit_2(cli, role, case, corpus, tmp_path, capsys, tiny_depth_anything):
    out = tmp_path / "out"
    args = _output_case_args(cli, case, corpus, out, tmp_path) if role == "output" else \
        _cli_args(cli, role, str(corpus["bad"][case]), corpus, out, tmp_path)
    if cli == "depth":
        args += ["--depth-model", tiny_depth_anything]
    before = _tree(corpus["dir"], tmp_path)
    code = run_cli(MAINS[cli], args)
    err = capsys.readouterr().err.strip()
    assert code == 2, f"exit {code}, stderr: {err}"
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    assert _tree(corpus["dir"], tmp_path) == before  # nothing written, nothing changed


# ---------------------------------------------------------------------------------------------- train --resume
@pytest.mark.parametrize("case", CHECKPOINT_CASES)
def test_resume_from_a_bad_checkpoint(case, corpus, tmp_path, capsys):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    shutil.copy(corpus["checkpoint"] / "config.json", run / "config.json")
    shutil.copy(corpus["bad"][case], run / "checkpoints" / "last.safetensors")
    before = _tree(tmp_path, corpus["dir"])
    code = run_cli(train.main, ["--resume", "--out", str(run), "--device", "cpu", "--quiet",
                                "--metrics-log", str(tmp_path / "log.txt")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err, err
    assert _tree(tmp_path, corpus["dir"]) == before


# ---------------------------------------------------------------------------------------------- batch_process.py
@pytest.mark.parametrize("case", IMAGE_CASES + DEPTH_CASES)
def test_batch_reports_a_bad_file_and_goes_on(case, corpus, tmp_path, capsys):
    src, depths, out = tmp_path / "in", tmp_path / "depths", tmp_path / "out"
    src.mkdir(), depths.mkdir()
    bad = corpus["bad"][case]
    shutil.copy(corpus["sketch"], src / "good.png")
    shutil.copy(corpus["depth"], depths / "good.npy")
    if case in IMAGE_CASES:
        shutil.copy(bad, src / bad.name)
        shutil.copy(corpus["depth"], depths / f"{bad.stem}.npy")
        bad_stem = bad.stem
    else:
        shutil.copy(corpus["sketch"], src / "second.png")
        shutil.copy(bad, depths / "second.npy")
        bad_stem = "second"
    before = _tree(src, depths, corpus["dir"])
    code = run_cli(batch_process.main, [str(src), "--out", str(out), "--checkpoint", str(corpus["checkpoint"]),
                                        "--kind", "sketch", "--depth-dir", str(depths), "--device", "cpu"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    from batch.local import IMAGE_EXTS
    if case in IMAGE_CASES and bad.suffix not in IMAGE_EXTS:  # an animated GIF is not an input batch looks for
        assert code == 0
    else:
        assert code == 1
        rows = {Path(r["input"]).stem: r for r in json.loads((out / "summary.json").read_text())}
        assert rows[bad_stem]["status"] == "failed" and "\n" not in rows[bad_stem]["error"]
        assert rows["good"]["status"] == "ok" and not (out / f"{bad_stem}_color.png").exists()
    assert _tree(src, depths, corpus["dir"]) == before


@pytest.mark.parametrize("case", CHECKPOINT_CASES + OUTPUT_CASES)
def test_batch_bad_checkpoint_or_output_stops_it(case, corpus, tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(corpus["photo"], src / "a.png")
    ck = corpus["bad"][case] if case in CHECKPOINT_CASES else corpus["checkpoint"]
    out = {"out_is_input": src / "a.png", "out_unwritable": src / "a.png" / "sub"}.get(case, tmp_path / "out")
    before = _tree(tmp_path, corpus["dir"])
    code = run_cli(batch_process.main, [str(src), "--out", str(out), "--checkpoint", str(ck), "--kind", "image",
                                        "--depth-dir", str(corpus["dir"]), "--device", "cpu"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err, err
    assert _tree(tmp_path, corpus["dir"]) == before


# ---------------------------------------------------------------------------------------------- real processes
@pytest.mark.parametrize("cmd", [
    ["process.py", "--checkpoint", "{ck}", "--image", "{bad}/truncated.png", "--depth", "{good}/depth.npy",
     "--out", "{tmp}/o.png", "--device", "cpu"],
    ["process.py", "--checkpoint", "{ck}", "--image", "{good}/photo.png", "--depth", "none", "--out",
     "{tmp}/o.png"],
    ["process.py", "--checkpoint", "{ck}", "--image", "{good}/photo.png", "--tile", "100", "--out", "{tmp}/o.png"],
    ["process.py", "--checkpoint", "{ck}", "--image", "{good}/photo.png", "--device", "cuda", "--out", "{tmp}/o.png"],
    ["-m", "process.sketch_depth", "{bad}/cmyk.jpg", "--out", "{tmp}/p", "--segmenter", "none"],
    ["preprocess/view/generate_wiggle_gif.py", "{good}/photo.png", "{bad}/nan.npy", "--out", "{tmp}/w.gif"],
], ids=["truncated-png", "depth-none-for-a-depth-model", "tile-100", "no-cuda", "cmyk-by-module",
        "nan-depth-by-path"])
def test_real_process_prints_one_line(cmd, corpus, tmp_path):
    import torch
    if "cuda" in cmd and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    fill = {"ck": str(corpus["checkpoint"]), "bad": str(corpus["dir"]), "good": str(corpus["dir"]),
            "tmp": str(tmp_path)}
    argv = [a.format(**fill) for a in cmd]
    before = _tree(corpus["dir"], tmp_path)
    r = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert _tree(corpus["dir"], tmp_path) == before


# ---------------------------------------------------------------------------------------------- accepted on purpose
def test_exif_rotated_photo_is_read_as_seen_and_rendered(corpus, tmp_path):
    """A camera JPEG stored sideways with EXIF orientation 6 is colorized the way the user sees it."""
    seen = Image.open(corpus["photo"]).convert("RGB")                        # 128 wide, 96 high
    stored = seen.transpose(Image.Transpose.ROTATE_90)                       # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6                                                         # "rotate 90 CW to view"
    stored.save(tmp_path / "camera.jpg", quality=95, exif=exif)
    assert read_photo(tmp_path / "camera.jpg").shape == (96, 128, 3)
    assert np.abs(read_photo(tmp_path / "camera.jpg") - read_photo(corpus["photo"])).mean() < 0.03
    out = tmp_path / "camera_color.png"
    assert run_cli(process_cli.main, ["--checkpoint", str(corpus["checkpoint"]), "--image",
                                      str(tmp_path / "camera.jpg"), "--depth", str(corpus["depth"]),
                                      "--out", str(out), "--device", "cpu"]) == 0
    assert read_photo(out).shape == (96, 128, 3)


def test_jpeg_named_png_is_read_by_its_content(corpus, tmp_path):
    Image.open(corpus["photo"]).convert("RGB").save(tmp_path / "really_a_jpeg.png", format="JPEG", quality=95)
    assert np.abs(read_photo(tmp_path / "really_a_jpeg.png") - read_photo(corpus["photo"])).mean() < 0.03


def test_sixteen_bit_rgba_is_refused_but_eight_bit_rgba_composited(corpus, tmp_path):
    from utils.errors import InputError
    with pytest.raises(InputError, match="16-bit image with an alpha channel"):
        read_photo(corpus["bad"]["rgba16"])
    rgba = Image.open(corpus["photo"]).convert("RGBA")
    rgba.putalpha(0)
    rgba.save(tmp_path / "clear.png")
    assert np.allclose(read_photo(tmp_path / "clear.png"), 1.0)              # transparent = white paper
    with pytest.raises(InputError, match="alpha"):
        read_photo(tmp_path / "clear.png", allow_alpha=False)                # training refuses it
