#!/usr/bin/env bash
# Train SemColorNet end to end: preprocessing (for --image), stage 1 (patches) and
# stage 2 (full image) via train.py, then a render of the held-out view.
#
#   bash train.sh [--foreground] [--wiggle] [--with-mask] [train.py flags...]
#
# In an interactive terminal with tmux installed, the job runs in tmux session
# 'sketch_train' (attach: tmux attach -t sketch_train; metrics: metrics_train/training.log).
# Otherwise, or with --foreground, it runs here. --with-mask trains with the preprocessing's
# semantic mask (SEGMENTER=sam|slic|felzenszwalb, default slic). Other flags go to train.py.
# Relative paths (flags, runs/latest, metrics_train/) are the folder it is run in, as with train.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-$([ -x "$here/.venv/bin/python" ] && echo "$here/.venv/bin/python" || echo python3)}

foreground=0; wiggle=0; with_mask=0; args=()
for a in "$@"; do
  case "$a" in
    --foreground) foreground=1 ;;
    --wiggle) wiggle=1 ;;
    --with-mask) with_mask=1 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$foreground" = 0 ] && [ -t 0 ] && [ -t 1 ] && command -v tmux >/dev/null 2>&1 && [ -z "${TMUX:-}" ]; then
  mkdir -p metrics_train
  if tmux has-session -t sketch_train 2>/dev/null; then
    echo "error: tmux session 'sketch_train' already exists; attach with: tmux attach -t sketch_train" >&2
    exit 2
  fi
  quoted=$(printf ' %q' "$@")
  tmux new-session -d -s sketch_train -c "$PWD" "bash $(printf %q "$here/train.sh") --foreground$quoted 2>&1 | tee -a metrics_train/train_sh.log; echo; echo 'finished; press enter'; read -r _"
  echo "training runs in tmux session 'sketch_train'"
  echo "  attach:  tmux attach -t sketch_train"
  echo "  metrics: tail -f metrics_train/training.log"
  exit 0
fi

# Values train.py and the render step both need.
out=runs/latest; image=""; depth=""; depth_model=""; sketch_method=""
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --out) out=${args[$((i + 1))]} ;;
    --image) image=${args[$((i + 1))]} ;;
    --depth) depth=${args[$((i + 1))]} ;;
    --depth-model) depth_model=${args[$((i + 1))]} ;;
    --sketch-method) sketch_method=${args[$((i + 1))]} ;;
  esac
done

if [ "$wiggle" = 1 ] && [ "$depth" = none ]; then   # found before training, not after it
  echo "error: --wiggle needs depth, and this run trains with --depth none; drop one of them" >&2
  exit 2
fi

if [ -n "$image" ]; then
  echo "== preprocessing $image"
  pre=("$here/process/sketch_depth.py" "$image" --out "$out/preprocess" --segmenter "${SEGMENTER:-slic}")
  [ -n "$depth" ] && pre+=(--depth "$depth")
  [ -n "$depth_model" ] && pre+=(--depth-model "$depth_model")
  [ -n "$sketch_method" ] && pre+=(--sketch-method "$sketch_method")
  "$PY" "${pre[@]}"
  # Training and the render use what preprocessing made (no second depth estimate).
  if [ -z "$depth" ]; then depth="$out/preprocess/depth.npy"; args+=(--depth "$depth"); fi
  [ "$with_mask" = 1 ] && args+=(--mask "$out/preprocess/mask.png")
fi

echo "== training (stage 1: patches, stage 2: full image)"
"$PY" "$here/train.py" "${args[@]}"

echo "== rendering"
render=("$here/process.py" --checkpoint "$out" --out "$out/render.png")
if [ -n "$image" ]; then
  render+=(--image "$image" --depth "$depth")
  [ "$with_mask" = 1 ] && render+=(--mask "$out/preprocess/mask.png")
fi
[ "$wiggle" = 1 ] && render+=(--wiggle "$out/render_wiggle.gif")
"$PY" "${render[@]}"
echo "done: $out (config.json, checkpoints/, metrics.jsonl, previews/, render.png)"
