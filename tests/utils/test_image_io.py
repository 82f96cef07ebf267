import numpy as np
import pytest
from PIL import Image

from utils.errors import InputError
from utils.image_io import (atomic_path, check_not_input, read_depth, read_gray, read_mask, read_photo, write_depth,
                            write_image, write_mask)


def test_photo_roundtrip(tmp_path, rng):
    img = rng.random((12, 10, 3)).astype(np.float32)
    write_image(tmp_path / "a.png", img)
    back = read_photo(tmp_path / "a.png")
    assert back.shape == (12, 10, 3) and np.abs(back - img).max() <= 1 / 255 + 1e-6


def test_sixteen_bit_depth_and_npy(tmp_path, rng):
    d = rng.random((9, 11)).astype(np.float32)
    write_depth(tmp_path / "d.png", d)
    from_png = read_depth(tmp_path / "d.png")
    from_npy = read_depth(tmp_path / "d.npy")
    ref = (d - d.min()) / (d.max() - d.min())
    assert np.abs(from_png - ref).max() < 1e-3
    assert np.abs(from_npy - ref).max() < 1e-6


def test_sixteen_bit_gray_photo(tmp_path):
    arr = (np.linspace(0, 65535, 64).reshape(8, 8)).astype(np.uint16)
    Image.fromarray(arr).save(tmp_path / "g16.png")
    photo = read_photo(tmp_path / "g16.png")
    assert photo.shape == (8, 8, 3) and photo.max() == pytest.approx(1.0) and photo.min() == 0
    with pytest.raises(InputError, match="grayscale"):
        read_photo(tmp_path / "g16.png", allow_gray=False)


def test_rgba_is_composited_or_refused(tmp_path):
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:4, :, 3] = 255  # top half opaque red, bottom transparent
    Image.fromarray(rgba).save(tmp_path / "a.png")
    photo = read_photo(tmp_path / "a.png")
    assert np.allclose(photo[0, 0], [1, 0, 0]) and np.allclose(photo[7, 0], [1, 1, 1])
    with pytest.raises(InputError, match="alpha"):
        read_photo(tmp_path / "a.png", allow_alpha=False)


def test_exif_rotation_is_applied(tmp_path):
    img = Image.fromarray(np.zeros((8, 16, 3), np.uint8))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when displayed
    img.save(tmp_path / "r.jpg", exif=exif)
    assert read_photo(tmp_path / "r.jpg").shape[:2] == (16, 8)


def test_exception(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_photo(tmp_path / "missing.png")
    (tmp_path / "junk.png").write_bytes(b"not an image")
    with pytest.raises(InputError, match="cannot read image"):
        read_photo(tmp_path / "junk.png")
    np.save(tmp_path / "nan.npy", np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(InputError, match="NaN"):
        read_depth(tmp_path / "nan.npy")
    np.save(tmp_path / "flat.npy", np.ones((3, 3)))
    with pytest.raises(InputError, match="constant"):
        read_depth(tmp_path / "flat.npy")
    src = tmp_path / "in.png"
    write_image(src, np.zeros((2, 2)))
    with pytest.raises(InputError, match="refusing to write over"):
        check_not_input(src, [str(src)])


def test_mask_relabels(tmp_path):
    m = np.kron(np.array([[5, 5, 9], [9, 200, 5]], np.uint8), np.ones((4, 4), np.uint8))  # 8 x 12
    write_mask(tmp_path / "m.png", m)
    labels = read_mask(tmp_path / "m.png")
    assert labels.dtype == np.int64 and sorted(np.unique(labels)) == [0, 1, 2]
    assert (labels == labels[0, 0]).sum() == 3 * 16


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.png"
    write_image(target, np.ones((2, 2)))
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("killed")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_read_gray_of_colour_sketch(tmp_path):
    write_image(tmp_path / "s.png", np.ones((9, 9, 3)))
    assert read_gray(tmp_path / "s.png").shape == (9, 9)
    write_image(tmp_path / "tiny.png", np.ones((5, 5, 3)))
    with pytest.raises(InputError, match="at least 8 px"):
        read_gray(tmp_path / "tiny.png")


def test_outputs_get_the_usual_permissions(tmp_path):
    import os
    import stat
    old = os.umask(0o022)
    try:
        write_image(tmp_path / "p.png", np.ones((2, 2)))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.png").stat().st_mode) == 0o644


def test_a_grey_photo_saved_as_rgb_is_refused_where_colour_is_needed(tmp_path, capsys):
    import train
    from utils.cli import run_cli

    grey = np.repeat(np.linspace(0, 255, 64 * 64).reshape(64, 64, 1), 3, axis=2).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey_rgb.png")
    assert read_photo(tmp_path / "grey_rgb.png").shape == (64, 64, 3)          # fine to colorize
    with pytest.raises(InputError, match="no colour"):
        read_photo(tmp_path / "grey_rgb.png", allow_gray=False)
    tinted = grey.copy()
    tinted[..., 0] = np.minimum(255, tinted[..., 0].astype(int) + 12)      # a sepia-like tint is colour
    Image.fromarray(tinted).save(tmp_path / "tinted.png")
    read_photo(tmp_path / "tinted.png", allow_gray=False)
    assert run_cli(train.main, ["--image", str(tmp_path / "grey_rgb.png"), "--out", str(tmp_path / "run"),
                                "--depth", "none"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "no colour" in err[0], err
    assert not (tmp_path / "run").exists()
