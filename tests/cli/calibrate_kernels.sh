#!/usr/bin/env bash
# tests/cli/calibrate_kernels.sh -- `forkcast calibrate kernels|pipeline` end to
# end on small inputs with the CPU backend: the JSON written holds a positive
# stage.per_frame_s distribution; bad input exits 2 with one line and writes
# nothing (an existing file survives); Ctrl-C leaves no output and no temp dir.
set -u
F=${FORKCAST:?FORKCAST must name the forkcast binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "calibrate_kernels.sh: $*" >&2; fail=$((fail + 1)); }

# check_json FILE MODE STAGE: top-level keys are stage (kernels: kernel_only,
# never stage) + calibration + _provenance, per_frame_s is a scenario
# distribution (docs/scenario.md) with a positive mean, the calibration says which mode and
# stage produced it, and the record what it covers.
check_json() {
  python3 - "$@" <<'EOF' || bad "$1: JSON check failed"
import json, sys
path, mode, stage = sys.argv[1:4]
d = json.load(open(path))
sec = "kernel_only" if mode == "kernels" else "stage"
assert set(d) == {sec, "calibration", "_provenance"}, f"top-level keys {sorted(d)}"
pv = d["_provenance"]
assert pv["covers"] == ("kernel_only" if mode == "kernels" else "end_to_end"), pv
assert pv["tool"] == "calibrate " + mode and pv["stage"] == stage and pv["device"] == "cpu", pv
assert pv["machine"]["cpu"], pv
pf = d[sec]["stage"]["per_frame_s"] if mode == "kernels" else d["stage"]["per_frame_s"]
rec = pv["fields"]["stage.per_frame_s"]
assert abs(rec["value"] - pf.get("mean", pf.get("value"))) <= 1e-12 * max(1, rec["value"]), rec
assert rec["ci95"][0] <= rec["value"] <= rec["ci95"][1], rec
if pf["dist"] == "gamma":
    assert pf["mean"] > 0 and pf["cv"] > 0, pf
    assert set(pf) == {"dist", "mean", "cv"}, pf
else:
    assert pf["dist"] == "fixed" and pf["value"] > 0, pf
c = d["calibration"]
assert c["mode"] == mode and c["stage"] == stage, c
if mode == "kernels":
    st = c[stage + "_stats"]
    mean = pf.get("mean", pf.get("value"))
    assert abs(st["mean_s"] - mean) <= 1e-12 * max(1, mean), (st["mean_s"], mean)
    assert st["median_s"] > 0 and st["min_s"] <= st["median_s"] <= st["max_s"]
else:
    ms = c["per_frame_ms"]
    parts = sum(ms[k] for k in ("decode", "upload", "kernel", "download", "encode"))
    assert abs(parts - ms["total"]) <= 1e-9 * max(1, ms["total"]), (parts, ms["total"])
    # per_frame_s's mean is the whole per-frame cost: the phases' sum
    assert abs(pf.get("mean", pf.get("value")) * 1e3 - ms["total"]) <= 1e-6 * ms["total"]
    assert abs(sum(c["share"].values()) - 1) < 1e-9
EOF
}

# expect_input_error CMD...: exit 2, one stderr line "forkcast: ...", and the
# pre-existing output file untouched.
expect_input_error() {
  echo keep > "$tmp/out.json"
  "$@" -o "$tmp/out.json" > "$tmp/stdout" 2> "$tmp/stderr"
  rc=$?
  [ "$rc" -eq 2 ] || bad "expected exit 2, got $rc: $*"
  [ "$(cat "$tmp/out.json")" = keep ] || bad "output overwritten on error: $*"
  [ "$(wc -l < "$tmp/stderr")" -eq 1 ] && grep -q '^forkcast: ' "$tmp/stderr" || {
    bad "expected one 'forkcast: ' line on stderr: $*"; cat "$tmp/stderr" >&2; }
  ls "$tmp"/out.json.tmp.* > /dev/null 2>&1 && bad "temp file left behind: $*"
}

