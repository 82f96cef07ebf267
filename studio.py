#!/usr/bin/env python3
"""SemColorNet Studio: the whole workflow in a local web page (Gradio).

    python studio.py [--port 7860] [--host 127.0.0.1] [--runs DIR] [--work DIR] [--depth-model ID|DIR]

Serves on 127.0.0.1 (this machine only) unless --host is given, and prints the address.
Reference photo -> training (train.py in the background) -> colorize -> palette variants ->
wiggle GIF / anaglyph, each step calling the library the CLIs call (studio/steps.py).
No analytics, nothing loaded from the internet.
"""
from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    from config.defaults import DEVICES
    from utils.cli import ArgumentParser

    p = ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--runs", default="runs", help="runs folder: trainings go here, existing runs are listed")
    p.add_argument("--work", default="outputs/studio", help="the studio's own folder: uploads and results")
    p.add_argument("--metrics-log", default="metrics_train/training.log", help="training log (appended)")
    p.add_argument("--depth-model", help="Depth Anything hub id or local folder (used only when it is on this machine)")
    p.add_argument("--device", default="auto", choices=DEVICES)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    # Ctrl-C stops the studio even when a shell started it in the background with SIGINT ignored,
    # and its training jobs (which inherit this) stop on Cancel as train.py does on Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from studio.workspace import MAX_UPLOAD_MB, Workspace
    from utils.image_io import check_writable, check_writable_dir

    for folder in (args.runs, args.work):
        check_writable_dir(folder)
    check_writable(args.metrics_log)
    ws = Workspace(args.work, args.runs)
    # Gradio keeps uploads in its own cache; keep that inside the studio's folder too.
    os.environ["GRADIO_TEMP_DIR"] = str(ws.root / "gradio")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from studio.app import CSS, build
    from studio.jobs import TrainingJobs

    jobs = TrainingJobs(ws.root / "jobs")
    atexit.register(jobs.stop_all)
    demo = build(ws, jobs, device=args.device, depth_model=args.depth_model,
                 metrics_log=str(Path(args.metrics_log).resolve()))
    demo.queue(default_concurrency_limit=2)
    _, url, _ = demo.launch(server_name=args.host, server_port=args.port, prevent_thread_lock=True, quiet=True,
                            ssr_mode=False, share=False, footer_links=[], show_error=False, css=CSS,
                            max_file_size=f"{MAX_UPLOAD_MB}mb", allowed_paths=[str(ws.root), str(ws.runs)])
    print(f"SemColorNet Studio: {url}  (runs: {ws.runs}; Ctrl-C stops it and any training it started)", flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        jobs.stop_all()
        demo.close()
    return 0


if __name__ == "__main__":
    from utils.cli import run_cli
    sys.exit(run_cli(main))
