"""Every script the README lists runs by path and with ``python -m``, from the repo root and from elsewhere."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["process/high_res.py", "process/sketch_depth.py", "preprocess/depth.py", "preprocess/segment.py",
           "preprocess/sketch.py",
           "preprocess/view/generate_multiview.py", "preprocess/view/generate_wiggle_gif.py",
           "preprocess/view/make_multiview_gif.py"]
ROOT_SCRIPTS = ["train.py", "process.py", "batch_process.py", "evaluate.py", "generate_styles.py"]


def _run(args, cwd):
    return subprocess.run([sys.executable, *args, "--help"], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script", SCRIPTS + ROOT_SCRIPTS)
def test_by_path(script, tmp_path):
    r = _run([str(ROOT / script)], cwd=tmp_path)  # from another folder: nothing relies on the working directory
    assert r.returncode == 0 and r.stdout.startswith("usage:"), r.stderr


@pytest.mark.parametrize("script", SCRIPTS)
def test_as_module(script):
    r = _run(["-m", script[:-3].replace("/", ".")], cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith("usage:"), r.stderr


def test_every_script_with_a_main_is_listed():
    found = {str(p.relative_to(ROOT)) for folder in ("process", "preprocess", "models", "utils", "data", "loss",
                                                        "config") for p in (ROOT / folder).rglob("*.py")
             if 'if __name__ == "__main__"' in p.read_text()}
    assert found <= set(SCRIPTS), found - set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS + ROOT_SCRIPTS)
def test_a_flag_mistake_is_one_line(script, tmp_path):
    """An unknown flag or a value a flag cannot take is bad input like any other: one line, exit code 2
    (not argparse's whole usage)."""
    r = subprocess.run([sys.executable, str(ROOT / script), "--no-such-flag"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:"), r.stderr
    assert ("--no-such-flag" in lines[0] or "required" in lines[0]) and "--help" in lines[0]
