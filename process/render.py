"""Render one input with a trained checkpoint: what ``process.py`` and ``batch_process.py`` do.

Inputs: a photo (its sketch is extracted with the run's own sketch settings and its depth
estimated unless given), or a drawing taken as it is (``sketch``) with an optional depth
file; with neither, the bundled sample's held-out right view with its depth.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from config.defaults import BW_COLOUR, CHROMA_SMOOTH, CONTEXT, MIRROR_AVERAGE, OVERLAP, TILE, ModelConfig, SketchConfig
from data.samples import stereo_motorcycle_views
from models.checkpoint import load_model, read_reference, sketch_config_of, trained_with_flips
from models.inputs import Guides, check_labels
from preprocess.hints import hint_channels, read_hints
from process.guides import GuideSources, guides_from_photo, guides_from_sketch, is_colour, sample_guides, sketch_of
from process.device import pick_device
from postprocess.chroma_transfer import ChromaDatabase
from postprocess.hint_fill import fill_hints
from process.inference import colorize, colorize_black_and_white
from process.print_tones import photo_tones
from postprocess.line_structure import LINES
from postprocess.line_structure import REACH as LINE_REACH
from postprocess.line_structure import draw_ink, even_within_lines
from postprocess.reference_align import align_and_carry, reference_image
from preprocess.damage_detector import CannotLearn, DamageDetector
from preprocess.restore import find_screen, restore_print
from process.preflight import check_render_request, check_training_photo_kept
from utils.cielab import photo_lightness
from utils.errors import InputError
from utils.image_io import read_gray, read_photo, read_training_photo, write_image


@dataclass
class RenderConfig:
    checkpoint: str = "runs/latest"  # run folder or checkpoint file
    image: str | None = None         # photo to colorize (sketch and depth derived from it)
    sketch: str | None = None        # drawing to colorize as it is
    depth: str | None = None         # depth file, 'none', or None (estimate / sample's own)
    depth_model: str | None = None   # Depth Anything hub id or local folder
    mask: str | None = None          # label map file
    style: str | None = None         # style image for the AdaIN branch (default: the training photo)
    out: str | None = None           # output image; default outputs/<input>_color.png
    tile: int = TILE                 # tile side for images larger than this (0: never tile)
    overlap: int = OVERLAP           # tile overlap, px
    device: str = "auto"
    bf16: bool = False               # bfloat16 inference (about 2x faster where supported)
    hints: str | None = None         # colour hints JSON (preprocess/hints.py), for models trained with --hints
    align: str = "auto"              # auto: a drawing (lines model) or black-and-white photo that lines up with
                                     # the training photo takes its colours there (postprocess/reference_align.py:
                                     # perspective map + dense flow); homography: the perspective map alone; off
    hint_fill: bool = True           # move each hinted region to its hint's colour, shading kept (postprocess/hint_fill.py);
                                     # False: the network's reading of the hints only
    chroma_smooth: int | None = None  # black-and-white models: a*, b* guided-filtered along the input's L* with this
                                      # radius, px (postprocess/chroma_smoothing.py; 0: off); None: CHROMA_SMOOTH
    mirror_average: bool = MIRROR_AVERAGE  # also colour the mirrored view and average the two (process/inference.py)
    context: str = CONTEXT           # the attention's context: whole (the whole input) or local (each neighbourhood's
                                     # own, process/inference.py)
    lines: str = LINES               # line-drawing models: keep: the drawing's strokes drawn over the colours as ink;
                                     # hide: the colours alone (postprocess/line_structure.py)
    line_reach: float = LINE_REACH   # line-drawing models: how far colours are evened out inside the areas the lines
                                     # bound, px (0: the network's colours as they are)
    bw_colour: str = BW_COLOUR       # black-and-white models: where the colours come from: transfer (the training
                                     # photo's, matched on the lightness around each pixel), network, or both
                                     # (process/inference.colorize_black_and_white)
    restore: bool = False            # black-and-white models: dust and scratches inpainted and a halftone screen
                                     # removed from the photo's lightness before colouring; the output keeps the
                                     # restored lightness (preprocess/restore.py)
    tones: str = "print"             # black-and-white models: print: the output keeps the input's L*; photo: a
                                     # faded print's levels stretched to the training photo's and a halftone
                                     # screen removed first (config.defaults.TONES)
    network_flags: tuple[str, ...] = ()  # the flags given that set how the network runs (--bf16, --tile, ...:
                                         # process.render_flags), refused where the render runs no network

    @property
    def chroma_radius(self) -> int:
        return CHROMA_SMOOTH if self.chroma_smooth is None else self.chroma_smooth


def default_out(cfg: RenderConfig) -> Path:
    src = cfg.image or cfg.sketch
    stem = Path(src).stem if src else "motorcycle-right"
    return Path("outputs") / f"{stem}_color.png"


# What a render from a colour photo alone (``Renderer.from_photo``) serves: black-and-white photos,
# their a*, b* from the photo, no depth, no mask, no hints, no network.
PHOTO_ONLY = ModelConfig(color_space="lab", use_depth=False, use_luminance=True, use_style=False)


def read_reference_photo(path) -> np.ndarray:
    """The colour photo ``--reference`` names, as a checkpoint keeps its training photo (uint8, long side
    capped: ``reference_image``). Raises InputError, naming the flag, for a photo that cannot be read,
    has no colour or an alpha channel, or is too small."""
    try:
        return reference_image(read_training_photo(path))
    except InputError as err:
        raise InputError(f"--reference: {err}") from None


class Renderer:
    """Holds one loaded model (or, :meth:`from_photo`, only a colour photo); ``render`` can be called
    for many inputs (batch processing)."""

    def __init__(self, checkpoint: str, device: str = "auto"):
        self.device = pick_device(device)
        self.model, self.meta = load_model(checkpoint, self.device)
        self.sketch_cfg = sketch_config_of(self.meta)
        self.reference = read_reference(checkpoint)
        self._start()

    @classmethod
    def from_photo(cls, photo: str, device: str = "auto") -> Renderer:
        """A Renderer with no network (``process.py --reference``): black-and-white photos take their
        a*, b* from the colour ``photo`` alone, as a black-and-white checkpoint's default render takes
        them from its training photo (``--bw-colour transfer``, reference alignment, ``--restore``,
        ``--tones``), with no training first. Raises InputError for a photo without colour, with an
        alpha channel, or too small."""
        self = cls.from_reference(read_reference_photo(photo), device)
        self.photo_name = "reference photo"
        return self

    @classmethod
    def from_reference(cls, reference: np.ndarray, device: str = "auto") -> Renderer:
        """:meth:`from_photo` for a colour photo already read as a checkpoint keeps it (uint8, long side
        capped: ``postprocess.reference_align.reference_image``): what the benches colour prints with."""
        self = cls.__new__(cls)  # no checkpoint to load: __init__'s other work is done here
        self.device = pick_device(device)
        self.model, self.meta = None, {}
        self.sketch_cfg = SketchConfig()
        self.reference = reference
        self._start()
        return self

    @property
    def model_cfg(self) -> ModelConfig:
        """What the renderer serves: the model's configuration, or :data:`PHOTO_ONLY` without one."""
        return self.model.cfg if self.model is not None else PHOTO_ONLY

    def _start(self) -> None:
        """The state every request starts from."""
        self.photo_name = "training photo"  # what the notes call the photo the colours come from
        self.alignment_note = ""  # what reference alignment did for the last render ("" when it did not apply)
        self.restored_mask: np.ndarray | None = None  # bool (H, W): what --restore inpainted in the last render
        self._said_no_mirror = False
        self._said_no_reference = False  # the note that black-and-white colours come from the network, said once
        self._chroma_database: ChromaDatabase | None = None  # built on first use (chroma_database)
        self._damage_detector: DamageDetector | None = None  # learnt on first use (damage_detector)
        self._no_detector = ""  # why --restore finds damage by the fixed rule instead ("" until that is known)
        self._hints: tuple = (None, None, [])  # (file, image shape, hints) last read: parsed once per render
        self._found = None  # the alignment read_print found for this request (a Found), reused after
        self._curve = None  # the print's tone curve the colour lookup describes it through (read_print), or None
        self._blur = 0.0  # px: the Gaussian a halftone's removal blurred the lightness by (restored, read_print)

    def _named(self, note: str) -> str:
        """``note`` (the library's words, which call the photo the colours come from the training photo)
        with that photo named as the user gave it (``--reference``: the reference photo)."""
        return note.replace("training photo", self.photo_name)

    def _note(self, note: str) -> None:
        print(f"note: {self._named(note)}", file=sys.stderr)

    def mirror_average(self, cfg: RenderConfig) -> bool:
        """Whether to average in the mirrored input's colours for ``cfg``: as asked, unless the network
        never saw a flipped patch (trained with ``augment.hflip`` off), which is said once."""
        if not cfg.mirror_average or self.model is None:
            return False
        if trained_with_flips(self.meta):
            return True
        if not self._said_no_mirror:
            print("note: this model was trained without flipped patches (augment.hflip=false), so a mirrored "
                  "input is not one it knows: mirror averaging is off", file=sys.stderr)
            self._said_no_mirror = True
        return False

    def style_code(self, style_path: str | None) -> torch.Tensor | None:
        if style_path is None:
            return None
        photo = torch.from_numpy(read_photo(style_path)).permute(2, 0, 1).unsqueeze(0).to(self.device)
        with torch.no_grad():
            return self.model.encode_style(photo)

    def guides(self, cfg: RenderConfig, progress: bool = False) -> tuple[Guides, np.ndarray | None]:
        """The guides for ``cfg`` (with its colour hints, if any) and, where there is one, the input photo."""
        guides, photo = self._guides(cfg)
        return self.prepare(guides, cfg, progress), photo

    def prepare(self, guides: Guides, cfg: RenderConfig, progress: bool = False) -> Guides:
        """A new request's ``guides`` (read from ``cfg``'s input, or built by the caller: the bench) as
        :meth:`colorize` and :meth:`finish` take them: a print restored (``--restore``) and read
        (:meth:`read_print`), the colour hints added."""
        self._hints = (None, None, [])  # a new request: its hints file is read anew (it may have changed)
        self.restored_mask = None
        self._found, self._curve, self._blur = None, None, 0.0
        if cfg.restore:
            guides = self.restored(guides, progress)
        guides = self.read_print(guides, cfg)
        if cfg.hints:
            guides.hints = hint_channels(self.hints(cfg, guides.shape), guides.sketch)
        return guides

    def hints(self, cfg: RenderConfig, shape: tuple[int, int]) -> list:
        """``cfg``'s colour hints for an input of ``shape``, read once: the guides' channels and the
        hint fill after the network use the same parse."""
        if self._hints[:2] != (cfg.hints, shape):
            self._hints = (cfg.hints, shape, read_hints(cfg.hints, shape))
        return self._hints[2]

    def _guides(self, cfg: RenderConfig) -> tuple[Guides, np.ndarray | None]:
        """The request's guides; the request itself was checked by ``process.preflight`` (every
        caller runs ``check_render_request`` first)."""
        mcfg = self.model_cfg
        depth = cfg.depth if mcfg.use_depth else "none"
        src = GuideSources(depth=depth, mask=cfg.mask, depth_model=cfg.depth_model)
        if cfg.image:
            photo = read_photo(cfg.image)
            if mcfg.use_luminance and is_colour(photo):
                print(f"note: {cfg.image} is in colour; this model colorizes black-and-white photos, "
                      "so it uses the photo's lightness (L*) only", file=sys.stderr)
            return guides_from_photo(photo, self.sketch_cfg, src, cfg.image, luminance=mcfg.use_luminance), photo
        if cfg.sketch:
            return guides_from_sketch(read_gray(cfg.sketch), src, self.sketch_cfg), None
        _, right = stereo_motorcycle_views()
        return sample_guides(right, self.sketch_cfg, mcfg.use_depth, mcfg.use_luminance), right.photo

    def restored(self, guides: Guides, progress: bool = False) -> Guides:
        """A black-and-white model's guides with the photo's lightness restored (``--restore``:
        ``preprocess.restore.restore_print``) and the sketch drawn again from it; one note on
        stderr says what changed; what was inpainted stays in ``restored_mask``. ``progress``: a bar
        while the damage detector is learnt (:meth:`damage_detector`)."""
        if not self.model_cfg.use_luminance or guides.luminance is None:
            return guides
        screen = find_screen(guides.luminance)
        light, mask = restore_print(guides.luminance, screen, detector=self.damage_detector(progress))
        self.restored_mask = mask
        if screen is not None:  # the lookup describes the photo blurred alike (ChromaDatabase.chroma)
            self._blur = screen.blur
        done = f"inpainted {int(mask.sum())} px of dust and scratches" if mask.any() else "found no dust or scratches"
        if self._no_detector:
            done += f" (found by a fixed rule: {self._no_detector}, so fine bright or dark details may be taken for dust)"
        done += f" and removed {screen.describe()}" if screen is not None else "; there was no halftone screen"
        self._note(f"--restore {done}")
        return replace(guides, luminance=light, sketch=sketch_of(None, light, self.sketch_cfg))

    def read_print(self, guides: Guides, cfg: RenderConfig) -> Guides:
        """A black-and-white input read as the photo it was printed from, as far as the training photo
        allows (``process.print_tones.photo_tones``): where it lines up with the photo (``cfg.align``),
        its tone curve read there. ``--tones photo`` (``cfg.tones``) gives the guides those tones, and
        the sketch drawn again, with one note on stderr; by default the print's L* is kept and the
        colour lookup describes it through the curve, where one was taken (:meth:`colorize`). The
        alignment found is kept for this request's reference alignment (:meth:`carry_reference`).
        Raises InputError for ``--tones photo`` with a checkpoint that keeps no training photo."""
        if not self.model_cfg.use_luminance or guides.luminance is None:
            return guides
        database = self.chroma_database()
        if cfg.tones == "photo":
            check_training_photo_kept("photo", database is not None)
        align_mode = cfg.align if self.aligns(cfg) else "off"
        if database is None or (cfg.tones == "print" and align_mode == "off"):
            return guides  # nothing to read the print with, or nothing the lookup does not read itself
        tones = photo_tones(guides.luminance, database, self.reference_photo(), align_mode)
        self._found = tones.found
        if cfg.tones == "print":
            self._curve = tones.curve
            return guides
        if tones.screen is not None:  # the screen is gone from the lightness: the lookup is told its blur
            self._blur = tones.screen.blur
        self._note(tones.describe())
        return replace(guides, luminance=tones.lightness, sketch=sketch_of(None, tones.lightness, self.sketch_cfg))

    def check(self, guides: Guides) -> None:
        """What only the read inputs can tell (the request was checked by ``process.preflight``):
        a mask's labels are ones the model learned."""
        if guides.mask is not None:
            check_labels(guides.mask, self.model_cfg)

    def render(self, cfg: RenderConfig, progress: bool = False) -> tuple[Path, np.ndarray, Guides]:
        """Colorize ``cfg``'s input and write it; returns the output path, the RGB image and the
        guides it was made from (so callers reuse the depth instead of estimating it again)."""
        out = Path(cfg.out) if cfg.out else default_out(cfg)
        check_render_request(self.model_cfg, cfg, outputs=[out], keeps_photo=self.reference is not None)
        guides, _ = self.guides(cfg, progress)
        self.check(guides)
        rgb = self.colorize(guides, cfg, self.style_code(cfg.style), progress)
        rgb = self.finish(cfg, guides, rgb)
        write_image(out, rgb)
        return out, rgb, guides

    @property
    def reads_lines(self) -> bool:
        """Whether the model reads line drawings (``--sketch-method lines``): its colours are laid out by
        the drawing's lines (``postprocess/line_structure.py``)."""
        return self.sketch_cfg.method == "lines"

    def colorize(self, guides: Guides, cfg: RenderConfig, style: torch.Tensor | None = None,
                 progress: bool = False) -> np.ndarray:
        """The network's colours for ``guides`` with ``cfg``'s inference settings (tiling, bf16, chroma
        smoothing, mirror averaging); ``style``: a style code (default: the training photo's). A
        line-drawing model's colours are evened out within the drawing's lines (``cfg.line_reach``)."""
        network = dict(style=style, tile=cfg.tile or None, overlap=cfg.overlap, device=self.device, progress=progress,
                       bf16=cfg.bf16, mirror_average=self.mirror_average(cfg), context=cfg.context)
        if self.model_cfg.use_luminance and guides.luminance is not None:
            notes: list[str] = []
            rgb = colorize_black_and_white(self.model, guides, self.chroma_database(), self.bw_colour(cfg),
                                           chroma_smooth=cfg.chroma_radius, notes=notes, curve=self._curve,
                                           blur=self._blur, **network)
            for note in notes:
                self._note(note)
            return rgb
        rgb = colorize(self.model, guides, chroma_smooth=cfg.chroma_radius, **network)
        if self.reads_lines:
            rgb = even_within_lines(rgb, guides.strokes, cfg.line_reach)
        return rgb

    def bw_colour(self, cfg: RenderConfig) -> str:
        """Where a black-and-white render's colours come from: ``cfg.bw_colour``, or the network's where
        the checkpoint keeps no training photo to take them from (said once, on stderr)."""
        if cfg.bw_colour == "network" or self.reference is not None:
            return cfg.bw_colour
        if not self._said_no_reference:
            print(f"note: --bw-colour {cfg.bw_colour} takes colours from the training photo, which this checkpoint "
                  "does not keep (saved before reference alignment); colours from the network alone", file=sys.stderr)
            self._said_no_reference = True
        return "network"

    def reference_photo(self) -> np.ndarray:
        """The training photo the checkpoint keeps, (H, W, 3) float32 in [0, 1] (callers check it is kept)."""
        return self.reference.astype(np.float32) / 255.0

    def chroma_database(self) -> ChromaDatabase | None:
        """The training photo's colour database for ``--bw-colour transfer`` (built on first use and kept:
        a batch looks up every input in it), or None where the checkpoint keeps no training photo."""
        if self._chroma_database is None and self.reference is not None:
            self._chroma_database = ChromaDatabase(self.reference_photo())
        return self._chroma_database

    def damage_detector(self, progress: bool = False) -> DamageDetector | None:
        """``--restore``'s dust and scratch detector, learnt from the training photo on first use and kept
        (a batch reads every input with it), or None where the checkpoint keeps no training photo or
        one too small to learn from. ``progress``: a bar while it is learnt."""
        if self._damage_detector is not None or self._no_detector:
            return self._damage_detector
        if self.reference is None:
            self._no_detector = "this checkpoint keeps no training photo to learn the scene's own detail from"
            return None
        try:
            self._damage_detector = DamageDetector.learn(photo_lightness(self.reference_photo()), progress=progress)
        except CannotLearn as err:  # a training photo too small to learn from: said in --restore's note
            self._no_detector = str(err)
        return self._damage_detector

    def draw_lines(self, cfg: RenderConfig, guides: Guides, rgb: np.ndarray) -> np.ndarray:
        """A line-drawing model's output with the drawing's strokes drawn over it as ink (``cfg.lines``)."""
        return draw_ink(rgb, guides.strokes) if self.reads_lines and cfg.lines == "keep" else rgb

    def finish(self, cfg: RenderConfig, guides: Guides, rgb: np.ndarray) -> np.ndarray:
        """The network's ``rgb`` as the user gets it: the training photo's colours carried over where
        the input lines up with it (``cfg.align``), then the colour hints kept (``cfg.hint_fill``),
        so a hint wins over the reference, and last a drawing's own strokes (``cfg.lines``)."""
        rgb = self.carry_reference(cfg, guides, rgb)
        if cfg.hints and cfg.hint_fill:
            rgb = fill_hints(rgb, self.hints(cfg, guides.shape), guides.sketch, guides.luminance)
        return self.draw_lines(cfg, guides, rgb)

    def aligns(self, cfg: RenderConfig) -> bool:
        """Whether ``cfg``'s input is one that reference alignment applies to: a black-and-white
        photo for a black-and-white model, a drawing (``--sketch``) for a line-drawing model
        (``cfg.align`` is checked by ``process.preflight``)."""
        if cfg.align == "off":
            return False
        return self.model_cfg.use_luminance or (self.sketch_cfg.method == "lines" and cfg.sketch is not None)

    def carry_reference(self, cfg: RenderConfig, guides: Guides, rgb: np.ndarray) -> np.ndarray:
        """``rgb`` with the training photo's colours where the input lines up with it (one note says
        what happened, on stderr)."""
        self.alignment_note = ""
        if not self.aligns(cfg):
            if cfg.align == "homography":
                print("note: --align homography applies to a drawing (--sketch) given to a line-drawing model and to "
                      "a black-and-white model's photo; this render's colours are the network's", file=sys.stderr)
            return rgb
        if self.reference is None:
            self.alignment_note = ("note: this checkpoint keeps no training photo (saved before reference "
                                   "alignment); colours from the network alone")
            if self._said_no_reference:  # a black-and-white render said so already (bw_colour)
                return rgb
        else:
            strokes = guides.strokes if self.reads_lines and cfg.line_reach > 0 else None
            rgb, alignment = align_and_carry(rgb, self.reference, guides.sketch, guides.luminance, mode=cfg.align,
                                             strokes=strokes, reach=cfg.line_reach, found=self._found)
            self.alignment_note = f"note: {self._named(alignment.describe())}"
        print(self.alignment_note, file=sys.stderr)
        return rgb
