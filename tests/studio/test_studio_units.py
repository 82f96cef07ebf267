"""The studio's steps without a browser: folders, uploads, train.py flags, job progress, palettes."""
from __future__ import annotations

import json
import threading

import pytest

from studio import steps
from studio.jobs import Progress, TrainingJobs
from studio.workspace import IMAGE_TYPES, PALETTE_TYPES, Workspace, safe_stem
from utils.errors import InputError


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "work", tmp_path / "runs")


@pytest.mark.parametrize("name, stem", [("../../../../etc/passwd", "passwd"), ("..\\..\\evil.png", "evil"),
                                        ("/abs/x y.png", "x_y"), ("....png", "png"), ("", "upload"),
                                        ("a" * 80 + ".jpg", "a" * 40), ("ré sumé.tar.gz", "r_sum_tar")])
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem


def test_uploads_land_in_the_session_under_the_studios_names(ws, tmp_path):
    token = ws.new_session()
    evil = ws.root / "gradio" / "..evil..png"
    evil.parent.mkdir()
    evil.write_bytes(b"x")
    copy = ws.take_upload(token, evil, "photo", IMAGE_TYPES)
    assert copy.parent == ws.session(token) / "inputs" and copy.name == "photo-1-evil.png"
    assert ws.take_upload(token, evil, "photo", IMAGE_TYPES).name == "photo-2-evil.png"
    (ws.root / "gradio" / "x.exe").write_bytes(b"MZ")
    with pytest.raises(InputError, match="not a supported file type"):
        ws.take_upload(token, ws.root / "gradio" / "x.exe", "photo", IMAGE_TYPES)
    # A path the client names outside the studio's folder (e.g. a forged upload record) is not read.
    (tmp_path / "secret.png").write_bytes(b"x")
    for outside in (tmp_path / "secret.png", ws.root / ".." / "secret.png"):
        with pytest.raises(InputError, match="only from the studio's own folder"):
            ws.take_upload(token, outside, "photo", IMAGE_TYPES)
    for bad in ("../../x", "0123", None, "ABCDEF0123456789"):
        with pytest.raises(InputError, match="session has expired"):
            ws.session(bad)


def test_two_tabs_never_get_the_same_run_folder(ws):
    got, lock = [], threading.Lock()

    def reserve():
        run = ws.reserve_run("../sample")
        with lock:
            got.append(run)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 8 and all(r.parent == ws.runs and r.name.startswith("sample-") for r in got)
    with pytest.raises(InputError):
        ws.run("../work")


@pytest.mark.parametrize("kind, field, value", [("line drawings", ("sketch", "method"), "lines"),
                                                ("black-and-white photos", ("model", "use_luminance"), True),
                                                ("sketches drawn from photos", ("sketch", "method"), "xdog")])
def test_train_argv_is_what_train_py_accepts(kind, field, value):
    import train

    argv = steps.train_argv(steps.Reference(depth="none"), kind, "fast", "epochs1=2 model.width=8", "cpu")
    cfg = train.config_from_args(train.build_parser().parse_args(argv))
    assert getattr(getattr(cfg, field[0]), field[1]) == value
    assert cfg.epochs1 == 2 and cfg.model.width == 8 and cfg.depth == "none" and cfg.preset == "fast"
    with pytest.raises(InputError, match="unknown key"):
        steps.train_argv(steps.Reference(), kind, "fast", "epochs=2")


def test_a_photo_with_estimated_depth_needs_cached_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    ref = steps.Reference(photo=str(tmp_path / "p.png"), depth="auto")
    with pytest.raises(InputError, match="not on this machine"):
        steps.train_argv(ref, "sketches drawn from photos", "fast", "")


def test_train_argv_works_with_a_local_depth_model(tiny_depth_anything, tmp_path):
    ref = steps.Reference(photo=str(tmp_path / "p.png"), depth="auto")
    argv = steps.train_argv(ref, "sketches drawn from photos", "fast", "", depth_model=tiny_depth_anything)
    assert argv[argv.index("--depth-model") + 1] == tiny_depth_anything


def test_stage_inputs_copies_the_files_into_the_run(ws, tmp_path):
    (tmp_path / "p.png").write_bytes(b"photo")
    run = ws.reserve_run("p")
    argv = steps.stage_inputs(["--image", str(tmp_path / "p.png"), "--depth", "none"], run)
    assert argv == ["--image", str(run / "inputs" / "image.png"), "--depth", "none"]
    assert (run / "inputs" / "image.png").read_bytes() == b"photo"


