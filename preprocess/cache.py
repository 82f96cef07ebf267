"""The preprocessing cache: one ``manifest.json`` per output folder.

Each step (sketch, depth, mask) is recorded with the SHA-256 of its source, its own
parameters and the files it wrote; a step whose source, parameters and files are all
unchanged is not run again. Used by ``process/sketch_depth.py`` and by
:func:`preprocess.depth.estimate_depth_cached`.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from utils.image_io import write_json

MANIFEST = "manifest.json"


def file_hash(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def array_hash(arr: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()


class Cache:
    """The manifest of one output folder: which step made which files from what."""

    def __init__(self, out: Path, source_hash: str):
        self.out, self.source_hash = Path(out), source_hash
        path = self.out / MANIFEST
        self.data = json.loads(path.read_text()) if path.is_file() else {}
        if self.data.get("source_sha256") != source_hash:
            self.data = {"source_sha256": source_hash, "steps": {}}

    def hit(self, step: str, params: dict) -> bool:
        entry = self.data["steps"].get(step)
        return bool(entry) and entry["params"] == params and all((self.out / f).is_file() for f in entry["files"])

    def record(self, step: str, params: dict, files: list[str], seconds: float) -> None:
        self.data["steps"][step] = {"params": params, "files": files, "seconds": round(seconds, 3)}
        write_json(self.out / MANIFEST, self.data)
