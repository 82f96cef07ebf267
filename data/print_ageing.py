"""Black-and-white photos aged like old prints and their scans, for training and benchmarks.

A restorer's black-and-white input is not a clean grey version of a modern photo: it is an
old print or its scan, with a faded or harsh tone curve, film grain, softness, dust,
scratches, creases, a vignette, uneven exposure, often a halftone screen (a photo printed
in a book or newspaper) and the scanner's JPEG. These are pure functions that put such
defects on a lightness image, so a black-and-white model can learn from the training
photo's lightness aged at random (:func:`random_print`, ``augment.print_ageing``) and a
benchmark can age a held-out view with named, seeded recipes (:data:`PRINT_RECIPES`,
:func:`age_print`).

Convention (that of ``models.inputs.Guides.luminance``): a lightness image ``L`` is
(H, W) float32, CIE L* / 100, in [0, 1]. Every function returns a new array in the same
convention; where a defect would push a value past paper white or the deepest black the
value is clipped to [0, 1], as a print saturates there. Functions that draw damage
(dust, scratches, creases) also return where they drew it: a bool (H, W) mask of every
pixel they changed. Randomness comes only from the ``numpy.random.Generator`` passed in.

The halftone screen is tone-exact in L*: the share of paper a dot screen leaves uncovered
in a cell equals the cell's L* / 100 (the threshold function is equalised to a uniform
distribution over one cell, as an ordered-dither matrix is), so a low-pass of the screen
gives the image back. A real press is tone-exact in reflectance; the difference is a tone
curve, which the tone-curve defects cover anyway.
"""
from __future__ import annotations

import math

import cv2
import numpy as np
import torch

from utils.cielab import gray_lightness, lab_to_rgb_keep_lightness, lightness_to_gray
from utils.errors import InputError

# L* / 100 of each 8-bit grey value (a scan read back): a table, so a JPEG round trip is one lookup.
_LIGHTNESS_OF_BYTE = gray_lightness(np.arange(256, dtype=np.float32) / 255)

# Toner tints (a*, b*) at full strength: sepia (silver sulphide, warm brown) and cyanotype
# (Prussian blue). A toned print is tinted most in the mid-tones; paper white and deep black
# carry little colour (see :func:`tone_print`).
TONINGS = {"sepia": (9.0, 24.0), "cyanotype": (-6.0, -34.0)}


def _check_lightness(L: np.ndarray) -> None:
    if not isinstance(L, np.ndarray) or L.ndim != 2:
        raise ValueError(f"lightness must be an (H, W) array, got {getattr(L, 'shape', type(L))}")
    if L.size == 0:
        raise ValueError("lightness is empty")


def _clip(L: np.ndarray) -> np.ndarray:
    return np.clip(L, 0.0, 1.0).astype(np.float32)


# ----------------------------------------------------------------------------- tone and optics

def tone_curve(L: np.ndarray, black: float = 0.0, white: float = 1.0, gamma: float = 1.0,
               contrast: float = 0.0) -> np.ndarray:
    """``L`` through a print's tone curve: ``L ** gamma``, then an S-curve of strength
    ``contrast`` (0: none, 1: harsh; a contrasty print), then mapped onto [``black``, ``white``]
    (``black`` > 0: lifted blacks; ``white`` < 1: lowered whites; both: a faded print).
    Requires 0 <= black < white <= 1, gamma > 0, contrast >= 0."""
    _check_lightness(L)
    if not (0.0 <= black < white <= 1.0):
        raise ValueError(f"tone curve needs 0 <= black < white <= 1, got black={black}, white={white}")
    if gamma <= 0 or contrast < 0:
        raise ValueError(f"tone curve needs gamma > 0 and contrast >= 0, got gamma={gamma}, contrast={contrast}")
    out = np.power(np.clip(L, 0, 1), gamma)
    if contrast > 0:
        k = 6.0 * contrast  # slope of the S-curve at mid-grey is k / 2 / tanh(k / 2) >= 1
        out = 0.5 + 0.5 * np.tanh(k * (out - 0.5)) / math.tanh(k / 2)
    return _clip(black + (white - black) * out)


