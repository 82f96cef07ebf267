"""Dust and scratches told from the scene's own fine detail by what the training photo teaches.

``preprocess/restore.py``'s rule finds small or thin pieces that stand out of the median around
them. Fine bright and dark details of a sharp scene (spokes, glints, foliage, lettering) stand out
the same way, and the rule cannot tell them apart from dust: on a sharp print it takes several of
the scene's pixels for every damaged one (``bench/results_restore_detector_cpu.md``). But the
scene is the one the model was trained on: its training photo shows what its own detail looks
like. So :class:`DamageDetector` learns the difference from it, as the black-and-white model
learns colour from it:

1. the training photo's lightness is aged ``LEARN_PRINTS`` times at random, always with dust and
   scratches (``data.print_ageing.random_damaged_print``), whose masks say where the damage is;
2. every piece that stands out of its median (the rule's test with a lower bar, ``CANDIDATE_MIN``
   and ``CANDIDATE_SPREAD``, so fainter damage is looked at too) is described by a few numbers:
   its size and shape, how far and how consistently it stands out, its polarity and tone, how
   busy its surroundings are, whether its two sides agree (a scratch) and whether the rule keeps
   it (:func:`piece_features`);
3. a small classifier (a two-layer perceptron) learns which pieces are damage (more than half
   their pixels drawn by the damage), each piece weighted by its area, since a pixel taken
   wrongly or missed costs the same wherever it is.

A print is then read piece by piece the same way, and the pieces the classifier calls damage are
what ``restore_print`` fills. The damage the classifier learns from is this project's synthetic
damage, the same family the bench scores it on (named, seeded recipes there; random draws here).
"""
from __future__ import annotations

import cv2
import numpy as np
import torch
from scipy import ndimage

from data.print_ageing import random_damaged_print
from preprocess import restore
from utils.progress import progress_bar

CANDIDATE_MIN = 0.04      # a candidate stands this far (4 L*) outside the range of its median ...
CANDIDATE_SPREAD = 3.0    # ... and this many times its local spread: lower than the rule's own bar
LEARN_PRINTS = 24         # aged copies of the training photo learnt from, each a random crop of at most
LEARN_CROP = 320          # this side, px: many small copies cover the family of tone curves and damage
                          # (fewer, larger ones moved the result more with the random generator)
LEARN_STEPS = 600         # full-batch Adam steps
LEARN_RATE = 1e-2
HIDDEN = 32               # units in each of the two hidden layers
DAMAGE_SHARE = 0.5        # a piece is damage when more than this share of its pixels was drawn by the damage
SIDES_LENGTH = (8, 4000)  # the two-sides test is run on pieces at least this long, px, and at most this large, px
FEATURES = ("log area", "log long side", "elongation", "box fill", "survives opening", "log peak over rule's bar",
            "log mean over rule's bar", "mean excess", "polarity", "local spread", "tone", "at frame edge",
            "kept by rule", "sides over contrast")


