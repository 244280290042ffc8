#!/usr/bin/env bash
# tests/cli/calibrate_ffmpeg.sh -- `forkcast calibrate ffmpeg` on a small
# generated clip (320x240, 3 s, GOP 10 so there are 9 GOPs): valid JSON with
# scenario-shaped distributions, positive costs, fits with intervals; bad
# input refused with exit 2 and no file; Ctrl-C leaves nothing behind.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-cliff-XXXXXX)
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

expect_fail() {
  local name=$1; shift
  rm -f "$tmp/o.json"
  "$FORKCAST" calibrate ffmpeg "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ] && [ ! -e "$tmp/o.json" ] && [ "$lines" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err"; then
    ok "$name"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"))"; fi
}

"$FORKCAST" calibrate ffmpeg --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast calibrate ffmpeg' "$tmp/out" \
  && ok "--help" || bad "--help"
"$FORKCAST" calibrate --help | grep -q 'ffmpeg' && "$FORKCAST" calibrate --help | grep -q 'command' \
  && ok "modes listed in calibrate --help" || bad "modes listed"

# Not a terminal: progress lines at most every FORKCAST_PROGRESS_S s, and nothing else.
FORKCAST_PROGRESS_S=0.5 "$FORKCAST" calibrate ffmpeg --size 320x240 --seconds 3 --gop 10 --repeats 2 -o "$tmp/ff.json" \
  >"$tmp/summary" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && ! grep -v '^forkcast: calibrate ffmpeg: ' "$tmp/err" \
  && grep -q '^forkcast: calibrate ffmpeg: .*: [0-9]/5 phases ([0-9]*%), [0-9.]* s elapsed$' "$tmp/err" \
  && grep -q '^forkcast: calibrate ffmpeg: done, 5 phases in [0-9.]* s$' "$tmp/err" \
  && ok "small run: exit 0, stderr only progress lines (phase n/5, elapsed)" || bad "small run rc=$rc: $(cat "$tmp/err")"
grep -q '^startup' "$tmp/summary" && ok "summary on stdout" || bad "summary on stdout"
python3 - "$tmp/ff.json" <<'EOF' && ok "JSON: sections, distributions, positive costs, fits" || bad "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"stage", "parallel", "calibration", "_provenance"}, d.keys()
pv = d["_provenance"]
assert pv["covers"] == "ffmpeg_overheads" and pv["machine"]["ffmpeg"] == d["calibration"]["ffmpeg_version"], pv
assert set(pv["fields"]) == {"stage.ffmpeg_start_s", "stage.seek_s", "parallel.concat_s", "parallel.concat_per_chunk_s"}
assert pv["fields"]["parallel.concat_s"]["ci95"] == d["calibration"]["concat"]["split"]["fit"]["concat_s"]["ci95"]
assert set(d["stage"]) == {"ffmpeg_start_s", "seek_s"}
assert set(d["parallel"]) == {"concat_s", "concat_per_chunk_s"}

def check_dist(x, name):
    if isinstance(x, (int, float)):
        assert x >= 0, name
        return x
    shapes = {"fixed": {"value"}, "uniform": {"min", "max"}, "lognormal": {"median", "p95"}}
    assert x["dist"] in shapes, name
    assert set(x) - {"dist", "shift"} == shapes[x["dist"]], (name, x)
    assert all(v >= 0 for k, v in x.items() if k != "dist"), (name, x)
    if x["dist"] == "lognormal":
        assert x["p95"] > x["median"] > 0, (name, x)
        return x["median"]
    if x["dist"] == "uniform":
        assert x["max"] > x["min"] >= 0, (name, x)
        return (x["min"] + x["max"]) / 2
    return x["value"]

start = check_dist(d["stage"]["ffmpeg_start_s"], "ffmpeg_start_s")
seek = check_dist(d["stage"]["seek_s"], "seek_s")
assert start > 0.001, start                      # a process start is never free
assert d["parallel"]["concat_s"] > 0.001          # nor is a concat run
assert d["parallel"]["concat_per_chunk_s"] >= 0

c = d["calibration"]
assert c["ffmpeg_version"] and c["input"]["width"] == 320 and c["input"]["height"] == 240
assert c["input"]["frames"] == 90 and c["input"]["gop"] == 10
def check_fit(f, c0, c1):
    for k in (c0, c1):
        lo, hi = f[k]["ci95"]
        assert lo <= f[k]["value"] <= hi, (k, f[k])
    assert 0 <= f["r2"] <= 1 + 1e-9
