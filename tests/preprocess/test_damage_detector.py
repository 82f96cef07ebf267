"""preprocess/damage_detector.py: dust and scratches told from the scene's own detail by its training photo."""
import cv2
import numpy as np
import pytest

from data.print_ageing import dust
from preprocess import restore
from preprocess.damage_detector import FEATURES, CannotLearn, DamageDetector, piece_features


def _riveted_wall(h: int, w: int, shift: int) -> np.ndarray:
    """A grey wall shaded left to right with a lattice of small bright rivets every 40 px: fine bright
    detail that stands out of its median as a bright speck does. ``shift``: the view moved by px."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    wall = 0.35 + 0.3 * (x + shift) / (w + 200)
    for cy in range(10, h, 40):
        for cx in range(10 - shift % 40, w, 40):
            if cx >= 0:
                cv2.circle(wall, (cx, cy), 1, 0.95, -1)
    return wall.astype(np.float32)


@pytest.fixture(scope="module")
def detector():
    return DamageDetector.learn(_riveted_wall(256, 320, 0))


def test_the_scenes_own_detail_is_not_dust(detector):
    """Another view of the riveted wall, with dark dust: the fixed rule takes the rivets for dust, the
    detector learnt from the first view leaves them and still finds the dust the rule finds."""
    view = _riveted_wall(192, 256, 40)
    aged, drawn = dust(view, np.random.default_rng(5), 25, radius=(1.0, 2.5), dark_share=1.0)
    rivets = (view > 0.9) & ~drawn
    by_rule, learnt = restore.find_damage(aged), detector(restore.descreen(aged))
    assert (by_rule & rivets).sum() >= 0.8 * rivets.sum()          # the rule's failure, which this fixes
    assert (learnt & rivets).sum() <= 0.05 * rivets.sum()
    assert (learnt & drawn).sum() >= 0.9 * (by_rule & drawn).sum()
    restored, mask = restore.restore_print(aged, detector=detector)
    assert np.array_equal(restored[rivets & ~mask], aged[rivets & ~mask]) and not (mask & rivets).sum() > 0.05 * rivets.sum()
    assert np.abs(restored - view)[drawn].mean() < 0.5 * np.abs(aged - view)[drawn].mean()


def test_a_clean_view_is_left_as_it_is(detector):
    view = _riveted_wall(192, 256, 40)
    restored, mask = restore.restore_print(view, detector=detector)
    assert mask.mean() < 0.002 and np.abs(restored - view).mean() < 0.001


def test_features_describe_every_piece():
    labels, features = piece_features(_riveted_wall(128, 160, 0))
    assert features.shape == (labels.max(), len(FEATURES)) and np.isfinite(features).all()
    labels, features = piece_features(np.full((64, 64), 0.5, np.float32))   # nothing stands out
    assert features.shape == (0, len(FEATURES)) and not labels.any()


def test_learning_is_repeatable_and_refuses_a_tiny_photo():
    wall = _riveted_wall(96, 128, 0)
    view = _riveted_wall(96, 128, 20)
    aged, _ = dust(view, np.random.default_rng(1), 10, dark_share=0.5)
    first, second = DamageDetector.learn(wall, seed=3), DamageDetector.learn(wall, seed=3)
    assert np.array_equal(first(aged), second(aged))
    with pytest.raises(CannotLearn, match="too small"):
        DamageDetector.learn(np.full((30, 200), 0.5, np.float32))


def test_a_blot_wider_than_any_training_damage_is_still_found(detector):
    """Dust larger than any the detector learnt from (a 7 px blot: no training piece survives the rule's
    opening) is judged as the nearest damage it saw, not by the net's untrained extrapolation."""
    view = _riveted_wall(192, 256, 40)
    blots = np.zeros(view.shape, bool)
    for y, x in ((40, 60), (120, 180), (150, 30)):
        blots[y:y + 7, x:x + 7] = True
    view[blots] = 0.05
    assert (detector(restore.descreen(view)) & blots).sum() >= 0.9 * blots.sum()


def test_features_are_held_to_the_training_range_and_a_constant_one_reads_zero():
    import torch

    training = torch.tensor([[0.0, 2.0], [4.0, 2.0]])                       # mean 2, spread 2; a constant 2
    scaled = DamageDetector(torch.nn.Identity(), training)._scaled(torch.tensor([[-3.0, 2.0], [1.0, 7.0], [9.0, -5.0]]))
    assert torch.equal(scaled[:, 0], torch.tensor([-1.0, -0.5, 1.0]))      # beyond the range: its end
    assert torch.equal(scaled[:, 1], torch.zeros(3))                         # never varied: ignored
