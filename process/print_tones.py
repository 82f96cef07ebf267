"""``--tones photo``: a black-and-white print given the training photo's tones.

The print's own L* is the default output (``--tones print``): it is the truth of its own lightness.
A restorer who wants the print to look like the photo it was printed from asks for the training
photo's tones instead, and gets, in order of what the evidence allows:

1. a halftone screen removed (``preprocess.restore.descreen``);
2. where the print lines up with the training photo (reference alignment, ``cfg.align``), its whole
   tone curve read off the aligned pixels (``preprocess/tone_curve.py``), used when it explains the
   photo's lightness clearly better than levels do: it undoes a contrasty or S-shaped curve as well
   as a fade;
3. otherwise a faded print's black and white points stretched to the photo's
   (``ChromaDatabase.as_photo``); a print neither faded nor aligned keeps its tones.

The alignment found is returned, so the render's reference alignment reuses it instead of searching
again. ``process.render.Renderer`` and ``bench/print_tones.py`` both call :func:`photo_tones`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from postprocess.chroma_transfer import ChromaDatabase, Fade
from postprocess.reference_align import Found, align, aligned_photo, lightness_trust
from preprocess.restore import Screen, descreen, find_screen
from preprocess.tone_curve import ToneCurve, fit_tone_curve
from utils.cielab import photo_lightness

ALIGN_MODES = ("auto", "homography", "off")


@dataclass(frozen=True)
class PhotoTones:
    """A print read with the training photo's tones: ``lightness`` (L* / 100, what the output keeps),
    and how it was read: the ``screen`` removed, the ``fitted`` tone curve (None where none could be
    read), used where it explains the photo better (:attr:`curve`), or else the ``fade`` undone (or
    neither), and ``found``: the alignment searched for (None where alignment was off), which the
    render's reference alignment reuses."""
    lightness: np.ndarray
    screen: Screen | None
    fade: Fade | None
    fitted: ToneCurve | None
    found: Found | None

    @property
    def curve(self) -> ToneCurve | None:
        """The tone curve the print went through, where it was used."""
        return self.fitted if self.fitted is not None and self.fitted.explains_better else None

    def describe(self) -> str:
        """What changed, for the one note ``--tones photo`` gives."""
        done = [f"removed {self.screen.describe()}"] if self.screen is not None else []
        if self.curve is not None:
            done.append(f"read {self.curve.describe()} and gave it the photo's tones")
        elif self.fade is not None:
            done.append(f"stretched the print's black and white points (L* {100 * self.fade.black:.0f}, "
                        f"{100 * self.fade.white:.0f}) to the training photo's ({100 * self.fade.photo_black:.0f}, "
                        f"{100 * self.fade.photo_white:.0f})")
        if done:
            return "--tones photo " + " and ".join(done)
        if self.found is None:
            curve = "alignment is off (--align off), so no tone curve was read"
        elif not self.found.alignment.used:
            curve = "it does not line up with the training photo, so no tone curve was read"
        else:
            curve = "where it lines up with the photo its tone curve explains the photo's lightness no better"
        return ("--tones photo does not read the print as faded (its black and white points are not both well "
                f"inside the training photo's) and {curve}: its tones are kept")


def photo_tones(lightness: np.ndarray, database: ChromaDatabase, reference: np.ndarray,
                align_mode: str = "auto") -> PhotoTones:
    """The (H, W) L* / 100 print ``lightness`` given the tones of the training photo ``reference``
    ((h, w, 3) RGB in [0, 1]) whose colour ``database`` is given (module docstring). ``align_mode``:
    as ``process.py --align``; ``off`` reads no tone curve. The curve is read, and weighed against
    the levels, where the geometry alone lines the two up (``aligned_photo(trust=False)``); the
    alignment found then takes the trust its lightness gives (``lightness_trust``, with that curve)."""
    if align_mode not in ALIGN_MODES:
        raise ValueError(f"align_mode must be one of {ALIGN_MODES}, got {align_mode!r}")
    screen = find_screen(lightness)
    plain = descreen(lightness, screen)
    levelled, fade = database.as_photo(plain, None)
    if align_mode == "off":
        return PhotoTones(levelled, screen, fade, None, None)
    refine = align_mode == "auto"
    alignment = align(reference, lightness, "photo")
    if not alignment.used:
        return PhotoTones(levelled, screen, fade, None, Found(alignment, refine, lightness.shape))
    photo, share = aligned_photo(reference, alignment, lightness, "photo", refine, trust=False)
    photo_light = photo_lightness(np.clip(photo, 0.0, 1.0))
    fitted = fit_tone_curve(plain, photo_light, share, levelled)
    trusted = share * lightness_trust(lightness, photo_light, share, plain, fitted)
    tones = PhotoTones(levelled, screen, fade, fitted, Found(alignment, refine, lightness.shape, photo, trusted))
    return tones if tones.curve is None else replace(tones, lightness=tones.curve.apply(plain))
