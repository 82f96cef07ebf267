"""The machine a benchmark ran on, in one line. Every figure has to name it: CPUs differ (some
compute bfloat16 natively, some emulate it slowly), and a figure from one kind does not stand for
the other."""
from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

from process.device import cpu_has_bf16


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine(gpu: bool | None = None) -> str:
    """E.g. ``Intel(R) Xeon(R) Processor @ 2.50GHz, 2 CPUs, native bf16: no, torch 2.14.1,
    2 threads, Python 3.11.7``. ``gpu``: the run used the GPU, which then leads the line; None
    (a run on the default device, ``--device auto``): wherever torch sees one."""
    text = (f"{cpu_name()}, {os.cpu_count()} CPUs, native bf16: {'yes' if cpu_has_bf16() else 'no'}, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, Python {platform.python_version()}")
    if torch.cuda.is_available() if gpu is None else gpu:
        text = f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda}); host: {text}"
    return text
