#!/usr/bin/env bash
# High-resolution (tiled) inference with a trained run.
#   bash process.sh [process.py flags...]
# Defaults: the latest run (runs/latest) and the bundled sample's held-out right view.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
exec "$PY" process.py "$@"
