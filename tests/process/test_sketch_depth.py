import json

import numpy as np
import pytest
from PIL import Image

from process import sketch_depth
from utils.cli import run_cli
from utils.image_io import read_depth, read_mask, write_image


@pytest.fixture
def photo_file(tmp_path, sample_crop):
    path = tmp_path / "photo.png"
    write_image(path, sample_crop[0])
    return path


def test_writes_everything_and_reuses_the_cache(photo_file, tmp_path, tiny_depth_anything, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "pre"
    args = [str(photo_file), "--out", str(out), "--depth-model", tiny_depth_anything, "--segmenter", "slic",
            "--regions", "8"]
    assert run_cli(sketch_depth.main, args) == 0
    for name in ["sketch.png", "depth.png", "depth.npy", "depth_preview.png", "mask.png", "mask_overlay.png",
                 "preview.png", "manifest.json"]:
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["source_sha256"]) == 64
    assert manifest["steps"]["depth"]["params"]["model"] == tiny_depth_anything
    assert manifest["steps"]["mask"]["params"]["method"] == "slic"
    assert {"seconds", "files"} <= set(manifest["steps"]["sketch"])
    depth = read_depth(out / "depth.png")
    assert depth.shape == (96, 128)
    assert 1 <= read_mask(out / "mask.png").max() + 1 <= 8
    capsys.readouterr()
    stamp = (out / "depth.npy").stat().st_mtime_ns
    assert run_cli(sketch_depth.main, args) == 0
    log = capsys.readouterr().out
    assert "sketch: cached" in log and "mask: cached" in log
    assert (out / "depth.npy").stat().st_mtime_ns == stamp
    # Other settings for one step recompute that step only.
    assert run_cli(sketch_depth.main, args[:-1] + ["6"]) == 0
    assert "sketch: cached" in capsys.readouterr().out
    assert read_mask(out / "mask.png").max() + 1 <= 6


def test_depth_file_and_no_mask(photo_file, tmp_path, sample_crop):
    np.save(tmp_path / "d.npy", sample_crop[1])
    out = tmp_path / "pre"
    assert run_cli(sketch_depth.main, [str(photo_file), "--out", str(out), "--depth", str(tmp_path / "d.npy"),
                                       "--segmenter", "none"]) == 0
    assert np.allclose(read_depth(out / "depth.npy"), read_depth(tmp_path / "d.npy"), atol=1e-6)
    assert not (out / "mask.png").exists()


def test_offline_without_model_fails_fast_and_clearly(photo_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = run_cli(sketch_depth.main, [str(photo_file), "--out", str(tmp_path / "o"), "--depth-model",
                                       "depth-anything/not-cached-hf", "--segmenter", "none"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error:") and "--depth FILE" in err and "\n" not in err


@pytest.mark.parametrize("make,match", [
    (lambda p: p.write_bytes(b"junk"), "cannot read"),
    (lambda p: Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(p), "at least 32"),
])
def test_bad_photos(tmp_path, capsys, make, match):
    bad = tmp_path / "bad.png"
    make(bad)
    before = bad.read_bytes()
    code = run_cli(sketch_depth.main, [str(bad), "--out", str(tmp_path / "o"), "--depth", "none"])
    assert code == 2 and match in capsys.readouterr().err
    assert bad.read_bytes() == before


def test_sixteen_bit_and_grayscale_photos_are_read(tmp_path):
    arr = (np.linspace(0, 65535, 64 * 48).reshape(48, 64)).astype(np.uint16)
    Image.fromarray(arr).save(tmp_path / "g16.png")
    assert run_cli(sketch_depth.main, [str(tmp_path / "g16.png"), "--out", str(tmp_path / "o"), "--depth", "none",
                                       "--segmenter", "felzenszwalb", "--regions", "4"]) == 0
    assert (tmp_path / "o" / "mask.png").is_file()
