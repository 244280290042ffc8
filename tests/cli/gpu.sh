# tests/cli/gpu.sh -- the GPU paths on a machine without a GPU: asking for
# one fails at once in one line with exit 2 (calibrate pipeline) or 1
# (scripts/gpu-run.sh), leaving no output file, no temporary directory and
# nothing in $OUT. On a machine with a GPU (/dev/nvidia0) the pipeline
# checks are skipped; gpu-run.sh's are not (they use stand-in bundles).
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)

# --- calibrate pipeline: devices this machine lacks ---
if [ -e /dev/nvidia0 ]; then
  ok "pipeline without a GPU: skipped (this machine has one)"
else
  mkdir -p "$tmp/t"
  TMPDIR=$tmp/t expect_usage_error "pipeline --backend cuda" "backend cuda: " \
    calibrate pipeline --stage overlay --backend cuda -o "$tmp/t/p.json"
  [ -z "$(ls -A "$tmp/t")" ] && ok "pipeline --backend cuda: nothing written" || bad "pipeline --backend cuda left files"
  TMPDIR=$tmp/t expect_usage_error "pipeline --encoder nvenc" "backend cuda: " \
    calibrate pipeline --stage framing --encoder nvenc
  TMPDIR=$tmp/t expect_usage_error "pipeline --decoder nvdec" "backend cuda: " \
    calibrate pipeline --stage overlay --decoder nvdec --frames 3
fi
expect_usage_error "pipeline --decoder nvdec with cpu" "need --backend cuda" \
  calibrate pipeline --stage overlay --backend cpu --decoder nvdec
expect_usage_error "pipeline --decoder bogus" "--decoder: expected auto, cpu or nvdec" \
  calibrate pipeline --stage overlay --decoder bogus
expect_usage_error "pipeline --encoder bogus" "--encoder: expected auto, cpu or nvenc" \
  calibrate pipeline --stage overlay --encoder gpu
expect_usage_error "pipeline --cuda-version 9" "--cuda-version" \
  calibrate pipeline --stage overlay --cuda-version 9

# The CPU path's JSON names the device of every phase.
TMPDIR=$tmp "$FORKCAST" calibrate pipeline --stage overlay --size 96x64 --frames 3 --backend cpu \
  -o "$tmp/cpu.json" > /dev/null 2>&1 || bad "pipeline cpu run"
python3 - "$tmp/cpu.json" <<'PY' && ok "pipeline cpu: devices and spread" || bad "pipeline cpu: devices and spread"
import json, sys
c = json.load(open(sys.argv[1]))["calibration"]
assert c["devices"] == {"decode": "cpu", "upload": "none", "kernel": "cpu", "download": "none", "encode": "cpu"}, c["devices"]
sp = c["per_frame_ms_spread"]
for q in ("median", "p10", "p90", "sd"):
    assert set(sp[q]) == {"decode", "upload", "kernel", "download", "encode"}, sp[q]
assert sp["p10"]["encode"] <= sp["median"]["encode"] <= sp["p90"]["encode"]
assert "fallbacks" not in c
PY

# --- scripts/gpu-run.sh: fails early in one line, $OUT untouched ---
# run_case NAME NEEDLE [env...]: exit 1, one stderr line "gpu-run: ...NEEDLE",
# no files in $OUT (which holds one file of its own), no temp dir left.
run_case() {
  local name=$1 needle=$2
  shift 2
  rm -rf "$tmp/out" "$tmp/rt" && mkdir -p "$tmp/out" "$tmp/rt" && echo keep > "$tmp/out/mine"
  env "$@" OUT="$tmp/out" TMPDIR="$tmp/rt" bash "$here/scripts/gpu-run.sh" > "$tmp/gout" 2> "$tmp/gerr"
  local rc=$? lines
  lines=$(wc -l < "$tmp/gerr")
  if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q '^gpu-run: ' "$tmp/gerr" && grep -qF -- "$needle" "$tmp/gerr" &&
     [ ! -s "$tmp/gout" ] && [ "$(ls -A "$tmp/out")" = mine ] && [ -z "$(ls -A "$tmp/rt")" ]; then
    ok "gpu-run: $name"
  else
    bad "gpu-run: $name (rc=$rc, stderr: $(head -c 300 "$tmp/gerr"), out: $(ls -A "$tmp/out" | tr '\n' ' '))"
  fi
}
run_case "no bundle" "no bundle at" GPU_RUN_BUNDLE="$tmp/none.tar.gz"

# A stand-in bundle: the real forkcast, a gpu_check that finds no device.
mkdir -p "$tmp/fb/bin"
cp "$FORKCAST" "$tmp/fb/bin/forkcast"
printf '#!/bin/sh\necho "gpu_check: no CUDA device (stand-in)" >&2\nexit 1\n' > "$tmp/fb/bin/gpu_check"
cp "$tmp/fb/bin/gpu_check" "$tmp/fb/bin/ffmpeg"
chmod +x "$tmp/fb/bin/"*
tar -C "$tmp/fb" -czf "$tmp/fb.tar.gz" bin
(cd "$tmp" && sha256sum fb.tar.gz > fb.tar.gz.sha256)
run_case "no GPU" "gpu-run: gpu_check: no CUDA device (stand-in)" GPU_RUN_BUNDLE="$tmp/fb.tar.gz"
printf 'x' >> "$tmp/fb.tar.gz"
run_case "truncated bundle" "does not match its .sha256" GPU_RUN_BUNDLE="$tmp/fb.tar.gz"
# The real bundle, when `make gpu-bundle` has made one here.
if [ -f "$here/gpu/bundle/forkcast-gpu.tar.gz" ] && [ ! -e /dev/nvidia0 ]; then
  run_case "real bundle, no GPU" "gpu-run: gpu_check: no CUDA device"
fi

[ "$fail" -eq 0 ] && echo "gpu.sh: ok" >&2
[ "$fail" -eq 0 ]
