"""The studio's steps as plain functions on files; the page's handlers call these.

Each step calls the library the CLIs call, so the page and the scripts cannot drift apart:

- reference: ``process.sketch_depth.preprocess_photo`` (``python -m process.sketch_depth``);
  the bundled sample through ``data.samples`` and ``process.guides.sample_guides`` (as ``train.py``);
- training: ``train.py`` itself with the flags built here (``jobs.py``), checked first with
  train.py's own ``build_parser`` and ``config_from_args``;
- colorize: ``process.render.Renderer`` after ``process.preflight.check_render_request`` (``process.py``),
  or with no run ``Renderer.from_photo`` (``process.py --reference``);
- vary: ``variants.styles.generate_styles`` (``generate_styles.py``);
- views: ``wiggle_from_render`` (``process.py --wiggle``) and ``stereo_pair`` + ``anaglyph``
  (``python -m preprocess.view.generate_multiview``).

Bad input raises :class:`utils.errors.InputError` with the CLIs' one-line messages.
"""
from __future__ import annotations

import html
import json
import shlex
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from studio.workspace import DEPTH_TYPES, IMAGE_TYPES, MASK_TYPES, PALETTE_TYPES, Workspace, safe_stem
from utils.errors import InputError

# What a model is for -> the train.py flags that make it (docs/lines.md, docs/bw.md).
KINDS = {
    "sketches drawn from photos": [],
    "line drawings": ["--sketch-method", "lines"],
    "black-and-white photos": ["--luminance"],
}
DEPTH_SOURCES = ("auto", "file", "none")  # auto: the sample's own depth, or Depth Anything V2 for a photo
SEGMENTERS = ("none", "slic", "felzenszwalb", "sam")
SOURCES = ("sample", "photo", "drawing", "canvas")  # what Colorize takes
BROWSER_TYPES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")  # image files a browser shows as they are


def weights_available(name: str) -> bool:
    """Whether a hub model (Depth Anything, SAM) can be loaded without the network: a local
    folder, or the hub id with its config and weights in the local Hugging Face cache."""
    if Path(name).expanduser().is_dir():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = [try_to_load_from_cache(name, f) for f in ("config.json", "model.safetensors", "pytorch_model.bin")]
    return isinstance(found[0], str) and any(isinstance(f, str) for f in found[1:])


def _depth_model_name(depth_model: str | None) -> str:
    from preprocess.depth import DEFAULT_DEPTH_MODEL
    return depth_model or DEFAULT_DEPTH_MODEL


def require_depth_weights(depth_model: str | None) -> None:
    name = _depth_model_name(depth_model)
    if not weights_available(name):
        raise InputError(f"Depth Anything V2 weights ({name}) are not on this machine and the studio does not "
                         "download them: upload a depth map, choose no depth, or start the studio with "
                         "--depth-model LOCAL_DIR")


# --- 1. reference ----------------------------------------------------------------------
@dataclass
class Reference:
    """What a training run learns from (paths are the studio's own copies)."""
    photo: str | None = None      # None: the bundled sample
    depth: str = "auto"           # auto | none | a depth file
    mask: str | None = None       # a label map to train with
    previews: list[tuple[str, str]] = field(default_factory=list)  # (image, caption) for the page
    note: str = ""


