"""bench/print_tones.py: every print of a case coloured with its tones kept and with --tones photo."""
from PIL import Image

from bench import print_tones
from data.print_ageing import PRINT_RECIPES


def test_every_input_gets_a_row_and_a_clean_view_is_left_as_it_is(tmp_path, capsys):
    picture = tmp_path / "tones.png"
    assert print_tones.main(["--cases", "aero", "--picture", str(picture)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("| case"))
    names = [c.strip() for c in header.split("|")[1:-1]]
    rows = [dict(zip(names, (c.strip() for c in line.split("|")[1:-1])))
            for line in out.splitlines() if line.startswith("| aero")]
    assert [r["input"] for r in rows] == ["clean", *PRINT_RECIPES]
    clean = rows[0]
    assert clean["tones kept (default)"] == clean["--tones photo"] and clean["read as"] == "as it is"
    halftone = rows[1 + list(PRINT_RECIPES).index("newspaper-halftone")]
    assert "descreened" in halftone["read as"] and float(halftone["--tones photo"]) > float(halftone["tones kept (default)"])
    for r in rows:  # aero's views do not line up with its training photo: the aligned columns repeat the others
        assert r["aligned"] == "no" and r["curve"] == "no"
        assert r["aligned, tones kept"] == r["tones kept (default)"]
        assert r["aligned, --tones photo"] == r["aligned, curve always"] == r["--tones photo"]
    width, height = Image.open(picture).size
    assert height == print_tones.PICTURE_CROP[0] + 4 and width == 4 * (print_tones.PICTURE_CROP[1] + 4)


def test_a_picture_that_is_not_a_png_is_refused(capsys):
    import pytest

    with pytest.raises(SystemExit) as stop:
        print_tones.main(["--cases", "aero", "--picture", "tones.jpg"])
    assert stop.value.code == 2 and "--picture must be a .png" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        print_tones.main(["--cases", "aero", "--curve-picture", "curve.jpg"])
    assert stop.value.code == 2 and "--curve-picture must be a .png" in capsys.readouterr().err


def test_a_case_that_lines_up_gets_aligned_rows_and_its_contrasty_print_the_tone_curve(tmp_path):
    """On a view that lines up with its training photo the aligned columns are the aligned renders:
    the contrasty `damaged` print is read through its tone curve (and comes closer to the photo
    than with its tones kept), the clean view is not; the curve picture has a row for it."""
    from bench.cases import Case, kept_training_photo
    from data.samples import stereo_motorcycle_views
    from postprocess.chroma_transfer import ChromaDatabase

    left, right = stereo_motorcycle_views()
    case = Case("crop", left.photo[100:340, 200:520], right.photo[100:340, 200:520])
    reference = kept_training_photo(case)
    rows = {r["input"]: r for r in print_tones.print_rows(case, ChromaDatabase(reference), reference)}
    assert rows["clean"]["aligned"] != "no" and rows["damaged"]["aligned"] != "no"
    assert rows["damaged"]["curve"] and not rows["clean"]["curve"]
    assert rows["damaged"]["photo_tones_aligned"] > rows["damaged"]["kept_aligned"] + 1.0
    assert rows["clean"]["photo_tones_aligned"] == rows["clean"]["kept_aligned"]
    row = print_tones.picture_row(list(rows.values()), case.test_photo, aligned=True)
    assert row.shape[1] == 4 * (min(print_tones.PICTURE_CROP[1], 320) + 4)
