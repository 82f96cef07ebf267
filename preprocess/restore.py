"""Restoring an old print's lightness: halftone screens, dust and scratches.

Image algorithms on a lightness image ``L``: (H, W) float32, CIE L* / 100 in [0, 1] (the
convention of ``models.inputs.Guides.luminance``); no network. What each is for:

- :func:`find_screen` / :func:`descreen`: a photo printed in a book or newspaper is a
  lattice of dots. Its 2-D spectrum has sharp peaks away from the centre (the screen's
  fundamental and its 90-degree partner, then harmonics), which a natural photo's smooth
  spectrum lacks. The screen is found from those peaks on a central crop, and removed by a
  Gaussian low-pass that suppresses the fundamental to under 1 % (sigma half a period): a
  halftone holds no detail finer than its screen anyway. An image without a screen is
  returned as it is.
- :func:`find_damage`: dust specks and scratches are small or thin structures much darker
  or brighter than anything around them. An 11-px median removes them and keeps edges; a
  pixel well outside the range of that median around it (by several times the local
  spread of the residual, so grain and busy texture raise the bar) is a candidate, and of
  the candidates only the connected pieces that are small and compact (specks) or long and
  thin with one tone on both sides (scratches; a roughly straight thin line between two tones
  is the scene's own edge; a curved one is not told apart) are kept: the "dust and scratches" filter of photo editors, with its
  pieces checked. Fine bright or dark details of a sharp photo (a thin wire against the
  sky, a glint) look the same and are found too.
- :func:`restore_print` (``process.py --restore``): descreen, then fill the damage found
  (dilated to take in its soft edge) with OpenCV's Telea inpainting (Telea 2004, *An Image
  Inpainting Technique Based on the Fast Marching Method*); every other pixel is left as
  it was.
- :func:`normalise_print`: a version of a print meant for feature matching and optical
  flow (reference alignment): descreened, damage replaced by the median, grain smoothed by
  a bilateral filter and contrast equalised by CLAHE, so an aged print and a clean photo of
  one scene give features that agree. Not a lightness to keep.

A black-and-white model's colours use :func:`find_screen`, :func:`descreen` and
:func:`find_damage` on every render (``process/inference.py``); the lightness itself is
changed only with ``--restore``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

# Screen periods looked for, px: from a fine book screen scanned at 300 dpi to a coarse
# newspaper screen scanned at 600 dpi.
MIN_PERIOD, MAX_PERIOD = 2.5, 16.0
SCREEN_CROP = 512        # the screen is looked for on a central crop of at most this side, px
SCREEN_PROMINENCE = 3.0  # a screen peak stands this many decades above its ring's median power
SCREEN_BLUR = 0.5        # descreening Gaussian's sigma, in screen periods (fundamental kept < 1 %)
SCREEN_MIN_SHARE = 1e-3  # and the fundamental holds at least this share of the crop's power: a printed screen
                         # holds a few per cent, while a flawless synthetic gradient's rounding pattern can stand
                         # out of its near-empty spectrum by many decades with almost no power

DAMAGE_MEDIAN = 11       # px: the median that removes specks and scratches (up to ~5 px across)
RANGE_WINDOW = 7         # px: a damaged pixel lies outside the range of the median over this window ...
DAMAGE_MIN = 0.06        # ... by at least this (6 L*) ...
DAMAGE_SPREAD = 4.0      # ... and by this many times the local spread (mean |L - median| x 1.25) ...
SPREAD_WINDOW = 31       # ... over this window, px (grain and busy texture raise the bar)
SPECK_AREA = 150         # px: a compact piece of at most this area is a speck
SCRATCH_LENGTH = 20      # px: a piece at least this long that an opening by a disk of
SCRATCH_OPENING = 7      # this diameter, px, removes (at most ~6 px wide) is a scratch ...
SCRATCH_SIDES = 0.25     # ... if the L* on its two sides agrees within this share of its contrast: a scratch lies
                         # on one surface, a thin dark or bright line between two tones is the scene's own edge
DAMAGE_BAND = 2048       # rows looked at a time by find_damage, each with DAMAGE_CONTEXT rows above and below
DAMAGE_CONTEXT = 64      # (the median, the spread and a scratch's length reach into them)
INPAINT_GROW = 2         # px: the damage found is grown by this before it is filled (its soft edge)
INPAINT_RADIUS = 3       # px: Telea's neighbourhood
RESTORE_PASSES = 2       # find and fill, twice: a speck on a scratch is too big for the median until the
                         # scratch is filled; the second pass's median is 4 px wider and it keeps only
                         # pieces that touch what the first one filled


def check_lightness(L: np.ndarray) -> None:
    if not isinstance(L, np.ndarray) or L.ndim != 2 or L.size == 0:
        raise ValueError(f"lightness must be a non-empty (H, W) array, got {getattr(L, 'shape', type(L))}")


@dataclass(frozen=True)
class Screen:
    """A halftone screen found in an image."""
    period: float      # px between neighbouring dots along the screen's axes
    angle: float       # degrees, the screen's axis direction in [0, 90)
    prominence: float  # decades by which its fundamental stands above the spectrum around it

    @property
    def blur(self) -> float:
        """The Gaussian's sigma, px, that :func:`descreen` removes this screen with."""
        return SCREEN_BLUR * self.period

    def describe(self) -> str:
        return f"a halftone screen ({self.period:.1f} px, {self.angle:.0f} degrees)"


