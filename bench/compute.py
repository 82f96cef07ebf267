"""Work and peak of this machine, shared by the benchmarks: FLOPs of a training step as
torch counts them, and the matrix-multiply peak measured in the same run."""
from __future__ import annotations

import copy
import time

import torch


def step_flops(trainer, batch) -> float:
    """FLOPs of one training step (forward + backward) of ``trainer`` (``process.training.Trainer``)
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
