"""A black-and-white photo's a*, b* taken from the training photo, pixel by pixel, by what its
lightness looks like around each pixel (Welsh, Ashikhmin and Mueller, *Transferring Color to
Greyscale Images*, SIGGRAPH 2002).

Each pixel is described by its L* and the mean and standard deviation of L* in two windows
around it (:data:`WINDOWS`): its tone, its neighbourhood's tone and how textured that
neighbourhood is. The training photo's pixels, described the same way, form the database; a
pixel of the input takes the mean a*, b* of the :data:`NEIGHBOURS` database pixels nearest to it
in that description (a k-d tree, SciPy). Nothing in the description says where a pixel is, so
the colour follows what a thing looks like, not where the frame puts it, and no training is
needed: the training photo itself is the model (every checkpoint keeps it for reference
alignment). The a*, b* found are then smoothed along the input's lightness like the network's
(``postprocess/chroma_smoothing.py``), and the input's L* is kept exactly.

An old print is described as the photo it was printed from would be (:meth:`ChromaDatabase.as_photo`):
a halftone screen is removed first (``preprocess/restore.py``), or each pixel would be described by
the dot it falls on, and since removing it blurs the print by a known Gaussian, the photo is
described blurred by the same Gaussian for it (a descreened print's texture is the photo's
blurred, not a smoother part of the scene); and a faded print, whose darkest tones lie well above the training photo's
and whose whites lie below the photo's (:class:`Fade`), is described with its levels stretched to
the photo's, or every tone would be matched one step lighter or darker than it was. Both ends
must have moved: a view that shows no deep shadow (a window of sky and hills) has a high black
point too, but keeps its whites. And a flat or low-contrast view (a close-up of one wall) is not
read as faded: its range must be a fair share of the photo's. Only the description changes: the output keeps the input's L*
exactly. Welsh et al. remap every input's luminance to the source's; here a clean input is
described as it is: a remap moves a clean view's tones by whatever its content differs from the
training photo's, which cost more than it gained on the development cases
(``bench/results_bw_transfer_cpu.md``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import cKDTree

from config.defaults import BAND_ROWS
from preprocess.restore import Screen, descreen, screen_of
from utils.cielab import rgb_to_lab

WINDOWS = (2, 7)            # px: radii of the two windows whose L* mean and deviation describe a pixel
STAT_WEIGHT = (0.5, 1.0)    # weight of each window's mean and of its deviation against the pixel's own L*:
                            # the mean mostly repeats L*, the deviation (texture) does not
NEIGHBOURS = 8              # database pixels whose a*, b* are averaged
DATABASE = 60_000           # training-photo pixels in the database (a seeded random sample)
LEVEL_PERCENTILES = (1, 99)  # an image's black and white points: these percentiles of its L* (specks aside)
FADE_MARGIN = 0.10          # L* / 100: a print whose black point lies above the photo's and white point below
                            # it, by more than this together, is faded ...
FADE_MIN_RANGE = 0.4        # ... if its own range is at least this share of the photo's: a flat or low-contrast
                            # view (a close-up of one wall) is no faded print, and stretching it would blow up its grain
LEVEL_SAMPLES = 1_000_000   # pixels read for the levels of a large image (a regular subsample)


def levels(lightness: np.ndarray) -> tuple[float, float]:
    """The black and white points of (H, W) L* / 100: its :data:`LEVEL_PERCENTILES` percentiles."""
    step = max(1, int(np.sqrt(lightness.size / LEVEL_SAMPLES)))
    black, white = np.percentile(lightness[::step, ::step], LEVEL_PERCENTILES)
    return float(black), float(white)


@dataclass(frozen=True)
class Fade:
    """A faded print's levels and the training photo's, all L* / 100."""
    black: float
    white: float
    photo_black: float
    photo_white: float

    def stretch(self, lightness: np.ndarray) -> np.ndarray:
        """``lightness`` with [black, white] mapped linearly onto [photo_black, photo_white], in [0, 1]."""
        scale = (self.photo_white - self.photo_black) / (self.white - self.black)
        out = np.asarray(lightness, np.float32) - np.float32(self.black)   # in place from here: a scan may be large
        out *= np.float32(scale)
        out += np.float32(self.photo_black)
        return np.clip(out, 0.0, 1.0, out=out)

    def describe(self) -> str:
        return (f"the print looks faded (black point L* {100 * self.black:.0f}, white {100 * self.white:.0f}; the "
                f"training photo's {100 * self.photo_black:.0f} and {100 * self.photo_white:.0f}): its colours are "
                "matched on its tones stretched to the photo's levels; its own L* is kept (--tones photo gives "
                "the output the photo's tones)")


def describe(lightness: np.ndarray) -> np.ndarray:
    """(H, W) L* / 100 -> (H, W, 1 + 2 x len(WINDOWS)) float32: each pixel's L* (0..100) and, per
    window, the weighted mean and standard deviation of L* in it (windows reflected at the border)."""
    light = np.asarray(lightness, np.float32) * 100.0
    parts = [light]
    w_mean, w_dev = STAT_WEIGHT
    for radius in WINDOWS:
        size = (2 * radius + 1, 2 * radius + 1)
        mean = cv2.blur(light, size, borderType=cv2.BORDER_REFLECT)
        dev = np.sqrt(np.maximum(cv2.blur(light * light, size, borderType=cv2.BORDER_REFLECT) - mean * mean, 0.0))
        parts += [w_mean * mean, w_dev * dev]
    return np.stack(parts, axis=-1)


class ChromaDatabase:
    """The training photo's pixels, each described by :func:`describe` with its a*, b*."""

    def __init__(self, photo: np.ndarray, size: int = DATABASE, seed: int = 0):
        if photo.ndim != 3 or photo.shape[2] != 3:
            raise ValueError(f"the training photo must be (H, W, 3), got {photo.shape}")
        lab = rgb_to_lab(np.asarray(photo, np.float32))
        self.light = lab[..., 0] / 100.0
        self.levels = levels(self.light)
        n = self.light.size
        self.keep = np.random.default_rng(seed).choice(n, size, replace=False) if n > size else np.arange(n)
        self.ab = lab[..., 1:].reshape(-1, 2)[self.keep].astype(np.float32)
        self.long_side = max(photo.shape[:2])
        self._trees: dict[float, cKDTree] = {}  # per blur of the photo (0: as it is), each built on first use

    def tree(self, blur: float = 0.0) -> cKDTree:
        """The sampled pixels' descriptions (:func:`describe`) of the photo blurred by a Gaussian of sigma
        ``blur`` px (0: the photo as it is; rounded to 0.1 px), the same pixels for every blur, in a k-d tree."""
        blur = round(blur, 1)
        if blur not in self._trees:
            light = cv2.GaussianBlur(self.light, (0, 0), blur, borderType=cv2.BORDER_REFLECT_101) if blur else self.light
            self._trees[blur] = cKDTree(describe(light).reshape(-1, 1 + 2 * len(WINDOWS))[self.keep])
        return self._trees[blur]

    def fade(self, lightness: np.ndarray) -> Fade | None:
        """How the (descreened) print ``lightness`` is faded against the training photo, or None: unless
        its black point lies above the photo's and its white point below, by more than
        :data:`FADE_MARGIN` together, and its own range is at least :data:`FADE_MIN_RANGE` of the
        photo's (module docstring)."""
        black, white = levels(lightness)
        photo_black, photo_white = self.levels
        lifted, dimmed = black - photo_black, photo_white - white
        faded = (lifted > 0 and dimmed > 0 and lifted + dimmed > FADE_MARGIN
                 and white - black >= FADE_MIN_RANGE * (photo_white - photo_black))
        if not faded:  # written so that a NaN level reads as not faded
            return None
        return Fade(black, white, photo_black, photo_white)

    def as_photo(self, lightness: np.ndarray, screen: Screen | None | str = "find") -> tuple[np.ndarray, Fade | None]:
        """The lightness an input is described by (module docstring) -> (it, the fade undone or None):
        ``lightness`` descreened (``screen`` as ``preprocess.restore.descreen`` takes it) and, where
        faded, stretched to the training photo's levels."""
        plain = descreen(lightness, screen)
        fade = self.fade(plain)
        return (plain if fade is None else fade.stretch(plain)), fade

    def print_chroma(self, lightness: np.ndarray, screen: Screen | None | str = "find",
                     blur: float = 0.0) -> tuple[np.ndarray, Fade | None]:
        """(H, W) L* / 100 of a black-and-white input, perhaps an old print -> ((H, W, 2) float32 a*, b*,
        the fade undone or None): :meth:`chroma` of the input as :meth:`as_photo` reads it (``screen``:
        as there), against the photo blurred as removing the screen blurred it; ``blur``: where there is
        no screen, the blur an earlier removal gave ``lightness`` (:meth:`chroma`)."""
        screen = screen_of(lightness, screen)
        described, fade = self.as_photo(lightness, screen)
        return self.chroma(described, blur=screen.blur if screen is not None else blur), fade

    def chroma(self, lightness: np.ndarray, neighbours: int = NEIGHBOURS, band: int = BAND_ROWS,
               blur: float = 0.0) -> np.ndarray:
        """(H, W) L* / 100 -> (H, W, 2) float32 a*, b*: the mean of the ``neighbours`` nearest database
        pixels' for each pixel, the lightness described as it is (:meth:`print_chroma` reads a print).
        ``blur``: the Gaussian (sigma, px) the lightness was blurred by (a descreened print's
        ``Screen.blur``), which the photo is described through too.

        An input larger than the training photo is described at the training photo's size (its long
        side shrunk to the photo's, area-averaged) and the a*, b* found brought back to its size:
        the windows then cover as much of the scene on both sides (a scan of a print framed like
        the photo shows each thing larger, and its texture at a finer scale, than the photo)."""
        h, w = lightness.shape
        scale = self.long_side / max(h, w)
        if scale >= 1.0:
            return self._chroma(lightness, neighbours, band, self.tree(blur))
        small = cv2.resize(lightness, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        return cv2.resize(self._chroma(small, neighbours, band, self.tree(blur * scale)), (w, h),
                          interpolation=cv2.INTER_LINEAR)

    def _chroma(self, lightness: np.ndarray, neighbours: int, band: int, tree: cKDTree) -> np.ndarray:
        """:meth:`chroma` at the input's own size against the descriptions in ``tree``, band by band
        (with the widest window's margin), so a large input's descriptions are never all in memory at once."""
        h, w = lightness.shape
        k = min(neighbours, len(self.ab))
        margin = max(WINDOWS)
        out = np.empty((h, w, 2), np.float32)
        for top in range(0, h, band):
            lo, hi = max(0, top - margin), min(h, top + band + margin)
            features = describe(lightness[lo:hi])[top - lo:top - lo + min(band, h - top)]
            _, idx = tree.query(features.reshape(-1, features.shape[-1]), k=k, workers=-1)
            idx = idx.reshape(-1, k)
            out[top:top + band] = self.ab[idx].mean(axis=1).reshape(features.shape[0], w, 2)
        return out
