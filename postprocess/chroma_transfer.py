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

Welsh et al. match luminance and neighbourhood statistics after remapping the source's
luminance to the target's; here no remap is made: a remap moves a clean view's tones by
whatever its content differs from the training photo's, which cost more than it gained on the
development cases (``bench/results_bw_transfer_cpu.md``).
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import cKDTree

from config.defaults import BAND_ROWS
from utils.cielab import rgb_to_lab

WINDOWS = (2, 7)            # px: radii of the two windows whose L* mean and deviation describe a pixel
STAT_WEIGHT = (0.5, 1.0)    # weight of each window's mean and of its deviation against the pixel's own L*:
                            # the mean mostly repeats L*, the deviation (texture) does not
NEIGHBOURS = 8              # database pixels whose a*, b* are averaged
DATABASE = 60_000           # training-photo pixels in the database (a seeded random sample)


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
        features = describe(lab[..., 0] / 100.0).reshape(-1, 1 + 2 * len(WINDOWS))
        ab = lab[..., 1:].reshape(-1, 2)
        if len(features) > size:
            keep = np.random.default_rng(seed).choice(len(features), size, replace=False)
            features, ab = features[keep], ab[keep]
        self.tree = cKDTree(features)
        self.ab = ab.astype(np.float32)
        self.long_side = max(photo.shape[:2])

    def chroma(self, lightness: np.ndarray, neighbours: int = NEIGHBOURS, band: int = BAND_ROWS) -> np.ndarray:
        """(H, W) L* / 100 of a black-and-white input -> (H, W, 2) float32 a*, b*: the mean of the
        ``neighbours`` nearest database pixels' for each pixel.

        An input larger than the training photo is described at the training photo's size (its long
        side shrunk to the photo's, area-averaged) and the a*, b* found brought back to its size:
        the windows then cover as much of the scene on both sides (a scan of a print framed like
        the photo shows each thing larger, and its texture at a finer scale, than the photo)."""
        h, w = lightness.shape
        scale = self.long_side / max(h, w)
        if scale >= 1.0:
            return self._chroma(lightness, neighbours, band)
        small = cv2.resize(lightness, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        return cv2.resize(self._chroma(small, neighbours, band), (w, h), interpolation=cv2.INTER_LINEAR)

    def _chroma(self, lightness: np.ndarray, neighbours: int, band: int) -> np.ndarray:
        """:meth:`chroma` at the input's own size, band by band (with the widest window's margin), so
        a large input's descriptions are never all in memory at once."""
        h, w = lightness.shape
        k = min(neighbours, len(self.ab))
        margin = max(WINDOWS)
        out = np.empty((h, w, 2), np.float32)
        for top in range(0, h, band):
            lo, hi = max(0, top - margin), min(h, top + band + margin)
            features = describe(lightness[lo:hi])[top - lo:top - lo + min(band, h - top)]
            _, idx = self.tree.query(features.reshape(-1, features.shape[-1]), k=k, workers=-1)
            idx = idx.reshape(-1, k)
            out[top:top + band] = self.ab[idx].mean(axis=1).reshape(features.shape[0], w, 2)
        return out
