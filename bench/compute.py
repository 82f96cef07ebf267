"""Work and peak of this machine, shared by the benchmarks: FLOPs of a training step as
torch counts them, the matrix-multiply peak measured in the same run, and (on an NVIDIA GPU)
the GPU's utilisation over time as ``nvidia-smi`` reports it."""
from __future__ import annotations

import contextlib
import copy
import subprocess
import threading
import time

import torch


def step_flops(trainer, batch) -> float:
    """FLOPs of one training step (forward + backward) of ``trainer`` (``training.trainer.Trainer``)
    on ``batch``, as torch's FlopCounterMode counts them; weights, their average and the optimiser
    are restored."""
    from torch.utils.flop_counter import FlopCounterMode

    average = trainer.average  # the weights' moving average (ema) moves with a step too
    saved = [(m, copy.deepcopy(m.state_dict())) for m in (trainer.model, average and average.model) if m is not None]
    opt_state = copy.deepcopy(trainer.opt.state_dict())
    updates = average.updates if average is not None else None
    with FlopCounterMode(display=False) as counter:
        trainer._step(batch)
    for module, state in saved:
        module.load_state_dict(state)
    trainer.opt.load_state_dict(opt_state)
    if average is not None:
        average.updates = updates
    return float(counter.get_total_flops())


def matmul_peak(dtype=torch.float32, n: int = 2048, reps: int = 10, device: str = "cpu", tf32: bool = False) -> float:
    """GFLOP/s of an n x n matrix product on ``device`` (best of ``reps``, random data).

    ``tf32`` (CUDA): let float32 products use TensorFloat-32, as torch's cuDNN convolutions do
    by default; off, the float32 figure is true fp32 arithmetic."""
    cuda = torch.device(device).type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        a, b = (torch.randn(n, n, dtype=dtype, device=device) for _ in range(2))
        a @ b
        sync()
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            a @ b
            sync()
            best = min(best, time.perf_counter() - t)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    return 2 * n ** 3 / best / 1e9


class GpuUtilisation:
    """Samples ``nvidia-smi``'s GPU utilisation (percent of time a kernel ran) every ``every_ms``
    in a background thread, each reading stamped with ``time.time()``.

        with GpuUtilisation() as util: ...
        util.mean_between(t0, t1)"""

    def __init__(self, every_ms: int = 100):
        self.every_ms = every_ms
        self.readings: list[tuple[float, float]] = []

    def __enter__(self):
        self.proc = subprocess.Popen(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits",
                                      f"--loop-ms={self.every_ms}"], stdout=subprocess.PIPE, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        return self

    def _read(self) -> None:
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.readings.append((time.time(), float(line.split(",")[0])))

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait()
        self.thread.join(timeout=5)

    def mean_between(self, t0: float, t1: float) -> float | None:
        """Mean utilisation (%) of the readings taken between wall-clock times t0 and t1."""
        values = [u for t, u in self.readings if t0 <= t <= t1]
        return sum(values) / len(values) if values else None
