"""Training jobs: ``python train.py ... --out RUN`` in a child process, followed through its files.

A job is exactly a ``train.py`` run (or ``train.py --out RUN --resume``), so the run folder
it leaves is a train.py run: ``config.json``, ``checkpoints/``, ``metrics.jsonl``,
``previews/`` and its lines in the training log. The child keeps going when the browser
tab that started it is closed; any tab can follow it, cancel it (SIGINT, as Ctrl-C in a
terminal: the last completed epoch stays in ``checkpoints/last.safetensors``) and resume it.

Progress is read from the run's own files: ``metrics.jsonl`` (one row per epoch, the plot)
and the step counter of train.py's progress bar in the job's console log; a run this
studio did not start (or started before a restart) is judged from its files alone.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from utils.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "train.py"
CANCEL_GRACE_S = 30  # after SIGINT, a job that has not stopped is killed
# tqdm's bar as train.py draws it: "stage 1 epoch 3/12:  40%|####      | 10/25 [...]"
_BAR = re.compile(r"stage (\d) epoch (\d+)/(\d+):\s*\d+%\|[^|\r\n]*\|\s*(\d+)/(\d+)")


@dataclass
class Progress:
    """Where a run stands."""
    state: str                 # running | done | cancelled | failed | stopped | empty
    step: int = 0              # optimiser steps done
    total: int = 0             # steps in the whole schedule (0: not known yet)
    message: str = ""          # one line for the page
    rows: list[dict] = field(default_factory=list)  # metrics.jsonl, one row per epoch

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total else 0.0


@dataclass
class Job:
    run: Path
    proc: subprocess.Popen
    log: Path
    cancelled: bool = False


def read_rows(run: Path) -> list[dict]:
    """The rows of ``RUN/metrics.jsonl`` (a half-written last line is skipped)."""
    rows = []
    try:
        lines = (run / "metrics.jsonl").read_text().splitlines()
    except OSError:
        return rows
    for line in lines:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return rows


def read_config(run: Path) -> dict | None:
    try:
        return json.loads((run / "config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None


def schedule_steps(cfg: dict) -> tuple[int, int, int]:
    """(steps of stage 1, steps per stage-1 epoch, steps per stage-2 epoch) of a run's config."""
    return cfg["epochs1"] * cfg["steps_per_epoch"], cfg["steps_per_epoch"], cfg["steps2_per_epoch"]


def _tail(path: Path, size: int = 4096) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - size))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def last_error(log: Path) -> str | None:
    """The last ``error: ...`` line train.py printed, if any."""
    lines = [ln.strip() for ln in re.split(r"[\r\n]+", _tail(log, 16384)) if ln.strip().startswith("error: ")]
    return lines[-1] if lines else None