def test_progress_from_a_runs_files_and_train_py_output(tmp_path):
    import subprocess
    import sys

    jobs = TrainingJobs(tmp_path / "jobs")
    run = tmp_path / "run"
    assert jobs.progress(run).state == "empty"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"epochs1": 2, "steps_per_epoch": 5, "epochs2": 1,
                                                 "steps2_per_epoch": 3}))
    (run / "metrics.jsonl").write_text(json.dumps({"step": 5, "loss_total": 0.2}) + "\n{half a li")
    p = jobs.progress(run)
    assert (p.state, p.total) == ("stopped", 13) and "before its first epoch" in p.message
    (run / "checkpoints").mkdir()
    (run / "checkpoints" / "last.safetensors").write_bytes(b"")
    assert jobs.progress(run).message == "stopped at step 5 of 13; Resume continues it"
    # A job still running: the step counter of its progress bar counts.
    bar = "stage 1 epoch 2/2:  40%|####      | 2/5 [00:01<00:01, 2.0it/s, loss=0.2]\r"
    # SIGINT handled even if inherited as ignored (a test run started in the background), as train.py does
    script = (f"import signal, sys, time; signal.signal(signal.SIGINT, signal.default_int_handler); "
              f"sys.stdout.write({bar!r}); sys.stdout.flush(); time.sleep(30)")
    jobs.python = sys.executable
    log = jobs.logs / "run.log"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=open(log, "ab"))
    from studio.jobs import Job
    jobs._jobs[run.resolve()] = Job(run.resolve(), proc, log)
    try:
        for _ in range(100):
            p = jobs.progress(run)
            if p.step == 7:
                break
            import time
            time.sleep(0.05)
        assert (p.state, p.step, p.total) == ("running", 7, 13) and "stage 1 epoch 2/2" in p.message
        assert isinstance(p, Progress) and abs(p.fraction - 7 / 13) < 1e-9
        assert jobs.cancel(run)
        proc.wait(10)
        assert jobs.progress(run).state == "cancelled"
    finally:
        proc.kill()


def test_failed_job_shows_train_py_error_line(tmp_path):
    jobs = TrainingJobs(tmp_path / "jobs")
    run = tmp_path / "runs" / "r"
    run.mkdir(parents=True)
    job = jobs.start(run, ["--image", str(tmp_path / "missing.png"), "--depth", "none"], tmp_path / "log")
    job.proc.wait(120)
    p = jobs.progress(run)
    assert p.state == "failed" and p.message.startswith("error: ") and "missing.png" in p.message


def test_json_palette_names_cannot_leave_the_variants_folder(ws, tmp_path):
    token = ws.new_session()
    (ws.root / "gradio").mkdir()
    pal = ws.root / "gradio" / "p.json"
    pal.write_text(json.dumps({"name": "../../../evil", "space": "rgb", "colors": [[200, 50, 40], [20, 20, 20]]}))
    copy = steps._palette_file(ws, token, pal)
    from config.color_palettes import load_palette
    assert load_palette(copy).name == "evil"
    gpl = ws.root / "gradio" / "bad.gpl"
    gpl.write_text("not a palette")
    with pytest.raises(InputError, match="GIMP palette"):
        steps._palette_file(ws, token, gpl)
    assert PALETTE_TYPES == (".gpl", ".json")


def test_train_argv_asks_for_a_hint_model():
    import train

    argv = steps.train_argv(steps.Reference(depth="none"), "line drawings", "fast", "", "cpu", hints=True)
    cfg = train.config_from_args(train.build_parser().parse_args(argv))
    assert cfg.model.hints and cfg.sketch.method == "lines"
    argv = steps.train_argv(steps.Reference(depth="none"), "line drawings", "fast", "", "cpu")
    assert not train.config_from_args(train.build_parser().parse_args(argv)).model.hints


@pytest.mark.parametrize("picked, hex_", [("#C0392B", "#c0392b"), ("#abc", "#aabbcc"), ("#11223344", "#112233"),
                                          ("rgba(192, 57, 43, 1)", "#c0392b"), ("rgb(0,128,255)", "#0080ff")])
def test_hint_colours_from_the_picker(picked, hex_):
    assert steps.hex_colour(picked) == hex_


def test_clicks_become_hints_in_process_py_format(ws, tmp_path):
    from preprocess.hints import parse_hints, read_hints

    text = steps.add_hint("", 10.4, 20.6, "#c0392b", 4)
    text = steps.add_hint(text, 30, 5, "rgb(0, 128, 255)", 6)
    entries = json.loads(text)
    assert entries == [{"x": 10, "y": 21, "color": "#c0392b", "radius": 4},
                       {"x": 30, "y": 5, "color": "#0080ff", "radius": 6}]
    assert len(text.splitlines()) == 4  # one hint a line between the brackets
    assert [h.points for h in parse_hints(entries, (40, 40))] == [[(10.0, 21.0)], [(30.0, 5.0)]]
    (tmp_path / "h.json").write_text(text)
    assert len(read_hints(tmp_path / "h.json", (40, 40))) == 2  # the file process.py --hints reads
    assert steps.hint_list('{"hints": []}') == [] and steps.hint_list("  ") == []
    for bad, msg in [("[{", "hints: not valid JSON"), ('{"x": 1}', "expected a list of hints"),
                     ("3", "expected a list of hints")]:
        with pytest.raises(InputError, match=msg):
            steps.hint_list(bad)
    with pytest.raises(InputError, match="hint colour: expected a colour"):
        steps.add_hint("", 1, 1, "red", 3)


