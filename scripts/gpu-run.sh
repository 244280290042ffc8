#!/usr/bin/env bash
# scripts/gpu-run.sh -- everything forkcast measures on a GPU machine, in one
# command that builds nothing (docs/gpu.md). It unpacks the bundle that
# `make gpu-bundle` made here (gpu/bundle/forkcast-gpu.tar.gz, carried to the
# device), records the device (name, driver, CUDA, clocks), runs gpu_check
# (every kernel version checked against the CPU and timed against the card's
# own copy bandwidth, launch shapes swept), the stage end to end with
# `forkcast calibrate pipeline --backend cuda` (NVDEC / NVENC where the card
# has them, each fallback said), the CPU path on the same machine, FFmpeg's
# own overlay / overlay_cuda / scale_cuda on the same clip, and writes
#
#   $OUT/<gpu>-<date>.json  data/calibrations/'s shape: stage.per_frame_s of
#                           the 1080p overlay stage on this card (for advise
#                           --with) and calibration.{device, runs, gpu_check,
#                           ffmpeg}, every figure with its spread
#   $OUT/<gpu>-<date>.txt   the tables
#   $OUT/gpu-run.log        every command and its output
#
# All work happens in a temporary directory; the three files are moved into
# $OUT only at the end, so a run that fails early (no bundle, no GPU) leaves
# $OUT as it was and says why in one line on stderr (exit 1). A step that
# fails or times out later is recorded in the JSON and the exit is 1, with
# the files still written. Budget: GPU_RUN_BUDGET_S (default 240 s) for the
# whole run; each step gets what is left, capped.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE=${GPU_RUN_BUNDLE:-$ROOT/gpu/bundle/forkcast-gpu.tar.gz}
BUDGET=${GPU_RUN_BUDGET_S:-240}
DEST=${OUT:-$ROOT/out/gpu-run}
T0=$(date +%s)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/forkcast-gpu-run-XXXXXX") || { echo "gpu-run: cannot make a temporary directory" >&2; exit 1; }
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/gpu-run.log
: > "$LOG"
die() { echo "gpu-run: $*" >&2; exit 1; }
left() { echo $((BUDGET - ($(date +%s) - T0))); }
# step NAME CAP CMD...: run with the smaller of CAP and the budget left,
# output to $WORK/NAME.out; records NAME rc seconds in $WORK/steps.
step() {
  local name=$1 cap=$2 t rc s
  shift 2
  t=$(left)
  [ "$t" -gt "$cap" ] && t=$cap
  if [ "$t" -lt 5 ]; then
    echo "$name 124 0" >> "$WORK/steps"
    echo "== $name: skipped, budget spent" >> "$LOG"
    return 124
  fi
  echo "== $name (limit ${t}s): $*" >> "$LOG"
  s=$(date +%s.%N)
  timeout -k 5 "$t" "$@" > "$WORK/$name.out" 2>&1
  rc=$?
  s=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
  cat "$WORK/$name.out" >> "$LOG"
  echo "-- $name: exit $rc, ${s}s" >> "$LOG"
  echo "$name $rc $s" >> "$WORK/steps"
  return $rc
}

# ---- 1. the bundle and the GPU: fail early, in one line ---------------------
[ -f "$BUNDLE" ] || die "no bundle at $BUNDLE: run 'make gpu-bundle' on the build machine and carry gpu/bundle"
if [ -f "$BUNDLE.sha256" ]; then
  (cd "$(dirname "$BUNDLE")" && sha256sum -c --status "$(basename "$BUNDLE").sha256") ||
    die "$BUNDLE does not match its .sha256 (a partial copy?)"
fi
tar -xzf "$BUNDLE" -C "$WORK" 2>> "$LOG" || die "cannot unpack $BUNDLE"
B=$WORK/bin
for b in forkcast gpu_check ffmpeg; do [ -x "$B/$b" ] || die "the bundle lacks bin/$b"; done
missing=$(ldd "$B/forkcast" "$B/gpu_check" "$B/ffmpeg" 2>&1 | grep 'not found' | awk '{print $1}' | sort -u | tr '\n' ' ')
[ -z "$missing" ] || die "the bundle's binaries need libraries this machine lacks: $missing"
"$B/gpu_check" --probe > "$WORK/probe.out" 2> "$WORK/probe.err" || die "$(head -n 1 "$WORK/probe.err")"
cat "$WORK/probe.out" >> "$LOG"

