import numpy as np
import pytest
from PIL import Image

from preprocess.view.generate_multiview import (anaglyph, dolly_view, render_views, shift_view, side_by_side,
                                                stereo_pair, trajectory, warp_by_disparity)
from preprocess.view.generate_wiggle_gif import wiggle_frames, wiggle_from_render
from preprocess.view.gif import write_gif
from preprocess.view.make_multiview_gif import make_multiview
from utils.errors import InputError

RED, BLUE = np.array([1, 0, 0], np.float32), np.array([0, 0, 1], np.float32)


def two_planes(h=40, w=80):
    """A near red square (depth 1) in front of a far blue wall (depth 0)."""
    img = np.broadcast_to(BLUE, (h, w, 3)).copy()
    depth = np.zeros((h, w), np.float32)
    img[10:30, 30:50] = RED
    depth[10:30, 30:50] = 1.0
    return img, depth


def test_near_moves_more_and_hides_far():
    img, depth = two_planes()
    v = shift_view(img, depth, dx=10, focus=0.0)  # far plane still, near plane moves 10 px right
    assert np.allclose(v.image[20, 40 + 10], RED)          # the square moved
    assert np.allclose(v.image[5, 5], BLUE)                 # the wall did not
    assert np.allclose(v.image[20, 49 + 10], RED)           # and hides the wall it now covers
    assert np.allclose(v.image[20, 30:40], BLUE)            # the hole it left shows wall, not square


def test_holes_filled_with_far_colours():
    img, depth = two_planes()
    v = shift_view(img, depth, dx=-12, focus=1.0)           # near still, far moves: holes at the square's side
    holes = ~v.valid
    assert holes.any()
    assert np.allclose(v.image[holes], BLUE)


def test_vertical_and_dolly_motion():
    img, depth = two_planes()
    v = shift_view(img, depth, dx=0, dy=6, focus=0.0)
    assert np.allclose(v.image[30 + 5, 40], RED) and np.allclose(v.image[10 + 2, 40], BLUE)
    d = dolly_view(img, depth, amount=0.4, focus=0.0)
    assert (np.all(d.image == RED, axis=2)).sum() > (np.all(img == RED, axis=2)).sum()  # the near square grows


def test_disparity_warp_matches_a_shift():
    img, depth = two_planes()
    disp = depth * 8 + 2
    v = warp_by_disparity(img, disp)
    assert np.allclose(v.image[20, 40 - 10], RED) and np.allclose(v.image[5, 10 - 2], BLUE)


def test_gif_frame_count_and_loop(tmp_path):
    from PIL import ImageSequence
    img, depth = two_planes()
    frames = wiggle_frames(img, depth, views=4, amplitude=5)
    assert len(frames) == 6  # 0 1 2 3 2 1
    path = write_gif(tmp_path / "w.gif", frames, duration_ms=90)
    with Image.open(path) as gif:
        assert gif.n_frames == 6 and gif.info.get("loop") == 0
        assert len([f for f in ImageSequence.Iterator(gif)]) == 6
    assert len(wiggle_frames(img, depth, views=2)) == 2
    assert wiggle_from_render(img, depth, tmp_path / "r.gif").is_file()


def test_multiview_outputs(tmp_path):
    img, depth = two_planes()
    written = make_multiview(img, depth, tmp_path, "circle", views=6, amplitude=4)
    assert {"gif", "stereo", "anaglyph"} <= set(written)
    with Image.open(written["gif"]) as gif:
        assert gif.n_frames == 6
    left, right = stereo_pair(img, depth, 8)
    assert side_by_side(left, right).shape == (40, 168, 3)
    ana = anaglyph(left, right)
    assert np.array_equal(ana[..., 0], left[..., 0]) and np.array_equal(ana[..., 1:], right[..., 1:])
    assert len(render_views(img, depth, "dolly", 4, 20)) == 4


def test_bad_depth():
    img, depth = two_planes()
    with pytest.raises(InputError, match="same size"):
        shift_view(img, depth[:10], 4)
    bad = depth.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        shift_view(img, bad, 4)
    # A constant depth is documented to give a plain shift of the whole image (no parallax).
    flat = shift_view(img, np.full_like(depth, 0.8), dx=5, focus=0.0)
    assert np.allclose(flat.image[20, 44], RED)
    with pytest.raises(InputError, match="trajectory"):
        trajectory("spiral", 4, 1)
    with pytest.raises(InputError, match="at least 2"):
        wiggle_frames(img, depth, views=1)


def test_no_mp4_encoder_leaves_no_file_and_says_why(tmp_path, monkeypatch, capsys):
    import cv2

    from preprocess.view import make_multiview_gif
    from utils.cli import run_cli
    from utils.image_io import write_depth, write_image

    class Closed:  # what cv2.VideoWriter is where no encoder is installed
        def __init__(self, *args):
            pass

        def isOpened(self):
            return False

    monkeypatch.setattr(cv2, "VideoWriter", Closed)
    img, depth = two_planes()
    write_image(tmp_path / "img.png", img)
    write_depth(tmp_path / "depth.png", depth)
    out = tmp_path / "views"
    assert run_cli(make_multiview_gif.main, [str(tmp_path / "img.png"), str(tmp_path / "depth.png"), "--out", str(out),
                                             "--views", "3"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["anaglyph.png", "multiview.gif", "stereo_side_by_side.png"]
    err = capsys.readouterr().err.strip()
    assert "no multiview.mp4" in err and "\n" not in err
