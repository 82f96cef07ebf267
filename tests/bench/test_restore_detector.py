"""bench/restore_detector.py: the detectors scored against a print recipe's own damage mask."""
import numpy as np

from bench import restore_detector


def test_a_flat_card_s_damage_is_found_and_nothing_else(capsys):
    card = np.full((160, 160, 3), 0.5, np.float32)
    scores = restore_detector.detector_scores(card, "damaged")
    exact = restore_detector.detector_scores(card, "damaged", restore_detector.RecipeMask(card, "damaged"))
    assert exact["found_share"] == 1.0 and exact["false_per_hit"] > 0       # the fill's own soft edge, 2 px
    # the rule fills all of it and, beyond the damage, no more than that soft edge
    assert scores["damage"] > 0 and scores["found_share"] > 0.95 and scores["false_per_hit"] <= exact["false_per_hit"]


def test_each_case_and_recipe_gets_the_rule_each_seed_the_recipe_s_mask_and_the_smooth_print(capsys):
    assert restore_detector.main(["--cases", "aero", "--recipes", "worn-scan", "--seeds", "0", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.split("no damage at all")[0].splitlines() if line.startswith("| aero")]
    assert [row.split("|")[3].strip() for row in rows] == ["rule", "learnt, seed 0", "learnt, seed 1", "recipe's mask",
                                                           "the print without its damage, blurred 1 px"]
    assert out.startswith("machine: ") and "learning a detector: aero seed 0" in out
    clean = [line for line in out.split("no damage at all")[1].splitlines() if line.startswith("| aero")]
    assert [row.split("|")[2].strip() for row in clean] == ["rule", "learnt, seed 0", "learnt, seed 1"]


def test_the_smooth_print_row_is_what_smoothing_the_undamaged_print_alone_gives():
    """A flat card has no grain: smoothed, it is itself everywhere; a grainy view is not."""
    card = np.full((160, 160, 3), 0.5, np.float32)
    assert restore_detector.smooth_oracle_share(card, "damaged") == 1.0
    noisy = np.clip(card + np.random.default_rng(0).normal(0, 0.1, card.shape).astype(np.float32), 0, 1)
    assert restore_detector.smooth_oracle_share(noisy, "damaged") < 0.5


def test_picture_shows_each_case_s_print_and_fills(tmp_path, capsys):
    picture = tmp_path / "restore.png"
    assert restore_detector.main(["--cases", "aero", "--recipes", "damaged", "--seeds", "0",
                                  "--picture", str(picture)]) == 0
    from PIL import Image

    width, height = Image.open(picture).size
    assert width == 4 * (restore_detector.PICTURE_CROP[1] + 4) and height == restore_detector.PICTURE_CROP[0] + 4
