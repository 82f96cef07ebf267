"""Exponential moving average of a network's weights (Polyak averaging), for inference.

Training moves the weights with a noisy step; the average over the last ~1/(1 - decay)
steps is a smoother, usually better, model (as in Karras et al.'s EDM and most diffusion
trainers). The averaged copy is what evaluation, previews and checkpoints use; training
continues on the raw weights. Early on the decay is ramped up, ``min(decay, (1 + n) /
(10 + n))`` after ``n`` updates, so the average is not dominated by the initial weights.
Buffers (normalisation statistics, the default style code) are copied, not averaged: the
trainer recomputes them on the whole training view before inference anyway (precise BN).
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn


class WeightAverage:
    def __init__(self, model: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"the weight-average decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(model).requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        avg = [p for p in self.model.parameters()]
        torch._foreach_lerp_(avg, [p.detach() for p in model.parameters()], 1.0 - d)
        for b_avg, b in zip(self.model.buffers(), model.buffers()):
            b_avg.copy_(b)
