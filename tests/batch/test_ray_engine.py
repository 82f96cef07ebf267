"""batch_process.py --engine ray (batch/ray_engine.py) against the local engine.

One local Ray (2 CPUs) for the whole module; ~20 tiny drawings (32 x 48) with two corrupt
files, two tiny trained runs of different seeds. Without Ray installed the Ray tests skip;
the test that Ray is optional runs in a subprocess where ``import ray`` fails. The kill test
runs the CLI in subprocesses (each its own local Ray, in its own session, so every process it
leaves behind is found and ended by its id) on drawings large enough to take a few seconds.
"""
from __future__ import annotations

import csv
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import batch_process
from utils.cli import run_cli
from utils.errors import InputError
from utils.image_io import write_depth, write_image

try:
    import ray  # noqa: F401
    import ray.data  # noqa: F401
    HAVE_RAY = True
except ImportError:
    HAVE_RAY = False
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed (pip install -r requirements-ray.txt)")
ROOT = Path(__file__).resolve().parents[2]
N_GOOD = 18
BAD = ("corrupt_a", "corrupt_b")


@pytest.fixture(scope="module")
def ray_session():
    from batch.ray_engine import init_ray
    started = init_ray(num_cpus=2)
    yield
    if started:
        import ray
        ray.shutdown()


