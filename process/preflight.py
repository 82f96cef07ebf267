"""What a checkpoint needs from the inputs, checked before any input is read.

A 144-megapixel photo takes seconds and gigabytes to read and sketch; a wrong flag should
cost neither. :func:`check_render_request` compares a render request with the loaded
model's :class:`config.defaults.ModelConfig` (depth, mask, luminance channels), the tile
settings, the input files' existence and the output path, and raises
:class:`utils.errors.InputError` naming what to change.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

from config.defaults import ALIGN_MODES, BW_COLOUR, BW_COLOURS, CONTEXTS, DOWNSCALE, TONES, ModelConfig
from postprocess.line_structure import LINE_MODES
from utils.errors import InputError
from utils.image_io import IMAGE_FORMATS, check_distinct, check_not_input, check_suffix, check_writable


MIN_TILE = 32  # px; smaller tiles are mostly overlap and padding


def check_tiling(tile: int, overlap: int) -> None:
    """Refuse tile sizes tiled inference (``process/tiling.py``) cannot use (``tile`` 0 means: never tile)."""
    if tile == 0:
        return
    if tile < MIN_TILE or tile % DOWNSCALE:
        raise InputError(f"--tile must be 0 (never tile) or a multiple of {DOWNSCALE} of at least {MIN_TILE}, "
                         f"got {tile}")
    if overlap < 0 or overlap % DOWNSCALE or overlap >= tile:
        raise InputError(f"--overlap must be a multiple of {DOWNSCALE} from 0 to less than --tile ({tile}), "
                         f"got {overlap} (with a --tile this small, give --overlap too: its default may not fit)")


def _given(value) -> bool:
    return value not in (None, "none")


def note_idle_hint_fill(hint_fill: bool, hints_flag: str, hints) -> None:
    """Say once that ``--hint-fill off`` does nothing when no hints were given (``hints_flag``:
    the flag that gives them)."""
    if not hint_fill and not hints:
        print(f"note: --hint-fill off has nothing to act on without {hints_flag}", file=sys.stderr)


def check_network_colours(model_cfg: ModelConfig, bw_colour: str, what: str) -> None:
    """Refuse ``what`` (a flag that changes the network's colours: a style, a learned palette, the
    network's own reading of hints) where a black-and-white model's colours come from the training
    photo alone (``bw_colour`` transfer): there it would change nothing."""
    if model_cfg.use_luminance and bw_colour == "transfer":
        raise InputError(f"{what} changes the network's colours, and this black-and-white render takes its colours "
                         "from the training photo (--bw-colour transfer, the default): add --bw-colour network or both")


def runs_network(model_cfg: ModelConfig, bw_colour: str, keeps_photo: bool = True) -> bool:
    """Whether a render runs the network: not where a black-and-white model's colours come from its
    training photo alone (``bw_colour`` transfer), unless the checkpoint keeps no photo to take them
    from (``keeps_photo`` False: then the network's colours are used, ``Renderer.bw_colour``)."""
    return not (model_cfg.use_luminance and bw_colour == "transfer" and keeps_photo)


def check_network_flags(model_cfg: ModelConfig, cfg, keeps_photo: bool = True, which: str = "") -> None:
    """Refuse the flags given that set how the network runs (``cfg.network_flags``: ``--bf16``,
    ``--tile``, ``--mirror-average``, ...) where the render runs none (:func:`runs_network`), where they
    would change nothing. ``which``: the model, named in the message (a batch's checkpoint)."""
    if cfg.network_flags and not runs_network(model_cfg, cfg.bw_colour, keeps_photo):
        raise InputError(f"{_set_how(cfg.network_flags)} the network runs, and {which or 'this'} black-and-white "
                         "render takes its colours from the training photo without it (--bw-colour transfer, the "
                         f"default): add --bw-colour network or both, or leave {_it(cfg.network_flags)} out")


def _set_how(flags) -> str:
    """'--a sets how' / '--a and --b set how' / '--a, --b and --c set how'."""
    listed = " and ".join(flags) if len(flags) < 3 else ", ".join(flags[:-1]) + " and " + flags[-1]
    return f"{listed} set{'s' if len(flags) == 1 else ''} how"


def _it(flags) -> str:
    return "it" if len(flags) == 1 else "them"


def check_input_file(path, flag: str) -> None:
    """Refuse a ``flag``'s input ``path`` that is a folder or does not exist, naming the flag."""
    if not Path(path).is_file():
        raise InputError(f"{flag}: {path} is a folder, not a file" if Path(path).is_dir()
                         else f"{flag}: file not found: {path}")


def check_photo_only_request(cfg, reference, outputs=()) -> None:
    """Refuse what a render from the colour photo ``reference`` alone (``--reference``) cannot do: it
    has no network, so it colours a black-and-white photo (``--image``) from the photo's colours by
    lookup and alignment, and nothing that needs a trained model; and any of ``outputs`` that would
    write over the reference. The photo itself is read and checked by ``process.render.read_reference_photo``."""
    check_input_file(reference, "--reference")
    for out in outputs:
        if out is not None:
            check_not_input(out, [reference])
    if not cfg.image:
        raise InputError("--reference colours a black-and-white photo from a colour one: give --image")
    if cfg.bw_colour != "transfer":
        raise InputError(f"--bw-colour {cfg.bw_colour} needs a trained network and --reference has none: give "
                         "--checkpoint of a model trained with train.py --luminance instead, or leave out --bw-colour")
    for flag, value in (("--style", cfg.style), ("--hints", cfg.hints), ("--mask", cfg.mask)):
        if value:
            raise InputError(f"{flag} needs a trained model and --reference has none: give --checkpoint instead")
    if cfg.depth not in (None, "none"):
        raise InputError("--reference colours without depth: leave out --depth")
    if cfg.network_flags:
        raise InputError(f"{_set_how(cfg.network_flags)} a network runs, and --reference colours without one: "
                         f"leave {_it(cfg.network_flags)} out")


def check_training_photo_kept(tones: str, keeps_reference: bool) -> None:
    """Refuse ``--tones photo`` (``tones``), which takes the tones from the training photo, where the
    checkpoint keeps none (``keeps_reference`` False); the scripts check it before any input is read."""
    if tones == "photo" and not keeps_reference:
        raise InputError("--tones photo takes its tones from the training photo, which this checkpoint does not "
                         "keep (saved before reference alignment): retrain it, or leave out --tones")


def check_render_request(model_cfg: ModelConfig, cfg, outputs=(), check_files: bool = True,
                         keeps_photo: bool = True) -> None:
    """Refuse a render request (``process.render.RenderConfig``) this model cannot serve.

    ``outputs``: every file the request will write (default: ``cfg.out``); ``check_files``:
    also refuse input files that do not exist (batch processing checks its files one by one);
    ``keeps_photo``: whether the checkpoint keeps its training photo (:func:`check_network_flags`)."""
    if cfg.image and cfg.sketch:
        raise InputError("give --image or --sketch, not both")
    check_tiling(cfg.tile, cfg.overlap)
    if cfg.align not in ALIGN_MODES:
        raise InputError(f"--align must be one of {', '.join(ALIGN_MODES)}, got {cfg.align!r}")
    if cfg.chroma_smooth is not None:
        if cfg.chroma_smooth < 0:
            raise InputError(f"--chroma-smooth must be a radius >= 0 px (0: off), got {cfg.chroma_smooth}")
        if not model_cfg.use_luminance:
            raise InputError("--chroma-smooth is for black-and-white models (train.py --luminance); "
                             "this model predicts lightness too")
    if cfg.restore and not model_cfg.use_luminance:
        raise InputError("--restore cleans a black-and-white photo's lightness for a black-and-white model "
                         "(train.py --luminance); this model does not read a photo's lightness: leave out --restore")
    if cfg.tones not in TONES:
        raise InputError(f"--tones must be one of {', '.join(TONES)}, got {cfg.tones!r}")
    if cfg.tones != "print" and not model_cfg.use_luminance:
        raise InputError(f"--tones {cfg.tones} restores a black-and-white photo's tones for a black-and-white model "
                         "(train.py --luminance); this model does not read a photo's lightness: leave out --tones")
    if cfg.bw_colour not in BW_COLOURS:
        raise InputError(f"--bw-colour must be one of {', '.join(BW_COLOURS)}, got {cfg.bw_colour!r}")
    if cfg.bw_colour != BW_COLOUR and not model_cfg.use_luminance:
        raise InputError(f"--bw-colour {cfg.bw_colour} chooses a black-and-white model's colours (train.py "
                         "--luminance); this model predicts colour from its guides: leave out --bw-colour")
    if cfg.style:
        check_network_colours(model_cfg, cfg.bw_colour, "--style")
    if cfg.hints and not cfg.hint_fill:
        check_network_colours(model_cfg, cfg.bw_colour, "--hint-fill off (the network's own reading of the hints)")
    if cfg.context not in CONTEXTS:
        raise InputError(f"--context must be one of {', '.join(CONTEXTS)}, got {cfg.context!r}")
    if cfg.lines not in LINE_MODES:
        raise InputError(f"--lines must be one of {', '.join(LINE_MODES)}, got {cfg.lines!r}")
    if not (cfg.line_reach >= 0 and math.isfinite(cfg.line_reach)):
        raise InputError(f"--line-reach must be a distance >= 0 px (0: the network's colours as they are), "
                         f"got {cfg.line_reach}")
    hints = cfg.hints
    for flag, path in (("--image", cfg.image), ("--sketch", cfg.sketch), ("--depth", cfg.depth),
                       ("--mask", cfg.mask), ("--style", cfg.style), ("--hints", hints)):
        if check_files and _given(path):
            check_input_file(path, flag)
    sample = not (cfg.image or cfg.sketch)
    if sample and (_given(cfg.depth) or _given(cfg.mask)):
        raise InputError("--depth FILE and --mask need --image or --sketch")
    if model_cfg.use_depth:
        if cfg.depth == "none":
            raise InputError("this model was trained with depth; give --depth FILE"
                             + (" or leave --depth out to estimate it from the photo" if cfg.image else ""))
        if cfg.sketch and cfg.depth is None:
            raise InputError("a sketch has no photo to estimate depth from: give --depth FILE")
    elif _given(cfg.depth):
        raise InputError("this model was trained without depth; leave out --depth (or give --depth none)")
    if model_cfg.num_labels > 0 and not _given(cfg.mask):
        raise InputError("this model was trained with a semantic mask; give --mask")
    if model_cfg.num_labels == 0 and _given(cfg.mask):
        raise InputError("this model was trained without a semantic mask; leave out --mask")
    if hints and not model_cfg.hints:
        raise InputError("this model was trained without colour hints; retrain with train.py --hints to give it hints")
    if model_cfg.use_luminance and cfg.sketch:
        raise InputError("this model colorizes grayscale photos; give --image, not --sketch")
    check_network_flags(model_cfg, cfg, keeps_photo)
    if cfg.out is not None:
        check_suffix(cfg.out, IMAGE_FORMATS)
    inputs = [cfg.image, cfg.sketch, cfg.depth, cfg.mask, cfg.style, hints]
    outputs = outputs or [cfg.out]
    check_distinct(outputs)
    for out in outputs:
        if out is not None:
            check_not_input(out, inputs)
            check_writable(out)
