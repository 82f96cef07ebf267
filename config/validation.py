"""The numeric ranges of a training config, checked before anything is written or allocated.

A value outside its range would otherwise crash deep inside training (a batch of 0, a
negative seed), allocate tens of gigabytes (a 100000 px patch), or train something that
makes no sense without a word (a negative learning rate). Each entry is
``(section, field, low, high, flag)``: ``low``/``high`` inclusive bounds, ``flag``
the ``train.py`` flag that sets it (otherwise it is set with ``--set section.field=...``).
"""
from __future__ import annotations

import math

from utils.errors import InputError

_RANGES = [
    ("", "epochs1", 0, 100_000, "--epochs1"),
    ("", "epochs2", 0, 100_000, "--epochs2"),
    ("", "steps_per_epoch", 1, 1_000_000, "--steps-per-epoch"),
    ("", "steps2_per_epoch", 1, 1_000_000, "--steps2-per-epoch"),
    ("", "patch_size", 32, 1024, "--patch-size"),
    ("", "batch_size", 1, 1024, "--batch-size"),
    ("", "full_size", 64, 8192, "--full-size"),
    ("", "crop2", 0.1, 1.0, None),
    ("", "lr", 1e-12, 10.0, "--lr"),
    ("", "lr_min", 0.0, 10.0, "--lr-min"),
    ("", "perceptual_weight", 0.0, 1e6, "--perceptual-weight"),
    ("", "seed", 0, 2**32 - 1, "--seed"),
    ("", "threads", 0, 4096, "--threads"),
    ("model", "width", 4, 512, "--width"),
    ("model", "palette_size", 0, 256, "--palette-size"),
    ("model", "full_width", 0, 512, None),
    ("model", "label_embed_dim", 1, 256, None),
    ("model", "attention_heads", 1, 64, None),
    ("model", "attention_grid", 1, 256, None),
    ("model", "style_dim", 1, 4096, None),
    ("model", "style_size", 32, 4096, None),
    ("augment", "rotate_deg", 0.0, 180.0, None),
    ("augment", "scale", 0.0, 0.9, None),
    ("augment", "warp", 0.0, 1.0, None),
    ("augment", "color_jitter", 0.0, 1.0, None),
    ("augment", "position_jitter", 0.0, 1.0, None),
    ("augment", "max_hints", 0, 1000, None),
    ("augment", "print_ageing", 0.0, 1.0, None),
    ("sketch", "blur_sigma", 0.0, 50.0, None),
    ("sketch", "thickness", 1, 32, None),
    ("sketch", "min_area", 0, 1_000_000, None),
]


def check_ranges(cfg) -> None:
    """Refuse a :class:`config.defaults.TrainConfig` with a value outside its range, naming the flag."""
    for section, name, low, high, flag in _RANGES:
        value = getattr(getattr(cfg, section) if section else cfg, name)
        _check(value, low, high, flag or f"--set {section + '.' if section else ''}{name}")
    if cfg.lr_min > cfg.lr:
        raise InputError(f"--lr-min ({cfg.lr_min}) must not be above --lr ({cfg.lr})")
    if cfg.epochs1 + cfg.epochs2 == 0:
        raise InputError("--epochs1 and --epochs2 are both 0: there is nothing to train")
    if (8 * cfg.model.width) % cfg.model.attention_heads:
        raise InputError(f"the bottleneck's {8 * cfg.model.width} channels (8 x --width) must split evenly over "
                         f"model.attention_heads={cfg.model.attention_heads}")


def check_range(section: str, name: str, value, flag: str) -> None:
    """One value of the table above, set by another script's ``flag`` (e.g. ``preprocess/sketch.py
    --thickness``): refused outside the same range."""
    low, high = next((lo, hi) for sec, n, lo, hi, _ in _RANGES if (sec, n) == (section, name))
    _check(value, low, high, flag)


def _check(value, low, high, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{where} must be a finite number, got {value}")
    if not low <= value <= high:
        raise InputError(f"{where} must be {low} to {high}, got {value}")
