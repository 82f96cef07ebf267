"""Self-describing checkpoints in one safetensors file.

A checkpoint holds everything needed to rebuild the network and to resume training:
model weights (and the default style code), the Adam state, the RNG states, and in the
file's metadata the format version, the :class:`ModelConfig`, the :class:`SketchConfig`
used to make its inputs, the training config and progress (stage, epoch, step).
Nothing is pickled: weights are safetensors and the rest is JSON, so loading a file
from elsewhere cannot run code. Files are written to a temporary name, then renamed.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file

from config.defaults import CONFIG_VERSION, ModelConfig, SketchConfig, from_dict, to_dict
from models.unet import SemColorNet
from utils.errors import InputError
from utils.image_io import atomic_path

FORMAT = "semcolornet"
LAST = "last.safetensors"
REFERENCE = "reference.photo"  # the training photo, uint8 (H, W, 3), for reference alignment


def save_checkpoint(path, model: SemColorNet, sketch_cfg: SketchConfig, optimizer=None, progress=None,
                    train_cfg: dict | None = None, rng: dict | None = None,
                    training_model: SemColorNet | None = None, reference=None) -> Path:
    """Write ``model`` (the network inference uses) and the training state to ``path``.

    ``training_model``: the raw trained weights when ``model`` is their moving average
    (``models/ema.py``); kept as ``train.*`` so a resumed run continues from them.
    ``reference``: the training photo, (H, W, 3) uint8 (``postprocess/reference_align.py``)."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    if training_model is not None:
        tensors.update({f"train.{k}": v.detach().cpu().contiguous() for k, v in training_model.state_dict().items()})
    meta = {"format": FORMAT, "version": CONFIG_VERSION, "model": to_dict(model.cfg), "sketch": to_dict(sketch_cfg),
            "progress": progress or {}, "train_config": train_cfg or {}, "rng": rng or {}}
    if optimizer is not None:
        state = optimizer.state_dict()
        for idx, pstate in state["state"].items():
            for key, value in pstate.items():
                tensors[f"optim.{idx}.{key}"] = torch.as_tensor(value).detach().cpu().contiguous()
        meta["optimizer"] = {"param_groups": state["param_groups"]}
    tensors["rng.torch"] = torch.get_rng_state()
    if reference is not None:
        tensors[REFERENCE] = torch.from_numpy(reference).contiguous()
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"semcolornet": json.dumps(meta)})
    return Path(path)


def resolve_checkpoint(path) -> Path:
    """A checkpoint file, or a run folder (its ``checkpoints/last.safetensors``)."""
    p = Path(path)
    if p.is_dir():
        for cand in (p / "checkpoints" / LAST, p / LAST):
            if cand.is_file():
                return cand
        raise InputError(f"no checkpoint in {p} (looked for checkpoints/{LAST}); train first or name the file")
    if not p.is_file():
        raise InputError(f"checkpoint not found: {p}")
    return p


def read_checkpoint(path) -> tuple[dict, dict]:
    """(metadata, tensors) of a checkpoint file, refusing foreign or incompatible files."""
    path = resolve_checkpoint(path)
    try:
        with safe_open(str(path), framework="pt") as fh:
            raw = (fh.metadata() or {}).get("semcolornet")
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise InputError(f"{path} is not a readable safetensors checkpoint: {exc}") from None
    if raw is None:
        raise InputError(f"{path} is not a SemColorNet checkpoint (no semcolornet metadata)")
    meta = json.loads(raw)
    if meta.get("format") != FORMAT or meta.get("version") != CONFIG_VERSION:
        raise InputError(f"{path} is a checkpoint of format version {meta.get('version')}; this SemColorNet reads "
                         f"version {CONFIG_VERSION}; retrain or use a matching release")
    return meta, tensors


def load_model(path, device="cpu") -> tuple[SemColorNet, dict]:
    """Rebuild the network from a checkpoint alone; returns (model in eval mode, metadata)."""
    meta, tensors = read_checkpoint(path)
    model = SemColorNet(from_dict(ModelConfig, meta["model"]))
    state = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    model.load_state_dict(state)
    return model.to(device).eval(), meta


def restore_training(path, model: SemColorNet, optimizer, average: SemColorNet | None = None) -> dict:
    """Load weights, optimizer and torch RNG state from ``path`` into live objects; returns metadata.

    ``average``: the moving-average network of a run with ``ema`` on (it gets ``model.*``,
    the trained network ``train.*``)."""
    meta, tensors = read_checkpoint(path)
    inference = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    trained = {k[len("train."):]: v for k, v in tensors.items() if k.startswith("train.")}
    if average is not None:
        if not trained:
            raise InputError(f"{path} holds no trained weights besides their average; it was not saved by a run "
                             "with ema on")
        average.load_state_dict(inference)
    model.load_state_dict(trained or inference)
    if optimizer is not None and "optimizer" in meta:
        state: dict = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, idx, name = key.split(".", 2)
                state.setdefault(int(idx), {})[name] = value
        optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer"]["param_groups"]})
        # Saved tensors are contiguous; moments of a channels-last weight must have its strides
        # again (the fused Adam kernel walks a weight and its moments in memory order).
        for group in optimizer.param_groups:
            for param in group["params"]:
                for key, value in optimizer.state.get(param, {}).items():
                    if torch.is_tensor(value) and value.shape == param.shape:
                        optimizer.state[param][key] = torch.empty_like(param).copy_(value)
    if "rng.torch" in tensors:
        torch.set_rng_state(tensors["rng.torch"])
    return meta


def keeps_reference(path) -> bool:
    """Whether a checkpoint keeps its training photo (checkpoints from before reference alignment do
    not), without reading it."""
    with safe_open(str(resolve_checkpoint(path)), framework="pt") as fh:
        return REFERENCE in fh.keys()


def read_reference(path):
    """The training photo a checkpoint keeps, (H, W, 3) uint8, or None (checkpoints from before
    reference alignment). Reads that one tensor only."""
    with safe_open(str(resolve_checkpoint(path)), framework="pt") as fh:
        if REFERENCE not in fh.keys():
            return None
        return fh.get_tensor(REFERENCE).numpy()


def sketch_config_of(meta: dict) -> SketchConfig:
    return from_dict(SketchConfig, meta.get("sketch", {}))


def trained_with_flips(meta: dict) -> bool:
    """Whether the network saw horizontally flipped patches in training (``augment.hflip``, on unless
    switched off), so a mirrored input is one it knows (mirror averaging, ``process/inference.py``)."""
    return bool(meta.get("train_config", {}).get("augment", {}).get("hflip", True))
