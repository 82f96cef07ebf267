"""The SemColorNet Studio page: one ``gr.Blocks`` whose handlers call ``studio/steps.py``.

Five tabs follow the workflow: Reference, Train, Colorize, Vary, Views. What a tab needs
travels in ``gr.State`` (the tab's session: its folder token, its reference, its results);
what all tabs share is on disk (the runs folder) and in the :class:`studio.jobs.TrainingJobs`
of this studio, so a training keeps going when its tab is closed and any tab finds it again.
Every handler shows bad input as the CLIs' one-line ``error: ...`` message; an unexpected
failure shows one line too (its traceback goes to the studio's console, not the page).
"""
from __future__ import annotations

import functools
import html
import itertools
import logging
import os
import shutil
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before Gradio is imported: no calls home

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from config.color_palettes import PALETTES  # noqa: E402
from config.defaults import PRESETS  # noqa: E402
from studio import steps  # noqa: E402
from studio.jobs import Progress, TrainingJobs  # noqa: E402
from studio.workspace import DEPTH_TYPES, IMAGE_TYPES, MASK_TYPES, PALETTE_TYPES, Workspace  # noqa: E402
from utils.errors import InputError  # noqa: E402

log = logging.getLogger("studio")

TITLE = "SemColorNet Studio"
DEPTH_CHOICES = [("automatic: the sample's own depth, or Depth Anything V2 for a photo (cached weights only)", "auto"),
                 ("a depth map file", "file"), ("no depth", "none")]
SOURCE_CHOICES = [("the bundled sample's held-out view", "sample"), ("a photo or black-and-white photo", "photo"),
                  ("a drawing file (dark lines on white)", "drawing"), ("the drawing on the canvas", "canvas")]
CSS = """
.status {padding: 6px 10px; border-radius: 6px; min-height: 1.5em}
.status.ok {background: #eef6ee} .status.error {background: #fdecea; color: #8a1f11; font-weight: 600}
#train-progress progress {width: 100%; height: 18px}
"""


_shown = itertools.count(1)  # each message gets a new number, so the page redraws even a repeated one


def status_html(text: str, error: bool = False) -> str:
    return f'<div class="status {"error" if error else "ok"}" data-n="{next(_shown)}">{html.escape(text)}</div>'


def progress_html(p: Progress) -> str:
    return (f'<div id="train-progress-bar" data-state="{p.state}"><progress value="{p.step}" max="{max(p.total, 1)}">'
            f'</progress> {round(100 * p.fraction)} %</div>')


