"""bench/print_tones.py: every print of a case coloured with its tones kept and with --tones photo."""
from PIL import Image

from bench import print_tones
from data.print_ageing import PRINT_RECIPES


def test_every_input_gets_a_row_and_a_clean_view_is_left_as_it_is(tmp_path, capsys):
    picture = tmp_path / "tones.png"
    assert print_tones.main(["--cases", "aero", "--picture", str(picture)]) == 0
    out = capsys.readouterr().out
    rows = [line.split("|")[1:-1] for line in out.splitlines() if line.startswith("| aero")]
    assert [r[1].strip() for r in rows] == ["clean", *PRINT_RECIPES]
    clean = rows[0]
    assert clean[3] == clean[5] and clean[-1].strip() == "as it is"       # --tones photo changes nothing here
    halftone = rows[1 + list(PRINT_RECIPES).index("newspaper-halftone")]
    assert "descreened" in halftone[-1] and float(halftone[6]) > float(halftone[4])
    width, height = Image.open(picture).size
    assert height == print_tones.PICTURE_CROP[0] + 4 and width == 4 * (print_tones.PICTURE_CROP[1] + 4)


def test_a_picture_that_is_not_a_png_is_refused(capsys):
    import pytest

    with pytest.raises(SystemExit) as stop:
        print_tones.main(["--cases", "aero", "--picture", "tones.jpg"])
    assert stop.value.code == 2 and "--picture must be a .png" in capsys.readouterr().err
