"""Batch colorization: a folder, glob or manifest of inputs into an output folder.

Each input is rendered with a loaded model (``process/render.py``). A file that fails is
reported and skipped, the rest go on; ``summary.json`` and ``summary.csv`` give every
file's status, output and seconds; a re-run skips inputs whose output already exists
(outputs are written atomically, so an existing output is a finished one); the exit code
is non-zero when any file failed.

Two engines share everything here: listing the inputs (:func:`plan_batch`), deciding what
is done and rendering one file (:func:`process_job`), and the summary
(:func:`write_summary`). ``run_batch`` is the local engine (one process);
``batch/ray_engine.py`` runs the same :func:`process_job` on Ray Data workers.
"""
from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import io
import json
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from tqdm import tqdm

from models.checkpoint import keeps_reference
from process.preflight import (check_network_flags, check_photo_only_request, check_render_request,
                               check_training_photo_kept, note_idle_hint_fill, runs_network)
from process.render import PHOTO_ONLY, RenderConfig, Renderer, read_reference_photo
from utils.errors import InputError
from utils.image_io import atomic_path, check_writable_dir, write_json
from utils.progress import progress_bar

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
MANIFEST_EXTS = {".txt", ".csv"}  # a list of input paths (CSV: an ``input`` column, optional ``checkpoint``)
SUMMARY_FIELDS = ["input", "output", "status", "seconds", "error", "checkpoint", "notes", "settings"]
# RenderConfig fields that differ per input (or per manifest row): not part of a batch's settings
PER_INPUT = ("image", "sketch", "out", "hints", "checkpoint")
# RenderConfig fields that say which flags were given, not how the outputs look: not part of its settings either
NOT_LOOKS = ("network_flags",)


@dataclass
class BatchConfig:
    inputs: str                  # a folder, a glob pattern, or a .txt/.csv manifest of paths
    out: str                     # output folder
    kind: str = "image"          # image (photos) | sketch (drawings used as they are)
    depth_dir: str | None = None  # folder of depth maps named like the inputs (<stem>.png / .npy)
    overwrite: bool = False      # re-render inputs whose output exists
    hints_dir: str | None = None  # folder of colour-hint files named like the inputs (<stem>.json; an input
                                  # without one is rendered without hints)
    reference: str | None = None  # a colour photo to colour black-and-white inputs from, with no checkpoint
                                  # (process.py --reference)


@dataclass(frozen=True)
class Job:
    """One input: where it is, where its output goes, which checkpoint renders it."""
    input: str
    output: str
    checkpoint: str


def _is_uri(path: str) -> bool:
    return "://" in path


