#!/usr/bin/env bash
# The quality benchmark on a CUDA machine, one process per development case in parallel
# (the networks are small; one case alone leaves the GPU mostly idle).
#   bash bench/gpu_quality.sh OUT_DIR "PRESETS" [--set key=value ...]
# Writes OUT_DIR/<case>.txt (each case's tables) and OUT_DIR/<case>.json.
set -euo pipefail
out=${1:?out dir}; presets=${2:-default}; shift 2 || true
mkdir -p "$out"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}
nvidia-smi -L
for case in motorcycle graf aero china; do
  $PY bench/quality.py --cases "$case" --tasks ${TASKS:-sketch lines bw} --presets $presets --out "$out/runs" \
    --json "$out/$case.json" --set device=cuda "$@" > "$out/$case.txt" 2>&1 &
done
wait
cat "$out"/*.txt | grep -E '^\|' | sort -u
