"""Colorize one view with a trained network: guides in, RGB out.

:func:`colorize` runs the whole image at once, or in tiles when ``tile`` is given
(``process/high_res.py``); both return (H, W, 3) float32 RGB in [0, 1].
"""
from __future__ import annotations

import contextlib

import numpy as np
import torch

from models.inputs import Guides, encode_guides
from models.unet import SemColorNet
from utils.color_utils import space_to_rgb


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no CUDA device is available")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("--device mps was asked for but MPS is not available")
    if name not in ("cpu", "cuda", "mps"):
        raise ValueError(f"--device must be auto, cpu, cuda or mps, got {name!r}")
    return torch.device(name)


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (avx512_bf16 or AMX); elsewhere bf16 is emulated and slow."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def autocast_dtype(device: torch.device, enabled: bool):
    """bfloat16 where it is fast (CUDA, bf16-capable CPUs), else None (full precision)."""
    if not enabled:
        return None
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    if device.type == "cpu" and cpu_has_bf16():
        return torch.bfloat16
    return None


def to_batch(x: np.ndarray, labels: np.ndarray | None, device) -> tuple[torch.Tensor, torch.Tensor | None]:
    xt = torch.from_numpy(x).unsqueeze(0).to(device)
    lt = None if labels is None else torch.from_numpy(labels).unsqueeze(0).to(device)
    return xt, lt


def precision_context(device, bf16: bool):
    """bfloat16 autocast for inference where it is fast (``bf16=True``), else full precision."""
    dtype = autocast_dtype(torch.device(device), bf16)
    return torch.autocast(torch.device(device).type, dtype=dtype) if dtype else contextlib.nullcontext()


@torch.no_grad()
def colorize(model: SemColorNet, guides: Guides, style: torch.Tensor | None = None, tile: int | None = None,
             overlap: int = 64, device=None, progress: bool = False, bf16: bool = False) -> np.ndarray:
    """Guides of one view -> (H, W, 3) float32 RGB in [0, 1].

    ``bf16``: bfloat16 autocast (about twice as fast on bf16-capable CPUs and GPUs; outputs
    differ from full precision by roughly 1/255)."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        h, w = guides.shape
        if tile and max(h, w) > tile:
            from process.high_res import colorize_tiled
            return colorize_tiled(model, guides, tile=tile, overlap=overlap, style=style, device=device,
                                  progress=progress, bf16=bf16)
        x, labels = encode_guides(guides, model.cfg)
        xt, lt = to_batch(x, labels, device)
        with precision_context(device, bf16):
            raw = model(xt, lt, style=style)
        out = space_to_rgb(raw.float(), model.cfg.color_space)
        return out[0].permute(1, 2, 0).cpu().numpy()
    finally:
        model.train(was_training)
