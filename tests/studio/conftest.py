"""A running studio (``python studio.py`` in a child process) and a headless Chromium driving it.

The browser is Debian's ``chromium`` package, launched by Playwright's Python package with
``executable_path`` (no browser download). Where it is missing the browser tests are skipped
with the reason, except in CI (``CI`` set), where ``.ci/run`` installs it and they must run.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ("epochs1=4 steps_per_epoch=10 epochs2=1 steps2_per_epoch=2 patch_size=64 batch_size=4 full_size=128 "
        "model.width=8")  # ~10 s of training on the bundled sample


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must install it (.ci/run, make test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        _missing("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed (make test installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def studio(tmp_path_factory):
    """The studio on a free port, with its runs, work folder and log in a temporary folder.

    HF_HOME points at an empty folder, so no Depth Anything weights are "cached" whatever this
    machine holds, and the hub is offline."""
    base = tmp_path_factory.mktemp("studio")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(base / "hf"), "PYTHONUNBUFFERED": "1"}
    port = _free_port()
    cmd = [sys.executable, str(ROOT / "studio.py"), "--port", str(port), "--runs", str(base / "runs"),
           "--work", str(base / "work"), "--metrics-log", str(base / "training.log"), "--device", "cpu"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url, lines, t0 = None, [], time.time()
    while time.time() - t0 < 120:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("SemColorNet Studio: http://127.0.0.1:"):
            url = line.split()[2]
            break
    if url is None:
        proc.kill()
        pytest.fail("studio.py did not print its address:\n" + "".join(lines))
    console = base / "console.log"
    drain = subprocess.Popen(["cat"], stdin=proc.stdout, stdout=open(console, "w"))  # keep the pipe flowing
    yield {"url": url, "runs": base / "runs", "work": base / "work", "log": base / "training.log", "base": base,
           "console": console, "proc": proc}
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    drain.wait(10)