def guarded(status):
    """Show InputError as ``error: ...`` in ``status`` (and anything else as one line too)."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except InputError as exc:
                return {status: status_html(f"error: {exc}", error=True)}
            except Exception as exc:  # never a traceback in the page
                log.exception("studio: %s failed", fn.__name__)
                first = (str(exc).splitlines() or [""])[0][:300]
                return {status: status_html(f"error: unexpected {type(exc).__name__}: {first} "
                                            "(the studio's console has the details)", error=True)}
        return wrapper
    return deco


def _plots(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    loss = [{"step": r["step"], "value": r["loss_total"], "series": "loss"} for r in rows if "loss_total" in r]
    psnr = [{"step": r["step"], "value": r[k], "series": k.replace("_psnr", " PSNR (dB)")}
            for r in rows for k in ("train_psnr", "heldout_psnr") if k in r]
    cols = ["step", "value", "series"]
    types = {"step": "int64", "value": "float64", "series": "str"}
    return pd.DataFrame(loss, columns=cols).astype(types), pd.DataFrame(psnr, columns=cols).astype(types)


def build(ws: Workspace, jobs: TrainingJobs, device: str = "auto", depth_model: str | None = None,
          metrics_log: str = "metrics_train/training.log", poll_s: float = 1.0) -> gr.Blocks:
    """The page. ``ws``: folders; ``jobs``: training jobs; ``depth_model``: Depth Anything id or folder."""

    def session_of(state) -> str:
        if not state or "token" not in state:
            raise InputError("this page's session has expired; reload the page")
        ws.session(state["token"])
        return state["token"]

    def run_names() -> list[str]:
        running = [r.name for r in jobs.running() if r.parent == ws.runs]
        return running + [n for n in ws.list_runs() if n not in running]

    def selected_run(name) -> Path:
        if not name:
            raise InputError("choose a run in the list at the top (train one in the Train tab)")
        return ws.run(name)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        session = gr.State(None)
        seen = gr.State(None)
        gr.Markdown(f"# {TITLE}\nTrain SemColorNet on one reference photo, then colorize drawings, "
                    "black-and-white photos and photos in its colours.")
        with gr.Row():
            run_dd = gr.Dropdown(label="Run (the model that Colorize, Vary and Views use)", choices=[],
                                 elem_id="run", scale=4)
            refresh = gr.Button("Refresh the list", elem_id="refresh-runs", scale=1)
        with gr.Tabs():
            with gr.Tab("1 Reference", id="reference"):
                gr.Markdown("Upload a **colour** photo of the building, or leave it empty to use the bundled "
                            "sample. Then see what the network will read.")
                with gr.Row():
                    ref_photo = gr.File(height=110, label="Reference photo (colour)", file_types=list(IMAGE_TYPES),
                                        elem_id="ref-photo")
                    with gr.Column():
                        kind = gr.Radio(list(steps.KINDS), value="sketches drawn from photos",
                                        label="The model will colorize", elem_id="kind")
                        depth_src = gr.Radio(DEPTH_CHOICES, value="auto", label="Depth", elem_id="ref-depth-source")
                        ref_depth = gr.File(height=110, label="Depth map (when 'a depth map file')",
                                            file_types=list(DEPTH_TYPES), elem_id="ref-depth")
                        with gr.Row():
                            segmenter = gr.Dropdown(list(steps.SEGMENTERS), value="none", label="Segmentation",
                                                    elem_id="segmenter")
                            use_mask = gr.Checkbox(label="train with this segmentation as the semantic mask",
                                                   elem_id="use-mask")
                prepare = gr.Button("Show the sketch and depth", variant="primary", elem_id="prepare")
                ref_status = gr.HTML(elem_id="ref-status")
                ref_gallery = gr.Gallery(label="What the network reads", columns=4, height=320,
                                         elem_id="ref-gallery")
            with gr.Tab("2 Train", id="train"):
                gr.Markdown(f"Each training is a `train.py` run in its own folder under `{ws.runs}`; it goes on "
                            "when this tab is closed, and any tab can follow, cancel or resume it.")
                with gr.Row():
                    preset = gr.Dropdown(list(PRESETS), value="fast", label="Preset", elem_id="preset",
                                         info="fast: about a minute on a 2-core CPU; default: under 5 minutes; "
                                              "wide (the previous default): about 7; paper: hours")
                    settings = gr.Textbox(label="More settings (train.py --set, e.g. epochs1=4 model.width=16)",
                                          elem_id="settings", scale=2)
                train_hints = gr.Checkbox(label="also reads colour hints (train.py --hints: trained with random dots "
                                                "of the photo's own colours; Colorize can then take hints)",
                                          elem_id="train-hints")
                with gr.Row():
                    start = gr.Button("Start training", variant="primary", elem_id="train-start")
                    cancel = gr.Button("Cancel", variant="stop", elem_id="train-cancel")
                    resume = gr.Button("Resume", elem_id="train-resume")
                train_status = gr.HTML(elem_id="train-status")
                progress = gr.HTML(elem_id="train-progress")
                with gr.Row():
                    loss_plot = gr.LinePlot(x="step", y="value", color="series", label="Loss (per epoch)",
                                            elem_id="loss-plot", height=260)
                    psnr_plot = gr.LinePlot(x="step", y="value", color="series", label="PSNR (dB)",
                                            elem_id="psnr-plot", height=260)
                preview = gr.Image(label="Last preview: sketch | depth | prediction | target", type="filepath",
                                   interactive=False, elem_id="train-preview")
            with gr.Tab("3 Colorize", id="colorize"):
                with gr.Row():
                    with gr.Column():
                        source = gr.Radio(SOURCE_CHOICES, value="sample", label="Colorize", elem_id="source")
                        from_ref = gr.Checkbox(label="no run: colour a black-and-white photo from the Reference "
                                                     "tab's colour photo alone, with no training (the bundled "
                                                     "sample's when none is uploaded)", elem_id="from-reference")
                        col_upload = gr.File(height=110, label="Photo or drawing", file_types=list(IMAGE_TYPES),
                                             elem_id="col-upload")
                        col_depth_src = gr.Radio(DEPTH_CHOICES, value="auto", label="Depth",
                                                 elem_id="col-depth-source")
                        col_depth = gr.File(height=110, label="Depth map", file_types=list(DEPTH_TYPES), elem_id="col-depth")
                        with gr.Accordion("Mask and style image (optional)", open=False):
                            col_mask = gr.File(height=110, label="Label map, for models trained with a mask",
                                               file_types=list(MASK_TYPES), elem_id="col-mask")
                            col_style = gr.File(height=110, label="Style image (default: the training photo)",
                                                file_types=list(IMAGE_TYPES), elem_id="col-style")
                        with gr.Accordion("Colour hints (models trained with colour hints)", open=False,
                                          elem_id="hints-panel"):
                            gr.Markdown("Colorize once, then **click the Input image** where a colour should go: "
                                        "each click adds a dot of the colour below, which fills its region up "
                                        "to the drawing's lines. Or type hints as `process.py --hints` reads them.")
                            with gr.Row():
                                hint_colour = gr.ColorPicker(value="#c0392b", label="Hint colour", elem_id="hint-colour")
                                hint_radius = gr.Slider(1, 32, value=4, step=1, label="Dot radius (px)",
                                                        elem_id="hint-radius")
                            hints_box = gr.Textbox(label="Hints (JSON, in the input's pixels)", lines=4,
                                                   placeholder='[{"x": 120, "y": 48, "color": "#c0392b", "radius": 4}]',
                                                   elem_id="hints")
                            clear_hints = gr.Button("Clear the hints", elem_id="clear-hints")
                    canvas = gr.Sketchpad(label="Canvas: draw dark lines on white", type="filepath", format="png",
                                          canvas_size=(512, 384), elem_id="canvas",
                                          brush=gr.Brush(colors=["#000000"], default_color="#000000",
                                                         color_mode="fixed", default_size=2))
                colorize_btn = gr.Button("Colorize", variant="primary", elem_id="colorize")
                col_status = gr.HTML(elem_id="col-status")
                with gr.Row():
                    col_in = gr.Image(label="Input", type="filepath", interactive=False, elem_id="col-input")
                    col_out = gr.Image(label="Colorized (full size in the download)", type="filepath",
                                       interactive=False, format="png", elem_id="col-result")
                download = gr.DownloadButton("Download the colorized PNG", elem_id="col-download", visible=False)
            with gr.Tab("4 Vary", id="vary"):
                gr.Markdown("Palette and style variants of the latest colorized image (before any: the bundled "
                            "sample's held-out view), as `generate_styles.py` makes them.")
                with gr.Row():
                    builtins = gr.CheckboxGroup(list(PALETTES), value=list(PALETTES)[:2], label="Built-in palettes",
                                                elem_id="palettes")
                    mode = gr.Radio(["smooth", "posterize"], value="smooth", label="Recolouring", elem_id="palette-mode")
                with gr.Row():
                    pal_files = gr.File(height=110, label="Palette files (.gpl, .json)", file_count="multiple",
                                        file_types=list(PALETTE_TYPES), elem_id="palette-files")
                    extract = gr.File(height=110, label="Take a palette from an image", file_types=list(IMAGE_TYPES),
                                      elem_id="extract")
                    k = gr.Slider(2, 12, value=5, step=1, label="colours to take", elem_id="extract-k")
                    style_files = gr.File(height=110, label="Style images (AdaIN)", file_count="multiple",
                                          file_types=list(IMAGE_TYPES), elem_id="style-files")
                vary_btn = gr.Button("Make variants", variant="primary", elem_id="vary")
                vary_status = gr.HTML(elem_id="vary-status")
                gallery = gr.Gallery(label="Variants", columns=4, height=420, elem_id="vary-gallery")
                vary_table = gr.HTML(elem_id="vary-table")
                vary_files = gr.File(height=110, label="styles.json and contact sheet", file_count="multiple",
                                     interactive=False, elem_id="vary-files")
            with gr.Tab("5 Views", id="views"):
                result_dd = gr.Dropdown(label="Result", choices=[], elem_id="view-result")
                with gr.Row():
                    wiggle_btn = gr.Button("Wiggle GIF", variant="primary", elem_id="wiggle")
                    anaglyph_btn = gr.Button("Red-cyan anaglyph", elem_id="anaglyph")
                views_status = gr.HTML(elem_id="views-status")
                with gr.Row():
                    gif = gr.Image(label="Wiggle GIF", type="filepath", interactive=False, format="gif",
                                   elem_id="wiggle-gif")
                    ana = gr.Image(label="Anaglyph", type="filepath", interactive=False, format="png",
                                   elem_id="anaglyph-image")
        timer = gr.Timer(poll_s)

        # --- handlers: each a few lines around studio/steps.py ---------------------------
        def on_load():
            names = run_names()
            running = [r.name for r in jobs.running() if r.parent == ws.runs]
            pick = running[0] if running else (names[0] if names else None)
            hint = status_html("upload a colour photo, or press the button to use the bundled sample")
            return ({"token": ws.new_session(), "reference": None, "results": []},
                    gr.Dropdown(choices=names, value=pick), hint)

        demo.load(on_load, None, [session, run_dd, ref_status])
        refresh.click(lambda name: gr.Dropdown(choices=run_names(), value=name), run_dd, run_dd)

        @guarded(ref_status)
        def on_prepare(state, photo, kind_v, depth_v, depth_file, seg, mask_v):
            ref = steps.prepare_reference(ws, session_of(state), photo, kind_v, depth_v, depth_file, seg, mask_v,
                                          depth_model)
            state["reference"] = asdict(ref)
            text = f"ready: {'your photo' if ref.photo else 'the bundled sample'}" + (f"; {ref.note}" if ref.note else "")
            return {session: state, ref_status: status_html(text), ref_gallery: ref.previews}

        prepare.click(on_prepare, [session, ref_photo, kind, depth_src, ref_depth, segmenter, use_mask],
                      [session, ref_status, ref_gallery])

        @guarded(train_status)
        def on_start(state, kind_v, preset_v, settings_v, hints_v):
            session_of(state)
            ref = steps.Reference(**state["reference"]) if state.get("reference") else steps.Reference()
            argv = steps.train_argv(ref, kind_v, preset_v, settings_v, device, depth_model, hints=bool(hints_v))
            run = ws.reserve_run(Path(ref.photo).stem.split("-", 2)[-1] if ref.photo else "sample")
            try:
                argv = steps.stage_inputs(argv, run)
                jobs.start(run, argv, metrics_log)
            except Exception:
                if not (run / "config.json").exists():
                    shutil.rmtree(run, ignore_errors=True)
                raise
            return {run_dd: gr.Dropdown(choices=run_names(), value=run.name), seen: None,
                    train_status: status_html(f"started {run.name}: python train.py {' '.join(argv)}")}

        start.click(on_start, [session, kind, preset, settings, train_hints], [run_dd, seen, train_status])

        @guarded(train_status)
        def on_cancel(name):
            ok = jobs.cancel(selected_run(name))
            return {train_status: status_html("cancelling: the run stops after the current step" if ok
                                              else f"{name} is not training")}

        cancel.click(on_cancel, run_dd, [train_status])

        @guarded(train_status)
        def on_resume(name):
            jobs.resume(selected_run(name), metrics_log, device)
            return {seen: None, train_status: status_html(f"resumed {name}")}

        resume.click(on_resume, run_dd, [seen, train_status])

        tick_outputs = [seen, progress, train_status, loss_plot, psnr_plot, preview]
        unchanged = tuple(gr.skip() for _ in tick_outputs)

        def on_tick(name, last):
            try:
                run = ws.run(name)
            except InputError:  # no run chosen, or it was removed
                return unchanged
            p = jobs.progress(run)
            key = (name, p.state, p.step, len(p.rows))
            if key == (tuple(last) if last else None):
                return unchanged
            loss, psnr = _plots(p.rows)
            shots = [run / "previews" / f"stage{s}.png" for s in (2, 1)]
            shot = next((str(s) for s in shots if s.is_file()), None)
            return {seen: list(key), progress: progress_html(p), train_status: status_html(p.message, p.state == "failed"),
                    loss_plot: loss, psnr_plot: psnr, preview: shot}

        timer.tick(on_tick, [run_dd, seen], tick_outputs, show_progress="hidden")

        @guarded(col_status)
        def on_colorize(state, name, src, upload, draw, depth_v, depth_file, mask_file, style_file, hints_v,
                        no_run, reference, prog=gr.Progress(track_tqdm=True)):
            token = session_of(state)
            if no_run:
                unused = {"the hints": steps.hint_list(hints_v), "the label map": mask_file, "the style image": style_file,
                          "the depth map": depth_file if depth_v == "file" else None}
                res = steps.colorize_from_reference(ws, token, reference, src, upload, device, progress=True,
                                                    unused=unused)
                made = "colorized from the reference photo alone"
            else:
                composite = (draw or {}).get("composite") if src == "canvas" else None
                res = steps.colorize(ws, token, selected_run(name), src, upload, composite, depth_v, depth_file,
                                     style_file, mask_file, device, depth_model, progress=True, hints=hints_v)
                made = f"colorized with {name}"
            state["results"].append(asdict(res))
            names = [r["name"] for r in state["results"]]
            count = len(steps.hint_list(hints_v))
            text = (f"{made}: {Path(res.image).name}" + (f" with {count} hint(s)" if count and not no_run else "")
                    + (f"; {res.note}" if res.note else ""))
            return {session: state, col_in: steps.hints_shown(ws, token, res.input, hints_v), col_out: res.image,
                    col_status: status_html(text), download: gr.DownloadButton(value=res.image, visible=True),
                    result_dd: gr.Dropdown(choices=names, value=res.name)}

        colorize_btn.click(on_colorize, [session, run_dd, source, col_upload, canvas, col_depth_src, col_depth,
                                         col_mask, col_style, hints_box, from_ref, ref_photo],
                           [session, col_in, col_out, col_status, download, result_dd])

        def shown_input(state) -> str:
            if not state or not state.get("results"):
                raise InputError("colorize something first: hints are placed on the input it shows")
            return state["results"][-1]["input"]

        @guarded(col_status)
        def on_pick(state, hints_v, colour, radius, evt: gr.SelectData):
            token = session_of(state)
            x, y = evt.index
            text = steps.add_hint(hints_v, x, y, colour, radius)
            shown = steps.hints_shown(ws, token, shown_input(state), text)
            return {hints_box: text, col_in: shown,
                    col_status: status_html(f"hint {len(steps.hint_list(text))} at ({x}, {y}) in "
                                            f"{steps.hex_colour(colour)}: press Colorize to apply the hints")}

        col_in.select(on_pick, [session, hints_box, hint_colour, hint_radius], [hints_box, col_in, col_status])

        @guarded(col_status)
        def on_clear_hints(state):
            session_of(state)
            shown = {col_in: shown_input(state)} if state.get("results") else {}
            return {hints_box: "", col_status: status_html("no hints"), **shown}

        clear_hints.click(on_clear_hints, [session], [hints_box, col_in, col_status])

        def on_input_changed(hints_v):
            """A new input: hints placed on the old one do not carry over, and the old input is no
            longer shown to click on (Colorize shows the new one)."""
            cleared = {col_in: None}
            if (hints_v or "").strip():
                cleared.update({hints_box: "", col_status: status_html("hints cleared: the input changed")})
            return cleared

        for changed in (source, col_upload, canvas):
            changed.change(on_input_changed, hints_box, [col_in, hints_box, col_status], show_progress="hidden")

        @guarded(vary_status)
        def on_vary(state, name, pals, pal_up, extract_up, k_v, mode_v, styles_up,
                    prog=gr.Progress(track_tqdm=True)):
            token = session_of(state)
            render = state["results"][-1]["render"] if state["results"] else None
            run = None if render and render.get("reference") else selected_run(name)  # no run: the reference alone
            report, out = steps.vary(ws, token, run, render, pals, pal_up, extract_up, k_v, mode_v, styles_up, device)
            items = [(str(out / "base.png"), "base")] + [(str(out / f"{r['variant']}.png"), steps.variant_caption(r))
                                                        for r in report["variants"]]
            rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in steps.variant_cells(r)) + "</tr>"
                           for r in report["variants"])
            table = ("<table><tr><th>variant</th><th>structure SSIM</th><th>gradient corr</th>"
                     "<th>palette ΔE00 (adherence)</th><th>lightness moved (structure floor)</th></tr>"
                     f"{rows}</table>")
            return {gallery: items, vary_table: table, vary_files: [str(out / "styles.json"), str(out / "contact_sheet.png")],
                    vary_status: status_html(f"{len(report['variants'])} variants ({report['mode']})")}

        vary_btn.click(on_vary, [session, run_dd, builtins, pal_files, extract, k, mode, style_files],
                       [gallery, vary_table, vary_files, vary_status])

        def view(make, target):
            @guarded(views_status)
            def handler(state, name):
                token = session_of(state)
                found = [r for r in state["results"] if r["name"] == name]
                if not found:
                    raise InputError("colorize something first, then choose it here")
                path = make(ws, token, steps.Result(**found[-1]))
                return {target: str(path), views_status: status_html(f"wrote {path.name}")}
            return handler

        wiggle_btn.click(view(steps.wiggle, gif), [session, result_dd], [gif, views_status])
        anaglyph_btn.click(view(steps.stereo_anaglyph, ana), [session, result_dd], [ana, views_status])
    return demo
