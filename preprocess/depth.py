"""Monocular depth with Depth Anything V2 through Hugging Face ``transformers``.

``estimate_depth(photo, model=...)`` returns (H, W) float32 in [0, 1], larger = nearer:
Depth Anything predicts relative inverse depth (disparity), which is the convention the
whole project uses. ``model`` is a hub id, a local folder saved with ``save_pretrained``,
or an already loaded :class:`DepthEstimator`.

Default: ``depth-anything/Depth-Anything-V2-Small-hf`` (Apache-2.0). The Base and Large
checkpoints are CC-BY-NC-4.0: non-commercial use only.

    python preprocess/depth.py PHOTO --out DEPTH.png [--depth-model ID|DIR]

writes the depth as a 16-bit PNG and a float32 ``.npy`` beside it.

Large photos: the network runs at its own input size (518 px on the short side by
default) and the prediction is resized back, so memory does not grow with the photo.
Offline without cached weights, loading fails at once (``local_files_only``) with a
message naming the ways out, instead of retrying the hub for minutes.
"""
from __future__ import annotations

import logging
import os
import socket
import sys
import time
from pathlib import Path

if not __package__:  # run by path (python preprocess/depth.py): import from the repo root, not preprocess/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np  # noqa: E402

from preprocess.cache import Cache, array_hash, file_hash  # noqa: E402
from utils.errors import InputError  # noqa: E402
from utils.image_io import write_depth  # noqa: E402

DEFAULT_DEPTH_MODEL = "depth-anything/Depth-Anything-V2-Small-hf"
NON_COMMERCIAL = ("depth-anything/Depth-Anything-V2-Base-hf", "depth-anything/Depth-Anything-V2-Large-hf")


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")


def load_pretrained(loader, name: str, what: str, ways_out: str):
    """``loader.from_pretrained(name)``, local files first; one clear error when it cannot be had."""
    local = Path(name).expanduser()
    if local.is_dir():
        try:
            return loader.from_pretrained(str(local), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise InputError(f"{local} is not a {what} folder saved with save_pretrained: "
                             f"{str(exc).splitlines()[0]}") from None
    if local.exists() or name.startswith((".", "/")):
        raise InputError(f"{what}: {name} is not a folder")
    try:
        return loader.from_pretrained(name, local_files_only=True)
    except (OSError, ValueError):
        pass
    if hub_offline():
        raise InputError(f"{what} weights for {name} are not cached and the hub is offline (HF_HUB_OFFLINE=1); "
                         f"{ways_out}")
    check_hub_reachable(what, name, ways_out)
    hub_log = logging.getLogger("huggingface_hub")
    level = hub_log.level
    hub_log.setLevel(logging.ERROR)  # its retry warnings, a line a try, would bury the one error below
    try:
        return loader.from_pretrained(name, local_files_only=False)
    except Exception as exc:  # network errors come in many types; all mean the same to the user
        raise InputError(f"could not get {what} weights for {name} ({exc.__class__.__name__}); {ways_out}") from None
    finally:
        hub_log.setLevel(level)


def check_hub_reachable(what: str, name: str, ways_out: str, timeout: float = 5.0) -> None:
    """Refuse at once when the model hub's host cannot be reached (no network, no DNS), instead of
    the download's retries taking minutes to fail."""
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=timeout).close()
    except OSError as exc:
        raise InputError(f"{what} weights for {name} are not cached and {url.hostname} cannot be reached "
                         f"({exc.strerror or exc.__class__.__name__}); {ways_out}") from None


class DepthEstimator:
    """A loaded Depth Anything model and its image processor."""

    def __init__(self, name: str | None = None, device: str = "cpu"):
        import torch  # noqa: F401
        from transformers import AutoImageProcessor, AutoModelForDepthEstimation

        self.name = name or DEFAULT_DEPTH_MODEL
        ways = ("run once online to cache them, pass --depth-model LOCAL_DIR, or give a depth map with --depth FILE")
        os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
        os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")
        self.processor = load_pretrained(AutoImageProcessor, self.name, "Depth Anything", ways)
        self.model = load_pretrained(AutoModelForDepthEstimation, self.name, "Depth Anything", ways).to(device).eval()
        self.device = device

    def __call__(self, photo: np.ndarray) -> np.ndarray:
        import torch

        h, w = photo.shape[:2]
        u8 = (np.clip(photo, 0, 1) * 255 + 0.5).astype(np.uint8)
        inputs = self.processor(images=u8, return_tensors="pt").to(self.device)
        with torch.no_grad():
            out = self.model(**inputs)
        depth = self.processor.post_process_depth_estimation(out, target_sizes=[(h, w)])[0]["predicted_depth"]
        return depth.float().cpu().numpy()


def estimate_depth(photo: np.ndarray, model: str | DepthEstimator | None = None) -> np.ndarray:
    """Photo (H, W, 3) in [0, 1] -> depth (H, W) float32 in [0, 1], larger = nearer."""
    est = model if isinstance(model, DepthEstimator) else DepthEstimator(model)
    raw = est(photo)
    lo, hi = float(np.percentile(raw, 0.5)), float(np.percentile(raw, 99.5))
    if not np.isfinite(raw).all() or hi - lo < 1e-8:
        lo, hi = float(np.nanmin(raw)), float(np.nanmax(raw))
    if hi - lo < 1e-8:
        return np.full(raw.shape, 0.5, np.float32)
    return np.clip((raw - lo) / (hi - lo), 0, 1).astype(np.float32)


def depth_params(depth_model: str | None) -> dict:
    """How a depth map was made, as recorded in the preprocessing cache."""
    return {"method": "depth-anything-v2", "model": depth_model or DEFAULT_DEPTH_MODEL}


def estimate_depth_cached(photo: np.ndarray, photo_path, depth_model: str | None, cache_dir) -> np.ndarray:
    """:func:`estimate_depth`, reused from ``cache_dir`` when it was made from the same source and model."""
    if cache_dir is None:
        return estimate_depth(photo, depth_model)
    cache = Cache(Path(cache_dir), file_hash(photo_path) if photo_path else array_hash(photo))
    params = depth_params(depth_model)
    if cache.hit("depth", params):
        return np.load(Path(cache_dir) / "depth.npy")
    t0 = time.perf_counter()
    depth = estimate_depth(photo, depth_model)
    write_depth(Path(cache_dir) / "depth.png", depth)
    cache.record("depth", params, ["depth.png", "depth.npy"], time.perf_counter() - t0)
    return depth


def main(argv=None) -> int:
    from utils.cli import ArgumentParser
    from utils.image_io import check_not_input, check_photo_size, check_writable, read_photo

    p = ArgumentParser(prog="python preprocess/depth.py", description=__doc__.split("\n\n")[0])
    p.add_argument("photo")
    p.add_argument("--out", required=True, help="output 16-bit PNG (a .npy is written beside it)")
    p.add_argument("--depth-model", help=f"hub id or local folder (default {DEFAULT_DEPTH_MODEL})")
    a = p.parse_args(argv)
    out = Path(a.out)
    if out.suffix.lower() != ".png":
        raise InputError(f"--out must be a .png file (a .npy is written beside it), got {out}")
    for path in (out, out.with_suffix(".npy")):
        check_not_input(path, [a.photo])
        check_writable(path)
    photo = read_photo(a.photo)
    check_photo_size(photo, a.photo)
    write_depth(out, estimate_depth(photo, a.depth_model))
    print(f"wrote {out} and {out.with_suffix('.npy')}")
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