def prepare_reference(ws: Workspace, token: str, photo_upload, kind: str, depth_source: str, depth_upload,
                      segmenter: str, use_mask: bool, depth_model: str | None = None,
                      sam_model: str | None = None) -> Reference:
    """Check a reference photo like ``train.py --image`` does and show what the network reads."""
    from config.defaults import SketchConfig
    from utils.image_io import read_depth, write_image

    if kind not in KINDS or depth_source not in DEPTH_SOURCES or segmenter not in SEGMENTERS:
        raise InputError("choose a model kind, a depth source and a segmentation from the lists")
    sketch = SketchConfig(method="lines" if kind == "line drawings" else SketchConfig().method)
    out = ws.new_folder(token, "reference")
    if segmenter == "sam":
        from preprocess.segment import DEFAULT_SAM_MODEL
        if not weights_available(sam_model or DEFAULT_SAM_MODEL):
            raise InputError(f"SAM weights ({sam_model or DEFAULT_SAM_MODEL}) are not on this machine and the "
                             "studio does not download them: choose slic or felzenszwalb")
    if photo_upload is None:
        return _sample_reference(out, sketch, kind, depth_source, segmenter, use_mask, write_image)

    from process.sketch_depth import PreprocessConfig, preprocess_photo
    from utils.image_io import read_training_photo

    photo = ws.take_upload(token, photo_upload, "photo", IMAGE_TYPES)
    read_training_photo(photo)  # refused here as train.py --image would refuse it
    depth = depth_source
    if depth_source == "file":
        if depth_upload is None:
            raise InputError("upload a depth map (8/16-bit PNG or .npy, larger = nearer) or choose another depth source")
        depth = str(ws.take_upload(token, depth_upload, "depth", DEPTH_TYPES))
        read_depth(depth)
    elif depth_source == "auto":
        require_depth_weights(depth_model)
    cfg = PreprocessConfig(sketch=sketch, depth=depth, depth_model=depth_model, segmenter=segmenter,
                           sam_model=sam_model)
    preprocess_photo(photo, out, cfg, log=lambda _: None)
    previews = [(str(photo), "reference photo"), (str(out / "sketch.png"), f"sketch ({sketch.method})")]
    if (out / "depth_preview.png").is_file():
        previews.append((str(out / "depth_preview.png"),
                         "depth (Depth Anything V2)" if depth == "auto" else "depth (your file)"))
    mask = None
    if segmenter != "none":
        previews.append((str(out / "mask_overlay.png"), f"segmentation ({segmenter})"))
        mask = str(out / "mask.png") if use_mask else None
    note = "no depth: the model learns from the sketch alone" if depth == "none" else ""
    return Reference(str(photo), depth, mask, previews, note)


def _sample_reference(out: Path, sketch, kind, depth_source, segmenter, use_mask, write_image) -> Reference:
    from data.samples import stereo_motorcycle_views
    from process.guides import sample_guides
    from utils.visualization import depth_to_rgb

    if depth_source == "file":
        raise InputError("--depth FILE needs --image (the bundled sample brings its own depth): upload a photo "
                         "first, or choose automatic depth or no depth")
    if segmenter != "none" and use_mask:
        raise InputError("--mask needs --image (the bundled sample has no mask): upload a photo to train with "
                         "a segmentation")
    left, _ = stereo_motorcycle_views()
    g = sample_guides(left, sketch, depth_source != "none", kind == "black-and-white photos")
    previews = [(str(write_image(out / "photo.png", left.photo)), "bundled sample (left view)"),
                (str(write_image(out / "sketch.png", g.sketch)), f"sketch ({sketch.method})")]
    if g.depth is not None:
        previews.append((str(write_image(out / "depth.png", depth_to_rgb(g.depth))), "depth (ground truth)"))
    if segmenter != "none":
        from preprocess.segment import overlay, segment
        mask = segment(left.photo, segmenter)
        previews.append((str(write_image(out / "mask_overlay.png", overlay(left.photo, mask))),
                         f"segmentation ({segmenter}, preview only)"))
    note = "skimage.data.stereo_motorcycle, the left view with its ground-truth depth; held out: the right view"
    return Reference(None, "none" if depth_source == "none" else "auto", None, previews, note)


