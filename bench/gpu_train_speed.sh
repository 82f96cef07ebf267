#!/usr/bin/env bash
# Training time on a CUDA machine (issue 13, goal 4): bench/train_speed.py --device cuda for the
# fast and default presets (bf16 with the on-device patch sampler and with the OpenCV one; fp32),
# the paper preset's throughput on a tenth of its schedule, then the whole paper preset in the
# time left (wall seconds from the start of this script; 0: skip it).
#   bash bench/gpu_train_speed.sh OUT_DIR [SECONDS_AVAILABLE]
set -uo pipefail
out=${1:?out dir}; budget=${2:-0}
mkdir -p "$out"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1
nvidia-smi -L
$PY bench/train_speed.py --device cuda --presets fast default --precisions bf16 \
  --variant 'cpu sampler=sampler=cpu' --workdir /tmp/gpu_speed/runs_bf16 --markdown "$out/fast_default_bf16.md" \
  2>&1 | tee "$out/fast_default_bf16.txt"
$PY bench/train_speed.py --device cuda --presets fast default --precisions fp32 \
  --workdir /tmp/gpu_speed/runs_fp32 --markdown "$out/fast_default_fp32.md" 2>&1 | tee "$out/fast_default_fp32.txt"
$PY bench/train_speed.py --device cuda --presets paper --precisions bf16 --no-baseline \
  --variant 'a tenth of the schedule=epochs1=10,epochs2=3' --workdir /tmp/gpu_speed/runs_p10 --markdown "$out/paper_tenth.md" \
  2>&1 | tee "$out/paper_tenth.txt"
left=$((budget - SECONDS - 20))
if [ "$budget" -gt 0 ] && [ "$left" -gt 60 ]; then
  echo "whole paper preset: $left s available"
  timeout "$left" $PY bench/train_speed.py --device cuda --presets paper --precisions bf16 \
    --workdir /tmp/gpu_speed/runs_p --markdown "$out/paper.md" 2>&1 | tee "$out/paper.txt"
  [ "${PIPESTATUS[0]}" = 124 ] && echo "whole paper preset: not finished in $left s"
fi
cat "$out"/*.md