def find_screen(L: np.ndarray) -> Screen | None:
    """The halftone screen of ``L``, or None when it has none.

    A screen is a pair of spectral peaks at one radius (a period of ``MIN_PERIOD`` to
    ``MAX_PERIOD`` px) and 90 degrees apart, each ``SCREEN_PROMINENCE`` decades above the
    median power of its ring; the lowest such pair is the fundamental (harmonics lie
    further out). Looked for on a central crop of at most ``SCREEN_CROP`` px, Hann-windowed,
    so the cost does not grow with the image."""
    check_lightness(L)
    h, w = L.shape
    n = min(h, w, SCREEN_CROP)
    if n < 4 * MAX_PERIOD:
        return None
    y0, x0 = (h - n) // 2, (w - n) // 2
    crop = L[y0:y0 + n, x0:x0 + n].astype(np.float64)
    window = np.hanning(n)
    power = np.abs(np.fft.fftshift(np.fft.fft2((crop - crop.mean()) * np.outer(window, window)))) ** 2
    log_power = np.log10(power + 1e-12)
    k = np.arange(n) - n // 2
    ky, kx = np.meshgrid(k, k, indexing="ij")
    radius = np.hypot(ky, kx)                                  # in frequency bins (1 / n cycles/px)
    ring = np.round(radius).astype(np.int64)
    lo, hi = n / MAX_PERIOD, n / MIN_PERIOD
    inside = (radius >= lo) & (radius <= hi) & (kx >= 0)       # one half plane: the spectrum is symmetric
    medians = np.zeros(ring.max() + 1)
    for r in range(int(lo) - 1, int(hi) + 2):
        values = log_power[ring == r]
        if values.size:
            medians[r] = np.median(values)
    prominence = (log_power - medians[ring]).astype(np.float32)
    local_max = prominence >= cv2.dilate(prominence, np.ones((3, 3), np.uint8))
    peaks = np.argwhere(inside & local_max & (prominence >= SCREEN_PROMINENCE))
    if not len(peaks):
        return None
    paired = []
    for py, px in peaks:
        fy, fx = ky[py, px], kx[py, px]
        # the 90-degree partner (fx, -fy), or its mirror (-fx, fy), which is the same peak
        qy, qx = (fx, -fy) if -fy >= 0 else (-fx, fy)
        if _peak_near(prominence, qy + n // 2, qx + n // 2, reach=2) >= SCREEN_PROMINENCE - 0.5:
            paired.append((float(prominence[py, px]), float(radius[py, px]), fy, fx))
    if not paired:
        return None
    # The fundamental: the lowest pair nearly as strong as the strongest (a harmonic can be stronger).
    strongest = max(p[0] for p in paired)
    prom, rad, fy, fx = min((p for p in paired if p[0] >= strongest - 1.0), key=lambda p: p[1])
    if power[fy + n // 2, fx + n // 2] < SCREEN_MIN_SHARE * power.sum():
        return None
    return Screen(period=n / rad, angle=float(np.degrees(np.arctan2(-fy, fx))) % 90.0, prominence=prom)


def _peak_near(values: np.ndarray, y: int, x: int, reach: int) -> float:
    """The largest of ``values`` within ``reach`` bins of (y, x) (-inf outside the array)."""
    h, w = values.shape
    ys, xs = slice(max(0, y - reach), min(h, y + reach + 1)), slice(max(0, x - reach), min(w, x + reach + 1))
    patch = values[ys, xs]
    return float(patch.max()) if patch.size else -np.inf


def screen_of(L: np.ndarray, screen: Screen | None | str) -> Screen | None:
    """``screen`` as the functions here take it: a :class:`Screen` or None as given, or "find": ``L``'s
    own (:func:`find_screen`); any other string is refused."""
    if isinstance(screen, str):
        if screen != "find":
            raise ValueError(f"screen must be a Screen, None or 'find', got {screen!r}")
        return find_screen(L)
    return screen


def descreen(L: np.ndarray, screen: Screen | None | str = "find") -> np.ndarray:
    """``L`` with its halftone screen removed: a Gaussian low-pass of sigma ``SCREEN_BLUR``
    periods. ``screen``: the screen (:func:`find_screen`'s), None (no screen: ``L`` is
    returned as a float32 copy, unchanged) or "find" (look for it)."""
    check_lightness(L)
    screen = screen_of(L, screen)
    if screen is None:
        return L.astype(np.float32, copy=True)
    return cv2.GaussianBlur(L.astype(np.float32), (0, 0), screen.blur,
                            borderType=cv2.BORDER_REFLECT_101)


def local_median(L: np.ndarray, size: int = DAMAGE_MEDIAN) -> np.ndarray:
    """The ``size``-px median of ``L``, (H, W) uint8 in 1/255 steps (OpenCV's constant-time
    median works on 8-bit values: steps far below the damage threshold). The image is
    mirrored at its border first (OpenCV's own median repeats the border pixel, which makes a
    scratch along the frame's edge too wide to remove)."""
    m = size // 2
    byte = cv2.copyMakeBorder(np.round(np.clip(L, 0, 1) * 255).astype(np.uint8), m, m, m, m, cv2.BORDER_REFLECT_101)
    return cv2.medianBlur(byte, size)[m:-m, m:-m]


def outside_range(L: np.ndarray, median: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each pixel of ``L`` lies outside the range of its :func:`local_median` ``median`` over
    ``RANGE_WINDOW`` px (above its maximum or below its minimum; 0 inside it), and the local spread
    the bar for damage is raised by (1.25 x the mean |L - median| over ``SPREAD_WINDOW`` px, each
    term capped at 10 L*, which damage barely lifts): two float32 (H, W) in L* / 100."""
    window = cv2.getStructuringElement(cv2.MORPH_RECT, (RANGE_WINDOW, RANGE_WINDOW))
    high = cv2.dilate(median, window).astype(np.float32) / 255
    low = cv2.erode(median, window).astype(np.float32) / 255
    residual = np.minimum(np.abs(L - median.astype(np.float32) / 255), 0.1)
    spread = 1.25 * cv2.boxFilter(residual, -1, (SPREAD_WINDOW, SPREAD_WINDOW), borderType=cv2.BORDER_REFLECT)
    return np.maximum(np.maximum(L - high, low - L), 0.0), spread


def damage_by_rule(L: np.ndarray, median: np.ndarray,
                   outside: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Dust and scratches of an unscreened ``L`` given its :func:`local_median` (and, where the caller
    has it already, its :func:`outside_range` ``outside``): bool (H, W).

    A pixel is a candidate where it lies outside the range of the median around it (brighter
    than its ``RANGE_WINDOW`` px maximum or darker than its minimum) by more than the
    threshold: the median has removed specks and scratches, so they stand outside the range
    of what surrounds them, while the edges and corners of the scene's larger shapes lie
    inside it. Candidates are kept as connected pieces that are specks (small and compact)
    or scratches (long, gone after an opening by a ``SCRATCH_OPENING`` px disk, and with one tone on
    both sides: :func:`_on_one_surface`)."""
    light = L.astype(np.float32)
    excess, spread = outside_range(light, median) if outside is None else outside
    candidate = (excess > np.maximum(DAMAGE_MIN, DAMAGE_SPREAD * spread)).astype(np.uint8)
    if not candidate.any():
        return np.zeros(L.shape, bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    long_side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    short_side = np.minimum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (SCRATCH_OPENING, SCRATCH_OPENING))
    wide = np.zeros(count, bool)
    wide[np.unique(labels[cv2.morphologyEx(candidate, cv2.MORPH_OPEN, disk) > 0])] = True
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    h, w = L.shape
    at_edge = (x == 0) | (y == 0) | (x + stats[:, cv2.CC_STAT_WIDTH] == w) | (y + stats[:, cv2.CC_STAT_HEIGHT] == h)
    speck = (area <= SPECK_AREA) & (long_side <= 3 * short_side + 2)
    # a scratch is long, or leaves the frame (its piece inside may be short)
    scratch = ~wide & ((long_side >= SCRATCH_LENGTH) | (at_edge & (long_side >= SCRATCH_LENGTH // 3)))
    scratch[0] = False  # the background, whose box is the whole band
    for index in np.flatnonzero(scratch & ~speck):
        scratch[index] = _on_one_surface(light, labels, stats[index], index)
    keep = speck | scratch
    keep[0] = False  # the background
    return keep[labels]


def _on_one_surface(light: np.ndarray, labels: np.ndarray, box: np.ndarray, index: int) -> bool:
    """Whether the thin piece ``index`` of ``labels`` (its bounding ``box`` a row of connected-component
    stats) lies on one surface: its two sides agree within ``SCRATCH_SIDES`` x its contrast
    (:func:`sides_ratio`)."""
    return sides_ratio(light, labels, box, index) <= SCRATCH_SIDES


def sides_ratio(light: np.ndarray, labels: np.ndarray, box: np.ndarray, index: int) -> float:
    """How far apart the two sides of the piece ``index`` of ``labels`` lie, for its contrast: the
    difference of the median L* of a ring 2-3 px around it on either side of its main axis, over the
    difference of the piece's median L* and the ring's (0 where the piece or a side is too small to
    tell). The sides are split by the main axis, so a roughly straight piece on one surface (a
    scratch) gives a small ratio and a line between two tones (an edge) a large one; a strongly
    curved piece gives a small one."""
    x, y, w, h = (int(v) for v in box[:4])
    pad = 4
    y0, y1, x0, x1 = max(0, y - pad), min(light.shape[0], y + h + pad), max(0, x - pad), min(light.shape[1], x + w + pad)
    piece = (labels[y0:y1, x0:x1] == index).astype(np.uint8)
    ring = cv2.dilate(piece, np.ones((7, 7), np.uint8)) > cv2.dilate(piece, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero(piece)
    if len(ys) < 3:
        return 0.0
    _, axes = np.linalg.eigh(np.cov(np.stack([ys, xs]).astype(np.float64)))
    ry, rx = np.nonzero(ring)
    side = (ry - ys.mean()) * axes[0, 0] + (rx - xs.mean()) * axes[1, 0] > 0  # across the main axis
    if side.sum() < 3 or (~side).sum() < 3:
        return 0.0
    around = light[y0:y1, x0:x1][ring]
    contrast = abs(float(np.median(light[y0:y1, x0:x1][piece > 0])) - float(np.median(around)))
    sides = abs(float(np.median(around[side])) - float(np.median(around[~side])))
    if sides == 0.0:
        return 0.0
    return sides / contrast if contrast > 0 else float("inf")


def find_damage(L: np.ndarray, screen: Screen | None | str = "find") -> np.ndarray:
    """Where ``L`` has dust specks and scratches: bool (H, W) (module docstring). A halftone
    screen is removed first (:func:`descreen`; ``screen`` as there: a caller that has looked
    already passes what it found), so its dots are not taken for dust.

    Small bright or dark details of the scene itself (a distant light, a thin wire against
    the sky) look the same and are found too."""
    check_lightness(L)
    base = descreen(L, screen)
    h = base.shape[0]
    found = np.zeros(base.shape, bool)
    for top in range(0, h, DAMAGE_BAND):  # in bands with context: a large scan's memory stays bounded
        lo, hi = max(0, top - DAMAGE_CONTEXT), min(h, top + DAMAGE_BAND + DAMAGE_CONTEXT)
        part = base[lo:hi]
        rows = min(DAMAGE_BAND, h - top)
        found[top:top + rows] = damage_by_rule(part, local_median(part))[top - lo:top - lo + rows]
    return found


def grow_mask(mask: np.ndarray, px: int) -> np.ndarray:
    """A bool (H, W) ``mask`` grown by ``px`` px (a dilation by a disk): damage found and its soft edge."""
    if px <= 0 or not mask.any():
        return mask
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(mask.astype(np.uint8), disk).astype(bool)


def _touching(pieces: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The connected pieces of bool ``pieces`` that touch bool ``region`` (both (H, W))."""
    if not pieces.any():
        return pieces
    _, labels = cv2.connectedComponents(pieces.astype(np.uint8), connectivity=8)
    keep = np.zeros(labels.max() + 1, bool)
    keep[np.unique(labels[pieces & region])] = True
    keep[0] = False
    return keep[labels]


def restore_print(L: np.ndarray, screen: Screen | None | str = "find",
                  detector: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``L`` restored -> (restored L (H, W) float32 in [0, 1], bool (H, W) mask of the pixels
    inpainted).

    A halftone screen is removed (:func:`descreen`: then every pixel changes), dust and
    scratches are found, grown by ``INPAINT_GROW`` px and filled by Telea inpainting from
    their surroundings. Without a screen, every pixel outside the mask is ``L``'s own, bit for
    bit. ``screen``: as :func:`descreen`'s. ``detector``: a function of the descreened lightness
    that returns its damage as a bool (H, W) (``preprocess.damage_detector.DamageDetector``,
    learned from the training photo); None: this module's rule (:func:`find_damage`'s, in
    ``RESTORE_PASSES`` passes)."""
    check_lightness(L)
    base = descreen(L, screen)
    if detector is not None:
        mask = grow_mask(detector(base), INPAINT_GROW)
        return _inpaint(base, mask), mask
    mask = np.zeros(L.shape, bool)
    for turn in range(RESTORE_PASSES):
        damage = damage_by_rule(base, local_median(base, DAMAGE_MEDIAN + 4 * turn))
        if turn:  # later passes, with a wider median, only finish what the first found
            damage = _touching(damage, grow_mask(mask, 1))
        found = grow_mask(damage, INPAINT_GROW)
        if not found.any():
            break
        base = _inpaint(base, found)
        mask |= found
    return base, mask


def _inpaint(L: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``L`` (float32, changed in place and returned) with the pixels of bool ``mask`` filled by
    Telea inpainting (``INPAINT_RADIUS``) from their surroundings."""
    if not mask.any():
        return L
    # In 16-bit steps (1/65535): OpenCV's float32 inpainting returns values far outside the input's range.
    words = np.round(np.clip(L, 0, 1) * 65535).astype(np.uint16)
    filled = cv2.inpaint(words, mask.astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA)
    L[mask] = filled[mask].astype(np.float32) / 65535
    return L


def normalise_print(L: np.ndarray) -> np.ndarray:
    """A version of ``L`` for feature matching: (H, W) float32 in [0, 1] (module docstring).

    Descreened; dust and scratches replaced by the median; smoothed by a bilateral filter
    whose range is a few times the grain's standard deviation (estimated from the median
    residual), so grain goes and edges stay; and contrast-equalised by CLAHE (8 x 8 tiles,
    clip limit 2), so a faded print's and a clean photo's local contrasts agree."""
    check_lightness(L)
    base = descreen(L)
    median_bytes = local_median(base)
    median = median_bytes.astype(np.float32) / 255
    damage = damage_by_rule(base, median_bytes)
    base[damage] = median[damage]
    noise = 1.4826 * float(np.median(np.abs(base - median)))
    smooth = cv2.bilateralFilter(base, d=5, sigmaColor=max(0.03, 3 * noise), sigmaSpace=2.0)
    byte = np.round(np.clip(smooth, 0, 1) * 255).astype(np.uint8)
    equalised = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(byte)
    return equalised.astype(np.float32) / 255