# --- 2. training -----------------------------------------------------------------------
def train_argv(ref: Reference, kind: str, preset: str, settings: str, device: str = "auto",
               depth_model: str | None = None, hints: bool = False) -> list[str]:
    """The train.py flags for this request (without --out), checked with train.py's own parser and
    config. ``hints``: a model that also reads colour hints (``train.py --hints``)."""
    import train
    from config.defaults import PRESETS

    if kind not in KINDS:
        raise InputError(f"choose what the model is for: {', '.join(KINDS)}")
    if preset not in PRESETS:
        raise InputError(f"choose a preset: {', '.join(PRESETS)}")
    argv = ["--preset", preset, "--device", device, *KINDS[kind], *(["--hints"] if hints else [])]
    if ref.photo:
        argv += ["--image", ref.photo]
        if ref.depth != "auto":
            argv += ["--depth", ref.depth]
        elif depth_model:
            argv += ["--depth-model", depth_model]
        if ref.mask:
            argv += ["--mask", ref.mask]
    elif ref.depth == "none":
        argv += ["--depth", "none"]
    try:
        items = shlex.split(settings or "")
    except ValueError as exc:
        raise InputError(f"settings: {exc}") from None
    if items:
        argv += ["--set", *items]
    try:
        train.config_from_args(train.build_parser().parse_args(argv))
    except SystemExit:
        raise InputError(f"these settings are not valid train.py flags: {' '.join(argv)}") from None
    if ref.photo and ref.depth == "auto":
        require_depth_weights(depth_model)
    return argv


def stage_inputs(argv: list[str], run: Path) -> list[str]:
    """Copy the files that ``argv`` names into ``RUN/inputs/`` and point ``argv`` at the copies,
    so the run (and a later --resume) does not depend on the browser session's folder."""
    out = list(argv)
    for flag in ("--image", "--depth", "--mask"):
        if flag in out and out[out.index(flag) + 1] != "none":
            i = out.index(flag) + 1
            src = Path(out[i])
            dest = run / "inputs" / f"{flag[2:]}{src.suffix.lower()}"
            dest.parent.mkdir(exist_ok=True)
            shutil.copyfile(src, dest)
            out[i] = str(dest)
    return out


def run_kind(run: Path) -> str:
    """What a run's model is for, from its config.json."""
    from studio.jobs import read_config
    cfg = read_config(run) or {}
    if cfg.get("model", {}).get("use_luminance"):
        return "black-and-white photos"
    if cfg.get("sketch", {}).get("method") == "lines":
        return "line drawings"
    return "sketches drawn from photos"


# --- 3. colorize -----------------------------------------------------------------------
@dataclass
class Result:
    """One colorized image and what it was made from."""
    name: str
    input: str                    # the input as shown (photo or drawing; the sample's held-out photo)
    image: str                    # the colorized PNG
    depth: str | None             # the depth it was rendered with (.npy), for views
    render: dict                  # the RenderConfig fields of the request (for variants)
    note: str = ""


