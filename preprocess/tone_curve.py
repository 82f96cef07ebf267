"""An old print's tone curve, read off where the print lines up with the training photo.

A print's tones went through a curve the photo's did not: faded (lifted blacks, dimmed whites),
contrasty (shadows crushed, highlights blown), or a paper and developer's own S-curve. Levels alone
(``ChromaDatabase.as_photo``: the black and white points stretched to the photo's) undo a fade
but not a contrasty curve, whose ends sit where the photo's do. Where reference alignment holds,
every aligned pixel pairs the print's lightness with the photo's at the same point of the scene,
so the whole curve can be read off them: the median photo L* of each of :data:`BINS` equal-count
bins of the print's L*, made non-decreasing (isotonic regression, SciPy) and interpolated between
bins. Beyond the outermost bins it runs straight to black at 0 and white at 1, so the print's
deepest shadows and brightest highlights keep their detail instead of being flattened.

The curve describes the print as a whole (a print went through one curve), so it is applied to all
of it, the part the photo does not show included. It is used only when it explains the photo's
lightness clearly better than the levels do (:data:`BETTER`, :data:`MIN_GAIN`): on a clean photo, or a fade the
levels already undo, the two differ little and the levels' reading stays, so a print needing no
curve is not bent toward a photo taken in other light.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import isotonic_regression

BINS = 64              # equal-count bins of the print's L* whose median photo L* the curve passes through
MIN_PIXELS = 5_000     # aligned pixels below which no curve is read (too little of the scene)
MIN_BIN = 20           # pixels a bin needs for its median to count
MIN_SLOPE = 0.1        # the curve rises at least this much per unit of print L*: no tone range is flattened
BETTER = 2 / 3         # used when its RMS difference from the photo's L* over the aligned pixels is at most this
                       # share of the levels' reading's: the curve must explain a third of what the levels leave,
MIN_GAIN = 0.01        # ... and at least this much L* / 100 of it (a print the levels already read needs no curve)
ALIGNED = 0.99         # share of the aligned photo a pixel must show to pair its lightness with the print's
SAMPLES = 400_000      # aligned pixels read (a seeded random sample of a large scan)


@dataclass(frozen=True)
class ToneCurve:
    """A monotone map of the print's L* / 100 onto the training photo's: ``knots`` print L* / 100
    (increasing) and ``values`` photo L* / 100 there; ``share`` of the print the photo covered;
    ``rms`` and ``levels_rms``: the L* / 100 RMS difference from the photo over the aligned pixels
    through the curve and through the levels' reading."""
    knots: np.ndarray
    values: np.ndarray
    share: float
    rms: float
    levels_rms: float

    @property
    def explains_better(self) -> bool:
        """Whether the curve explains the photo's lightness clearly better than the levels' reading
        (:data:`BETTER`, :data:`MIN_GAIN`): only then is it used."""
        return self.rms <= BETTER * self.levels_rms and self.levels_rms - self.rms >= MIN_GAIN

    def apply(self, lightness: np.ndarray) -> np.ndarray:
        """(H, W) L* / 100 through the curve, in [0, 1]: straight to 0 below the first knot and to 1
        above the last (module docstring)."""
        x = np.asarray(lightness, np.float32)
        knots = np.concatenate([[0.0], self.knots, [1.0]])
        values = np.concatenate([[0.0], self.values, [1.0]])
        return np.clip(np.interp(x, knots, values), 0.0, 1.0).astype(np.float32)

    def describe(self) -> str:
        """The curve for a note: where it was read and what it does to three tones."""
        mids = np.float32([0.25, 0.5, 0.75])
        pairs = ", ".join(f"{100 * m:.0f} -> {100 * v:.0f}" for m, v in zip(mids, self.apply(mids)))
        return (f"the print's tone curve where it lines up with the training photo ({100 * self.share:.0f} % of it; "
                f"L* {pairs})")


def fit_tone_curve(lightness: np.ndarray, photo_lightness: np.ndarray, share: np.ndarray,
                   levels: np.ndarray) -> ToneCurve | None:
    """The print's tone curve from its (H, W) ``lightness`` and the aligned training photo's
    ``photo_lightness`` (both L* / 100) where the photo's ``share`` of a pixel is at least
    :data:`ALIGNED`, with its RMS difference from the photo there and that of ``levels``, the
    print's lightness as the levels read it (what the curve must beat:
    :attr:`ToneCurve.explains_better`). None where too little lines up."""
    if not (lightness.shape == photo_lightness.shape == share.shape == levels.shape):
        raise ValueError(f"shapes differ: {lightness.shape}, {photo_lightness.shape}, {share.shape}, {levels.shape}")
    for name, image in (("lightness", lightness), ("photo_lightness", photo_lightness), ("levels", levels)):
        if not np.isfinite(image).all():
            raise ValueError(f"{name} holds NaN or infinite values")
    mask = share >= ALIGNED
    count = int(mask.sum())
    if count < MIN_PIXELS:
        return None
    where = np.flatnonzero(mask)
    if count > SAMPLES:  # random, not every n-th: a stride over rows would keep the same columns in every row
        where = np.random.default_rng(0).choice(where, SAMPLES, replace=False)
    x = np.asarray(lightness, np.float32).ravel()[where]
    y = np.asarray(photo_lightness, np.float32).ravel()[where]
    levelled = np.asarray(levels, np.float32).ravel()[where]
    order = np.argsort(x, kind="stable")
    knots, values, weights = [], [], []
    for part in np.array_split(order, BINS):
        if len(part) >= MIN_BIN:
            knots.append(float(np.median(x[part])))
            values.append(float(np.median(y[part])))
            weights.append(len(part))
    if len(knots) < 2:
        return None
    knots, values = _rising(np.asarray(knots), isotonic_regression(values, weights=weights).x)
    curve = ToneCurve(knots, values, count / mask.size, 0.0, 0.0)
    rms = float(np.sqrt(np.mean((curve.apply(x) - y) ** 2)))
    levels_rms = float(np.sqrt(np.mean((levelled - y) ** 2)))
    return ToneCurve(knots, values, curve.share, rms, levels_rms)


def _rising(knots: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots made strictly increasing (bins of one repeated L* merged) and values rising at least
    :data:`MIN_SLOPE` between them and on to the curve's ends, black at 0 and white at 1, so that no
    tone range is flattened even where the photo's own shadows or highlights are clipped."""
    knots, first = np.unique(knots, return_index=True)
    out = np.asarray(values, np.float64)[first]
    out[0] = max(out[0], MIN_SLOPE * knots[0])
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + MIN_SLOPE * (knots[i] - knots[i - 1]))
    out[-1] = min(out[-1], 1.0 - MIN_SLOPE * (1.0 - knots[-1]))
    for i in range(len(out) - 2, -1, -1):
        out[i] = min(out[i], out[i + 1] - MIN_SLOPE * (knots[i + 1] - knots[i]))
    return knots, out
