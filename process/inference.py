"""Colorize one view with a trained network: guides in, RGB out.

:func:`colorize` runs the whole image at once, or in tiles when ``tile`` is given
(``process/tiling.py``); both return (H, W, 3) float32 RGB in [0, 1].

Mirror averaging (on by default, :data:`config.defaults.MIRROR_AVERAGE`): the network also colours
the view with left and right swapped (``Guides.mirror``: every channel flipped, positions kept,
as in the horizontally flipped patches it was trained on), and the two results, flipped back, are
averaged in CIELAB. Two readings of one view by one network err partly independently; in CIELAB
the squared error of their mean is at most the mean of theirs (RGB scores after gamut reduction
can move either way by a little: ``bench/mirror_average.py``). The test-time flip of image
restoration networks; it costs a second pass, and is meant for networks trained on flipped
patches (``augment.hflip``, the default; ``process.render.Renderer.mirror_average`` checks).

Attention context (``context``, :data:`config.defaults.CONTEXT`): the bottleneck attends to pooled
tokens of the whole view, or (``local``) only to those of the :data:`~config.defaults.LOCAL_CONTEXT`-px
neighbourhood around each place: the view is coloured in tiles of that side, half overlapping,
each with its own context, and blended. The network learnt from patches of that size, so a local
context is the scale it knows, and a thing's colour no longer changes with what else the frame
holds (``bench/framing.py``); it costs about four times the network's time.

A black-and-white model's input may be an old print (``preprocess/restore.py``). Its chroma is
smoothed along the input's lightness with any halftone screen removed, so the dots guide no
chroma edges, and a dust speck or scratch does not get a colour of its own: a*, b* there (and
a little around it) are the undamaged surroundings' (:func:`chroma_over_damage`); L* stays the
input's, damage and all.
"""
from __future__ import annotations

import cv2
import numpy as np
import torch

from config.defaults import (BAND_ROWS, BW_COLOUR, BW_COLOURS, CHROMA_SMOOTH, CONTEXT, CONTEXTS, LOCAL_CONTEXT,
                             MIRROR_AVERAGE)
from models.inputs import Guides, encode_guides
from models.unet import SemColorNet
from postprocess.chroma_smoothing import smooth_chroma
from postprocess.chroma_transfer import ChromaDatabase
from process.device import precision_context, to_batch
from process.tiling import colorize_tiled
from preprocess.restore import Screen, descreen, find_damage, find_screen, grow_mask, screen_of
from preprocess.tone_curve import ToneCurve
from utils.color_utils import space_to_rgb
from utils.cielab import image_to_lab, lab_to_rgb_keep_lightness, rgb_with_lightness

DAMAGE_GROW = 2          # px: dust and scratches found are grown by this before their chroma is replaced
DAMAGE_REACH = 4.0       # px: sigma of the Gaussian weights of the surroundings whose chroma replaces it
DAMAGE_BLOCK = 256       # px: damaged chroma is replaced block by block; blocks without damage are skipped


@torch.no_grad()
def colorize(model: SemColorNet, guides: Guides, style: torch.Tensor | None = None, tile: int | None = None,
             overlap: int = 64, device=None, progress: bool = False, bf16: bool = False,
             chroma_smooth: int = CHROMA_SMOOTH, mirror_average: bool = MIRROR_AVERAGE,
             context: str = CONTEXT) -> np.ndarray:
    """Guides of one view -> (H, W, 3) float32 RGB in [0, 1].

    ``bf16``: bfloat16 autocast (about twice as fast on bf16-capable CPUs and GPUs; outputs
    differ from full precision by roughly 1/255). ``chroma_smooth``: a black-and-white
    model's a*, b* are guided-filtered along the input's L* with this radius, px
    (:mod:`postprocess.chroma_smoothing`; 0: as predicted); other models ignore it.
    ``mirror_average``: also colour the mirrored view and average the two (module docstring).
    ``context``: ``whole`` (the attention bottleneck attends to the whole view) or ``local``
    (to each :data:`LOCAL_CONTEXT`-px neighbourhood's own tokens: tiles of that side, half
    overlapping, each with its own context; module docstring)."""
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}, got {context!r}")
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        out = _colorize_once(model, guides, style, tile, overlap, device, progress, bf16, context=context)
        if mirror_average:
            mirrored = _colorize_once(model, guides.mirror(), style, tile, overlap, device, progress, bf16,
                                      desc="mirrored ", context=context)
            light = guides.luminance if model.cfg.use_luminance else None
            out = average_in_lab(out, mirrored[:, ::-1], light)
    finally:
        model.train(was_training)
    if model.cfg.use_luminance and guides.luminance is not None:
        out = finish_black_and_white(out, guides.luminance, chroma_smooth)
    return out