def colorize(ws: Workspace, token: str, run: Path, source: str, upload, canvas, depth_source: str, depth_upload,
             style_upload=None, mask_upload=None, device: str = "auto", depth_model: str | None = None,
             progress: bool = False, hints: str = "") -> Result:
    """``process.py --checkpoint RUN (--image | --sketch) [--depth] [--mask] [--style] [--hints] --out ...``
    for one upload. ``hints``: the colour hints as JSON text (``process.py --hints``' format, in the
    input's pixels; empty: none)."""
    from process.guides import is_colour
    from process.preflight import check_render_request
    from process.render import RenderConfig, Renderer
    from utils.image_io import read_photo, write_image

    if source not in SOURCES or depth_source not in DEPTH_SOURCES:
        raise InputError("choose an input and a depth source from the lists")
    renderer = Renderer(str(run), device)
    mcfg = renderer.model.cfg
    cfg = RenderConfig(checkpoint=str(run), device=device, depth_model=depth_model)
    note = ""
    if source == "photo":
        if upload is None:
            raise InputError("upload a photo (or a black-and-white photo) to colorize")
        cfg.image = str(ws.take_upload(token, upload, "photo", IMAGE_TYPES))
    elif source == "drawing":
        if upload is None:
            raise InputError("upload a drawing (dark lines on white) to colorize")
        cfg.sketch = str(ws.take_upload(token, upload, "drawing", IMAGE_TYPES))
    elif source == "canvas":
        if canvas is None:
            raise InputError("draw some lines on the canvas first")
        cfg.sketch = str(ws.take_upload(token, canvas, "canvas", (".png",)))
        from utils.image_io import read_gray
        if read_gray(cfg.sketch).min() > 0.5:
            raise InputError("the canvas is empty: draw some lines on it first")
    if depth_source == "file":
        if depth_upload is None:
            raise InputError("upload a depth map (8/16-bit PNG or .npy, larger = nearer) or choose another depth source")
        cfg.depth = str(ws.take_upload(token, depth_upload, "depth", DEPTH_TYPES))
    elif depth_source == "none":
        cfg.depth = "none"
    elif cfg.image and mcfg.use_depth:
        require_depth_weights(depth_model)
    if mask_upload is not None:
        cfg.mask = str(ws.take_upload(token, mask_upload, "mask", MASK_TYPES))
    if style_upload is not None:
        cfg.style = str(ws.take_upload(token, style_upload, "style", IMAGE_TYPES))
    stem = Path(cfg.image or cfg.sketch or "motorcycle-right").stem.split("-", 2)[-1]
    if hint_list(hints):
        if not mcfg.hints:
            raise InputError(f"{run.name} was trained without colour hints: clear the hints, or train a run with "
                             "'also reads colour hints' ticked")
        cfg.hints = str(ws.new_file(token, "inputs", "hints", stem, ".json"))
        Path(cfg.hints).write_text(hints)
    out = ws.new_file(token, "results", "color", stem, ".png")
    check_render_request(mcfg, cfg, outputs=[out], keeps_photo=renderer.reference is not None)
    cfg.out = str(out)
    if cfg.image and mcfg.use_luminance and is_colour(read_photo(cfg.image)):
        note = "note: this photo is in colour; this model colorizes black-and-white photos, so it uses its lightness (L*) only"
    _, rgb, guides = renderer.render(cfg, progress=progress)
    note = "\n".join(n for n in (note, renderer.alignment_note) if n)
    depth = None
    if guides.depth is not None:
        depth = str(out.with_suffix(".depth.npy"))
        np.save(depth, guides.depth.astype(np.float32))
    shown = cfg.image or cfg.sketch
    if shown is None:
        from data.samples import stereo_motorcycle_views
        shown = str(write_image(out.with_name(out.stem + "-input.png"), stereo_motorcycle_views()[1].photo))
    else:
        shown = _shown(shown, out)
    render = {k: v for k, v in asdict(cfg).items() if k in ("image", "sketch", "depth", "mask", "style", "hints")}
    return Result(out.stem, shown, str(out), depth, render, note)


def colorize_from_reference(ws: Workspace, token: str, reference_upload, source: str, upload,
                            device: str = "auto", progress: bool = False, unused: dict | None = None) -> Result:
    """``process.py --reference PHOTO --image BW_PHOTO --out ...``: a black-and-white photo coloured from
    the Reference tab's colour photo alone, with no run (the bundled sample's training view when none
    is uploaded; the sample's input is its held-out view in black and white). ``unused``: what the
    page holds for a trained model (hints, a mask, a style image, a depth file), refused by name when
    given, as ``process.py --reference`` refuses their flags."""
    from data.samples import stereo_motorcycle_views
    from process.guides import is_colour
    from process.preflight import check_photo_only_request, check_render_request
    from process.render import PHOTO_ONLY, RenderConfig, Renderer
    from utils.cielab import lightness_to_gray, photo_lightness
    from utils.image_io import read_photo, write_image

    for what, value in (unused or {}).items():
        if value:
            raise InputError(f"colouring from the reference photo alone uses no trained run, so it cannot use {what}: "
                             f"remove {what}, or untick 'no run'")
    if source not in ("sample", "photo"):
        raise InputError("the reference photo alone colours black-and-white photos: choose a photo (or the sample) "
                         "as the input, or untick 'no run' to colour drawings with a trained run")
    left, right = stereo_motorcycle_views()
    if reference_upload is not None:
        reference = ws.take_upload(token, reference_upload, "reference", IMAGE_TYPES)
    else:
        reference = write_image(ws.new_file(token, "inputs", "reference", "sample", ".png"), left.photo)
    if source == "photo":
        if upload is None:
            raise InputError("upload a black-and-white photo to colorize")
        image = ws.take_upload(token, upload, "photo", IMAGE_TYPES)
    else:
        grey = lightness_to_gray(photo_lightness(right.photo))
        image = write_image(ws.new_file(token, "inputs", "photo", right.name, ".png"), grey)
    stem = Path(image).stem.split("-", 2)[-1]
    out = ws.new_file(token, "results", "color", stem, ".png")
    cfg = RenderConfig(image=str(image), device=device, out=str(out))
    check_photo_only_request(cfg, reference, outputs=[out])
    check_render_request(PHOTO_ONLY, cfg, outputs=[out])
    renderer = Renderer.from_photo(str(reference), device)
    renderer.render(cfg, progress=progress)
    notes = [renderer.alignment_note]
    if is_colour(read_photo(image)):
        notes.insert(0, "note: this photo is in colour; only its lightness (L*) is coloured")
    return Result(out.stem, _shown(str(image), out), str(out), None, {"image": str(image), "reference": str(reference)},
                  "\n".join(n for n in notes if n))


