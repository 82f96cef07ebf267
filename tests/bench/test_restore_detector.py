"""bench/restore_detector.py: the detector scored against a print recipe's own damage mask."""
import numpy as np

from bench import restore_detector
from preprocess import restore


def test_a_flat_card_s_damage_is_found_and_nothing_else(capsys):
    card = np.full((160, 160, 3), 0.5, np.float32)
    scores = restore_detector.detector_scores(card, "damaged")
    assert scores["damage"] > 0 and scores["found_share"] > 0.5 and scores["false_per_hit"] < 0.1, scores


def test_each_row_is_given_with_and_without_the_scratch_test_and_the_limit_is_put_back(capsys):
    limit = restore.SCRATCH_SIDES
    assert restore_detector.main(["--cases", "aero", "--recipes", "worn-scan"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| aero")]
    assert [row.split("|")[3].strip() for row in rows] == ["on", "off"]
    assert restore.SCRATCH_SIDES == limit
