"""Writing frame sequences: looping GIFs (imageio) and MP4 (OpenCV's encoder, when present)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from utils.image_io import atomic_path, to_uint8


def write_gif(path, frames: list[np.ndarray], duration_ms: int = 120, loop: bool = True) -> Path:
    """Frames (H, W, 3) in [0, 1] -> an animated GIF that loops forever (``loop``), atomically."""
    import imageio.v3 as iio

    if len(frames) < 2:
        raise ValueError("a GIF needs at least 2 frames")
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, np.stack([to_uint8(f) for f in frames]), extension=".gif", duration=duration_ms,
                    loop=0 if loop else 1)
    return Path(path)


def write_mp4(path, frames: list[np.ndarray], fps: float = 12.0) -> Path | None:
    """Frames -> MP4 with OpenCV's mp4v encoder; returns None where no encoder is installed."""
    import cv2

    h, w = frames[0].shape[:2]
    with atomic_path(path) as tmp:
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        if not writer.isOpened():
            return None
        for f in frames:
            writer.write(to_uint8(f)[..., ::-1])
        writer.release()
        if Path(tmp).stat().st_size == 0:
            return None
    return Path(path)


def ping_pong(frames: list[np.ndarray]) -> list[np.ndarray]:
    """0, 1, ..., n-1, n-2, ..., 1: a back-and-forth sequence that loops smoothly."""
    return list(frames) + list(frames[-2:0:-1])