def test_hints_are_drawn_on_the_shown_input_and_checked_against_it(ws, tmp_path):
    import numpy as np

    from utils.image_io import read_photo, write_image

    token = ws.new_session()
    image = write_image(tmp_path / "in.png", np.ones((40, 60, 3), np.float32))
    assert steps.hints_shown(ws, token, str(image), "") == str(image)
    shown = steps.hints_shown(ws, token, str(image), steps.add_hint("", 30, 20, "#ff0000", 3))
    assert shown != str(image) and "inputs" in shown
    rgb = read_photo(shown)
    assert rgb.shape == (40, 60, 3) and rgb[20, 30, 0] > 0.9 and rgb[20, 30, 1] < 0.1  # the dot, in red
    assert np.allclose(rgb[2, 2], 1.0)  # the rest as it was
    with pytest.raises(InputError, match=r"outside the 60x40 input"):
        steps.hints_shown(ws, token, str(image), steps.add_hint("", 70, 20, "#ff0000", 3))


def test_variant_table_cells_show_what_generate_styles_prints():
    from studio.steps import variant_cells
    palette = {"variant": "palette_<b>", "structure_ssim": 0.95012, "gradient_corr": 0.9781, "palette_delta_e00": 7.123,
               "lightness_moved": 0.7234}
    style = {"variant": "style_a", "structure_ssim": 0.8, "gradient_corr": 0.7}
    assert variant_cells(palette) == ["palette_&lt;b&gt;", "0.950", "0.978", "7.12", "0.72"]
    assert variant_cells(style) == ["style_a", "0.800", "0.700", "-", "-"]


def test_colour_from_the_reference_photo_alone_is_process_py_reference(ws, tmp_path, sample_crop):
    """'no run' on the Colorize tab: a black-and-white photo (an upload, or the sample's held-out view in
    black and white) coloured from the Reference tab's photo (an upload, or the sample's training view)
    exactly as process.py --reference colours it, and its palette variants as generate_styles.py
    --reference makes them; what needs a trained run is refused by name."""
    import numpy as np

    from tests.conftest import load_script
    from utils.cli import run_cli
    from utils.image_io import read_photo, write_image

    token = ws.new_session()
    upload = ws.root / "gradio"
    upload.mkdir()
    photo, _, held_out, _ = sample_crop
    write_image(upload / "colour.png", photo)
    write_image(upload / "old.png", held_out.mean(axis=2))
    res = steps.colorize_from_reference(ws, token, upload / "colour.png", "photo", upload / "old.png", "cpu")
    assert res.depth is None and res.note.startswith("note: the input lines up with the reference photo"), res.note
    assert run_cli(load_script("process.py").main, ["--reference", res.render["reference"], "--image", res.render["image"],
                                     "--out", str(tmp_path / "cli.png")]) == 0
    assert np.array_equal(read_photo(res.image), read_photo(tmp_path / "cli.png"))
    sample = steps.colorize_from_reference(ws, token, None, "sample", None, "cpu")  # nothing uploaded: the sample
    grey = read_photo(sample.input)
    assert np.abs(grey - grey[..., :1]).max() == 0 and read_photo(sample.image).std(axis=2).mean() > 0.01
    report, out = steps.vary(ws, token, None, sample.render, ["brick_slate"], None, None, 5, "smooth", None, "cpu")
    assert report["reference"] == sample.render["reference"] and [r["variant"] for r in report["variants"]] == [
        "palette_brick_slate"]
    assert np.array_equal(read_photo(out / "base.png"), read_photo(sample.image))   # the result it varies
    with pytest.raises(InputError, match="--style needs a trained model"):
        steps.vary(ws, token, None, sample.render, [], None, None, 5, "smooth", [upload / "colour.png"], "cpu")
    with pytest.raises(InputError, match="colours black-and-white photos: choose a photo"):
        steps.colorize_from_reference(ws, token, None, "drawing", upload / "old.png", "cpu")
    with pytest.raises(InputError, match="cannot use the hints: remove the hints"):
        steps.colorize_from_reference(ws, token, None, "sample", None, "cpu", unused={"the hints": [{"x": 1}]})
