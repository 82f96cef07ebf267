#!/usr/bin/env bash
# High-resolution (tiled) inference with a trained run.
#   bash process.sh [process.py flags...]
# Defaults: the latest run (runs/latest, from the folder it is run in) and the bundled
# sample's held-out right view. Relative paths are the caller's, as with process.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-$([ -x "$here/.venv/bin/python" ] && echo "$here/.venv/bin/python" || echo python3)}
exec "$PY" "$here/process.py" "$@"
