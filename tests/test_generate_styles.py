import json
import re

import numpy as np
import pytest
from skimage.color import lab2rgb, rgb2lab

import generate_styles
from config.color_palettes import PALETTES, Palette, extract_palette, load_palette, to_lab
from variants.palette import apply_posterize, apply_regions, gradient_correlation, structure_kept
from utils.cli import run_cli
from utils.errors import InputError


def flat_colours(rng, k=4, size=60):
    """An image made of k flat colours in vertical bands."""
    lab = np.array([[40, 50, 30], [70, -30, 40], [55, 10, -45], [85, 0, 5], [25, 20, 20]], float)[:k]
    rgb = np.clip(lab2rgb(lab[None])[0], 0, 1)
    img = np.zeros((size, size, 3), np.float32)
    for i in range(k):
        img[:, i * size // k:(i + 1) * size // k] = rgb[i]
    return img, rgb2lab(rgb[None])[0]


def test_extraction_recovers_true_colours(rng):
    img, true_lab = flat_colours(rng)
    pal = extract_palette(img, 4)
    d = np.sqrt(((pal.lab[:, None] - true_lab[None]) ** 2).sum(-1))
    assert np.all(d.min(axis=1) < 1.0) and np.all(d.min(axis=0) < 1.0)


def test_posterize_snaps_to_palette_colours(rng):
    yy, xx = np.mgrid[0:64, 0:64] / 63.0
    base = np.stack([0.3 + 0.5 * xx, 0.4 + 0.3 * yy, 0.5 - 0.3 * xx * yy], axis=2).astype(np.float32)
    base += 0.05 * np.sin(20 * xx)[..., None].astype(np.float32)
    pal = PALETTES["brick_slate"]
    v = apply_posterize(base, pal, lightness=0.6)
    ab = rgb2lab(v)[..., 1:].reshape(-1, 2)
    # Every pixel's a*, b* is one of the palette's (up to gamut clipping): flat regions.
    d = np.sqrt(((ab[:, None] - pal.lab[None, :, 1:]) ** 2).sum(-1)).min(axis=1)
    assert np.median(d) < 2
    assert structure_kept(v, base) > 0.8 and gradient_correlation(v, base) < 0.95


def test_regions_by_role_mapping(rng):
    img = np.full((20, 20, 3), 0.5, np.float32)
    labels = np.zeros((20, 20), np.int64)
    labels[:, 10:] = 1
    pal = PALETTES["whitewash_terracotta"]
    v = apply_regions(img, labels, pal, {"0": "roof", "1": "wall"}, lightness=1.0)
    lab = rgb2lab(v)
    assert np.allclose(lab[5, 2], pal.lab[pal.role_index("roof")], atol=1.5)
    assert np.allclose(lab[5, 17], pal.lab[pal.role_index("wall")], atol=1.5)
    with pytest.raises(InputError, match="region 1 of the mask has no palette mapping"):
        apply_regions(img, labels, pal, {"0": "roof"})


def test_malformed_palettes_fail_clearly(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputError, match="malformed palette JSON"):
        load_palette(tmp_path / "bad.json")
    (tmp_path / "empty.json").write_text(json.dumps({"space": "lab", "colors": []}))
    with pytest.raises(InputError, match="no colours"):
        load_palette(tmp_path / "empty.json")
    (tmp_path / "gamut.json").write_text(json.dumps({"space": "lab", "colors": [{"value": [120, 0, 0]}]}))
    with pytest.raises(InputError, match="out of gamut"):
        load_palette(tmp_path / "gamut.json")
    (tmp_path / "p.gpl").write_text("GIMP Palette\nName: t\n#\n200 50 40 wall\n30 30 30 roof\n")
    gpl = load_palette(tmp_path / "p.gpl")
    assert gpl.roles == ["wall", "roof"] and gpl.lab.shape == (2, 3)
    (tmp_path / "x.gpl").write_text("not a palette\n")
    with pytest.raises(InputError, match="not a GIMP palette"):
        load_palette(tmp_path / "x.gpl")
    with pytest.raises(InputError, match="unknown role"):
        Palette("p", to_lab([[50, 0, 0]], "lab"), ["chimney"])
    for text, message in (("[1, 2]", 'expected an object {"space"'), ('{"colors": [{"role": "roof"}]}', 'needs "value"'),
                          ('{"colors": [["a", "b", "c"]]}', "each colour is 3 numbers"),
                          ('{"colors": [[1, 2, 3], [4, 5]]}', "each colour is 3 numbers")):
        (tmp_path / "shape.json").write_text(text)
        with pytest.raises(InputError, match=re.escape(message)):
            load_palette(tmp_path / "shape.json")


def test_generate_styles_end_to_end(tiny_run, tmp_path, sample_crop):
    from utils.image_io import write_image
    write_image(tmp_path / "style_a.png", sample_crop[0])
    write_image(tmp_path / "style_b.png", 1 - sample_crop[0])
    out = tmp_path / "styles"
    code = run_cli(generate_styles.main, ["--checkpoint", str(tiny_run), "--palettes", "brick_slate", "sandstone",
                                          "--extract", f"{tmp_path / 'style_a.png'}:3",
                                          "--style", str(tmp_path / "style_a.png"), str(tmp_path / "style_b.png"),
                                          "--blend", "0", "1", "--out", str(out)])
    assert code == 0
    report = json.loads((out / "styles.json").read_text())
    names = [r["variant"] for r in report["variants"]]
    assert names[:3] == ["palette_brick_slate", "palette_sandstone", "palette_from_style_a"]
    assert report["mode"] == "smooth"
    assert report["structure_floor"] == 0.95
    for row in report["variants"][:3]:
        assert {"structure_ssim", "gradient_corr", "palette_delta_e00", "lightness_moved"} <= set(row)
        assert 0 <= row["palette_delta_e00"] < 100 and -1 <= row["gradient_corr"] <= 1
        assert row["structure_ssim"] >= 0.95 and 0 <= row["lightness_moved"] <= 1
    assert "structure_ssim" in report["variants"][3] and "palette_delta_e00" not in report["variants"][3]
    assert (out / "contact_sheet.png").is_file()
    from utils.image_io import read_photo
    a, b = read_photo(out / "palette_brick_slate.png"), read_photo(out / "palette_sandstone.png")
    assert np.abs(a - b).mean() > 0.01  # variants differ
    # Style interpolation at 0 and 1 reproduces the two styles.
    assert np.abs(read_photo(out / "blend_0.00.png") - read_photo(out / "style_style_a.png")).max() <= 1 / 255
    assert np.abs(read_photo(out / "blend_1.00.png") - read_photo(out / "style_style_b.png")).max() <= 1 / 255


BAD_INPUTS = [
    (["--palettes", "pastel_dream"], "unknown palette 'pastel_dream'"),
    (["--palette-mode", "regions"], "needs a semantic mask"),
    (["--palette-mode", "learned"], "no learned palette"),
    (["--palette-mode", "fixed"], "now called posterize"),
    (["--palette-mode", "smoth"], "--palette-mode must be one of smooth, posterize, learned, regions"),
    (["--lightness", "1.5"], "--lightness must be in [0, 1]"),
    (["--structure-floor", "1.2"], "--structure-floor must be in [0, 1]"),
    (["--palette-mode", "posterize", "--structure-floor", "0.9"], "--structure-floor is for --palette-mode smooth"),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS)
def test_generate_styles_bad_input(tiny_run, tmp_path, capsys, args, message):
    assert run_cli(generate_styles.main, ["--checkpoint", str(tiny_run), *args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not any(tmp_path.iterdir())   # nothing written


def test_learned_palette_trains_and_is_editable(tmp_path):
    import train
    run = tmp_path / "run"
    args = ["--out", str(run), "--epochs1", "2", "--steps-per-epoch", "3", "--epochs2", "0", "--patch-size", "32",
            "--batch-size", "2", "--width", "8", "--quiet", "--device", "cpu", "--color-space", "lab",
            "--palette-size", "4", "--metrics-log", str(tmp_path / "log")]
    assert run_cli(train.main, args) == 0
    from models.checkpoint import load_model
    model, _ = load_model(run)
    learned = model.palette_lab().numpy()
    assert learned.shape == (4, 3) and np.ptp(learned[:, 0]) > 1  # initialised from the photo, not zeros
    out = tmp_path / "styles"
    assert run_cli(generate_styles.main, ["--checkpoint", str(run), "--palette-mode", "learned", "--palettes",
                                          "brick_slate", "nordic_timber", "--out", str(out)]) == 0
    report = json.loads((out / "styles.json").read_text())
    assert len(report["variants"]) == 2
    from utils.image_io import read_photo
    assert np.abs(read_photo(out / "palette_brick_slate.png") - read_photo(out / "palette_nordic_timber.png")).mean() \
        > 0.005


def test_a_palette_name_never_leaves_out(tiny_run, tmp_path):
    """A palette file's name becomes a file name: '../' in it must not write outside --out."""
    (tmp_path / "evil.json").write_text(json.dumps({"name": "../../escaped", "space": "lab",
                                                    "colors": [{"value": [50, 20, 20]}, {"value": [70, -10, 30]}]}))
    out = tmp_path / "deep" / "styles"
    assert run_cli(generate_styles.main, ["--checkpoint", str(tiny_run), "--palettes", str(tmp_path / "evil.json"),
                                          "--out", str(out)]) == 0
    assert (out / "palette_escaped.png").is_file()
    assert not list(tmp_path.glob("*escaped*")) and not (tmp_path / "deep" / "escaped.png").exists()


def test_a_region_mapping_is_a_file_or_the_json_itself(tmp_path):
    from variants.styles import read_region_mapping
    assert read_region_mapping('{"0": "roof", "1": 2}') == {"0": "roof", "1": 2}
    (tmp_path / "m.json").write_text('{"0": 1}')
    assert read_region_mapping(str(tmp_path / "m.json")) == {"0": 1}
    with pytest.raises(InputError, match="cannot read the region mapping"):
        read_region_mapping(str(tmp_path / "missing.json"))
    with pytest.raises(InputError, match="cannot read the region mapping"):
        read_region_mapping('{"0": roof}')
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="is a JSON object"):
        read_region_mapping(str(tmp_path / "list.json"))