# --- calibrate kernels ---
"$F" calibrate kernels --help | grep -q '^Usage: forkcast calibrate kernels' || bad "kernels --help"
"$F" calibrate kernels --backend cpu --size 160x90 --frames 4 -o "$tmp/k.json" > "$tmp/k.txt" || bad "kernels run"
check_json "$tmp/k.json" kernels overlay
grep -q '^overlay ' "$tmp/k.txt" && grep -q '^framing ' "$tmp/k.txt" || bad "kernels table"
"$F" calibrate kernels --backend cpu --size 96x64 --frames 3 --stage framing --filter bicubic --threads 1 \
  --no-ffmpeg > "$tmp/k2.json" 2> /dev/null || bad "kernels to stdout"
check_json "$tmp/k2.json" kernels framing

expect_input_error "$F" calibrate kernels --size 12x34x
expect_input_error "$F" calibrate kernels --size 0x90
expect_input_error "$F" calibrate kernels --frames 0
expect_input_error "$F" calibrate kernels --backend gpu
expect_input_error "$F" calibrate kernels --stage blur
expect_input_error "$F" calibrate kernels --bogus 1

# --- calibrate pipeline ---
"$F" calibrate pipeline --help | grep -q '^Usage: forkcast calibrate pipeline' || bad "pipeline --help"
TMPDIR=$tmp "$F" calibrate pipeline --stage overlay --size 160x90 --frames 6 --backend cpu \
  -o "$tmp/p.json" > "$tmp/p.txt" || bad "pipeline overlay run"
check_json "$tmp/p.json" pipeline overlay
python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['calibration']['frames'] == 6" "$tmp/p.json" ||
  bad "pipeline frames"
for phase in decode upload kernel download encode total; do
  grep -q "^$phase " "$tmp/p.txt" || bad "pipeline table lacks $phase"
done
ls -d "$tmp"/forkcast-pipe-* > /dev/null 2>&1 && bad "generated clip's temp dir left behind"

# A real file made by the ffmpeg CLI (mpeg4 in avi: another demuxer and decoder).
if command -v ffmpeg > /dev/null; then
  ffmpeg -v error -y -f lavfi -i testsrc2=size=128x72:rate=25 -frames:v 5 -c:v mpeg4 "$tmp/in.avi" ||
    bad "ffmpeg could not make a test clip"
  "$F" calibrate pipeline --stage framing --input "$tmp/in.avi" --out-size 72x128 --backend cpu \
    -o "$tmp/f.json" > /dev/null || bad "pipeline framing run"
  check_json "$tmp/f.json" pipeline framing
  python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['calibration']; \
assert c['frames'] == 5 and c['output_size'] == '72x128' and c['decoder'] == 'mpeg4', c" "$tmp/f.json" ||
    bad "pipeline framing details"
  ffmpeg -v error -y -f lavfi -i sine=d=0.3 "$tmp/audio.wav" && \
    expect_input_error "$F" calibrate pipeline --stage overlay --input "$tmp/audio.wav"
fi

echo "not a video" > "$tmp/text.mp4"
head -c 4096 /dev/urandom > "$tmp/junk.mkv"
expect_input_error "$F" calibrate pipeline --stage overlay --input "$tmp/missing.mp4"
expect_input_error "$F" calibrate pipeline --stage overlay --input "$tmp/text.mp4"
expect_input_error "$F" calibrate pipeline --stage overlay --input "$tmp/junk.mkv"
expect_input_error "$F" calibrate pipeline --stage overlay --size 1920by1080
expect_input_error "$F" calibrate pipeline --stage overlay --frames 0
expect_input_error "$F" calibrate pipeline --frames 3
expect_input_error "$F" calibrate pipeline --stage overlay --input "$tmp/in.avi" --size 64x64

# Ctrl-C mid-run: exit 130 (killed by SIGINT), no output file, no temp file, no temp dir.
mkdir -p "$tmp/int"
TMPDIR=$tmp/int "$F" calibrate pipeline --stage overlay --size 640x360 --frames 100000 --backend cpu \
  -o "$tmp/int/out.json" > /dev/null 2> "$tmp/int.err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || bad "interrupted run: expected exit 130, got $rc"
grep -q interrupted "$tmp/int.err" || bad "interrupted run: no 'interrupted' message"
[ -z "$(ls -A "$tmp/int")" ] || { bad "interrupted run left files:"; ls -la "$tmp/int" >&2; }

[ "$fail" -eq 0 ] && echo "calibrate_kernels.sh: ok" >&2
[ "$fail" -eq 0 ]
