"""The Ray engine of batch colorization: the same batch as ``batch/local.py`` on Ray Data.

Ray's batch-inference pattern: the driver lists the inputs and checks the request
(:func:`batch.local.plan_batch`), ``ray.data.from_items`` makes one row per input, and
``map_batches`` runs :class:`ColorizeWorker`, a callable class, on a pool of actors. Each
actor loads a checkpoint the first time a row needs it and keeps it (one model per
checkpoint per worker), renders each row with :func:`batch.local.process_job`, the very
function of the local engine, writes the output atomically itself and returns one status
row; the driver collects the rows and writes the same ``summary.json`` / ``summary.csv``.
"Done" is decided on disk by the worker, so a rerun after a killed job or worker redoes
only the inputs without an output. Each input is one task, given to a worker when it is free;
a worker that dies is restarted and its input retried a few times, then reported as failed.

What travels to workers: the rows (input path, output path, checkpoint path) and the two
small configs; never images or weights. Inputs, checkpoints and the output folder must
therefore be paths that every node sees (a shared filesystem); URIs (s3://, gs://) are
refused, since the renderer reads local files. The driver runs on the cluster (``ray job
submit``, ``--address auto`` or the head's HOST:PORT): Ray Data does not run over Ray Client
(``ray://``).
"""
from __future__ import annotations

import gc
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from batch.local import (SUMMARY_FIELDS, BatchConfig, Job, RendererCache, note_other_settings, plan_batch,
                         previous_settings, process_job, settings_key, stamp_settings, write_summary)
from process.render import RenderConfig
from utils.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
INSTALL_HINT = "pip install -r requirements-ray.txt"
SUBMIT_HINT = ("ray job submit --address http://HEAD:8265 --working-dir . -- python batch_process.py ... "
               "--engine ray --address auto")


@dataclass
class RayConfig:
    address: str | None = None     # None: start a local Ray; 'auto' or the head's HOST:PORT: an existing cluster
    workers: int = 1               # actors, each holding its own models
    cpus_per_worker: float = 1.0   # CPUs Ray reserves per actor (it also sets the actor's OMP_NUM_THREADS)
    gpus_per_worker: float = 0.0   # GPUs per actor (fractions share one GPU)
    batch_size: int = 1            # rows per map_batches call
    max_blocks: int = 10_000       # one input per block (a task) up to this many inputs, then k per block
    task_retries: int = 3          # retries of a block whose worker died (killed, out of memory); then failed


