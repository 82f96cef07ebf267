"""The rendering flags that ``process.py``, ``batch_process.py``, ``generate_styles.py`` and
``process/high_res.py`` share (and ``evaluate.py`` those of how colours are made), declared once,
and the one way parsed flags become a :class:`process.render.RenderConfig`."""
from __future__ import annotations

import argparse

from config.defaults import (ALIGN_MODES, BW_COLOUR, BW_COLOURS, CHROMA_SMOOTH, CONTEXT, CONTEXTS, DEVICES, MIRROR_AVERAGE,
                             TONES)
from postprocess.line_structure import LINE_MODES, LINES, REACH


def add_render_flags(p: argparse.ArgumentParser, hints: bool = True, photos: bool = True) -> None:
    """Device, precision, reference alignment, how the colours are made (:func:`add_colour_flags`),
    (``photos``: scripts that take black-and-white photos) print restoration, and (``hints``) the
    hint fill."""
    p.add_argument("--device", default="auto", choices=DEVICES)
    p.add_argument("--bf16", action="store_true",
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
    p.add_argument("--mirror-average", default="on" if MIRROR_AVERAGE else "off", choices=["on", "off"],
                   help="on: the network also colours the mirrored input and the two are averaged (twice the "
                        "network's time); off: one pass")
    p.add_argument("--context", default=CONTEXT, choices=CONTEXTS,
                   help="what the network's attention looks at: whole: the whole input; local: each "
                        "neighbourhood of the training patches' size, so a thing's colour does not depend on "
                        "what else the frame holds (about 4x the network's time)")
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


def colour_settings(a: argparse.Namespace) -> dict:
    """:func:`add_colour_flags`' parsed flags as :class:`process.render.RenderConfig` fields."""
    return dict(chroma_smooth=getattr(a, "chroma_smooth", None), mirror_average=a.mirror_average == "on",
                context=a.context, lines=a.lines, line_reach=a.line_reach, bw_colour=getattr(a, "bw_colour", BW_COLOUR))


def render_config(a: argparse.Namespace, **fields):
    """A :class:`RenderConfig` from :func:`add_render_flags`' parsed flags and the script's own ``fields``."""
    from process.render import RenderConfig

    shared = dict(device=a.device, bf16=a.bf16, align=a.align, restore=getattr(a, "restore", False),
                  tones=getattr(a, "tones", "print"), **colour_settings(a))
    if hasattr(a, "hint_fill"):
        shared["hint_fill"] = a.hint_fill == "on"
    return RenderConfig(**shared, **fields)