def piece_features(base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pieces of a descreened lightness ``base`` ((H, W) float32, L* / 100) and what
    describes each -> (int32 (H, W) labels, 0 outside every piece and i + 1 on piece i; float32
    (N, len(FEATURES)) features)."""
    median = restore.local_median(base)
    level = median.astype(np.float32) / 255
    excess, spread = restore.outside_range(base, median)
    candidate = (excess > np.maximum(CANDIDATE_MIN, CANDIDATE_SPREAD * spread)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=8)
    pieces = np.arange(1, count)
    if not len(pieces):
        return labels, np.zeros((0, len(FEATURES)), np.float32)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (restore.SCRATCH_OPENING, restore.SCRATCH_OPENING))
    wide = np.zeros(count, bool)
    wide[np.unique(labels[cv2.morphologyEx(candidate, cv2.MORPH_OPEN, disk) > 0])] = True
    over_bar = excess / np.maximum(restore.DAMAGE_MIN, restore.DAMAGE_SPREAD * spread)
    rule = restore.damage_by_rule(base, median, (excess, spread)).astype(np.float32)
    x, y, w, h, area = (stats[1:, k].astype(np.float64) for k in range(5))
    long_side, short_side = np.maximum(w, h), np.minimum(w, h)
    height, width = base.shape
    sides = np.zeros(len(pieces))
    for i in np.flatnonzero((long_side >= SIDES_LENGTH[0]) & (area <= SIDES_LENGTH[1])):
        sides[i] = min(restore.sides_ratio(base, labels, stats[i + 1], i + 1), 3.0)

    def mean(values):
        return ndimage.mean(values, labels, pieces)

    features = np.stack([
        np.log(area), np.log(long_side), long_side / (short_side + 1), area / (w * h), wide[1:],
        np.log(ndimage.maximum(over_bar, labels, pieces) + 1e-3), np.log(mean(over_bar) + 1e-3),
        10 * mean(excess), np.sign(mean(base - level)), 10 * mean(spread), mean(level),
        (x == 0) | (y == 0) | (x + w == width) | (y + h == height), mean(rule) > 0.5, sides], axis=1)
    return labels, features.astype(np.float32)


class CannotLearn(ValueError):
    """A training photo that no damage detector can be learnt from (too small, or blank)."""


class DamageDetector:
    """Dust and scratches of a print's descreened lightness, as learnt from one training photo
    (module docstring). Call it on an (H, W) float32 lightness in [0, 1] (its screen removed) for
    a bool (H, W) mask: ``restore_print(L, detector=DamageDetector.learn(photo_L))``."""

    def __init__(self, net: torch.nn.Module, training_features: torch.Tensor):
        self.net = net.eval()
        self.low, self.high = training_features.min(0).values, training_features.max(0).values
        self.mean = training_features.mean(0)
        spread = training_features.std(0, unbiased=False)
        self.spread = torch.where(spread > 1e-6, spread, torch.ones_like(spread))

    def _scaled(self, features: torch.Tensor) -> torch.Tensor:
        """``features`` (N, len(FEATURES)) held to the range the training pieces spanned, then
        standardised by the training pieces' mean and spread. A piece beyond that range (a blot wider
        than any training damage) is judged as the nearest piece training showed, not by the net's
        untrained extrapolation; a feature that never varied in training reads 0 (its weights never
        learnt)."""
        return (torch.minimum(torch.maximum(features, self.low), self.high) - self.mean) / self.spread

    @classmethod
    def learn(cls, lightness: np.ndarray, seed: int = 0, progress: bool = False) -> "DamageDetector":
        """A detector learnt from ``lightness`` ((H, W) float32, L* / 100: the training photo's),
        aged ``LEARN_PRINTS`` times with the random generator ``seed`` (the same detector for the
        same photo every time, on one machine). Raises :class:`CannotLearn` for a photo too small to
        learn from, or one on which no damage stands out (a blank photo)."""
        restore.check_lightness(lightness)
        if min(lightness.shape) < 4 * restore.DAMAGE_MEDIAN:
            raise CannotLearn(f"the training photo ({lightness.shape[1]} x {lightness.shape[0]} px) is too small to "
                             f"learn dust and scratches from (at least {4 * restore.DAMAGE_MEDIAN} px a side)")
        rng = np.random.default_rng(seed)
        rows, labels_of, weights = [], [], []
        copies = range(LEARN_PRINTS)
        if progress:
            copies = progress_bar(copies, desc="learning dust and scratches from the colour photo", unit="print")
        for _ in copies:
            crop = _random_crop(lightness, rng)
            aged, drawn = random_damaged_print(crop, rng)
            labels, features = piece_features(restore.descreen(aged))
            if not len(features):
                continue
            pieces = np.arange(1, len(features) + 1)
            rows.append(features)
            labels_of.append(ndimage.mean(drawn.astype(np.float32), labels, pieces) > DAMAGE_SHARE)
            weights.append(ndimage.sum(np.ones(labels.shape, np.float32), labels, pieces))
        if not rows:
            raise CannotLearn("the training photo's aged copies showed no damage to learn from")
        target = np.concatenate(labels_of)
        x = torch.from_numpy(np.concatenate(rows))
        detector = cls(torch.nn.Identity(), x)
        x = detector._scaled(x)
        y = torch.from_numpy(target.astype(np.float32))
        w = torch.from_numpy(np.concatenate(weights).astype(np.float32))
        w = w / w.mean()
        with torch.random.fork_rng(devices=[]):  # the caller's random stream is left as it was
            torch.manual_seed(seed)
            net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], HIDDEN), torch.nn.ReLU(),
                                      torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 1))
        optimiser = torch.optim.Adam(net.parameters(), LEARN_RATE)
        with torch.enable_grad():
            for _ in range(LEARN_STEPS):
                loss = (torch.nn.functional.binary_cross_entropy_with_logits(net(x)[:, 0], y, reduction="none")
                        * w).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        detector.net = net.eval()
        return detector

    def __call__(self, base: np.ndarray) -> np.ndarray:
        restore.check_lightness(base)
        labels, features = piece_features(base.astype(np.float32))
        if not len(features):
            return np.zeros(base.shape, bool)
        with torch.no_grad():
            logits = self.net(self._scaled(torch.from_numpy(features)))[:, 0]
        keep = np.concatenate([[False], logits.numpy() > 0])  # probability above one half
        return keep[labels]


def _random_crop(L: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random window of ``L`` of at most ``LEARN_CROP`` px a side."""
    h, w = L.shape
    ch, cw = min(h, LEARN_CROP), min(w, LEARN_CROP)
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    return np.ascontiguousarray(L[y:y + ch, x:x + cw])