@pytest.fixture(scope="module")
def second_run(tmp_path_factory):
    """A tiny run like ``tiny_run`` with another seed: its renderings differ."""
    import train
    out = tmp_path_factory.mktemp("tiny_run_seed1")
    args = ["--out", str(out / "run"), "--epochs1", "1", "--steps-per-epoch", "1", "--epochs2", "1",
            "--steps2-per-epoch", "1", "--patch-size", "32", "--batch-size", "2", "--full-size", "64", "--width", "8",
            "--quiet", "--device", "cpu", "--seed", "1", "--metrics-log", str(out / "training.log")]
    assert run_cli(train.main, args) == 0
    return out / "run"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sample_crop):
    """18 drawings of 32 x 48 cut from the sample, 2 corrupt files, a depth map for each."""
    from preprocess.sketch import extract_sketch
    root = tmp_path_factory.mktemp("batch_ray")
    src, depths = root / "in", root / "depths"
    src.mkdir(), depths.mkdir()
    _, _, photo, depth = sample_crop  # 96 x 128
    for k in range(N_GOOD):
        y, x = (k % 3) * 32, (k // 3) * 16
        write_image(src / f"d{k:02d}.png", extract_sketch(photo[y:y + 32, x:x + 48]))
        write_depth(depths / f"d{k:02d}.png", depth[y:y + 32, x:x + 48])
    (src / f"{BAD[0]}.png").write_bytes(b"not a png")
    (src / f"{BAD[1]}.png").write_bytes((src / "d00.png").read_bytes()[:60])  # truncated
    for b in BAD:
        write_depth(depths / f"{b}.png", depth[:32, :48])
    return {"root": root, "src": src, "depths": depths}


def _args(inputs, out, checkpoint, corpus, *extra):
    return [str(inputs), "--out", str(out), "--checkpoint", str(checkpoint), "--kind", "sketch",
            "--depth-dir", str(corpus["depths"]), "--device", "cpu", *extra]


def _summary(out):
    return json.loads((Path(out) / "summary.json").read_text())


def _local(args):
    """The local engine with one torch thread, like a Ray worker with one CPU: float sums in the
    same order, so the outputs are comparable byte for byte."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run_cli(batch_process.main, args)
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def local_out(corpus, tiny_run):
    out = corpus["root"] / "local"
    assert _local(_args(corpus["src"], out, tiny_run, corpus)) == 1
    return out


@needs_ray
def test_ray_matches_local_engine(ray_session, corpus, tiny_run, local_out, tmp_path):
    out = tmp_path / "ray"
    assert run_cli(batch_process.main, _args(corpus["src"], out, tiny_run, corpus, "--engine", "ray",
                                             "--workers", "2")) == 1
    local, remote = _summary(local_out), _summary(out)
    assert [r["input"] for r in remote] == [r["input"] for r in local]  # same rows, same order
    assert [r["status"] for r in remote] == [r["status"] for r in local]
    failed = [r for r in remote if r["status"] == "failed"]
    assert sorted(Path(r["input"]).stem for r in failed) == sorted(BAD)
    assert all(r["error"] and "\n" not in r["error"] for r in failed)
    assert [r["error"] for r in remote] == [r["error"] for r in local]
    for b in BAD:
        assert not (out / f"{b}_color.png").exists()
    for k in range(N_GOOD):
        name = f"d{k:02d}_color.png"
        assert (out / name).read_bytes() == (local_out / name).read_bytes(), name
    with open(out / "summary.csv") as fh:
        assert [r["status"] for r in csv.DictReader(fh)] == [r["status"] for r in local]


@needs_ray
def test_rerun_redoes_only_missing_outputs(ray_session, corpus, tiny_run, local_out, tmp_path):
    out = tmp_path / "resume"
    shutil.copytree(local_out, out)
    removed = {f"d{k:02d}_color.png" for k in (1, 4, 9, 16)}
    for name in removed:
        (out / name).unlink()
    kept = sorted(p.name for p in out.glob("*_color.png"))
    for name in kept:  # an old mtime: a rewrite would show even on a coarse-clock filesystem
        os.utime(out / name, ns=(1_000_000_000, 1_000_000_000))
    assert run_cli(batch_process.main, _args(corpus["src"], out, tiny_run, corpus, "--engine", "ray",
                                             "--workers", "2")) == 1
    assert all((out / n).stat().st_mtime_ns == 1_000_000_000 for n in kept)
    for name in removed:
        assert (out / name).read_bytes() == (local_out / name).read_bytes()
    status = {Path(r["output"]).name: r["status"] for r in _summary(out)}
    assert {n for n, s in status.items() if s == "ok"} == removed
    assert sum(s.startswith("skipped") for s in status.values()) == N_GOOD - len(removed)
    assert sum(s == "failed" for s in status.values()) == len(BAD)


@needs_ray
def test_manifest_picks_the_model_per_row(ray_session, corpus, tiny_run, second_run, local_out, tmp_path):
    names = [f"d{k:02d}" for k in range(6)]
    only_b = tmp_path / "only_b"
    only_b.mkdir()
    for n in names[1::2]:
        shutil.copy(corpus["src"] / f"{n}.png", only_b)
    ref_b = tmp_path / "ref_b"
    assert _local(_args(only_b, ref_b, second_run, corpus)) == 0
    manifest = tmp_path / "jobs.csv"
    with open(manifest, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["input", "checkpoint"])
        for k, n in enumerate(names):  # a path relative to the manifest; a run per row
            w.writerow([os.path.relpath(corpus["src"] / f"{n}.png", tmp_path), second_run if k % 2 else ""])
    out = tmp_path / "ray"
    assert run_cli(batch_process.main, _args(manifest, out, tiny_run, corpus, "--engine", "ray",
                                             "--workers", "2")) == 0
    rows = _summary(out)
    assert [Path(r["input"]).stem for r in rows] == names
    assert [Path(r["checkpoint"]) for r in rows] == [second_run if k % 2 else tiny_run for k in range(6)]
    for k, n in enumerate(names):
        ref = (ref_b if k % 2 else local_out) / f"{n}_color.png"
        assert (out / f"{n}_color.png").read_bytes() == ref.read_bytes(), n
    # The two runs are told apart: the same drawing renders differently.
    assert (ref_b / "d01_color.png").read_bytes() != (local_out / "d01_color.png").read_bytes()



@needs_ray
def test_input_that_kills_its_worker_is_reported(ray_session, corpus, tiny_run, local_out, tmp_path, monkeypatch):
    """An input whose worker dies every time (a crash or out of memory in a library, here
    os._exit) fails after the retries with a one-line error; the rest finish (none waits in a
    dying worker's queue); exit 1."""
    import batch.ray_engine as batch_ray

    class DiesOnD03(batch_ray.ColorizeWorker):  # local: Ray ships it to the workers by value
        def __call__(self, batch):
            if any(Path(str(i)).stem == "d03" for i in batch["input"]):
                os._exit(1)
            return super().__call__(batch)

    monkeypatch.setattr(batch_ray, "ColorizeWorker", DiesOnD03)
    monkeypatch.setattr(batch_ray, "RayConfig", functools.partial(batch_ray.RayConfig, task_retries=1))
    out = tmp_path / "out"
    assert run_cli(batch_process.main, _args(corpus["src"], out, tiny_run, corpus, "--engine", "ray",
                                             "--workers", "2")) == 1
    rows = {Path(r["input"]).stem: r for r in _summary(out)}
    assert len(rows) == N_GOOD + len(BAD)
    assert rows["d03"]["status"] == "failed" and "worker died on it 2 times" in rows["d03"]["error"]
    assert sorted(k for k, r in rows.items() if r["status"] == "failed") == sorted(["d03", *BAD])
    for k in range(N_GOOD):
        if k != 3:
            name = f"d{k:02d}_color.png"
            assert (out / name).read_bytes() == (local_out / name).read_bytes(), name


def test_ray_is_optional(corpus, tiny_run, tmp_path):
    """Without Ray: --engine local works and never imports it; --engine ray says how to install it."""
    code = f"""
import sys
sys.modules["ray"] = None  # import ray fails as if it were not installed
import batch_process
from utils.cli import run_cli
args = {_args(corpus["src"], tmp_path / "local", tiny_run, corpus)!r}
assert run_cli(batch_process.main, args) == 1
print("RAY-ENGINE", run_cli(batch_process.main, {_args(corpus["src"], tmp_path / "ray", tiny_run, corpus)!r}
                                                + ["--engine", "ray"]))
"""
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert "RAY-ENGINE 2" in r.stdout
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "pip install -r requirements-ray.txt" in errors[0], r.stderr
    assert not (tmp_path / "ray").exists()


# --- Killing the job midway ------------------------------------------------------------------

def _session_pids(sid: int) -> list[int]:
    """Processes of session ``sid`` (Linux /proc): the CLI started with ``start_new_session``,
    its local Ray and that Ray's workers and agents, and nothing else."""
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":  # (state, ppid, pgrp, session, ...)
                pids.append(int(d))
    return pids


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def _end_session(sid: int, timeout: float = 60) -> None:
    """SIGKILL every process left in session ``sid``, by id, until none is left."""
    deadline = time.monotonic() + timeout
    while (left := _session_pids(sid)) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)
    assert not _session_pids(sid), f"processes of session {sid} survive SIGKILL"


def _outputs(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("*_color.png")) if out.is_dir() else []


def _wait_for(cond, proc, what: str, timeout: float = 300):
    """Poll ``cond()`` every 20 ms; fail if ``proc`` ends first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, f"the job ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def slow_corpus(tmp_path_factory):
    """18 drawings of 500 x 741 (the held-out view, shifted; a few tenths of a second each with
    the tiny run), 2 corrupt files, a depth map for each."""
    from data.samples import stereo_motorcycle_views
    from preprocess.sketch import extract_sketch
    root = tmp_path_factory.mktemp("batch_ray_kill")
    src, depths = root / "in", root / "depths"
    src.mkdir(), depths.mkdir()
    _, right = stereo_motorcycle_views()
    sketch = extract_sketch(right.photo)
    for k in range(N_GOOD):
        write_image(src / f"d{k:02d}.png", np.roll(sketch, 37 * k, axis=1))
        write_depth(depths / f"d{k:02d}.png", np.roll(right.depth, 37 * k, axis=1))
    (src / f"{BAD[0]}.png").write_bytes(b"not a png")
    (src / f"{BAD[1]}.png").write_bytes((src / "d00.png").read_bytes()[:60])
    for b in BAD:
        write_depth(depths / f"{b}.png", right.depth)
    return {"root": root, "src": src, "depths": depths}


@needs_ray
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the job's processes through /proc")
def test_killed_job_rerun_finishes_the_rest(ray_session, slow_corpus, tiny_run):
    """``batch_process.py --engine ray`` in a subprocess (its own local Ray): one worker killed
    (Ray restarts it and the job goes on), then the whole job (SIGKILL, no summary written);
    the rerun, on a running cluster by ``--address``, renders only what has no output and writes
    the full summary."""
    corpus, root = slow_corpus, slow_corpus["root"]
    ref, out = root / "local", root / "ray"
    assert _local(_args(corpus["src"], ref, tiny_run, corpus)) == 1
    cmd = [sys.executable, str(ROOT / "batch_process.py"),
           *_args(corpus["src"], out, tiny_run, corpus, "--engine", "ray", "--workers", "2")]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}

    with open(root / "killed.log", "w") as log:  # the child keeps its own copy of the descriptor
        job = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(lambda: len(_outputs(out)) >= 3, job, "3 outputs")
        workers = [p for p in _session_pids(job.pid) if _cmdline(p).startswith("ray::MapWorker")]
        assert workers, [_cmdline(p) for p in _session_pids(job.pid)]
        os.kill(workers[0], signal.SIGKILL)
        at_worker_kill = len(_outputs(out))
        _wait_for(lambda: len(_outputs(out)) >= at_worker_kill + 3, job, "3 more outputs after a worker was killed")
        os.kill(job.pid, signal.SIGKILL)
        job.wait()
    finally:
        _end_session(job.pid)  # the job's Ray: raylet, workers, and agents that outlive a killed driver
    done = _outputs(out)
    assert at_worker_kill + 3 <= len(done) < N_GOOD, done
    assert not (out / "summary.json").exists()  # killed before the end
    # A killed writer leaves at most a hidden temporary file (.<stem>_color.XXXX.png), never a
    # file under an output's name: every output there is complete and right.
    for name in done:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    # A half-written file as a killed writer leaves it, for an input still to do.
    todo = next(f"d{k:02d}_color.png" for k in range(N_GOOD) if f"d{k:02d}_color.png" not in done)
    (out / f".{Path(todo).stem}.half.png").write_bytes((ref / todo).read_bytes()[:100])
    for name in done:  # an old mtime: a rewrite would show even on a coarse-clock filesystem
        os.utime(out / name, ns=(1_000_000_000, 1_000_000_000))
    before = {name: (out / name).stat().st_ino for name in done}

    # The rerun, on an existing cluster: this module's Ray, by its address (the job above had its own).
    import ray
    rerun = subprocess.Popen(cmd + ["--address", ray.get_runtime_context().gcs_address], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        printed, errors = rerun.communicate(timeout=600)
    finally:
        _end_session(rerun.pid)
    assert rerun.returncode == 1, errors[-3000:]
    for name in done:  # not rewritten: same file, same mtime
        st = (out / name).stat()
        assert (st.st_ino, st.st_mtime_ns) == (before[name], 1_000_000_000), name
    assert _outputs(out) == sorted(f"d{k:02d}_color.png" for k in range(N_GOOD))
    for name in _outputs(out):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    rows, local = _summary(out), _summary(ref)
    assert [r["input"] for r in rows] == [r["input"] for r in local]  # complete, in input order
    status = {Path(r["output"]).name: r["status"] for r in rows}
    assert {n for n, s in status.items() if s.startswith("skipped")} == set(done)
    assert {n for n, s in status.items() if s == "ok"} == set(_outputs(out)) - set(done)
    assert sorted(Path(r["input"]).stem for r in rows if r["status"] == "failed") == sorted(BAD)
    assert [r["error"] for r in rows] == [r["error"] for r in local]
    with open(out / "summary.csv") as fh:
        assert [r["status"] for r in csv.DictReader(fh)] == [r["status"] for r in rows]
    assert f"{N_GOOD - len(done)} rendered, {len(done)} skipped, 2 failed" in printed


@needs_ray
def test_address_refused_with_one_line(corpus, tiny_run, tmp_path, capsys):
    """ray:// (Ray Client, which Ray Data cannot run on) and a HOST:PORT nobody answers on are
    refused in one line (exit 2), before anything is written; Ray's own wait would be minutes."""
    import socket

    from batch.ray_engine import _reachable
    out = tmp_path / "out"
    assert run_cli(batch_process.main, _args(corpus["src"], out, tiny_run, corpus, "--engine", "ray",
                                             "--address", "ray://127.0.0.1:10001")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and "ray job submit" in err, err
    assert not out.exists()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the socket is
    for bad in (f"127.0.0.1:{port}", "headnode"):
        with pytest.raises(InputError, match="--address"):
            _reachable(bad, timeout=5)


@pytest.mark.parametrize("flag", ["inputs", "--out", "--checkpoint", "--depth-dir"])
def test_uris_refused_not_faked(flag, corpus, tiny_run, tmp_path, monkeypatch, capsys):
    """s3:// and the like are not read or written by either engine: refused in one line, and no
    local folder named 's3:' is made in their place."""
    monkeypatch.chdir(tmp_path)
    uri = "s3://bucket/batch"
    args = _args(corpus["src"], tmp_path / "out", tiny_run, corpus)
    if flag == "inputs":
        args[0] = uri
    else:
        args[args.index(flag) + 1] = uri
    assert run_cli(batch_process.main, args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and uri in err and "URI" in err, err
    assert not (tmp_path / "s3:").exists() and not (tmp_path / "out").exists()


@needs_ray
def test_ray_colours_prints_from_a_reference_as_the_local_engine_does(ray_session, sample_crop, tmp_path):
    """--reference (no checkpoint) on Ray: every worker builds the renderer from the colour photo, and
    the outputs are the local engine's, byte for byte."""
    from utils.cielab import gray_lightness, lightness_to_gray

    photo, _, held_out, _ = sample_crop
    write_image(tmp_path / "colour.png", photo)
    prints = tmp_path / "prints"
    prints.mkdir()
    light = gray_lightness(held_out.mean(axis=2))
    for k, (y, x) in enumerate(((0, 0), (8, 16), (16, 8))):
        write_image(prints / f"p{k}.png", lightness_to_gray(light[y:y + 80, x:x + 112]))
    common = ["--reference", str(tmp_path / "colour.png")]
    assert run_cli(batch_process.main, [str(prints), "--out", str(tmp_path / "local")] + common) == 0
    assert run_cli(batch_process.main, [str(prints), "--out", str(tmp_path / "ray"), "--engine", "ray"] + common) == 0
    for k in range(3):
        assert (tmp_path / "ray" / f"p{k}_color.png").read_bytes() == (tmp_path / "local" / f"p{k}_color.png").read_bytes()
