import numpy as np

from data.samples import fill_disparity, stereo_motorcycle_raw, stereo_motorcycle_views, \
    warp_disparity_left_to_right


def test_views_shapes_and_ranges():
    left, right = stereo_motorcycle_views()
    assert left.photo.shape == right.photo.shape == (500, 741, 3)
    for v in (left, right):
        assert v.depth.shape == (500, 741) and np.isfinite(v.depth).all()
        assert v.depth.min() >= 0 and v.depth.max() <= 1
    assert left.depth.min() == 0 and left.depth.max() == 1
    # Same scale: the warped disparity keeps the training view's range.
    assert abs(np.median(left.disparity) - np.median(right.disparity)) < 3


def test_fill_takes_the_background_side():
    disp = np.array([[10, 10, 0, 0, 2, 2]], np.float32)
    valid = disp > 0
    filled = fill_disparity(disp, valid)
    assert filled.tolist() == [[10, 10, 2, 2, 2, 2]]


def test_warp_nearer_wins_and_holes_are_background():
    # A near square (disparity 6) in front of a far wall (disparity 2).
    disp = np.full((8, 32), 2.0, np.float32)
    disp[2:6, 12:18] = 6.0
    right, hit = warp_disparity_left_to_right(disp)
    assert right[3, 12 - 6] == 6.0 and right[3, 17 - 6] == 6.0       # the square moved by 6
    assert right[3, 12 - 2] == 6.0                                      # it hides the wall there
    hole = ~hit[3]
    assert hole.any() and np.all(right[3][hole] == 2.0)                # disoccluded: wall, not square


def test_ground_truth_consistency():
    """The warped left photo matches the real right photo where both see the scene."""
    left, right, disp = stereo_motorcycle_raw()
    valid = np.isfinite(disp)
    h, w = disp.shape
    ys, xs = np.nonzero(valid)
    xr = np.rint(xs - disp[ys, xs]).astype(int)
    ok = (xr >= 0) & (xr < w)
    err = np.abs(left[ys[ok], xs[ok]].astype(float) - right[ys[ok], xr[ok]].astype(float)).mean()
    assert err < 25  # a random pairing gives ~ 60
