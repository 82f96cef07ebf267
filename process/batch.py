"""Batch colorization: a folder or glob of inputs into an output folder.

Each input is rendered with one loaded model (``process/render.py``). A file that fails is
reported and skipped, the rest go on; ``summary.json`` and ``summary.csv`` give every
file's status, output and seconds; a re-run skips inputs whose output already exists;
the exit code is non-zero when any file failed.
"""
from __future__ import annotations

import csv
import glob
import time
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from process.preflight import check_render_request
from process.render import RenderConfig, Renderer
from utils.errors import InputError
from utils.image_io import atomic_path, check_writable_dir, write_json

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass
class BatchConfig:
    inputs: str                  # a folder or a glob pattern
    out: str                     # output folder
    kind: str = "image"          # image (photos) | sketch (drawings used as they are)
    depth_dir: str | None = None  # folder of depth maps named like the inputs (<stem>.png / .npy)
    overwrite: bool = False      # re-render inputs whose output exists


def list_inputs(spec: str) -> list[Path]:
    p = Path(spec)
    files = sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_EXTS) if p.is_dir() else \
        sorted(Path(f) for f in glob.glob(spec) if Path(f).suffix.lower() in IMAGE_EXTS)
    if not files:
        raise InputError(f"no input images found for {spec!r}")
    return files


def _depth_for(stem: str, depth_dir: str | None) -> str | None:
    if depth_dir is None:
        return None
    for ext in (".npy", ".png", ".tif", ".tiff"):
        cand = Path(depth_dir) / f"{stem}{ext}"
        if cand.is_file():
            return str(cand)
    raise InputError(f"no depth map for {stem} in {depth_dir}")


def run_batch(cfg: BatchConfig, render: RenderConfig, progress: bool = True) -> list[dict]:
    files = list_inputs(cfg.inputs)
    out_dir = Path(cfg.out)
    if cfg.depth_dir is not None and not Path(cfg.depth_dir).is_dir():
        raise InputError(f"--depth-dir: not a folder: {cfg.depth_dir}")
    check_writable_dir(out_dir)
    renderer = Renderer(render.checkpoint, render.device)
    # What the model needs, checked once for the whole batch before any input is read.
    one = replace(render, image=str(files[0]) if cfg.kind == "image" else None,
                  sketch=str(files[0]) if cfg.kind == "sketch" else None, depth=cfg.depth_dir or render.depth)
    check_render_request(renderer.model.cfg, one, outputs=[out_dir / "summary.json"], check_files=False)
    targets = {(out_dir / f"{f.stem}_color.png").resolve() for f in files}
    clash = [f for f in files if f.resolve() in targets]
    if clash:
        raise InputError(f"the output of another input would overwrite the input {clash[0]}; choose another --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for f in tqdm(files, desc="batch", disable=not progress):
        target = out_dir / f"{f.stem}_color.png"
        row = {"input": str(f), "output": str(target), "status": "", "seconds": 0.0, "error": ""}
        if target.exists() and not cfg.overwrite:
            row["status"] = "skipped (exists)"
            rows.append(row)
            continue
        t0 = time.perf_counter()
        try:
            one = replace(render, out=str(target), image=str(f) if cfg.kind == "image" else None,
                          sketch=str(f) if cfg.kind == "sketch" else None,
                          depth=_depth_for(f.stem, cfg.depth_dir) if cfg.depth_dir else render.depth)
            renderer.render(one)
            row["status"] = "ok"
        except (InputError, ValueError, OSError) as exc:
            row.update(status="failed", error=str(exc).splitlines()[0])
            tqdm.write(f"failed: {f}: {row['error']}")
        row["seconds"] = round(time.perf_counter() - t0, 3)
        rows.append(row)
    write_json(out_dir / "summary.json", rows)
    with atomic_path(out_dir / "summary.csv") as tmp:
        with open(tmp, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return rows
