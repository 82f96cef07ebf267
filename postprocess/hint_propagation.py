"""Colour hints on a black-and-white photo, carried along its lightness.

On a line drawing a hint fills the region its dot touches, closed by the lines (LazyBrush,
:func:`preprocess.hints.hint_regions`). A black-and-white photo has no such lines: the sketch
drawn from it is so dense that a hint's region is little more than the dot itself
(``bench/results_colour_hints.md``). So on a black-and-white input each hint's chroma
correction (the hint's a*, b* minus the network's, pixel by pixel on the dot) is carried over
the photo as Levin, Lischinski and Weiss do with scribbles (*Colorization using Optimization*,
SIGGRAPH 2004): each pixel's correction is the weighted mean of its 8 neighbours', the weights
high where their lightness is alike and low across an edge (their window variance rule). A
screening term lets it fade over about :data:`DECAY` px of even lightness, so a hint does not tint
the whole photo. One sparse solve serves all hints: the same system gives how strongly the hints
reach each pixel (the *weight*, 1 on a dot) and the corrections they carry, which are divided by
it, so the hints' corrections are blended where two meet rather than diluted.
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy import sparse
from scipy.sparse.linalg import cg

from preprocess.hints import REACH, Hint, draw_hint

DECAY = REACH         # px of even lightness: a stroke's correction fades to 1/e over it (a dot's faster)
MAX_PIXELS = 120_000  # larger photos are solved at a smaller size, the result resized up along the lightness
UPSAMPLE_SIGMA = 0.02  # L* / 100: resizing up, a small pixel counts for a full one as their lightness is alike
PIN_COVER = 0.25      # a small pixel is pinned to a dot's value where the dot covers this share of it
TOLERANCE = 1e-5      # conjugate gradients' relative residual
MAX_ITERATIONS = 2000  # the Jacobi-scaled system's condition number is at most 16 DECAY^2 / 3 (about 12,300),
                       # which TOLERANCE reaches in well under 1000 iterations: more means a defect
_OFFSETS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


def hint_dots(hints: list[Hint], shape) -> np.ndarray:
    """(H, W) int32: 1 + the index of the hint whose dot or stroke covers the pixel (later hints
    win where two overlap), 0 elsewhere."""
    dots = np.zeros(shape, np.int32)
    for i, hint in enumerate(hints):
        draw_hint(dots, hint, i + 1)
    return dots


def _neighbour_weights(lightness: np.ndarray) -> np.ndarray:
    """Levin et al.'s affinities, made symmetric: (8, H, W) float64, the weight between a pixel and
    each of its 8 neighbours (0 outside the picture). Seen from r, a neighbour s weighs
    exp(-(L_r - L_s)^2 / c_r), with c_r 0.6 times the variance of L over r's 3x3 window, at least
    enough that r's most alike neighbour weighs 0.01, and at least 2e-6 (their code's rule); the
    pair's weight is the geometric mean of the two views, so the system is symmetric."""
    h, w = lightness.shape
    light = lightness.astype(np.float64)
    padded = np.pad(light, 1, mode="edge")
    inside = np.pad(np.ones((h, w), bool), 1)
    near = np.stack([padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy, dx in _OFFSETS])
    valid = np.stack([inside[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy, dx in _OFFSETS])
    variance = np.nanvar(np.concatenate([np.where(valid, near, np.nan), light[None]]), axis=0)
    sq = np.where(valid, (near - light) ** 2, np.inf)
    inv_c = 1.0 / np.maximum(np.maximum(0.6 * variance, sq.min(axis=0) / -np.log(0.01)), 2e-6)   # (H, W)
    inv_c_near = np.stack([np.pad(inv_c, 1, mode="edge")[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy, dx in _OFFSETS])
    return np.where(valid, np.exp(-np.where(valid, sq, 0.0) * 0.5 * (inv_c + inv_c_near)), 0.0)


def _laplacian(lightness: np.ndarray, decay: float) -> sparse.csr_matrix:
    """(1 + mu) D - W over all pixels: W the neighbour weights, D their row sums, mu = 3 / (8 decay^2)
    (on even lightness, sum_s (u_r - u_s) is -3 times u's Laplacian over 8 neighbours, so a value
    fades as exp(-distance / decay))."""
    h, w = lightness.shape
    weights = _neighbour_weights(lightness)
    index = np.arange(h * w).reshape(h, w)
    rows, cols, vals = [], [], []
    for k, (dy, dx) in enumerate(_OFFSETS):
        ok = weights[k] > 0
        rows.append(index[ok])
        cols.append(index[ok] + dy * w + dx)
        vals.append(-weights[k][ok])
    degree = weights.sum(axis=0).ravel()
    rows.append(index.ravel())
    cols.append(index.ravel())
    vals.append((1.0 + 3.0 / (8.0 * decay ** 2)) * degree)
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(h * w,) * 2)


def carry_along_lightness(lightness: np.ndarray, dots: np.ndarray, values: np.ndarray, decay: float = DECAY
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Carry ``values`` (H, W, C), given on the ``dots`` pixels (H, W int: 1 + the hint's index,
    0 elsewhere), over the picture along ``lightness`` (H, W, L* / 100). Returns the carried values
    (H, W, C), a blend of the dots' values (0 where no dot reaches), and the weight (H, W) in
    [0, 1]: 1 on a dot, fading with distance and across edges.

    A picture over :data:`MAX_PIXELS` is solved at a size that fits: a small pixel is pinned where
    a dot covers :data:`PIN_COVER` of it or more (and each dot pins at least the one it covers most), and the
    result is resized up by joint bilateral upsampling (Kopf et al. 2007) on the full-size
    lightness, so it stops at the photo's edges, not the small grid's; the dots themselves keep
    their values exactly."""
    if not np.isfinite(lightness).all():
        raise ValueError("lightness has NaN or infinite values")
    h, w = lightness.shape
    on = dots > 0
    scale = min(1.0, float(np.sqrt(MAX_PIXELS / (h * w))))
    if scale == 1.0:
        return _solve(lightness.astype(np.float64), on, values.astype(np.float64), decay)
    size = (max(2, int(w * scale)), max(2, int(h * scale)))

    def small(x: np.ndarray) -> np.ndarray:
        return cv2.resize(x.astype(np.float32), size, interpolation=cv2.INTER_AREA)

    pinned = np.zeros((size[1], size[0]), bool)
    for label in np.unique(dots[on]):
        cover = small(dots == label)
        pinned |= cover >= PIN_COVER
        pinned.flat[int(np.argmax(cover))] = True                  # a dot smaller than a small pixel is kept
    cover = small(on)
    small_vals = np.stack([small(np.where(on, values[..., c], 0.0)) for c in range(values.shape[-1])], -1)
    small_vals /= np.maximum(cover, 1e-12)[..., None]
    small_lightness = small(lightness)
    carried, weight = _solve(small_lightness.astype(np.float64), pinned, small_vals.astype(np.float64),
                             decay * size[0] / w)
    up = _joint_bilateral_up(np.dstack([carried * weight[..., None], weight]), small_lightness, lightness)
    weight = np.clip(up[..., -1], 0.0, 1.0)
    carried = np.where(weight[..., None] > 1e-9, up[..., :-1] / np.maximum(weight, 1e-9)[..., None], 0.0)
    carried[on], weight[on] = values[on], 1.0
    return carried.astype(np.float32), weight.astype(np.float32)


def _joint_bilateral_up(values: np.ndarray, small_lightness: np.ndarray, lightness: np.ndarray) -> np.ndarray:
    """``values`` (h, w, C) on a small grid resized up to ``lightness``'s (H, W): each pixel a blend
    of its 4 nearest small pixels, bilinear weights times how alike their lightness is to its own
    (Gaussian, :data:`UPSAMPLE_SIGMA`), so nothing is carried across a lightness edge."""
    (hs, ws), (h, w) = small_lightness.shape, lightness.shape

    def taps(n_full: int, n_small: int):
        pos = np.clip((np.arange(n_full) + 0.5) * n_small / n_full - 0.5, 0, n_small - 1)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, n_small - 1)
        frac = (pos - lo).astype(np.float32)
        return ((lo, 1.0 - frac), (hi, frac))

    total = np.zeros((h, w, values.shape[-1]), np.float32)
    norm = np.zeros((h, w), np.float32)
    for ys, wy in taps(h, hs):
        for xs, wx in taps(w, ws):
            alike = np.exp(-0.5 * ((lightness - small_lightness[ys[:, None], xs[None, :]]) / UPSAMPLE_SIGMA) ** 2)
            weight = (wy[:, None] * wx[None, :]) * (alike + 1e-6)   # a pixel unlike all four: plain bilinear
            total += weight[..., None] * values[ys[:, None], xs[None, :]]
            norm += weight
    return total / norm[..., None]


def _solve(lightness: np.ndarray, fixed: np.ndarray, values: np.ndarray, decay: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`carry_along_lightness` at full size: ``fixed`` (H, W) bool, the dots."""
    h, w = lightness.shape
    fixed = fixed.ravel()
    if not fixed.any():
        return np.zeros((h, w, values.shape[-1]), np.float32), np.zeros((h, w), np.float32)
    # the dots are known: solve for the other pixels, a symmetric positive definite system (conjugate
    # gradients, Jacobi-preconditioned), one right-hand side per value and one for the weight
    system = _laplacian(lightness, decay)
    free = ~fixed
    inner, coupling = system[free][:, free], system[free][:, fixed]
    known = np.concatenate([values.reshape(h * w, -1)[fixed], np.ones((int(fixed.sum()), 1))], axis=1)
    diag = inner.diagonal()
    jacobi = sparse.diags(1.0 / diag)
    solved = np.zeros((h * w, known.shape[1]))
    solved[fixed] = known
    for c in range(known.shape[1]):
        x, info = cg(inner, -(coupling @ known[:, c]), M=jacobi, rtol=TOLERANCE, maxiter=MAX_ITERATIONS)
        if info != 0:
            raise RuntimeError(f"hint propagation: conjugate gradients did not converge (info {info})")
        solved[free, c] = x
    solved = solved.reshape(h, w, -1)
    weight = np.clip(solved[..., -1], 0.0, 1.0)
    carried = solved[..., :-1] / np.maximum(weight, 1e-12)[..., None]
    return np.where(weight[..., None] > 1e-9, carried, 0.0).astype(np.float32), weight.astype(np.float32)
