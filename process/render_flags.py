"""The rendering flags that ``process.py``, ``batch_process.py``, ``generate_styles.py`` and
``process/high_res.py`` share (and ``evaluate.py`` those of how colours are made), declared once,
and the one way parsed flags become a :class:`process.render.RenderConfig`."""
from __future__ import annotations

import argparse

from config.defaults import (ALIGN_MODES, BW_COLOUR, BW_COLOURS, CHROMA_SMOOTH, CONTEXT, CONTEXTS, DEVICES, DOWNSCALE,
                             MIRROR_AVERAGE, OVERLAP, TILE, TONES)
from postprocess.line_structure import LINE_MODES, LINES, REACH

# The flags that set how the network runs, by the attribute each is parsed to: where a render runs
# no network (a black-and-white model's colours from its training photo, or --reference) they are
# refused by name (process.preflight) rather than left without effect.
RUN_NETWORK_FLAGS = {"bf16": "--bf16", "tile": "--tile", "overlap": "--overlap"}
COLOUR_NETWORK_FLAGS = {"mirror_average": "--mirror-average", "context": "--context"}


def add_render_flags(p: argparse.ArgumentParser, hints: bool = True, photos: bool = True) -> None:
    """Device, precision, reference alignment, how the colours are made (:func:`add_colour_flags`),
    (``photos``: scripts that take black-and-white photos) print restoration, and (``hints``) the
    hint fill."""
    p.add_argument("--device", default="auto", choices=DEVICES)
    p.add_argument("--bf16", action="store_true", default=argparse.SUPPRESS,
                   help="bfloat16 inference: about 2x faster on CUDA and bf16-capable CPUs, ~1/255 difference")
    p.add_argument("--align", default="auto", choices=ALIGN_MODES,
                   help="auto: where a drawing (line-drawing model) or black-and-white photo lines up with the "
                        "training photo, take the colours from the aligned photo (a perspective map refined by "
                        "dense optical flow) and correct the network's colours near it; homography: the perspective "
                        "map alone; off: the network's colours only")
    add_colour_flags(p, photos)
    if photos:
        p.add_argument("--restore", action="store_true",
                       help="black-and-white models: remove dust and scratches and descreen halftones from the photo's "
                            "lightness before colouring; the output then keeps the restored lightness (without it: the "
                            "print as it is)")
        p.add_argument("--tones", default="print", choices=TONES,
                       help="black-and-white models: print: the output keeps the photo's own lightness; photo: a faded "
                            "print's black and white points are stretched to the training photo's and a halftone "
                            "screen is removed, so the output has the photo's tones (a note says what changed)")
    if hints:
        p.add_argument("--hint-fill", default="on", choices=["on", "off"],
                       help="on: each hinted region (closed by the drawing's lines) takes its hint's colour, "
                            "its shading kept (a black-and-white photo: the hints' a*, b* carried along its "
                            "lightness); off: only what the network makes of the hints")


