"""Where and in which precision the network runs: device choice and bfloat16 autocast.

Shared by training (``training/trainer.py``), whole-image inference (``process/inference.py``)
and tiled inference (``process/tiling.py``). bfloat16 is used only where it is fast:
CUDA devices that support it and CPUs with native bf16 (avx512_bf16 or AMX); elsewhere
it would be emulated and slower than float32.
"""
from __future__ import annotations

import contextlib
import functools
import sys

import numpy as np
import torch

from config.defaults import DEVICES
from utils.errors import InputError


def _mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def pick_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA, else MPS, else CPU; a named device that is not there is bad input."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if name not in DEVICES:
        raise InputError(f"--device must be one of {', '.join(DEVICES)}, got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda was asked for but no CUDA device is available (try --device cpu)")
    if name == "mps" and not _mps_available():
        raise InputError("--device mps was asked for but MPS is not available (try --device cpu)")
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


@functools.lru_cache(maxsize=None)
def _say_no_bf16(device_type: str) -> None:
    """Tell the user once per device type that ``--bf16`` has no effect here."""
    where = "this CPU has no native bfloat16 (avx512_bf16 or AMX)" if device_type == "cpu" else \
        f"this {device_type} device has no fast bfloat16"
    print(f"warning: --bf16 asked for, but {where}; running in float32", file=sys.stderr)


def precision_context(device, bf16: bool):
    """bfloat16 autocast for inference where it is fast (``bf16=True``), else full precision.

    Asking for bf16 where it is not native says so once on stderr instead of silently
    running in float32."""
    device = torch.device(device)
    dtype = autocast_dtype(device, bf16)
    if bf16 and dtype is None:
        _say_no_bf16(device.type)
    return torch.autocast(device.type, dtype=dtype) if dtype else contextlib.nullcontext()


def to_batch(x: np.ndarray, labels: np.ndarray | None, device) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Encoded guides (C, H, W) and labels (H, W) of one view -> a batch of one on ``device``."""
    xt = torch.from_numpy(x).unsqueeze(0).to(device)
    lt = None if labels is None else torch.from_numpy(labels).unsqueeze(0).to(device)
    return xt, lt
