"""Work and peak of this machine, shared by the benchmarks: FLOPs of a training step as
torch counts them, and the matrix-multiply peak measured in the same run."""
from __future__ import annotations

import copy
import time

import torch


def step_flops(trainer, batch) -> float:
    """FLOPs of one training step (forward + backward) of ``trainer`` (``process.training.Trainer``)
    on ``batch``, as torch's FlopCounterMode counts them; the weights and optimiser are restored."""
    from torch.utils.flop_counter import FlopCounterMode

    model_state = copy.deepcopy(trainer.model.state_dict())
    opt_state = copy.deepcopy(trainer.opt.state_dict())
    with FlopCounterMode(display=False) as counter:
        trainer._step(batch)
    trainer.model.load_state_dict(model_state)
    trainer.opt.load_state_dict(opt_state)
    return float(counter.get_total_flops())


def matmul_peak(dtype=torch.float32, n: int = 2048, reps: int = 10) -> float:
    """GFLOP/s of an n x n matrix product on this machine (best of ``reps``)."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9
