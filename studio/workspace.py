"""The studio's own folders, and how files from the browser enter them.

Layout under the studio's work folder (``outputs/studio`` by default)::

    sessions/<token>/inputs/    uploads, copied under names the studio makes
    sessions/<token>/results/   colorized images, their depth, variants, GIFs
    jobs/<run>.log              console output of each training job
    gradio/                     Gradio's own upload cache (GRADIO_TEMP_DIR)

One session per browser tab. A file name from the browser never becomes a path: only a
cleaned stem (letters, digits, ``-``, ``_``) is kept, inside a name the studio makes, and
the file type must be one the step accepts. The content is then read with the same
checks as the CLIs' inputs (``utils/image_io.py``: pixel limit, decompression bombs,
animations, CMYK, ...) by the step that uses it.

Runs live in the runs folder (``runs/`` by default), one folder per training, reserved
with ``os.mkdir`` so two tabs never get the same one.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

from utils.errors import InputError

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
DEPTH_TYPES = (".png", ".tif", ".tiff", ".npy")
MASK_TYPES = (".png", ".npy")
PALETTE_TYPES = (".gpl", ".json")
MAX_UPLOAD_MB = 200  # per file; larger uploads are refused (Gradio's max_file_size and take_upload)

_TOKEN = re.compile(r"^[0-9a-f]{16}$")


def safe_stem(name: str | None, default: str = "upload") -> str:
    """A file-name stem safe to use inside the studio's folders: the last path component of
    ``name`` without its suffix, reduced to ``[A-Za-z0-9_-]``, at most 40 characters."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")[:40]
    return stem or default


class Workspace:
    """The studio's work folder and its runs folder."""

    def __init__(self, root, runs):
        self.root = Path(root).resolve()
        self.runs = Path(runs).resolve()
        for d in (self.root / "sessions", self.root / "jobs", self.runs):
            d.mkdir(parents=True, exist_ok=True)

    # --- sessions ----------------------------------------------------------------------
    def new_session(self) -> str:
        token = secrets.token_hex(8)
        (self.root / "sessions" / token / "inputs").mkdir(parents=True)
        (self.root / "sessions" / token / "results").mkdir()
        return token

    def session(self, token: str) -> Path:
        if not isinstance(token, str) or not _TOKEN.match(token):
            raise InputError("this page's session has expired; reload the page")
        path = self.root / "sessions" / token
        if not path.is_dir():
            raise InputError("this page's session has expired; reload the page")
        return path

    def new_file(self, token: str, folder: str, prefix: str, stem: str, suffix: str) -> Path:
        """A new, empty file ``<session>/<folder>/<prefix>-<n>-<stem><suffix>`` (created exclusively)."""
        base = self.session(token) / folder
        base.mkdir(exist_ok=True)
        for n in range(1, 100_000):
            path = base / f"{prefix}-{n}-{safe_stem(stem)}{suffix}"
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                continue
            return path
        raise InputError(f"too many files in {base}")

    def new_folder(self, token: str, prefix: str) -> Path:
        base = self.session(token) / "results"
        for n in range(1, 100_000):
            path = base / f"{prefix}-{n}"
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return path
        raise InputError(f"too many folders in {base}")

    def take_upload(self, token: str, upload, kind: str, types: tuple[str, ...]) -> Path:
        """Copy an uploaded file (Gradio's temporary path, which must lie in the work folder) into
        the session's inputs.

        ``kind`` names the file (``photo``, ``depth``, ...); the suffix must be in ``types``
        and the size within :data:`MAX_UPLOAD_MB`. Returns the studio's copy."""
        src = self.inside(upload)  # Gradio's cache is inside the work folder (studio.py sets GRADIO_TEMP_DIR)
        suffix = src.suffix.lower()
        if suffix not in types:
            raise InputError(f"{kind}: {safe_stem(src.name)}{suffix} is not a supported file type; "
                             f"give one of {', '.join(types)}")
        if not src.is_file():
            raise InputError(f"{kind}: the upload did not arrive; try again")
        size = src.stat().st_size
        if size > MAX_UPLOAD_MB * 2**20:
            raise InputError(f"{kind}: the file has {size / 2**20:.0f} MB; at most {MAX_UPLOAD_MB} MB is accepted")
        dest = self.new_file(token, "inputs", kind, src.stem, suffix)
        shutil.copyfile(src, dest)
        return dest

    def inside(self, path) -> Path:
        """``path`` resolved, refused unless it lies in the work folder (where uploads arrive)."""
        p = Path(path).resolve()
        if not p.is_relative_to(self.root):
            raise InputError(f"{safe_stem(Path(path).name)}: uploads are read only from the studio's own folder")
        return p

    # --- runs --------------------------------------------------------------------------
    def reserve_run(self, stem: str) -> Path:
        """A new, empty run folder ``<runs>/<stem>-<date>-<time>[-n]``, created atomically."""
        name = f"{safe_stem(stem, 'run')}-{time.strftime('%Y%m%d-%H%M%S')}"
        for n in range(1, 1000):
            path = self.runs / (name if n == 1 else f"{name}-{n}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return path
        raise InputError(f"cannot reserve a run folder for {name} in {self.runs}")

    def run(self, name: str) -> Path:
        """The run folder called ``name`` (a name from :meth:`list_runs`, nothing else)."""
        if not name or safe_stem(name, "") != name:
            raise InputError("choose a run from the list")
        path = self.runs / name
        if not path.is_dir():
            raise InputError(f"there is no run {name} in {self.runs}; choose a run from the list")
        return path

    def list_runs(self) -> list[str]:
        """Names of the runs in the runs folder (folders with a config.json), newest first."""
        runs = [p for p in self.runs.iterdir() if (p / "config.json").is_file() and safe_stem(p.name, "") == p.name]
        return [p.name for p in sorted(runs, key=lambda p: (p / "config.json").stat().st_mtime, reverse=True)]