def read_manifest(path: Path) -> list[tuple[str, str | None]]:
    """(input, checkpoint or None) per line of a .txt (one path a line, ``#`` comments) or a
    .csv with a header naming an ``input`` column and optionally a ``checkpoint`` column.
    Relative paths are taken from the manifest's folder."""
    base = path.parent
    rows: list[tuple[str, str | None]] = []
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read manifest {path}: {exc}") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or "input" not in reader.fieldnames:
            raise InputError(f"manifest {path}: needs a header with an 'input' column (and optionally 'checkpoint'); "
                             f"got {reader.fieldnames}")
        for r in reader:
            inp, ck = (r.get("input") or "").strip(), (r.get("checkpoint") or "").strip() or None
            if inp:
                rows.append((inp, ck))
    else:
        rows = [(line.strip(), None) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise InputError(f"manifest {path} lists no inputs")
    out = []
    for inp, ck in rows:
        if _is_uri(inp) or (ck and _is_uri(ck)):
            raise InputError(f"manifest {path}: {inp if _is_uri(inp) else ck}: URIs are not read; inputs and "
                             "checkpoints must be paths on a filesystem every worker sees")
        out.append((str(base / inp) if not Path(inp).is_absolute() else inp,
                    (str(base / ck) if not Path(ck).is_absolute() else ck) if ck else None))
    return out


def list_inputs(spec: str) -> list[Path]:
    """The image files of a folder or a glob pattern, sorted."""
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


def _hints_for(stem: str, hints_dir: str | None) -> str | None:
    """The input's colour hints, ``<stem>.json`` in ``hints_dir``, or None (no hints for it)."""
    cand = Path(hints_dir) / f"{stem}.json" if hints_dir else None
    return str(cand) if cand is not None and cand.is_file() else None


def _request(render: RenderConfig, cfg: BatchConfig, job: Job, depth: str | None,
             hints: str | None = None) -> RenderConfig:
    return replace(render, checkpoint=job.checkpoint, out=job.output,
                   image=job.input if cfg.kind == "image" else None,
                   sketch=job.input if cfg.kind == "sketch" else None, depth=depth, hints=hints)


def _model_cfg_on_cpu(checkpoint: str):
    from models.checkpoint import load_model
    return load_model(checkpoint, "cpu")[0].cfg


def plan_batch(cfg: BatchConfig, render: RenderConfig, model_cfg_of=_model_cfg_on_cpu) -> list[Job]:
    """List the inputs and check, before anything is read or written, what the whole batch
    needs: each checkpoint (``model_cfg_of(path)`` loads it) against the flags, the output
    folder, and that no output overwrites an input or another output. Creates the output folder."""
    for flag, value in (("--out", cfg.out), ("--checkpoint", render.checkpoint), ("--depth-dir", cfg.depth_dir),
                        ("--hints-dir", cfg.hints_dir)):
        if value and _is_uri(value):  # Path("s3://b/x") would be a local folder "s3:/b/x"
            raise InputError(f"{flag} {value}: URIs are not read or written; give a path on a filesystem every "
                             "worker sees")
    p = Path(cfg.inputs)
    if p.is_file() and p.suffix.lower() in MANIFEST_EXTS:
        pairs = read_manifest(p)
    elif _is_uri(cfg.inputs):
        raise InputError(f"{cfg.inputs}: URIs are not read; give a folder, a glob or a manifest of local paths")
    else:
        pairs = [(str(f), None) for f in list_inputs(cfg.inputs)]
    out_dir = Path(cfg.out)
    for flag, folder in (("--depth-dir", cfg.depth_dir), ("--hints-dir", cfg.hints_dir)):
        if folder is not None and not Path(folder).is_dir():
            raise InputError(f"{flag}: not a folder: {folder}")
    check_writable_dir(out_dir)
    if not (p.is_file() and p.suffix.lower() in MANIFEST_EXTS) and any(
            Path(inp).resolve().parent == out_dir.resolve() for inp, _ in pairs):
        raise InputError(f"--out {cfg.out} holds the inputs: a rerun (which resumes the batch) would take the "
                         "outputs for more inputs; choose another --out")
    if cfg.reference:
        return _plan_photo_only(cfg, render, pairs, out_dir)
    jobs = [Job(inp, str(out_dir / f"{Path(inp).stem}_color.png"), ck or render.checkpoint) for inp, ck in pairs]
    # What each model needs, checked once per checkpoint before any input is read. The flags that set
    # how the network runs apply to the whole batch: refused only where no checkpoint runs its network.
    network = []
    for ck in dict.fromkeys(j.checkpoint for j in jobs):
        first = next(j for j in jobs if j.checkpoint == ck)
        model_cfg = model_cfg_of(ck)
        check_render_request(model_cfg,
                             replace(_request(render, cfg, first, cfg.depth_dir or render.depth, cfg.hints_dir),
                                     network_flags=()),
                             outputs=[out_dir / "summary.json"], check_files=False)
        if render.tones == "photo":  # the training photo's tones: the checkpoint must keep it
            check_training_photo_kept(render.tones, keeps_reference(ck))
        if render.network_flags:  # a black-and-white checkpoint without its photo colours with the network
            network.append(runs_network(model_cfg, render.bw_colour) or not keeps_reference(ck))
    if render.network_flags and not any(network):
        check_network_flags(model_cfg, render, which="every" if len(network) > 1 else "this")
    return _finish_plan(jobs, render, cfg, out_dir)


def _plan_photo_only(cfg: BatchConfig, render: RenderConfig, pairs, out_dir: Path) -> list[Job]:
    """:func:`plan_batch` with ``cfg.reference``: every input a black-and-white photo coloured from that
    colour photo alone (``process.py --reference``), each job's checkpoint column naming it."""
    named = next((inp for inp, ck in pairs if ck), None)
    if named is not None:
        raise InputError(f"the manifest names a checkpoint for {named}, and --reference renders with none: leave out "
                         "the checkpoint column or --reference")
    if cfg.kind != "image":
        raise InputError("--reference colours black-and-white photos: leave out --kind sketch")
    for flag, folder in (("--depth-dir", cfg.depth_dir), ("--hints-dir", cfg.hints_dir)):
        if folder:
            raise InputError(f"{flag} is for a trained model, and --reference renders without one: leave it out")
    reference = Path(cfg.reference).resolve()
    # the colour photo may sit among the scans: it is the reference, not one of them
    jobs = [Job(inp, str(out_dir / f"{Path(inp).stem}_color.png"), cfg.reference) for inp, _ in pairs
            if Path(inp).resolve() != reference]
    request = _request(render, cfg, jobs[0], render.depth) if jobs else replace(render, image=cfg.reference)
    check_photo_only_request(request, cfg.reference, [j.output for j in jobs] + [out_dir / "summary.json"])
    check_render_request(PHOTO_ONLY, request, outputs=[out_dir / "summary.json"], check_files=False)
    read_reference_photo(cfg.reference)  # a photo that cannot serve is refused before anything is written
    return _finish_plan(jobs, render, cfg, out_dir)


def _finish_plan(jobs: list[Job], render: RenderConfig, cfg: BatchConfig, out_dir: Path) -> list[Job]:
    """The checks every batch plan ends with: no two outputs alike, no output over an input; then the
    output folder is made."""
    seen: dict[Path, str] = {}
    for j in jobs:
        t = Path(j.output).resolve()
        if t in seen:
            raise InputError(f"{seen[t]} and {j.input} would both be written to {j.output}; rename one")
        seen[t] = j.input
    clash = [j.input for j in jobs if Path(j.input).resolve() in seen]
    if clash:
        raise InputError(f"the output of another input would overwrite the input {clash[0]}; choose another --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    note_idle_hint_fill(render.hint_fill, "--hints-dir", cfg.hints_dir)
    return jobs


def is_done(job: Job, cfg: BatchConfig) -> bool:
    """An output that exists is finished (every output is written atomically)."""
    return not cfg.overwrite and Path(job.output).exists()


def process_job(job: Job, cfg: BatchConfig, render: RenderConfig, renderer_for, log=print) -> dict:
    """Skip ``job`` if done, else render it with ``renderer_for(checkpoint)``; one summary row.

    A file that fails (unreadable, corrupt, a bad depth map) gives status ``failed`` and a
    one-line error; nothing is written for it. What the render says on stderr (its notes: a print
    read as faded, what ``--restore`` inpainted) is logged with the input's name, each line apart,
    and kept in the row's ``notes``: in a batch a note that names no file tells nothing."""
    row = {"input": job.input, "output": job.output, "status": "", "seconds": 0.0, "error": "",
           "checkpoint": job.checkpoint, "notes": ""}
    if is_done(job, cfg):
        row["status"] = "skipped (exists)"
        return row
    t0 = time.perf_counter()
    said = io.StringIO()
    try:
        depth = _depth_for(Path(job.input).stem, cfg.depth_dir) if cfg.depth_dir else render.depth
        hints = _hints_for(Path(job.input).stem, cfg.hints_dir)
        with contextlib.redirect_stderr(said):
            # the network's flags were checked for the whole batch (plan_batch): each model uses them or not
            renderer_for(job.checkpoint).render(replace(_request(render, cfg, job, depth, hints), network_flags=()))
        row["status"] = "ok"
    except (InputError, ValueError, OSError) as exc:
        row.update(status="failed", error=str(exc).splitlines()[0])
        log(f"failed: {job.input}: {row['error']}")
    finally:
        notes = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
        for line in notes:
            log(f"{job.input}: {line}")
        row["notes"] = " | ".join(notes)
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


class RendererCache:
    """One :class:`Renderer` per checkpoint path, loaded on first use; with a ``reference`` colour photo
    (``--reference``), one renderer from that photo alone, whatever the job's checkpoint column says."""

    def __init__(self, device: str = "auto", reference: str | None = None):
        self.device = device
        self.reference = reference
        self.loaded: dict[str, Renderer] = {}

    def __call__(self, checkpoint: str) -> Renderer:
        key = self.reference or checkpoint
        if key not in self.loaded:
            self.loaded[key] = Renderer.from_photo(key, self.device) if self.reference else Renderer(key, self.device)
        return self.loaded[key]


def settings_key(cfg: BatchConfig, render: RenderConfig) -> str:
    """A short fingerprint of what decides how a batch's outputs look: the render settings (without
    the per-input fields) and the batch's kind and depth and hint folders (and ``--reference``'s photo,
    where one is given). Kept per output in the
    summary, so a re-run can tell outputs made with other settings."""
    settings = {k: v for k, v in asdict(render).items() if k not in PER_INPUT + NOT_LOOKS}
    settings.update(kind=cfg.kind, depth_dir=cfg.depth_dir, hints_dir=cfg.hints_dir)
    if cfg.reference:  # only then, so the fingerprints of batches rendered by checkpoints stay as they were
        settings["reference"] = str(Path(cfg.reference).resolve())
    return hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:12]


def previous_settings(out_dir) -> dict[Path, str]:
    """Each output's settings fingerprint in ``out_dir``'s summary from an earlier run (none: empty; a
    summary from before fingerprints, or unreadable, tells nothing)."""
    try:
        rows = json.loads((Path(out_dir) / "summary.json").read_text())
        return {Path(r["output"]).resolve(): r["settings"] for r in rows if r.get("settings")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def note_other_settings(jobs: list[Job], cfg: BatchConfig, previous: dict[Path, str], key: str) -> None:
    """Say (one note on stderr) when finished outputs a re-run keeps were made with other settings:
    without ``--overwrite`` they stay as they were."""
    if cfg.overwrite:
        return
    kept = [j for j in jobs if is_done(j, cfg) and previous.get(Path(j.output).resolve(), key) != key]
    if kept:
        print(f"note: {len(kept)} finished output(s) in {cfg.out} were made with other settings and are kept as they "
              "are; add --overwrite to render them with these", file=sys.stderr)


def stamp_settings(rows: list[dict], previous: dict[Path, str], key: str) -> None:
    """Each summary row's settings fingerprint: a skipped output keeps the one it was made with."""
    for row in rows:
        made_before = row["status"].startswith("skipped")
        row["settings"] = previous.get(Path(row["output"]).resolve(), "") if made_before else key


def write_summary(out_dir, rows: list[dict]) -> None:
    """``summary.json`` and ``summary.csv``: one row per input, in input order."""
    out_dir = Path(out_dir)
    write_json(out_dir / "summary.json", rows)
    with atomic_path(out_dir / "summary.csv") as tmp:
        with open(tmp, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=SUMMARY_FIELDS)
            w.writeheader()
            w.writerows(rows)


def run_batch(cfg: BatchConfig, render: RenderConfig, progress: bool = True) -> list[dict]:
    """The local engine: every job in this process, one model per checkpoint."""
    renderers = RendererCache(render.device, cfg.reference)
    jobs = plan_batch(cfg, render, model_cfg_of=lambda ck: renderers(ck).model_cfg)
    previous, key = previous_settings(cfg.out), settings_key(cfg, render)
    note_other_settings(jobs, cfg, previous, key)
    rows = [process_job(j, cfg, render, renderers, log=lambda line: tqdm.write(line, file=sys.stderr))
            for j in progress_bar(jobs, desc="batch", disable=not progress)]
    stamp_settings(rows, previous, key)
    write_summary(cfg.out, rows)
    return rows
