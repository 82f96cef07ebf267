"""Pictures the benchmarks draw beside their tables: panels side by side, rows stacked, white gaps."""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

GAP = 4  # px of white between panels and between rows


def add_picture_flag(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--picture", type=Path, help=f"also write {what} to this PNG")


def check_picture(p: argparse.ArgumentParser, args: argparse.Namespace, *flags: str) -> None:
    """Refuse (``p.error``: one line, exit 2) a ``--picture`` (or any of ``flags``, e.g.
    ``curve_picture``) that is not a .png file."""
    for flag in ("picture",) + flags:
        path = getattr(args, flag)
        if path and path.suffix.lower() != ".png":
            p.error(f"--{flag.replace('_', '-')} must be a .png file, got {path}")


def centre(shape: tuple[int, int], crop: tuple[int, int]) -> tuple[slice, slice]:
    """The rows and columns of the centre of an image of ``shape`` at most ``crop`` (height, width) px."""
    h, w = min(crop[0], shape[0]), min(crop[1], shape[1])
    y, x = (shape[0] - h) // 2, (shape[1] - w) // 2
    return slice(y, y + h), slice(x, x + w)


def side_by_side(panels: list[np.ndarray]) -> np.ndarray:
    """(h, w, 3) panels in [0, 1] in a row, each followed by a white gap."""
    return np.concatenate([np.pad(p, ((0, 0), (0, GAP), (0, 0)), constant_values=1.0) for p in panels], axis=1)


def stacked(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of panels one above the other, each followed by a white gap, narrower ones padded white."""
    width = max(r.shape[1] for r in rows)
    return np.concatenate([np.pad(r, ((0, GAP), (0, width - r.shape[1]), (0, 0)), constant_values=1.0) for r in rows])