def film_grain(L: np.ndarray, rng: np.random.Generator, strength: float = 0.03, size: float = 0.8) -> np.ndarray:
    """``L`` with film grain: Gaussian noise of standard deviation ``strength`` (L* / 100) in the
    mid-tones (a third of it at black and white, where silver grain shows least), its grains
    about ``size`` px across (the noise is blurred with that sigma; 0: per-pixel noise)."""
    _check_lightness(L)
    noise = rng.standard_normal(L.shape).astype(np.float32)
    if size > 0:
        noise = cv2.GaussianBlur(noise, (0, 0), size, borderType=cv2.BORDER_REFLECT_101)
        noise /= max(float(noise.std()), 1e-6)
    amplitude = strength * (1 / 3 + 2 / 3 * 4 * L * (1 - L))
    return _clip(L + amplitude * noise)


def blur(L: np.ndarray, sigma: float) -> np.ndarray:
    """``L`` softened by a Gaussian of ``sigma`` px (an enlarger or scanner out of focus)."""
    _check_lightness(L)
    if sigma <= 0:
        return L.astype(np.float32, copy=True)
    return cv2.GaussianBlur(L.astype(np.float32), (0, 0), sigma, borderType=cv2.BORDER_REFLECT_101)


def vignette(L: np.ndarray, strength: float = 0.3) -> np.ndarray:
    """``L`` darkened towards the corners: multiplied by ``1 - strength * r^2``, ``r`` the
    distance from the centre with the corners at 1. ``strength`` in [0, 1]."""
    _check_lightness(L)
    if not 0 <= strength <= 1:
        raise ValueError(f"vignette strength must be in [0, 1], got {strength}")
    h, w = L.shape
    y = (np.arange(h, dtype=np.float32) - (h - 1) / 2) / max(h / 2, 1)
    x = (np.arange(w, dtype=np.float32) - (w - 1) / 2) / max(w / 2, 1)
    r2 = (y[:, None] ** 2 + x[None, :] ** 2) / 2
    return _clip(L * (1 - strength * r2))


def uneven_exposure(L: np.ndarray, rng: np.random.Generator, strength: float = 0.1) -> np.ndarray:
    """``L`` plus a smooth gradient across the frame in a random direction, from ``-strength / 2``
    to ``+strength / 2`` (L* / 100): a print exposed or developed unevenly."""
    _check_lightness(L)
    h, w = L.shape
    angle = rng.uniform(0, 2 * np.pi)
    y = np.arange(h, dtype=np.float32)[:, None] - (h - 1) / 2
    x = np.arange(w, dtype=np.float32)[None, :] - (w - 1) / 2
    ramp = np.cos(angle) * x + np.sin(angle) * y
    ramp /= max(float(np.abs(ramp).max()), 1e-6) * 2  # in [-0.5, 0.5]
    return _clip(L + strength * ramp)


def jpeg(L: np.ndarray, quality: int = 75) -> np.ndarray:
    """``L`` saved as an 8-bit grey JPEG of ``quality`` (1..100) and read back, as a scanner's
    file is (the grey values are sRGB-encoded, as in an image file)."""
    _check_lightness(L)
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1 to 100, got {quality}")
    grey = np.round(lightness_to_gray(L) * 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG")
    return _LIGHTNESS_OF_BYTE[cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)]


def quantise(L: np.ndarray) -> np.ndarray:
    """``L`` as an 8-bit grey file holds it (sRGB grey values rounded to 1/255, read back)."""
    _check_lightness(L)
    return _LIGHTNESS_OF_BYTE[np.round(lightness_to_gray(L) * 255).astype(np.uint8)]


# ----------------------------------------------------------------------------- halftone

_EQUALISER_LEVELS = 4096
_EQUALISER: np.ndarray | None = None  # (_EQUALISER_LEVELS,) float32: screen value -> its rank in a cell


def _equalise(screen: np.ndarray) -> np.ndarray:
    """The dot-screen function's values (in [0, 1]) -> their rank among the function's values
    over one cell, in [0, 1]: a threshold that is uniform over a cell (a lookup table built
    once from the function on a fine grid of one cell)."""
    global _EQUALISER
    if _EQUALISER is None:
        t = (np.arange(256, dtype=np.float64) + 0.5) / 256
        u, v = np.meshgrid(t, t, indexing="ij")
        cells = np.sort((0.5 + 0.25 * (np.cos(2 * np.pi * u) + np.cos(2 * np.pi * v))).ravel())
        levels = np.linspace(0, 1, _EQUALISER_LEVELS)
        _EQUALISER = np.interp(levels, cells, np.linspace(0, 1, cells.size)).astype(np.float32)
    index = np.clip(np.round(screen * (_EQUALISER_LEVELS - 1)), 0, _EQUALISER_LEVELS - 1).astype(np.int32)
    return _EQUALISER[index]