def import_ray():
    """``ray`` or one-line bad input naming the install command."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise InputError(f"--engine ray needs Ray Data ({exc.name or exc} is not installed): {INSTALL_HINT}") from None
    return ray


def check_address(address: str | None) -> None:
    """Refuse, before anything starts, an address Ray Data cannot run on.

    ``ray://`` is Ray Client, which Ray Data does not support (its executor needs a driver
    on the cluster: ``'Worker' object has no attribute 'core_worker'``, ray-project/ray#48682);
    the job goes to the cluster with ``ray job submit`` instead."""
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address and address.startswith("ray://"):
        raise InputError(f"--address {address}: Ray Data does not run over Ray Client (ray://); run the batch on the "
                         f"cluster: {SUBMIT_HINT}")


def _reachable(address: str, timeout: float = 10.0) -> None:
    """A HOST:PORT that no process answers on is refused in ``timeout`` seconds (``ray.init``
    would wait for it for minutes)."""
    import socket
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--address {address}: give 'auto' or the head node's HOST:PORT (its GCS port, 6379 "
                         "by default)")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise InputError(f"--address {address}: cannot reach a Ray cluster there ({exc.strerror or exc})") from None


def init_ray(address: str | None = None, num_cpus: int | None = None, num_gpus: int | None = None) -> bool:
    """Connect to ``address`` or start a small local Ray (no dashboard); False if one was already up.

    Without ``address`` (and without ``RAY_ADDRESS`` in the environment, which ``ray job submit``
    sets) a fresh local Ray starts, even where ``ray start`` left one running on this machine:
    ``--address auto`` is the way to use that one. A local Ray gets this repository on its
    workers' PYTHONPATH; on a cluster the code must be on every node (``ray job submit
    --working-dir .`` ships it)."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    kw = dict(include_dashboard=False, log_to_driver=True, configure_logging=True, logging_level="warning")
    if address is None and not os.environ.get("RAY_ADDRESS"):
        address = "local"  # Ray's own default would join a `ray start` cluster and then refuse num_cpus
        kw.update(num_cpus=num_cpus, num_gpus=num_gpus,
                  runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    else:
        kw.pop("include_dashboard")
        check_address(address)
        if address not in (None, "auto"):
            _reachable(address)
    try:
        ray.init(address=address, **kw)
    except (ConnectionError, ValueError) as exc:
        where = f"--address {address}" if address else f"RAY_ADDRESS={os.environ['RAY_ADDRESS']}"
        raise InputError(f"{where}: cannot connect to a Ray cluster: {str(exc).splitlines()[0]}") from None
    return True


class ColorizeWorker:
    """A Ray Data callable class: rows of (input, output, checkpoint) in, status rows out.

    ``__init__`` only stores the configs; models are loaded on first use, once per
    checkpoint, and kept for the actor's lifetime. ``threads``: torch's intra-op threads,
    the actor's CPU share (outputs are bit-identical to the local engine's at equal threads;
    other thread counts may move a pixel by 1/255 through float summation order)."""

    def __init__(self, cfg: dict, render: dict, threads: int = 1):
        import torch
        torch.set_num_threads(max(1, threads))
        self.cfg = BatchConfig(**cfg)
        self.render = RenderConfig(**render)
        self.renderers = RendererCache(self.render.device, self.cfg.reference)

    def __call__(self, batch: dict) -> dict:
        rows = [process_job(Job(str(i), str(o), str(c)), self.cfg, self.render, self.renderers,
                            log=lambda m: print(m, file=sys.stderr))
                for i, o, c in zip(batch["input"], batch["output"], batch["checkpoint"])]
        out = {k: [r[k] for r in rows] for k in rows[0]} if rows else {}
        out["index"] = list(batch["index"])
        return out


def run_batch_ray(cfg: BatchConfig, render: RenderConfig, ray_cfg: RayConfig = RayConfig(),
                  progress: bool = True) -> list[dict]:
    """The Ray engine: same outputs, summary rows and order as :func:`batch.local.run_batch`."""
    if ray_cfg.workers < 1:
        raise InputError(f"--workers must be at least 1, got {ray_cfg.workers}")
    if ray_cfg.gpus_per_worker < 0:
        raise InputError(f"--gpus-per-worker must be >= 0, got {ray_cfg.gpus_per_worker}")
    check_address(ray_cfg.address)
    ray = import_ray()
    jobs = plan_batch(cfg, render)  # on the driver: checkpoints and flags checked before Ray starts
    previous, key = previous_settings(cfg.out), settings_key(cfg, render)
    note_other_settings(jobs, cfg, previous, key)
    started = init_ray(ray_cfg.address, num_cpus=max(1, round(ray_cfg.workers * ray_cfg.cpus_per_worker)))
    ctx = ray.data.DataContext.get_current()
    saved = ctx.enable_progress_bars, ctx.max_errored_blocks
    try:
        # Ray's defaults, changed: about 200 blocks whatever the batch (a block is a task: hours
        # of work each at archive scale, and uneven ends), a few tasks queued on each worker (they
        # die with it when an input kills it), a dying worker retried forever and the whole run
        # ended by the first failed block. Here a task is one input (up to max_blocks inputs), sent
        # to a worker when it is free (its overhead: bench/results_batch_scaling.md), retried task_retries
        # times, and a block that still fails is its input's failure, reported below, while the
        # rest go on.
        ctx.enable_progress_bars, ctx.max_errored_blocks = progress, -1
        ds = ray.data.from_items([{"index": k, "input": j.input, "output": j.output, "checkpoint": j.checkpoint}
                                  for k, j in enumerate(jobs)],
                                 override_num_blocks=min(len(jobs), ray_cfg.max_blocks))
        ds = ds.map_batches(ColorizeWorker, fn_constructor_kwargs={"cfg": asdict(cfg), "render": asdict(render),
                                                                 "threads": int(ray_cfg.cpus_per_worker)},
                            batch_size=ray_cfg.batch_size,
                            compute=ray.data.ActorPoolStrategy(size=ray_cfg.workers, max_tasks_in_flight_per_actor=1),
                            num_cpus=ray_cfg.cpus_per_worker, num_gpus=ray_cfg.gpus_per_worker or None,
                            # a plain Ray option: deprecated in Ray 2.60, which has no named one,
                            # and removed in 2.64 (requirements-ray.txt stops below it)
                            max_task_retries=ray_cfg.task_retries)
        got = {int(r["index"]): r for r in ds.take_all()}
    finally:
        ctx.enable_progress_bars, ctx.max_errored_blocks = saved
        if started:
            ray.shutdown()
    rows = []
    for k, job in enumerate(jobs):
        if k in got:
            rows.append({f: float(got[k][f]) if f == "seconds" else str(got[k].get(f, "")) for f in SUMMARY_FIELDS})
            continue
        error = (f"not rendered: its Ray worker died on it {ray_cfg.task_retries + 1} times, or raised (Ray's log "
                 "above has the cause)")
        print(f"failed: {job.input}: {error}", file=sys.stderr)
        rows.append({"input": job.input, "output": job.output, "status": "failed", "seconds": 0.0, "error": error,
                     "checkpoint": job.checkpoint, "notes": ""})
    if len(got) < len(jobs):
        # Ray Data lets its actors go by dropping its references to them; the errors of failed
        # tasks hold some in reference cycles, and with them their CPUs, from the next batch run
        # on this cluster.
        gc.collect()
    stamp_settings(rows, previous, key)
    write_summary(cfg.out, rows)
    return rows
