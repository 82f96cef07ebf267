"""Pictures for people: labelled preview strips and contact sheets.

``contact_sheet`` lays out (H, W) or (H, W, 3) images in [0, 1] in a grid with a caption
under each, and is used for the per-stage previews (sketch | depth | prediction | target),
palette variants and view sets.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CAPTION_H = 18


def _rgb(img: np.ndarray) -> np.ndarray:
    img = np.clip(np.asarray(img, dtype=np.float32), 0, 1)
    return np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img[..., :3]


def contact_sheet(images: list, captions: list[str] | None = None, cols: int | None = None,
                  cell_width: int = 320, pad: int = 4) -> np.ndarray:
    """Grid of images, each resized to ``cell_width`` wide, with captions; (H, W, 3) uint8."""
    if not images:
        raise ValueError("contact_sheet needs at least one image")
    captions = captions or [""] * len(images)
    cols = cols or len(images)
    rows = (len(images) + cols - 1) // cols
    h0, w0 = images[0].shape[:2]
    cell_h = max(1, round(h0 * cell_width / w0))
    sheet = Image.new("RGB", (cols * (cell_width + pad) + pad, rows * (cell_h + CAPTION_H + pad) + pad), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for i, (img, cap) in enumerate(zip(images, captions)):
        r, c = divmod(i, cols)
        tile = Image.fromarray((_rgb(img) * 255 + 0.5).astype(np.uint8)).resize((cell_width, cell_h), Image.BILINEAR)
        x, y = pad + c * (cell_width + pad), pad + r * (cell_h + CAPTION_H + pad)
        sheet.paste(tile, (x, y))
        draw.text((x + 2, y + cell_h + 3), cap, fill=(0, 0, 0), font=font)
    return np.asarray(sheet)


def depth_to_rgb(depth: np.ndarray) -> np.ndarray:
    """Depth in [0, 1] (larger = nearer) as a readable colour map (near = warm)."""
    import cv2
    u8 = (np.clip(depth, 0, 1) * 255 + 0.5).astype(np.uint8)
    return cv2.applyColorMap(u8, cv2.COLORMAP_INFERNO)[..., ::-1].astype(np.float32) / 255.0