def _shown(image: str, out: Path) -> str:
    """The input ``image`` as the page shows it (and is clicked on): itself, or a PNG copy beside the
    result ``out`` where a browser cannot show its type (e.g. a TIFF scan)."""
    from utils.image_io import read_photo, write_image

    if Path(image).suffix.lower() in BROWSER_TYPES:
        return image
    return str(write_image(out.with_name(out.stem + "-input.png"), read_photo(image)))


def hint_list(text: str | None) -> list:
    """The hints in the page's text box (``process.py --hints``' JSON; empty: none), as a list of
    entries, not yet checked against an input (``preprocess.hints.parse_hints`` does that)."""
    if not text or not text.strip():
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"hints: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    from preprocess.hints import hint_entries

    return hint_entries(data)


def hint_text(entries: list) -> str:
    """Hints as the text box shows them: a JSON list, one hint a line."""
    if not entries:
        return ""
    return "[\n" + ",\n".join("  " + json.dumps(e) for e in entries) + "\n]"


def hex_colour(value: str | None) -> str:
    """The colour picker's value as '#rrggbb' (it may give '#rgb', '#rrggbb', '#rrggbbaa' or 'rgb(a)(...)')."""
    import re

    text = (value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        return "#" + "".join(c * 2 for c in text[1:])
    if re.fullmatch(r"#[0-9a-f]{6}([0-9a-f]{2})?", text):
        return text[:7]
    num = r"\s*(\d+(?:\.\d+)?)\s*"
    m = re.fullmatch(rf"rgba?\({num},{num},{num}(?:,{num})?\)", text)
    if m:
        return "#" + "".join(f"{min(255, round(float(v))):02x}" for v in m.groups()[:3])
    raise InputError(f"hint colour: expected a colour such as #c0392b, got {value!r}")


def add_hint(text: str | None, x: float, y: float, colour: str | None, radius: float) -> str:
    """The text box's hints with one more point at pixel (x, y) of the input, in ``colour``."""
    entries = hint_list(text)
    entries.append({"x": int(round(x)), "y": int(round(y)), "color": hex_colour(colour), "radius": int(radius)})
    return hint_text(entries)


def hints_shown(ws: Workspace, token: str, image: str, text: str | None) -> str:
    """``image`` (an input as the page shows it) with the hints drawn on it, as a new file; the
    image itself when there are none. Hints are checked against its size, with the one-line
    errors ``process.py --hints`` gives."""
    from preprocess.hints import draw_hints, parse_hints
    from utils.image_io import read_photo, write_image

    entries = hint_list(text)
    if not entries:
        return image
    rgb = read_photo(image)
    hints = parse_hints(entries, rgb.shape[:2])
    out = ws.new_file(token, "inputs", "hinted", Path(image).stem.split("-", 2)[-1], ".png")
    return str(write_image(out, draw_hints(rgb, hints)))


# --- 4. vary ---------------------------------------------------------------------------
def _palette_file(ws: Workspace, token: str, upload) -> str:
    """An uploaded .gpl/.json palette, read like generate_styles.py reads it; a JSON palette's
    name (which names its output file) is reduced to a safe stem."""
    from config.color_palettes import load_palette
    from utils.image_io import write_json

    path = ws.take_upload(token, upload, "palette", PALETTE_TYPES)
    pal = load_palette(path)
    if path.suffix == ".json" and safe_stem(pal.name, "") != pal.name:
        data = json.loads(path.read_text())
        data["name"] = safe_stem(pal.name, "palette")
        write_json(path, data)
    return str(path)


def vary(ws: Workspace, token: str, run: Path | None, render: dict | None, builtins: list[str], palette_uploads,
         extract_upload, k: int, mode: str, style_uploads, device: str = "auto") -> tuple[dict, Path]:
    """``generate_styles.py`` for the last colorized input (default: the bundled sample's held-out view), with
    ``run``, or (a result coloured from the reference photo alone) ``generate_styles.py --reference``."""
    from process.render import RenderConfig
    from variants.styles import StylesConfig, generate_styles

    palettes = list(builtins or []) + [_palette_file(ws, token, u) for u in palette_uploads or []]
    extract = []
    if extract_upload is not None:
        extract.append(f"{ws.take_upload(token, extract_upload, 'extract', IMAGE_TYPES)}:{int(k)}")
    styles = [str(ws.take_upload(token, u, "style", IMAGE_TYPES)) for u in style_uploads or []]
    if not (palettes or extract or styles):
        raise InputError("choose at least one palette, a palette file, an image to take a palette from, "
                         "or a style image")
    out = ws.new_folder(token, "variants")
    fields = {k_: v for k_, v in (render or {}).items() if k_ not in ("style", "reference")}
    reference = (render or {}).get("reference")  # a result coloured from the reference photo alone: no run
    if run is None and not reference:
        raise InputError("choose a run in the list at the top (train one in the Train tab)")
    if run is not None:
        fields["checkpoint"] = str(run)
    cfg = StylesConfig(render=RenderConfig(device=device, **fields), out=str(out),
                       palettes=palettes, extract=extract, mode=mode, styles=styles, reference=reference)
    return generate_styles(cfg, progress=False), out


def variant_cells(row: dict) -> list[str]:
    """One row of the page's variant table: the columns generate_styles.py prints ('-' where a
    variant has no such score), HTML-escaped."""
    adherence = f"{row['palette_delta_e00']:.2f}" if "palette_delta_e00" in row else "-"
    moved = f"{row['lightness_moved']:.2f}" if "lightness_moved" in row else "-"
    return [html.escape(row["variant"]), f"{row['structure_ssim']:.3f}", f"{row['gradient_corr']:.3f}", adherence, moved]


def variant_caption(row: dict) -> str:
    """One gallery caption: the numbers generate_styles.py prints for a variant."""
    text = f"{row['variant']}: structure SSIM {row['structure_ssim']:.3f}, gradient corr {row['gradient_corr']:.3f}"
    if "palette_delta_e00" in row:
        text += f", palette ΔE00 {row['palette_delta_e00']:.2f}"
    return text


# --- 5. views --------------------------------------------------------------------------
def _colour_and_depth(result: Result) -> tuple[np.ndarray, np.ndarray]:
    from utils.image_io import read_photo
    if result.depth is None:
        raise InputError("a wiggle GIF or a stereo pair needs depth; this result was rendered without it")
    return read_photo(result.image), np.load(result.depth)


def wiggle(ws: Workspace, token: str, result: Result) -> Path:
    """The wiggle GIF ``process.py --wiggle`` writes for the same render."""
    from preprocess.view.generate_wiggle_gif import wiggle_from_render
    rgb, depth = _colour_and_depth(result)
    return wiggle_from_render(rgb, depth, ws.new_file(token, "results", "wiggle", result.name, ".gif"))


def stereo_anaglyph(ws: Workspace, token: str, result: Result) -> Path:
    """A red-cyan anaglyph of a result (``generate_multiview``'s stereo pair, default baseline)."""
    from preprocess.view.generate_multiview import anaglyph, stereo_pair
    from utils.image_io import write_image
    rgb, depth = _colour_and_depth(result)
    return write_image(ws.new_file(token, "results", "anaglyph", result.name, ".png"), anaglyph(*stereo_pair(rgb, depth)))
