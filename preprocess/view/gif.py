"""Writing frame sequences: looping GIFs (imageio) and MP4 (OpenCV's encoder, when present)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from utils.errors import InputError
from utils.image_io import atomic_path, to_uint8


def write_gif(path, frames: list[np.ndarray], duration_ms: int = 120, loop: bool = True) -> Path:
    """Frames (H, W, 3) in [0, 1] -> an animated GIF that loops forever (``loop``), atomically."""
    import imageio.v3 as iio

    if len(frames) < 2:
        raise InputError(f"a GIF needs at least 2 frames, got {len(frames)}")
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, np.stack([to_uint8(f) for f in frames]), extension=".gif", duration=duration_ms,
                    loop=0 if loop else 1)
    return Path(path)


class _NoEncoder(Exception):
    """Raised inside :func:`atomic_path` so that it removes the temporary file."""


def write_mp4(path, frames: list[np.ndarray], fps: float = 12.0) -> Path | None:
    """Frames -> MP4 with OpenCV's mp4v encoder; returns None, leaving no file, where no encoder is installed."""
    import cv2

    h, w = frames[0].shape[:2]
    try:
        with atomic_path(path) as tmp:
            writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
            if not writer.isOpened():
                raise _NoEncoder
            for f in frames:
                writer.write(to_uint8(f)[..., ::-1])
            writer.release()
            if Path(tmp).stat().st_size == 0:
                raise _NoEncoder
    except _NoEncoder:
        return None
    return Path(path)


def ping_pong(frames: list[np.ndarray]) -> list[np.ndarray]:
    """0, 1, ..., n-1, n-2, ..., 1: a back-and-forth sequence that loops smoothly."""
    return list(frames) + list(frames[-2:0:-1])