def finish_black_and_white(rgb: np.ndarray, lightness: np.ndarray, chroma_smooth: int = CHROMA_SMOOTH,
                           screen: Screen | None | str = "find") -> np.ndarray:
    """A black-and-white input's colours ``rgb`` (its L* already ``lightness``) made fit for an old
    print (module docstring): a*, b* smoothed along the lightness without any halftone screen
    (radius ``chroma_smooth`` px; 0: not smoothed), then over dust and scratches taken from the
    surroundings. L* stays the input's. ``screen``: the input's halftone screen, None, or "find"."""
    screen = screen_of(lightness, screen)
    guide = lightness if screen is None else descreen(lightness, screen)  # (H, W) L* / 100 without the dots
    if chroma_smooth > 0:
        rgb = smooth_chroma(rgb, guide, chroma_smooth)
        if screen is not None:  # smoothing gave the descreened L*; the output keeps the input's
            rgb = with_lightness(rgb, lightness)
    return chroma_over_damage(rgb, lightness, find_damage(guide, screen=None))  # guide: screen removed already


def colorize_black_and_white(model: SemColorNet | None, guides: Guides, database: ChromaDatabase | None,
                             source: str = BW_COLOUR, chroma_smooth: int = CHROMA_SMOOTH,
                             notes: list[str] | None = None, curve: ToneCurve | None = None, blur: float = 0.0,
                             **network) -> np.ndarray:
    """A black-and-white model's colours for ``guides`` (whose ``luminance`` is the photo's L*) from
    ``source`` (:data:`config.defaults.BW_COLOURS`): ``network``, the model's own; ``transfer``, the
    training photo's, looked up pixel by pixel in its ``database`` on the lightness around each, an
    old print read as the photo it was printed from (:mod:`postprocess.chroma_transfer`; built once
    per training photo, it serves every input);
    ``both``, the mean of the two in CIELAB. Either way finished as :func:`finish_black_and_white`
    finishes it; ``network``: :func:`colorize`'s other settings. ``notes``: where a sentence for the
    user goes when the transfer reads the input as a faded print. ``model`` may be None for
    ``transfer`` (a render from a colour photo alone). ``curve``, ``blur``: the print's tone curve the
    transfer describes it through and the blur a halftone's removal gave it (:func:`transfer_colours`)."""
    if source not in BW_COLOURS:
        raise ValueError(f"source must be one of {BW_COLOURS}, got {source!r}")
    light = guides.luminance
    if light is None or (model is not None and not model.cfg.use_luminance):
        raise ValueError("colorize_black_and_white needs a black-and-white model and a photo's lightness")
    if source != "transfer" and model is None:
        raise ValueError(f"black-and-white colours from {source!r} need a trained network")
    if source != "network" and database is None:
        raise ValueError(f"black-and-white colours from {source!r} need the training photo's database")
    if source == "network":
        return colorize(model, guides, chroma_smooth=chroma_smooth, **network)
    transferred = transfer_colours(light, database, chroma_smooth, notes, curve, blur)
    if source == "transfer":
        return transferred
    return average_in_lab(colorize(model, guides, chroma_smooth=chroma_smooth, **network), transferred, light)


def transfer_colours(lightness: np.ndarray, database: ChromaDatabase, chroma_smooth: int = CHROMA_SMOOTH,
                     notes: list[str] | None = None, curve: ToneCurve | None = None, blur: float = 0.0) -> np.ndarray:
    """``--bw-colour transfer``: the (H, W) L* / 100 ``lightness`` coloured from the training photo's
    ``database`` (an old print read as the photo it was printed from: through its tone ``curve``
    where one was read where it lines up with the photo, ``process/print_tones.py``, else by its
    levels), finished as :func:`finish_black_and_white` finishes it: (H, W, 3) RGB in [0, 1] with
    ``lightness`` kept. ``notes``: where a sentence for the user goes when the input is read through
    a curve or as a faded print. ``blur``: the Gaussian (sigma, px) a halftone screen's removal
    already blurred ``lightness`` by (``--restore``, ``--tones photo``), which the photo is described
    through (``ChromaDatabase.chroma``); a screen still in ``lightness`` brings its own."""
    screen = find_screen(lightness)
    blur = screen.blur if screen is not None else blur
    if curve is not None:
        ab = database.chroma(curve.apply(descreen(lightness, screen)), blur=blur)
        if notes is not None:
            notes.append(f"{curve.describe()} is undone to match its colours; its own L* is kept (--tones photo gives "
                         "the output the photo's tones)")
    else:
        ab, fade = database.print_chroma(lightness, screen, blur)
        if fade is not None and notes is not None:
            notes.append(fade.describe())
    ab = torch.from_numpy(ab).permute(2, 0, 1)[None]
    return finish_black_and_white(rgb_with_lightness(lightness, ab), lightness, chroma_smooth, screen)