# ---- 2. the device ------------------------------------------------------------
smi() { command -v nvidia-smi > /dev/null && nvidia-smi "$@" 2>> "$LOG"; }
q='name,driver_version,pci.bus_id,memory.total,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,power.limit,temperature.gpu,pstate,persistence_mode,ecc.mode.current'
smi --query-gpu=$q --format=csv,noheader > "$WORK/smi.csv" || : > "$WORK/smi.csv"
smi -q > "$WORK/smi-q.txt" || :
cat "$WORK/smi.csv" "$WORK/smi-q.txt" >> "$LOG" 2> /dev/null
field() { awk -F', ' -v i="$1" 'NR==1{print $i}' "$WORK/smi.csv"; }
gpu_name=$(field 1)
[ -n "$gpu_name" ] || gpu_name=$(sed -n 's/^gpu_check: \([^,]*\),.*/\1/p' "$WORK/probe.out")
driver=$(field 2)
cuda=$(sed -n 's/.*CUDA Version *: *\([0-9.]*\).*/\1/p' "$WORK/smi-q.txt" | head -n 1)
slug=$(echo "$gpu_name" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\{1,\}/-/g; s/^-//; s/-$//')
[ -n "$slug" ] || slug=gpu
day=$(date -u +%Y-%m-%d)
base=$slug-$day
js() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# ---- 3. the kernels ----------------------------------------------------------------
step gpu_check 150 "$B/gpu_check" --json "$WORK/gpu_check.json"

# ---- 4. the stage end to end ---------------------------------------------------
FF="$B/ffmpeg -hide_banner -nostdin -y"
for s in 1280x720 1920x1080 3840x2160; do
  n=250; [ "$s" = 3840x2160 ] && n=100
  step "clip_$s" 40 $FF -f lavfi -i "testsrc2=size=$s:rate=25" -frames:v $n -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p "$WORK/clip_$s.mp4"
done
C1080=$WORK/clip_1920x1080.mp4
F="$B/forkcast calibrate pipeline"
# name | arguments (the first is the reference for stage.per_frame_s)
runs="overlay-1080p-cuda|--stage overlay --input $C1080 --backend cuda
overlay-1080p-cuda-cpucodecs|--stage overlay --input $C1080 --backend cuda --decoder cpu --encoder cpu
overlay-1080p-cpu|--stage overlay --input $C1080 --backend cpu
probe-nvenc-overlay-1080p|--stage overlay --input $C1080 --backend cuda --encoder nvenc
overlay-720p-cuda|--stage overlay --input $WORK/clip_1280x720.mp4 --backend cuda
overlay-2160p-cuda|--stage overlay --input $WORK/clip_3840x2160.mp4 --backend cuda
overlay-2160p-cpu|--stage overlay --input $WORK/clip_3840x2160.mp4 --backend cpu
framing-1080p-cuda|--stage framing --input $C1080 --backend cuda
framing-1080p-cpu|--stage framing --input $C1080 --backend cpu"
while IFS='|' read -r name args; do
  # shellcheck disable=SC2086
  step "run_$name" 40 $F $args -o "$WORK/run_$name.json"
done <<< "$runs"

# ---- 5. FFmpeg's own filters on the same clip (decode included; subtract) ----------
X=$(( (1920 - 960) / 2 )); Y=$(( 1080 - 270 - 1080 / 16 ))
OVL="color=c=white@0.6:s=960x270:r=25,format=yuva420p"
HW="-init_hw_device cuda=cu:0 -filter_hw_device cu"
step ff_decode_nvdec 30 $FF -benchmark $HW -hwaccel cuda -hwaccel_output_format cuda -i "$C1080" -f null -
step ff_decode_cpu 30 $FF -benchmark -i "$C1080" -f null -
step ff_overlay_cuda 30 $FF -benchmark $HW -hwaccel cuda -hwaccel_output_format cuda -i "$C1080" -f lavfi -i "$OVL" \
  -filter_complex "[1:v]hwupload_cuda[o];[0:v]scale_cuda=format=yuv420p[m];[m][o]overlay_cuda=x=$X:y=$Y" \
  -frames:v 250 -f null -
step ff_overlay_cpu 30 $FF -benchmark -i "$C1080" -f lavfi -i "$OVL" \
  -filter_complex "[0:v][1:v]overlay=x=$X:y=$Y:format=yuv420" -frames:v 250 -f null -
step ff_scale_cuda 30 $FF -benchmark $HW -hwaccel cuda -hwaccel_output_format cuda -i "$C1080" \
  -vf "scale_cuda=w=1080:h=1920:interp_algo=lanczos" -f null -
step ff_probe_nvenc 30 $FF -benchmark $HW -hwaccel cuda -hwaccel_output_format cuda -i "$C1080" -c:v h264_nvenc -f null -
step ff_x264 60 $FF -benchmark -i "$C1080" -c:v libx264 -f null -

# ---- 6. assemble -----------------------------------------------------------------
rc_of() { awk -v n="$1" '$1==n{print $2}' "$WORK/steps"; }
secs_of() { awk -v n="$1" '$1==n{print $3}' "$WORK/steps"; }
runs_json=""
while IFS='|' read -r name args; do
  f=$WORK/run_$name.json
  if [ "$(rc_of "run_$name")" = 0 ] && [ -s "$f" ]; then
    body=$(cat "$f")
  else
    body="{\"error\":$(js "$(grep -h 'forkcast:' "$WORK/run_$name.out" 2> /dev/null | tail -n 1)"),\"exit\":$(rc_of "run_$name")}"
  fi
  runs_json="$runs_json${runs_json:+,}{\"name\":$(js "$name"),\"args\":$(js "${args//$WORK\//}"),\"result\":$body}"
done <<< "$runs"
ff_json=""
for n in ff_decode_nvdec ff_decode_cpu ff_overlay_cuda ff_overlay_cpu ff_scale_cuda ff_probe_nvenc ff_x264; do
  o=$WORK/$n.out
  rt=$(sed -n 's/.*bench: utime=\([0-9.]*\)s stime=\([0-9.]*\)s rtime=\([0-9.]*\)s.*/\3/p' "$o" | tail -n 1)
  fr=$(tr '\r' '\n' < "$o" | sed -n 's/^frame= *\([0-9]*\).*/\1/p' | tail -n 1)
  last=$(tr '\r' '\n' < "$o" | grep -v '^\s*$' | tail -n 1)
  ms=$(awk -v r="${rt:-0}" -v f="${fr:-0}" 'BEGIN{ if (f > 0 && r > 0) printf "%.4f", 1e3*r/f; else print "null" }')
  ff_json="$ff_json${ff_json:+,}{\"name\":\"${n#ff_}\",\"exit\":$(rc_of "$n"),\"frames\":${fr:-0},\"rtime_s\":${rt:-null},\"ms_per_frame\":$ms,\"last_line\":$(js "$last")}"
done
# stage.per_frame_s of the reference run (GPU_RUN_STAGE_FROM: another run's
# name, for tests): the first object of forkcast's JSON, one tab deep.
ref=${GPU_RUN_STAGE_FROM:-overlay-1080p-cuda}
first=$WORK/run_$ref.json
stage=""
if [ "$(rc_of "run_$ref")" = 0 ] && [ -s "$first" ]; then
  stage=$(sed -n '/^\t"stage":/,/^\t}/{p;/^\t}/q}' "$first" | tr -d '\n\t' | sed 's/^"stage":\s*//; s/,$//')
fi
gcj=$(cat "$WORK/gpu_check.json" 2> /dev/null || echo null)
steps_json=$(awk '{printf "%s{\"step\":\"%s\",\"exit\":%s,\"seconds\":%s}", (NR > 1 ? "," : ""), $1, $2, $3}' "$WORK/steps")
{
  echo "{"
  [ -n "$stage" ] && echo "\"stage\": $stage,"
  echo "\"calibration\": {\"mode\": \"gpu-run\", \"date\": \"$day\", \"gpu\": $(js "$gpu_name"), \"driver\": $(js "$driver"),"
  echo " \"cuda\": $(js "$cuda"), \"nvidia_smi\": $(js "$(cat "$WORK/smi.csv")"), \"nvidia_smi_fields\": $(js "$q"),"
  echo " \"stage_per_frame_s_from\": $(js "${stage:+$ref}"), \"bundle\": $(js "$(head -n 3 "$WORK/MANIFEST" | tr '\n' ';')"),"
  echo " \"runs\": [$runs_json],"
  echo " \"ffmpeg\": [$ff_json],"
  echo " \"gpu_check\": $gcj,"
  echo " \"steps\": [$steps_json], \"seconds\": $(( $(date +%s) - T0 ))}"
  echo "}"
} > "$WORK/$base.json"

# A check of the whole file: advise applies it (its stage.per_frame_s) to the
# built-in overlay scenario; the table goes into the .txt.
step advise 20 "$B/forkcast" advise --with "$WORK/$base.json"
if command -v python3 > /dev/null; then
  step json_check 20 python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/$base.json"
fi
{
  echo "forkcast gpu-run on $gpu_name, driver $driver, CUDA $cuda, $day"
  cat "$WORK/smi.csv"
  echo
  cat "$WORK/gpu_check.out" 2> /dev/null
  while IFS='|' read -r name args; do echo; echo "## run_$name"; cat "$WORK/run_$name.out" 2> /dev/null; done <<< "$runs"
  echo
  echo "## FFmpeg's own filters on the 1080p clip (decode included; per frame = rtime / frames)"
  echo "$ff_json" | tr '{' '\n' | sed -n 's/"name":"\([^"]*\)","exit":\([0-9]*\),"frames":\([0-9]*\),"rtime_s":\([^,]*\),"ms_per_frame":\([^,]*\),.*/  \1: exit \2, \3 frames, \5 ms\/frame/p'
  echo
  echo "## forkcast advise --with $base.json"
  cat "$WORK/advise.out" 2> /dev/null
  echo
  echo "## steps (name, exit, seconds)"
  cat "$WORK/steps"
} > "$WORK/$base.txt"

mkdir -p "$DEST" || die "cannot make $DEST"
cp "$LOG" "$WORK/$base.json" "$WORK/$base.txt" "$DEST/" || die "cannot write into $DEST"
# probes (NVENC) may fail by design: the card may have none
bad=$(awk '$2 != 0 && $1 !~ /probe/' "$WORK/steps" | wc -l)
grep -E 'target:|check .*FAILED|gpu_check: (all|FAILED)' "$WORK/gpu_check.out" 2> /dev/null
sed -n '/^## run_overlay-1080p-cuda$/,/^$/p' "$WORK/$base.txt"
echo "gpu-run: wrote $DEST/$base.json, $base.txt, gpu-run.log in $(( $(date +%s) - T0 )) s; $bad step(s) failed"
[ "$bad" -eq 0 ]