check_fit(c["seek"]["cli"]["fit"], "lookup_s", "per_frame_s")
check_fit(c["seek"]["lib"]["fit"], "lookup_s", "per_frame_s")
for s in ("split", "fixed"):
    check_fit(c["concat"][s]["fit"], "concat_s", "per_chunk_s")
    assert sorted({p["k"] for p in c["concat"][s]["points"]}) == [2, 4, 8]
# in-process seek decodes at least frames_since_key + 1 frames to reach the target
for p in c["seek"]["lib"]["points"]:
    assert p["frames_decoded"] >= p["frames_since_key"] + 1, p
    assert p["seconds"] > 0
# in-process seeking far into a GOP costs more than seeking to its keyframe
lib = c["seek"]["lib"]["points"]
at_key = [p["seconds"] for p in lib if p["frames_since_key"] == 0]
far = [p["seconds"] for p in lib if p["frames_since_key"] == 9]
assert sorted(far)[len(far) // 2] > sorted(at_key)[len(at_key) // 2], (at_key, far)
assert c["decode"]["per_frame_s"] > 0 and c["encode"]["per_frame_s"] >= 0
assert len(c["startup"]["samples_s"]) == 2
print(f"     startup median {start:.4f} s, seek mean {seek:.4f} s, "
      f"concat {d['parallel']['concat_s']:.4f} + {d['parallel']['concat_per_chunk_s']:.4f} k s")
EOF
[ -z "$(ls -A "$TMPDIR")" ] && ok "temp dir removed" || bad "temp left: $(ls -A "$TMPDIR")"

# --input: a real file works (repeats 1: fixed startup, fits still have 3 k's)
ffmpeg -hide_banner -nostdin -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=10:duration=2 \
  -c:v libx264 -preset ultrafast -g 5 -keyint_min 5 -sc_threshold 0 -pix_fmt yuv420p "$tmp/in.mp4"
"$FORKCAST" calibrate ffmpeg --input "$tmp/in.mp4" --repeats 1 --preset ultrafast >"$tmp/stdout.json" 2>"$tmp/err" \
  && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"]["ffmpeg_start_s"]["dist"] == "fixed" and d["stage"]["ffmpeg_start_s"]["value"] > 0
assert d["calibration"]["input"]["generated"] is False and d["calibration"]["input"]["frames"] == 20
' "$tmp/stdout.json" && grep -q '^startup' "$tmp/err" \
  && ok "--input FILE, JSON on stdout without -o" || bad "--input FILE: $(cat "$tmp/err")"

printf 'not a video at all\n' >"$tmp/junk.mp4"
ffmpeg -hide_banner -nostdin -loglevel error -y -f lavfi -i sine=d=1 "$tmp/audio.wav"
expect_fail "missing --input"   --input "$tmp/none.mp4" -o "$tmp/o.json"
expect_fail "corrupt --input"   --input "$tmp/junk.mp4" -o "$tmp/o.json"
expect_fail "audio-only --input" --input "$tmp/audio.wav" -o "$tmp/o.json"
grep -q 'no video stream' "$tmp/err" && ok "says no video stream" || bad "says no video stream"
expect_fail "--repeats 0"       --repeats 0 -o "$tmp/o.json"
expect_fail "--size bad"        --size 320 -o "$tmp/o.json"
expect_fail "--gop 0"           --gop 0 -o "$tmp/o.json"
expect_fail "unknown option"    --bogus -o "$tmp/o.json"
expect_fail "-o in missing dir" -o "$tmp/no/such/dir/o.json"

# Ctrl-C during the (default, 1080p) input generation: exit 130, nothing left.
"$FORKCAST" calibrate ffmpeg -o "$tmp/i.json" 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && [ ! -e "$tmp/i.json" ] && grep -q interrupted "$tmp/err" && [ -z "$(ls -A "$TMPDIR")" ] \
  && ok "SIGINT: exit 130, no output, temp dir removed" || bad "SIGINT (rc=$rc): $(cat "$tmp/err"); $(ls -A "$TMPDIR")"
exit $fail
