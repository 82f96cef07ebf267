"""The weights' moving average: what it averages, its ramp, and what it leaves alone."""
import pytest
import torch
import torch.nn as nn

from models.ema import WeightAverage


def test_average_follows_the_weights_with_the_ramped_decay():
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    avg = WeightAverage(net, decay=0.9)
    start = net[0].weight.detach().clone()
    with torch.no_grad():
        net[0].weight.add_(1.0)
        net[1].running_mean.fill_(5.0)
    avg.update(net)  # first update: decay min(0.9, 2 / 11)
    d = 2 / 11
    assert torch.allclose(avg.model[0].weight, d * start + (1 - d) * (start + 1))
    assert torch.equal(avg.model[1].running_mean, net[1].running_mean)  # buffers copied, not averaged
    for _ in range(200):
        avg.update(net)
    assert torch.allclose(avg.model[0].weight, net[0].weight, atol=1e-6)
    assert not avg.model[0].weight.requires_grad


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5])
def test_decay_outside_the_open_interval_is_refused(decay):
    with pytest.raises(ValueError):
        WeightAverage(nn.Linear(1, 1), decay)
