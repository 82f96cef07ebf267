#!/usr/bin/env bash
# GPU check (run on a CUDA machine): the CUDA path end to end with bf16 mixed precision,
# the quality benchmark on the GPU, and tiled == untiled on the GPU.
#   bash bench/gpu_check.sh OUT_DIR
set -euo pipefail
out=${1:-gpu_check}
mkdir -p "$out"
PY=${PYTHON:-python3}
nvidia-smi -L
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0))"
export PYTHONUNBUFFERED=1
$PY bench/quality.py --presets fast default --set device=cuda --out "$out/quality" --json "$out/quality.json" \
  2>&1 | tee "$out/quality.txt"
$PY train.py --preset fast --device cuda --out "$out/run" --quiet --metrics-log "$out/training.log"
$PY evaluate.py --checkpoint "$out/run" --device cuda --out "$out/eval"
$PY - "$out/run" <<'PY'
import sys, time, numpy as np, torch
from models.checkpoint import load_model, sketch_config_of
from data.samples import stereo_motorcycle_views
from process.guides import sample_guides
from process.inference import colorize
from process.tiling import colorize_tiled
from utils.metrics import psnr
m, meta = load_model(sys.argv[1], "cuda")
g = sample_guides(stereo_motorcycle_views()[1], sketch_config_of(meta))
a = colorize(m, g, device="cuda"); torch.cuda.synchronize()
t = time.perf_counter(); b = colorize_tiled(m, g, tile=256, overlap=64, device="cuda"); torch.cuda.synchronize()
print(f"cuda tiled vs untiled PSNR {psnr(b, a):.1f} dB; tiled 0.37 MP in {time.perf_counter() - t:.2f} s")
PY
