#!/usr/bin/env bash
# scripts/gpu-check.sh [gpu_check args...] -- build gpu/gpu_check (CUDA toolkit
# only: nvcc, gcc, make) and run it: every CUDA kernel version checked against
# the CPU reference on fresh random frames, then timed against the device's
# own device-to-device copy bandwidth. For a lent machine without a compiler
# use scripts/gpu-run.sh with the carried bundle instead (docs/gpu.md), which
# runs the same gpu_check built here. The table goes to stdout and, when $OUT
# is set, to $OUT/gpu_check.txt. Exit status: gpu_check's (0 all checks
# passed, 1 a mismatch / CUDA error / no CUDA device, 2 usage).
set -u
cd "$(dirname "$0")/.."
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$nvcc" ] || { echo "gpu-check: nvcc not found (set NVCC or CUDA_HOME)" >&2; exit 1; }
make --no-print-directory NVCC="$nvcc" CUDA_HOME="$(dirname "$(dirname "$nvcc")")" gpu-check >&2 || exit 1
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.mem --format=csv >&2
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  ./gpu/gpu_check "$@" | tee "$OUT/gpu_check.txt"
  exit "${PIPESTATUS[0]}"
fi
exec ./gpu/gpu_check "$@"