def _colorize_once(model: SemColorNet, guides: Guides, style, tile, overlap, device, progress, bf16,
                   desc: str = "", context: str = CONTEXT) -> np.ndarray:
    h, w = guides.shape
    if context == "local":
        return colorize_tiled(model, guides, tile=LOCAL_CONTEXT, overlap=LOCAL_CONTEXT // 2, style=style,
                              device=device, progress=progress, bf16=bf16, desc=desc, shared_context=False)
    if tile and max(h, w) > tile:
        return colorize_tiled(model, guides, tile=tile, overlap=overlap, style=style, device=device,
                              progress=progress, bf16=bf16, desc=desc)
    x, labels = encode_guides(guides, model.cfg)
    xt, lt = to_batch(x, labels, device)
    with precision_context(device, bf16):
        raw = model(xt, lt, style=style)
    return space_to_rgb(raw.float(), model.cfg.color_space)[0].permute(1, 2, 0).cpu().numpy()


def average_in_lab(a: np.ndarray, b: np.ndarray, lightness: np.ndarray | None = None,
                   band: int = BAND_ROWS) -> np.ndarray:
    """``a`` overwritten, band of ``band`` rows by band, with the mean of the two (H, W, 3) RGB
    images in CIELAB, as RGB (in gamut by chroma reduction), and returned: a large scan needs
    no third full-size image. ``lightness`` (H, W) L* / 100: the mean's L* is this exactly
    (a black-and-white input's own)."""
    for top in range(0, a.shape[0], band):
        rows = slice(top, top + band)
        mean = (image_to_lab(a[rows]) + image_to_lab(b[rows])) / 2
        a[rows] = lab_to_rgb_keep_lightness(mean)[0].permute(1, 2, 0).numpy() if lightness is None \
            else rgb_with_lightness(lightness[rows], mean[:, 1:])
    return a


def with_lightness(rgb: np.ndarray, lightness: np.ndarray, band: int = BAND_ROWS) -> np.ndarray:
    """``rgb`` (H, W, 3) in [0, 1], overwritten band by band with its a*, b* at L* / 100 =
    ``lightness`` (H, W) (in gamut by chroma reduction), and returned."""
    for top in range(0, rgb.shape[0], band):
        rows = slice(top, top + band)
        rgb[rows] = rgb_with_lightness(lightness[rows], image_to_lab(rgb[rows])[:, 1:])
    return rgb


def chroma_over_damage(rgb: np.ndarray, lightness: np.ndarray, damage: np.ndarray, grow: int = DAMAGE_GROW,
                       reach: float = DAMAGE_REACH, block: int = DAMAGE_BLOCK) -> np.ndarray:
    """``rgb`` (H, W, 3) in [0, 1] with the chroma of the ``damage`` pixels (bool (H, W), grown
    by ``grow`` px) replaced by their surroundings': a*, b* the Gaussian-weighted (sigma
    ``reach`` px) mean of the undamaged pixels' around them (a normalised convolution), L* /
    100 = ``lightness`` (H, W). Every other pixel is left as it was; ``rgb`` is overwritten
    and returned. Worked in ``block`` px blocks, each with the margin its weights reach, and
    blocks without damage are skipped, so a large scan with a few specks costs little. A
    damaged pixel with no undamaged one within reach keeps its chroma."""
    mask = grow_mask(damage, grow)
    if not mask.any():
        return rgb
    h, w = mask.shape
    margin = int(np.ceil(4 * reach)) + 1  # the reach of cv2's Gaussian kernel for float32 images

    def blur(a: np.ndarray) -> np.ndarray:  # outside the block counts as missing (weight 0)
        return cv2.GaussianBlur(a, (0, 0), reach, borderType=cv2.BORDER_CONSTANT)

    for y0 in range(0, h, block):
        for x0 in range(0, w, block):
            core = mask[y0:y0 + block, x0:x0 + block]
            if not core.any():
                continue
            ya, yb = max(0, y0 - margin), min(h, y0 + block + margin)
            xa, xb = max(0, x0 - margin), min(w, x0 + block + margin)
            ab = image_to_lab(rgb[ya:yb, xa:xb])[0, 1:].numpy()                       # (2, h', w')
            valid = (~mask[ya:yb, xa:xb]).astype(np.float32)
            weight = blur(valid)
            inner = (slice(y0 - ya, y0 - ya + core.shape[0]), slice(x0 - xa, x0 - xa + core.shape[1]))
            pick = core & (weight[inner] > 1e-6)
            if not pick.any():
                continue
            mean_ab = [blur(c * valid)[inner][pick] / weight[inner][pick] for c in ab]    # 2 x (N,)
            light = np.asarray(lightness[y0:y0 + block, x0:x0 + block], np.float32)[pick] * 100.0
            lab = torch.from_numpy(np.stack([light, *mean_ab]).astype(np.float32))[None, :, :, None]  # (1, 3, N, 1)
            rgb[y0:y0 + block, x0:x0 + block][pick] = lab_to_rgb_keep_lightness(lab)[0, :, :, 0].T.numpy()
    return rgb