class TrainingJobs:
    """The training jobs of one studio: at most one per run folder."""

    def __init__(self, logs, python: str = sys.executable):
        self.logs = Path(logs)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.python = python
        self._jobs: dict[Path, Job] = {}
        self._lock = threading.Lock()

    def _spawn(self, run: Path, argv: list[str]) -> Job:
        run = run.resolve()
        with self._lock:
            old = self._jobs.get(run)
            if old is not None and old.proc.poll() is None:
                raise InputError(f"{run.name} is training already; wait for it or cancel it")
            log = self.logs / f"{run.name}.log"
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            with open(log, "ab") as fh:
                fh.write(f"$ python train.py {' '.join(argv)}\n".encode())
                fh.flush()
                proc = subprocess.Popen([self.python, str(TRAIN), *argv], cwd=ROOT, env=env, stdout=fh,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            job = self._jobs[run] = Job(run, proc, log)
            return job

    def start(self, run: Path, argv: list[str], metrics_log) -> Job:
        """``python train.py ARGV --out RUN --metrics-log LOG`` in the background."""
        return self._spawn(run, [*argv, "--out", str(run), "--metrics-log", str(metrics_log)])

    def resume(self, run: Path, metrics_log, device: str = "auto") -> Job:
        """``python train.py --out RUN --resume``: continues from the last completed epoch."""
        if not (run / "checkpoints" / "last.safetensors").is_file():
            raise InputError(f"{run.name} has no checkpoint to resume from (it stopped before its first epoch "
                             "ended); start a new run")
        if (run / "checkpoints" / "stage2.safetensors").is_file():
            raise InputError(f"{run.name} has finished; there is nothing to resume")
        return self._spawn(run, ["--out", str(run), "--resume", "--device", device,
                                 "--metrics-log", str(metrics_log)])

    def cancel(self, run: Path) -> bool:
        """Stop a running job as Ctrl-C would; False if it was not running."""
        with self._lock:
            job = self._jobs.get(run.resolve())
        if job is None or job.proc.poll() is not None:
            return False
        job.cancelled = True
        job.proc.send_signal(signal.SIGINT)
        timer = threading.Timer(CANCEL_GRACE_S, lambda: job.proc.poll() is None and job.proc.kill())
        timer.daemon = True
        timer.start()
        return True

    def running(self) -> list[Path]:
        with self._lock:
            return [r for r, j in self._jobs.items() if j.proc.poll() is None]

    def stop_all(self, wait_s: float = 10.0) -> None:
        """Cancel every running job and wait for it (the studio is closing)."""
        for run in self.running():
            self.cancel(run)
        for run in list(self._jobs):
            job = self._jobs[run]
            try:
                job.proc.wait(wait_s)
            except subprocess.TimeoutExpired:
                job.proc.kill()

    def progress(self, run: Path) -> Progress:
        run = run.resolve()
        with self._lock:
            job = self._jobs.get(run)
        cfg = read_config(run)
        rows = read_rows(run)
        total = 0
        step = rows[-1]["step"] if rows else 0
        if cfg:
            s1, per1, per2 = schedule_steps(cfg)
            total = s1 + cfg["epochs2"] * per2
        ckpts = run / "checkpoints"
        if job is not None and job.proc.poll() is None:
            bars = _BAR.findall(_tail(job.log))
            where = "starting: loading the data"
            if cfg and bars:
                stage, epoch, epochs, n, _ = (int(x) for x in bars[-1])
                base = (epoch - 1) * per1 if stage == 1 else s1 + (epoch - 1) * per2
                step = max(step, base + n)
                where = f"stage {stage} epoch {epoch}/{epochs}"
            elif cfg:
                where = "starting"
            return Progress("running", step, total, f"training: {where}, step {step} of {total or '?'}", rows)
        if (ckpts / "stage2.safetensors").is_file() and (job is None or job.proc.returncode == 0):
            return Progress("done", total or step, total, f"done: {step} steps" + _scores(rows), rows)
        if job is not None and job.proc.returncode != 0:
            if job.cancelled:
                return Progress("cancelled", step, total, f"cancelled at step {step} of {total}; Resume continues "
                                                          "from the last completed epoch", rows)
            err = last_error(job.log)
            return Progress("failed", step, total, err or f"error: train.py stopped with exit code "
                                                           f"{job.proc.returncode}; its output is in {job.log}", rows)
        if (ckpts / "last.safetensors").is_file():
            return Progress("stopped", step, total, f"stopped at step {step} of {total}; Resume continues it", rows)
        if cfg:
            return Progress("stopped", 0, total, "stopped before its first epoch ended; start a new run", rows)
        return Progress("empty", 0, 0, "no training in this folder yet", rows)


def _scores(rows: list[dict]) -> str:
    if not rows:
        return ""
    last = rows[-1]
    parts = [f"{k} {last[k]:.2f} dB" for k in ("train_psnr", "heldout_psnr") if k in last]
    return (", " + ", ".join(p.replace("_psnr", " PSNR") for p in parts)) if parts else ""