def halftone(L: np.ndarray, period: float = 5.0, angle_deg: float = 45.0, softness: float = 0.0,
             supersample: int = 2) -> np.ndarray:
    """``L`` printed through a round-dot halftone screen: a square lattice of dots ``period`` px
    apart, turned by ``angle_deg`` (45 is the classic black screen), and scanned.

    ``softness`` 0 gives binary ink (black dots on white paper, white holes in black where the
    image is dark); up to 1 the dots are modulated more and more smoothly (ink spread, a
    soft scan). The screen is tone-exact in L* (module docstring). It is drawn at
    ``supersample`` x the resolution and area-averaged back, as a scanner's pixel integrates."""
    _check_lightness(L)
    if not 2.0 <= period <= 64.0:
        raise ValueError(f"halftone period must be 2 to 64 px, got {period}")
    if not 0.0 <= softness <= 1.0:
        raise ValueError(f"halftone softness must be in [0, 1], got {softness}")
    h, w = L.shape
    s = int(supersample)
    ys = (np.arange(h * s, dtype=np.float32) + 0.5) / s - 0.5   # supersampled pixel centres, in px
    xs = (np.arange(w * s, dtype=np.float32) + 0.5) / s - 0.5
    a = np.deg2rad(angle_deg)
    u = (np.cos(a) * xs[None, :] + np.sin(a) * ys[:, None]) / period   # (hs, ws), in cells
    v = (-np.sin(a) * xs[None, :] + np.cos(a) * ys[:, None]) / period
    screen = 0.5 + 0.25 * (np.cos(2 * np.pi * u) + np.cos(2 * np.pi * v))
    threshold = _equalise(screen)  # uniform in [0, 1] over a cell
    up = cv2.resize(L.astype(np.float32), (w * s, h * s), interpolation=cv2.INTER_LINEAR) if s > 1 else L
    if softness > 0:
        paper = np.clip((up - threshold) / softness + 0.5, 0, 1)
    else:
        paper = (up > threshold).astype(np.float32)
    out = cv2.resize(paper, (w, h), interpolation=cv2.INTER_AREA) if s > 1 else paper
    return _clip(out)


# ----------------------------------------------------------------------------- damage

def _blend(L: np.ndarray, alpha: np.ndarray, value: float) -> np.ndarray:
    return L * (1 - alpha) + value * alpha


def dust(L: np.ndarray, rng: np.random.Generator, count: int, radius=(0.5, 2.2),
         dark_share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """``L`` with ``count`` dust specks and the bool (H, W) mask of the pixels they changed.

    A speck is one to three overlapping small ellipses (semi-axes in ``radius`` px), dark
    (dust on the print or scanner glass, L* 2-20) with probability ``dark_share``, else
    bright (dust on the negative, printed white: L* 85-100), drawn anti-aliased with an
    opacity of 0.7-1."""
    _check_lightness(L)
    out = L.astype(np.float32, copy=True)
    mask = np.zeros(L.shape, bool)
    h, w = L.shape
    r_hi = int(math.ceil(3 * radius[1])) + 2
    for _ in range(int(count)):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        value = rng.uniform(0.02, 0.2) if rng.random() < dark_share else rng.uniform(0.85, 1.0)
        opacity = rng.uniform(0.7, 1.0)
        y0, y1 = max(0, int(cy) - r_hi), min(h, int(cy) + r_hi + 1)
        x0, x1 = max(0, int(cx) - r_hi), min(w, int(cx) + r_hi + 1)
        canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
        for _ in range(int(rng.integers(1, 4))):
            oy, ox = rng.normal(0, radius[1] * 0.5, 2) if canvas.any() else (0.0, 0.0)
            axes = rng.uniform(radius[0], radius[1], 2)
            centre = (int(round((cx + ox - x0) * 16)), int(round((cy + oy - y0) * 16)))
            cv2.ellipse(canvas, centre, (int(round(axes[0] * 16)), int(round(axes[1] * 16))),
                        float(rng.uniform(0, 180)), 0, 360, 255, -1, cv2.LINE_AA, 4)
        alpha = canvas.astype(np.float32) / 255 * opacity
        out[y0:y1, x0:x1] = _blend(out[y0:y1, x0:x1], alpha, value)
        mask[y0:y1, x0:x1] |= canvas > 0
    return _clip(out), mask


def _curve(rng: np.random.Generator, h: int, w: int, length: float, bend: float, angle: float) -> np.ndarray:
    """Points (N, 2) (x, y), px, of a random quadratic Bezier curve of about ``length`` px in
    direction ``angle`` (radians), its middle pushed sideways by ``bend`` x its length."""
    start = np.array([rng.uniform(0, w), rng.uniform(0, h)])
    direction = np.array([math.cos(angle), math.sin(angle)])
    end = start + length * direction
    side = np.array([-direction[1], direction[0]])
    mid = (start + end) / 2 + bend * length * side
    t = np.linspace(0, 1, max(8, int(length / 4)))[:, None]
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * mid + t ** 2 * end


def _draw_curve(shape, points: np.ndarray, width: float) -> np.ndarray:
    """Coverage (H, W) float32 in [0, 1] of an anti-aliased polyline of ``width`` px (a line
    thinner than 1 px is drawn 1 px wide at that fraction of full strength)."""
    canvas = np.zeros(shape, np.uint8)
    pts = np.round(points * 16).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [pts], False, 255, max(1, int(round(width))), cv2.LINE_AA, 4)
    return canvas.astype(np.float32) / 255 * min(1.0, width)


