import json

import pytest
import torch
from safetensors.torch import save_file

from config.defaults import ModelConfig, SketchConfig
from models.checkpoint import load_model, read_checkpoint, restore_training, save_checkpoint
from models.inputs import input_channels
from models.unet import SemColorNet
from utils.errors import InputError

TINY = ModelConfig(width=8, attention_heads=2, attention_grid=4, style_dim=8, color_space="hsv")


def test_forth_and_back(tmp_path):
    torch.manual_seed(0)
    net = SemColorNet(TINY)
    net.set_default_style(torch.rand(1, 3, 32, 32))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(2, input_channels(TINY), 16, 16)
    net(x).mean().backward()
    opt.step()
    path = save_checkpoint(tmp_path / "c.safetensors", net, SketchConfig(method="xdog"), opt,
                           progress={"stage": 1, "epoch": 3, "step": 7})
    # Rebuilt from the file alone: same config, same outputs.
    rebuilt, meta = load_model(path)
    net.eval()
    assert rebuilt.cfg == TINY and meta["sketch"]["method"] == "xdog" and meta["progress"]["epoch"] == 3
    assert torch.allclose(rebuilt(x), net(x))
    # Resuming restores the optimizer state too.
    fresh = SemColorNet(TINY)
    fresh_opt = torch.optim.Adam(fresh.parameters(), lr=1e-3)
    restore_training(path, fresh, fresh_opt)
    a = opt.state_dict()["state"][0]["exp_avg"]
    b = fresh_opt.state_dict()["state"][0]["exp_avg"]
    assert torch.equal(a, b)


def test_run_folder_is_accepted(tmp_path):
    save_checkpoint(tmp_path / "checkpoints" / "last.safetensors", SemColorNet(TINY), SketchConfig())
    model, _ = load_model(tmp_path)
    assert isinstance(model, SemColorNet)


def test_exception(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_model(tmp_path / "none.safetensors")
    with pytest.raises(InputError, match="no checkpoint"):
        load_model(tmp_path)
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 32)
    with pytest.raises(InputError, match="not a readable"):
        load_model(tmp_path / "junk.safetensors")
    save_file({"w": torch.zeros(1)}, str(tmp_path / "foreign.safetensors"))
    with pytest.raises(InputError, match="not a SemColorNet checkpoint"):
        load_model(tmp_path / "foreign.safetensors")
    meta = {"format": "semcolornet", "version": 999}
    save_file({"w": torch.zeros(1)}, str(tmp_path / "future.safetensors"), metadata={"semcolornet": json.dumps(meta)})
    with pytest.raises(InputError, match="version 999"):
        read_checkpoint(tmp_path / "future.safetensors")
