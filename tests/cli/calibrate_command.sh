#!/usr/bin/env bash
# tests/cli/calibrate_command.sh -- `forkcast calibrate command` end to end:
# recovers a known per-frame cost, writes exactly the documented JSON, clamps
# a negative intercept, and refuses every bad input with exit 2 and no file.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-clicmd-XXXXXX)
export TMPDIR=$tmp/t   # the tool's temp dirs must be gone afterwards
mkdir -p "$TMPDIR"
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# expect_fail NAME ARGS... : exit 2, one "forkcast: " line, no output file
expect_fail() {
  local name=$1; shift
  rm -f "$tmp/o.json"
  "$FORKCAST" calibrate command "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ] && [ ! -e "$tmp/o.json" ] && [ "$lines" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" \
     && [ -z "$(ls "$tmp" | grep 'o.json.tmp')" ]; then ok "$name"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"))"; fi
}

"$FORKCAST" calibrate command --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast calibrate command' "$tmp/out" \
  && ok "--help" || bad "--help"

# Known cost: t = 0.05 + 0.004 * frames (sleep; awk does the arithmetic).
sleeper='sleep $(awk "BEGIN{print 0.05 + 0.004 * {frames}}")'
"$FORKCAST" calibrate command --quiet --frames 30,60,120,240 --repeats 2 -o "$tmp/o.json" -- sh -c "$sleeper" \
  >"$tmp/table" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && ok "known cost: exit 0, quiet stderr (--quiet: no progress; a good fit: no warning)" \
  || bad "known cost: rc=$rc $(cat "$tmp/err")"
grep -q '^per_frame_s' "$tmp/table" && ok "table on stdout" || bad "table on stdout"
python3 - "$tmp/o.json" <<'EOF' && ok "recovers b = 0.004 within 10%, exact JSON shape" || bad "recovery/shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"stage", "fit", "_provenance"}, d.keys()
p = d["_provenance"]
assert p["covers"] == "end_to_end" and p["tool"] == "calibrate command" and p["warnings"] == [], p
assert p["machine"]["cpu"] and p["command"][0] == "sh", p
assert p["fields"]["stage.per_frame_s"]["value"] == d["fit"]["per_frame_s"]["value"]
assert p["fields"]["stage.per_frame_s"]["ci95"] == d["fit"]["per_frame_s"]["ci95"]
assert p["fields"]["stage.ffmpeg_start_s"]["r2"] == d["fit"]["r2"]
assert set(d["stage"]) == {"per_frame_s", "ffmpeg_start_s"}
f = d["fit"]
assert set(f) == {"per_frame_s", "fixed_s", "r2", "points"}
for k in ("per_frame_s", "fixed_s"):
    assert set(f[k]) == {"value", "ci95"} and len(f[k]["ci95"]) == 2
    lo, hi = f[k]["ci95"]
    assert lo <= f[k]["value"] <= hi
assert len(f["points"]) == 8 and all(set(p) == {"frames", "seconds"} for p in f["points"])
assert sorted({p["frames"] for p in f["points"]}) == [30, 60, 120, 240]
b = d["stage"]["per_frame_s"]
a = d["stage"]["ffmpeg_start_s"]
print(f"     recovered per_frame_s = {b:.6f} (true 0.004, error {abs(b-0.004)/0.004*100:.2f}%), "
      f"fixed_s = {a:.4f} (true 0.05 + process start), r2 = {f['r2']:.5f}")
assert abs(b - 0.004) <= 0.1 * 0.004, b
assert 0.04 <= a <= 0.2, a
assert f["r2"] > 0.99
EOF

# Without -o the JSON is on stdout and the table on stderr.
"$FORKCAST" calibrate command --frames 1,2,3 --repeats 1 -- sh -c ': {frames}' >"$tmp/out" 2>"$tmp/err" \
  && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" && grep -q per_frame_s "$tmp/err" \
  && ok "no -o: JSON on stdout" || bad "no -o: JSON on stdout"

# t = 0.004 * (frames - 20): the fitted intercept is negative -> clamped at 0.
"$FORKCAST" calibrate command --frames 30,60,120 --repeats 1 -o "$tmp/c.json" -- \
  sh -c 'sleep $(awk "BEGIN{print 0.004 * ({frames} - 20)}")' >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q 'clamped at 0' "$tmp/err" && python3 - "$tmp/c.json" <<'EOF' \
  && ok "negative intercept clamped in stage, kept in fit" || bad "clamp (rc=$rc)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fit"]["fixed_s"]["value"] < 0
assert d["stage"]["ffmpeg_start_s"] == 0
EOF

# Bad input: exit 2, one line, nothing written.
printf 'not a video\n' >"$tmp/junk.mp4"
expect_fail "empty --frames"       --frames '' -o "$tmp/o.json" -- true
expect_fail "--frames with 0"      --frames 30,0,60 -o "$tmp/o.json" -- true
expect_fail "--frames all equal"   --frames 30,30 -o "$tmp/o.json" -- true
expect_fail "--repeats 0"          --repeats 0 -o "$tmp/o.json" -- true
expect_fail "no -- at all"         -o "$tmp/o.json" true
expect_fail "nothing after --"     -o "$tmp/o.json" --
expect_fail "unknown option"       --bogus -o "$tmp/o.json" -- true
expect_fail "missing --input"      --input "$tmp/none.mp4" -o "$tmp/o.json" -- true
expect_fail "corrupt --input"      --input "$tmp/junk.mp4" -o "$tmp/o.json" -- true
expect_fail "{input} w/o --input"  -o "$tmp/o.json" -- cat '{input}'
expect_fail "command exits 1"      --frames 30,60 --repeats 2 -o "$tmp/o.json" -- sh -c 'test {frames} -lt 50'
grep -q "command 'sh' at frames=60: exited with status 1" "$tmp/err" && ok "error names command and frames" \
  || bad "error names command and frames: $(cat "$tmp/err")"
expect_fail "command not found"    -o "$tmp/o.json" -- forkcast-no-such-command-xyz {frames}
grep -q 'failed to start' "$tmp/err" && ok "says failed to start" || bad "says failed to start"

start=$(date +%s)
expect_fail "hang with --timeout 1" --timeout 1 -o "$tmp/o.json" -- sh -c 'sleep 30; : {frames}'
took=$(( $(date +%s) - start ))
[ "$took" -le 10 ] && grep -q 'timed out after 1 s' "$tmp/err" && ok "timeout is fast (${took} s)" \
  || bad "timeout took ${took} s: $(cat "$tmp/err")"

# running PATTERN: a live process whose command line contains PATTERN
running() {
  local f
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -qF "$1" && return 0
  done
  return 1
}

# Ctrl-C: exit 130 (killed by SIGINT), no output, child killed, temp dir gone.
"$FORKCAST" calibrate command --frames 1,2,3 --repeats 1 -o "$tmp/i.json" -- sh -c 'sleep 31.4159; : {frames}' 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid; rc=$?
sleep 0.1
[ $rc -eq 130 ] && [ ! -e "$tmp/i.json" ] && grep -q interrupted "$tmp/err" \
  && ! running 'sleep 31.4159' && ok "SIGINT: exit 130, nothing written, child killed" \
  || bad "SIGINT (rc=$rc): $(cat "$tmp/err")"

[ -z "$(ls -A "$TMPDIR")" ] && ok "no temp dirs left" || bad "temp left: $(ls -A "$TMPDIR")"
exit $fail