def scratches(L: np.ndarray, rng: np.random.Generator, count: int, width=(0.8, 2.0),
              bright_share: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """``L`` with ``count`` scratches and the bool (H, W) mask of the pixels they changed.

    A scratch is a thin, long, gently curved line (``width`` px; 30-100 % of the long side;
    mostly along the frame's height, as film runs through a camera), bright (emulsion
    scratched off a print, or a scratch on the negative: L* 85-100) with probability
    ``bright_share``, else dark (L* 0-15), with an opacity of 0.6-1."""
    _check_lightness(L)
    out = L.astype(np.float32, copy=True)
    mask = np.zeros(L.shape, bool)
    h, w = L.shape
    for _ in range(int(count)):
        angle = np.pi / 2 + rng.normal(0, 0.35) + (np.pi if rng.random() < 0.5 else 0.0)
        points = _curve(rng, h, w, rng.uniform(0.3, 1.0) * max(h, w), rng.uniform(-0.08, 0.08), angle)
        alpha = _draw_curve(L.shape, points, rng.uniform(*width))
        value = rng.uniform(0.85, 1.0) if rng.random() < bright_share else rng.uniform(0.0, 0.15)
        out = _blend(out, alpha * rng.uniform(0.6, 1.0), value)
        mask |= alpha > 0
    return _clip(out), mask


def creases(L: np.ndarray, rng: np.random.Generator, count: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``L`` with ``count`` creases (a print folded once) and the bool (H, W) mask of the pixels
    they changed: a nearly straight line across the whole frame with a bright core (cracked
    emulsion, L* 80-95) and a darker shoulder 2 px to one side (the fold's shadow)."""
    _check_lightness(L)
    out = L.astype(np.float32, copy=True)
    mask = np.zeros(L.shape, bool)
    h, w = L.shape
    for _ in range(int(count)):
        angle = rng.uniform(0, np.pi)
        length = 2.0 * math.hypot(h, w)
        direction = np.array([math.cos(angle), math.sin(angle)])
        centre = np.array([rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h])
        points = _curve(rng, 0, 0, length, rng.uniform(-0.01, 0.01), angle) + centre - length / 2 * direction
        side = np.array([-direction[1], direction[0]]) * (2.0 if rng.random() < 0.5 else -2.0)
        shadow = _draw_curve(L.shape, points + side, 2.0)
        core = _draw_curve(L.shape, points, rng.uniform(1.0, 2.0))
        out = out * (1 - 0.35 * shadow)
        out = _blend(out, core * rng.uniform(0.6, 0.9), rng.uniform(0.8, 0.95))
        mask |= (core > 0) | (shadow > 0)
    return _clip(out), mask


# ----------------------------------------------------------------------------- toning

def tone_print(L: np.ndarray, kind: str = "sepia", strength: float = 1.0) -> np.ndarray:
    """A toned print of ``L`` as an (H, W, 3) float32 RGB image in [0, 1] (a toned scan given
    as a colour file): L* is ``L``'s (kept exactly where the tint fits the sRGB gamut; else
    the tint is reduced), a*, b* the toner's tint (:data:`TONINGS`) times ``strength``,
    strongest in the mid-tones (``4 L (1 - L)``, none at paper white and deep black)."""
    _check_lightness(L)
    if kind not in TONINGS:
        raise ValueError(f"toning must be one of {', '.join(TONINGS)}, got {kind!r}")
    a, b = TONINGS[kind]
    weight = strength * np.clip(4 * L * (1 - L), 0, 1) ** 0.5
    lab = np.stack([np.clip(L, 0, 1) * 100, a * weight, b * weight]).astype(np.float32)
    rgb = lab_to_rgb_keep_lightness(torch.from_numpy(lab)[None])
    return np.ascontiguousarray(rgb[0].permute(1, 2, 0).numpy().clip(0, 1), np.float32)


# ----------------------------------------------------------------------------- random and named prints

def _area_count(rng: np.random.Generator, shape, per_pixel: float) -> int:
    """A Poisson count with mean ``per_pixel`` x the image's area (damage scales with the frame)."""
    return int(rng.poisson(per_pixel * shape[0] * shape[1]))


def random_print(L: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``L`` aged with a random combination of print defects, all drawn from ``rng``: the
    training augmentation of black-and-white models (``augment.print_ageing``).

    In the order they happen to a print: film grain, softness, a tone curve (faded,
    contrasty or lifted blacks), uneven exposure, a vignette, a halftone screen instead of
    a photographic print, dust, scratches, a crease, and last the scan (JPEG, else 8-bit
    grey). Each is drawn with its own probability, so most patches get a few of them and
    some none but the scan; the damage mask is not needed here and dropped."""
    return _random_print(L, rng, always_damaged=False)[0]


def random_damaged_print(L: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``L`` aged as :func:`random_print` ages it, but always with dust and scratches (a crease
    as often), -> (aged L, bool (H, W) mask of the pixels the damage changed): what a damage
    detector learns from (``preprocess/damage_detector.py``)."""
    return _random_print(L, rng, always_damaged=True)


def _random_print(L: np.ndarray, rng: np.random.Generator, always_damaged: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`random_print` and :func:`random_damaged_print`. ``always_damaged`` False draws from
    ``rng`` exactly what :func:`random_print` always drew (a black-and-white model's augmentation is
    unchanged); True draws the dust and scratches whatever their coin tosses say, so from there on it
    draws more."""
    _check_lightness(L)
    out = L.astype(np.float32, copy=True)
    screened = rng.random() < 0.15
    if not screened and rng.random() < 0.5:
        out = film_grain(out, rng, rng.uniform(0.01, 0.06), rng.uniform(0.0, 1.2))
    if rng.random() < 0.5:
        out = blur(out, rng.uniform(0.4, 1.6))
    curve = rng.choice(["none", "faded", "contrasty", "lifted"], p=[0.2, 0.35, 0.25, 0.2])
    if curve == "faded":
        out = tone_curve(out, rng.uniform(0.08, 0.25), rng.uniform(0.75, 0.93), rng.uniform(0.8, 1.25))
    elif curve == "contrasty":
        out = tone_curve(out, gamma=rng.uniform(0.85, 1.2), contrast=rng.uniform(0.3, 1.0))
    elif curve == "lifted":
        out = tone_curve(out, black=rng.uniform(0.08, 0.22))
    if rng.random() < 0.3:
        out = uneven_exposure(out, rng, rng.uniform(0.05, 0.2))
    if rng.random() < 0.3:
        out = vignette(out, rng.uniform(0.1, 0.5))
    if screened:
        out = halftone(out, rng.uniform(3.5, 7.0), rng.choice([0.0, 15.0, 45.0, 75.0]) + rng.normal(0, 2),
                       rng.uniform(0.0, 0.6))
        out = blur(out, rng.uniform(0.3, 0.8))
    mask = np.zeros(L.shape, bool)
    if rng.random() < 0.4 or always_damaged:
        out, drawn = dust(out, rng, _area_count(rng, out.shape, rng.uniform(1e-4, 6e-4)))
        mask |= drawn
    if rng.random() < 0.3 or always_damaged:
        out, drawn = scratches(out, rng, int(rng.integers(1, 5)))
        mask |= drawn
    if rng.random() < 0.1:
        out, drawn = creases(out, rng)
        mask |= drawn
    return (jpeg(out, int(rng.integers(35, 95))) if rng.random() < 0.5 else quantise(out)), mask


def _dust_and_scratches(L, rng, damage: bool, dust_per_pixel: float, lines: int):
    """Dust and scratches drawn on ``L`` -> (L, mask); ``damage`` False: drawn and thrown away,
    so the recipe's later random choices are the same as with them."""
    out, specks = dust(L, rng, _area_count(rng, L.shape, dust_per_pixel))
    out, scratched = scratches(out, rng, lines)
    return (out, specks | scratched) if damage else (L, np.zeros(L.shape, bool))


def _faded_grain(L, rng, damage):
    out = film_grain(L, rng, rng.uniform(0.03, 0.05), rng.uniform(0.6, 1.0))
    out = blur(out, rng.uniform(0.8, 1.2))
    out = tone_curve(out, rng.uniform(0.15, 0.22), rng.uniform(0.78, 0.85), rng.uniform(1.0, 1.15))
    return jpeg(out, int(rng.integers(60, 75))), np.zeros(L.shape, bool)


def _damaged(L, rng, damage):
    out = tone_curve(L, gamma=rng.uniform(1.0, 1.1), contrast=rng.uniform(0.6, 0.8))
    out = vignette(out, rng.uniform(0.3, 0.4))
    out, mask = _dust_and_scratches(out, rng, damage, 4e-4, int(rng.integers(3, 6)))
    return quantise(out), mask


def _newspaper_halftone(L, rng, damage):
    out = halftone(L, rng.uniform(4.5, 5.5), 45.0 + rng.normal(0, 1), rng.uniform(0.0, 0.2))
    out = tone_curve(out, black=0.08, white=0.92)  # newsprint's ink is not black nor its paper white
    out = blur(out, rng.uniform(0.5, 0.7))
    return jpeg(out, int(rng.integers(75, 85))), np.zeros(L.shape, bool)


def _worn_scan(L, rng, damage):
    out = film_grain(L, rng, rng.uniform(0.02, 0.03), 0.8)
    out = blur(out, rng.uniform(0.6, 0.9))
    out = tone_curve(out, black=rng.uniform(0.08, 0.12), white=rng.uniform(0.9, 0.95))
    out, mask = _dust_and_scratches(out, rng, damage, 2e-4, int(rng.integers(2, 4)))
    return jpeg(out, int(rng.integers(70, 85))), mask


# name -> (description, seed). The seed fixes every random choice of the recipe for an image size.
PRINT_RECIPES: dict[str, tuple[str, int]] = {
    "faded-grain": ("faded tone curve (lifted blacks, lowered whites), film grain, softness, JPEG", 1101),
    "damaged": ("contrasty tone curve, vignette, dust specks, scratches", 2202),
    "newspaper-halftone": ("45-degree round-dot halftone screen on newsprint, slight blur, JPEG", 3303),
    "worn-scan": ("film grain, slight blur, lifted blacks, dust, a few scratches, JPEG", 4404),
}
_RECIPE_STEPS = {"faded-grain": _faded_grain, "damaged": _damaged, "newspaper-halftone": _newspaper_halftone,
                 "worn-scan": _worn_scan}


def age_print(L: np.ndarray, recipe: str, damage: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``L`` aged by the named recipe of :data:`PRINT_RECIPES` (the same result for the same
    image every time: the recipe's seed fixes every choice) -> (aged L, damage mask), the
    mask a bool (H, W) of the pixels dust and scratches were drawn on (all False for a
    recipe without them).

    ``damage`` False: the same print without its dust and scratches, every other choice
    the same (the mask is then all False): what a restoration of the damaged print is
    measured against. A recipe that ends with a JPEG differs from it also in the 8 x 8
    blocks around the damage."""
    if recipe not in PRINT_RECIPES:
        raise InputError(f"unknown print recipe {recipe!r}; choose from {', '.join(PRINT_RECIPES)}")
    _check_lightness(L)
    return _RECIPE_STEPS[recipe](L.astype(np.float32), np.random.default_rng(PRINT_RECIPES[recipe][1]), damage)