def add_colour_flags(p: argparse.ArgumentParser, photos: bool = True) -> None:
    """How a render's colours are made before reference alignment, the flags ``evaluate.py`` shares
    too: mirror averaging, attention context, a drawing's lines, and (``photos``) a black-and-white
    photo's colour source and chroma smoothing."""
    p.add_argument("--mirror-average", default=argparse.SUPPRESS, choices=["on", "off"],
                   help="on: the network also colours the mirrored input and the two are averaged (twice the "
                        "network's time); off: one pass (default: %s)" % ("on" if MIRROR_AVERAGE else "off"))
    p.add_argument("--context", default=argparse.SUPPRESS, choices=CONTEXTS,
                   help="what the network's attention looks at: whole: the whole input; local: each "
                        "neighbourhood of the training patches' size, so a thing's colour does not depend on "
                        "what else the frame holds (about 4x the network's time; default: %s)" % CONTEXT)
    p.add_argument("--lines", default=LINES, choices=LINE_MODES,
                   help="line-drawing models: keep: the drawing's own strokes drawn over the colours as ink; "
                        "hide: the colours alone (either way the colours change where the drawing has a line)")
    p.add_argument("--line-reach", type=float, metavar="PX", default=REACH,
                   help="line-drawing models: how far the network's colours are evened out inside the areas the "
                        "drawing's lines bound, px (0: the network's colours as they are)")
    if photos:
        p.add_argument("--bw-colour", default=BW_COLOUR, choices=BW_COLOURS,
                       help="black-and-white models: where the colours come from: transfer: the training photo's, "
                            "each pixel's from the training-photo pixels whose surrounding lightness looks most like "
                            "its own; network: the model's own prediction; both: the mean of the two")
        p.add_argument("--chroma-smooth", type=int, metavar="PX", default=argparse.SUPPRESS,
                       help="black-and-white models: a*, b* smoothed along the photo's own lightness (guided filter) "
                            "with this radius; 0: the colours as they came (default: %d)" % CHROMA_SMOOTH)


def add_tiling_flags(p: argparse.ArgumentParser, tile: int = TILE, untiled: bool = True) -> None:
    """The network's tiling, ``tile`` px tiles by default (their defaults are applied by :func:`render_config`,
    so that a flag given is known from one left out); ``untiled``: whether ``--tile 0`` (no tiling) is offered."""
    never = "0: never tile; " if untiled else ""
    p.add_argument("--tile", type=int, default=argparse.SUPPRESS,
                   help=f"tile side, multiple of {DOWNSCALE} ({never}default: {tile})")
    p.add_argument("--overlap", type=int, default=argparse.SUPPRESS,
                   help=f"tile overlap, multiple of {DOWNSCALE} (default: {OVERLAP})")


def _given(a: argparse.Namespace, flags: dict[str, str]) -> tuple[str, ...]:
    """Which of ``flags`` (attribute: flag) the user gave: their defaults are ``argparse.SUPPRESS``."""
    return tuple(flag for dest, flag in flags.items() if dest in vars(a))


def given_network_flags(a: argparse.Namespace) -> tuple[str, ...]:
    """The flags given that set how the network runs (``RenderConfig.network_flags``), of those ``a``'s
    parser declares with :func:`add_render_flags`, :func:`add_colour_flags` and :func:`add_tiling_flags`."""
    return _given(a, RUN_NETWORK_FLAGS) + _given(a, COLOUR_NETWORK_FLAGS)


def colour_settings(a: argparse.Namespace) -> dict:
    """:func:`add_colour_flags`' parsed flags as :class:`process.render.RenderConfig` fields, with the
    flags given that set how the network runs (:func:`given_network_flags`: refused where none runs)."""
    return dict(chroma_smooth=getattr(a, "chroma_smooth", None),
                mirror_average=getattr(a, "mirror_average", "on" if MIRROR_AVERAGE else "off") == "on",
                context=getattr(a, "context", CONTEXT), lines=a.lines, line_reach=a.line_reach,
                bw_colour=getattr(a, "bw_colour", BW_COLOUR), network_flags=given_network_flags(a))


def render_config(a: argparse.Namespace, tile: int = TILE, **fields):
    """A :class:`RenderConfig` from :func:`add_render_flags`' (and :func:`add_tiling_flags`') parsed flags and
    the script's own ``fields``; ``tile``: the tile side where ``--tile`` is not given."""
    from process.render import RenderConfig

    shared = dict(device=a.device, bf16=getattr(a, "bf16", False), align=a.align, restore=getattr(a, "restore", False),
                  tones=getattr(a, "tones", "print"), tile=getattr(a, "tile", tile),
                  overlap=getattr(a, "overlap", OVERLAP), **colour_settings(a))
    if hasattr(a, "hint_fill"):
        shared["hint_fill"] = a.hint_fill == "on"
    return RenderConfig(**shared, **fields)
