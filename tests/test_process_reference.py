"""process.py --reference: a black-and-white photo coloured from a colour photo alone, no training."""
import numpy as np
import pytest

from tests.conftest import load_script
from utils.cielab import rgb_to_lab
from utils.cli import run_cli
from utils.image_io import read_photo, write_image

process = load_script("process.py")


@pytest.fixture
def photos(tmp_path, sample_crop):
    """The bundled sample's training view in colour, and its held-out view in black and white."""
    photo, _, held_out, _ = sample_crop
    write_image(tmp_path / "colour.png", photo)
    grey = np.repeat(held_out.mean(axis=2, keepdims=True), 3, axis=2)
    write_image(tmp_path / "old.png", grey[..., 0])
    return tmp_path, held_out


def test_a_black_and_white_photo_takes_its_colours_from_a_colour_photo_with_no_training(photos, capsys):
    folder, held_out = photos
    out = folder / "old_color.png"
    assert run_cli(process.main, ["--reference", str(folder / "colour.png"), "--image", str(folder / "old.png"),
                                  "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: the input lines up with the reference photo"), err
    got, grey = rgb_to_lab(read_photo(out)), rgb_to_lab(read_photo(folder / "old.png"))
    assert np.abs(got[..., 0] - grey[..., 0]).max() < 0.6                 # the input's own L*, kept
    truth = rgb_to_lab(held_out)
    inner = (slice(10, -10), slice(10, -10))
    error = np.abs(got[inner][..., 1:] - truth[inner][..., 1:]).mean()
    baseline = np.abs(truth[inner][..., 1:]).mean()                     # a*, b* of a grey render: 0
    assert error < 0.5 * baseline, (error, baseline)                    # the held-out view's own colours, mostly


@pytest.mark.parametrize("args, says", [
    (["--sketch", "{d}/old.png"], "give --image"),
    (["--image", "{d}/old.png", "--bw-colour", "network"], "needs a trained network"),
    (["--image", "{d}/old.png", "--hints", "{d}/hints.json"], "--hints needs a trained model"),
    (["--image", "{d}/old.png", "--depth", "{d}/old.png"], "without depth"),
    (["--image", "{d}/old.png", "--wiggle", "{d}/w.gif"], "--wiggle needs depth"),
    (["--image", "{d}/old.png", "--checkpoint", "runs/latest"], "not allowed with argument --reference"),
    (["--image", "{d}/old.png", "--out", "{d}/colour.png"], "refusing to write over"),
    (["--image", "{d}/old.png", "--bf16"], "--bf16 sets how a network runs"),
    (["--image", "{d}/old.png", "--tile", "512", "--mirror-average", "on"], "--tile and --mirror-average set how"),
])
def test_what_needs_a_trained_model_is_refused_in_one_line(photos, capsys, args, says):
    folder, _ = photos
    (folder / "hints.json").write_text("[]")
    before = (folder / "colour.png").read_bytes()
    argv = ["--reference", str(folder / "colour.png")] + [a.format(d=folder) for a in args]
    assert run_cli(process.main, argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and says in err[0], err
    assert (folder / "colour.png").read_bytes() == before
    assert not (folder / "old_color.png").exists() and not (folder / "w.gif").exists()


def test_a_missing_reference_is_named(photos, capsys):
    folder, _ = photos
    assert run_cli(process.main, ["--reference", str(folder / "nope.png"), "--image", str(folder / "old.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --reference: file not found"), err


def test_a_reference_without_colour_is_refused(photos, capsys):
    folder, _ = photos
    assert run_cli(process.main, ["--reference", str(folder / "old.png"), "--image", str(folder / "old.png"),
                                  "--out", str(folder / "never.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --reference: ") and "a colour photo is needed" in err[0], err
    assert not (folder / "never.png").exists()


def _prints(folder, held_out):
    """A folder of two black-and-white prints of the held-out view: as it is and faded."""
    from data.print_ageing import tone_curve
    from utils.cielab import gray_lightness, lightness_to_gray

    prints = folder / "prints"
    prints.mkdir()
    light = gray_lightness(held_out.mean(axis=2))
    write_image(prints / "plain.png", lightness_to_gray(light))
    write_image(prints / "faded.png", lightness_to_gray(tone_curve(light, black=0.2, white=0.8)))
    return prints


def test_a_batch_of_prints_is_coloured_from_a_colour_photo_as_process_py_colours_each(photos, capsys):
    import batch_process
    import csv

    folder, held_out = photos
    prints = _prints(folder, held_out)
    out = folder / "batch"
    reference = str(folder / "colour.png")
    assert run_cli(batch_process.main, [str(prints), "--out", str(out), "--reference", reference]) == 0
    for name in ("plain", "faded"):
        single = folder / f"{name}_single.png"
        assert run_cli(process.main, ["--reference", reference, "--image", str(prints / f"{name}.png"),
                                      "--out", str(single)]) == 0
        assert (out / f"{name}_color.png").read_bytes() == single.read_bytes()
    with open(out / "summary.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["status"] for r in rows} == {"ok"} and {r["checkpoint"] for r in rows} == {reference}
    assert any("looks faded" in r["notes"] for r in rows)             # each note kept with its file
    capsys.readouterr()


@pytest.mark.parametrize("extra, says", [
    (["--kind", "sketch"], "leave out --kind sketch"),
    (["--depth-dir", "{d}"], "--depth-dir is for a trained model"),
    (["--hints-dir", "{d}"], "--hints-dir is for a trained model"),
    (["--reference", "{d}/old.png"], "--reference: "),
    (["--bw-colour", "both"], "needs a trained network"),
    (["--checkpoint", "runs/latest"], "not allowed with argument --reference"),
    (["--context", "local"], "--context sets how a network runs"),
])
def test_a_batch_with_a_reference_refuses_what_needs_a_model(photos, capsys, extra, says):
    import batch_process

    folder, held_out = photos
    prints = _prints(folder, held_out)
    extra = [a.format(d=folder) for a in extra]
    reference = [] if "--reference" in extra else ["--reference", str(folder / "colour.png")]
    argv = [str(prints), "--out", str(folder / "batch")] + reference + extra
    assert run_cli(batch_process.main, argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and says in err[0], err
    assert not (folder / "batch").exists()


def test_a_manifest_naming_a_checkpoint_is_refused_with_a_reference(photos, capsys):
    import batch_process

    folder, held_out = photos
    prints = _prints(folder, held_out)
    manifest = folder / "list.csv"
    manifest.write_text(f"input,checkpoint\n{prints / 'plain.png'},runs/latest\n")
    assert run_cli(batch_process.main, [str(manifest), "--out", str(folder / "batch"),
                                        "--reference", str(folder / "colour.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "names a checkpoint" in err[0], err


def test_a_reference_among_the_scans_is_not_coloured_as_one_of_them(photos, capsys):
    import batch_process

    folder, held_out = photos
    prints = _prints(folder, held_out)
    write_image(prints / "colour.png", read_photo(folder / "colour.png"))
    out = folder / "batch"
    assert run_cli(batch_process.main, [str(prints), "--out", str(out), "--reference", str(prints / "colour.png")]) == 0
    assert sorted(p.name for p in out.glob("*.png")) == ["faded_color.png", "plain_color.png"]
    capsys.readouterr()


def test_the_request_is_checked_before_the_reference_is_read(photos, capsys):
    """A grey reference and no --image: the missing input is what is said (the photo is not read)."""
    folder, _ = photos
    assert run_cli(process.main, ["--reference", str(folder / "old.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "give --image" in err[0], err


def test_palette_variants_of_a_photo_coloured_from_a_colour_photo_alone(photos, capsys):
    """generate_styles.py --reference: the base is process.py --reference's render, the palettes vary it;
    what needs a trained model (the learned palette, regions, style images) is refused in one line."""
    import json

    generate_styles = load_script("generate_styles.py")
    folder, _ = photos
    common = ["--reference", str(folder / "colour.png"), "--image", str(folder / "old.png")]
    assert run_cli(process.main, common + ["--out", str(folder / "old_color.png")]) == 0
    assert run_cli(generate_styles.main, common + ["--palettes", "brick_slate", "--out", str(folder / "v")]) == 0
    assert np.array_equal(read_photo(folder / "v" / "base.png"), read_photo(folder / "old_color.png"))
    report = json.loads((folder / "v" / "styles.json").read_text())
    assert report["reference"] == str(folder / "colour.png") and len(report["variants"]) == 1
    capsys.readouterr()
    for extra, says in ((["--palette-mode", "learned"], "--palette-mode learned needs a trained model"),
                        (["--palette-mode", "regions"], "--palette-mode regions needs a trained model"),
                        (["--style", str(folder / "colour.png")], "--style needs a trained model"),
                        (["--bf16"], "--bf16 sets how a network runs")):
        assert run_cli(generate_styles.main, common + extra + ["--out", str(folder / "w")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:") and says in err[0], err
        assert not (folder / "w").exists()
