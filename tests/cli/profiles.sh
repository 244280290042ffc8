#!/usr/bin/env bash
# tests/cli/profiles.sh -- profiles from every calibrate mode applied with
# `--with` to `forkcast example`'s scenario: each works, says on stderr what
# it applied (field, value, file, how measured, where) and lists it in the
# JSON; a kernel-only profile cannot become the stage's per-frame cost
# without --allow-kernel-only and says why; `calibrate command` refuses a
# command without {frames} and warns about a fit that measures noise; a
# distribution in a profile replaces the scenario's whole; errors inside a
# profile name the profile.
set -u
. "$(dirname "$0")/lib.sh"
py=python3
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)

"$FORKCAST" example >"$tmp/s.json" || bad "example"

# applied FILE FIELD...: advise s.json --with FILE exits 0, prints one
# "forkcast: applied FIELD = ... from FILE (" line per FIELD on stderr, and
# its --json (still parseable) lists FIELD in applied_profiles with FILE and
# the value the profile holds.
applied() {
  local f=$1 name; shift
  name=$(basename "$f")
  "$FORKCAST" advise "$tmp/s.json" --with "$f" $WITH_OPTS --no-sim >"$tmp/adv.txt" 2>"$tmp/adv.err"; local rc=$?
  local okk=1
  [ $rc -eq 0 ] || okk=0
  for fld in "$@"; do
    grep -qF "forkcast: applied $fld = " "$tmp/adv.err" && grep "forkcast: applied $fld = " "$tmp/adv.err" | grep -qF " from $f (" || okk=0
  done
  head -n 1 "$tmp/adv.txt" | grep -qF "with profiles $f" || okk=0
  "$FORKCAST" advise "$tmp/s.json" --with "$f" $WITH_OPTS --no-sim --json >"$tmp/adv.json" 2>/dev/null || okk=0
  $py - "$tmp/adv.json" "$f" "$@" <<'EOF' || okk=0
import json, sys
out, f, fields = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3:]
prof = json.load(open(f))
got = {e["field"]: e for e in out["applied_profiles"]}
for fld in fields:
    e = got[fld]
    assert e["file"] == f and e["measured"], e
    sec, *rest = fld.split(".")
    src = prof.get("kernel_only", prof) if e["kernel_only"] else prof
    v = src
    for k in fld.split("."):
        v = v[k]
    assert e["value"] == v, (fld, e["value"], v)
EOF
  if [ $okk -eq 1 ]; then ok "advise --with $name: $* applied and said"
  else bad "advise --with $name (rc=$rc): $(head -c 600 "$tmp/adv.err")"; fi
}
WITH_OPTS=

# --- calibrate command: a synthetic stage 0.05 + 0.002 * frames s ---------
"$FORKCAST" calibrate command --frames 10,20,40 --repeats 1 -o "$tmp/cmd.json" -- \
  sh -c 'sleep $(awk "BEGIN{print 0.05 + 0.002 * {frames}}")' >/dev/null 2>&1 || bad "calibrate command"
applied "$tmp/cmd.json" stage.per_frame_s stage.ffmpeg_start_s
grep 'applied stage.per_frame_s' "$tmp/adv.err" | grep -qF "(calibrate command, end to end, r² " \
  && grep 'applied stage.per_frame_s' "$tmp/adv.err" | grep -qF "measured on $cpu" \
  && grep 'applied stage.per_frame_s' "$tmp/adv.err" | grep -qF "not on the scenario's T4" \
  && ok "command line: covers, r², the CPU, not the scenario's GPU" || bad "command line: $(grep per_frame "$tmp/adv.err")"

# --- calibrate pipeline on the CPU: the line names the CPU and no GPU -----
TMPDIR=$tmp "$FORKCAST" calibrate pipeline --stage overlay --size 160x90 --frames 6 --backend cpu \
  -o "$tmp/pipe.json" >/dev/null 2>&1 || bad "calibrate pipeline"
applied "$tmp/pipe.json" stage.per_frame_s
if [ -e /dev/nvidia0 ]; then gpu_said="GPU "; else gpu_said="no GPU"; fi
grep 'applied stage.per_frame_s' "$tmp/adv.err" | grep -qF "(calibrate pipeline, end to end, 6 samples, measured on $cpu, $gpu_said" \
  && ok "pipeline line: end to end, measured on the CPU, $gpu_said" || bad "pipeline line: $(cat "$tmp/adv.err")"

# --- calibrate kernels: refused without --allow-kernel-only --------------
"$FORKCAST" calibrate kernels --backend cpu --size 160x90 --frames 4 -o "$tmp/kern.json" >/dev/null 2>&1 \
  || bad "calibrate kernels"
expect_usage_error "kernel-only profile refused, and why" "kern.json: a kernel-only profile (calibrate kernels: the overlay kernel alone, decode and encode excluded)" \
  advise "$tmp/s.json" --with "$tmp/kern.json"
grep -qF -- "--allow-kernel-only" "$tmp/err" && ok "refusal names --allow-kernel-only" || bad "refusal: $(cat "$tmp/err")"
for c in model sim "report -o $tmp/kr"; do
  "$FORKCAST" $c "$tmp/s.json" --with "$tmp/kern.json" >/dev/null 2>"$tmp/err"; rc=$?
  [ $rc -eq 2 ] && grep -q "kernel-only profile" "$tmp/err" && ok "$c refuses it too" || bad "$c with kern.json: rc=$rc $(cat "$tmp/err")"
done
WITH_OPTS=--allow-kernel-only
applied "$tmp/kern.json" stage.per_frame_s
WITH_OPTS=
grep 'applied stage.per_frame_s' "$tmp/adv.err" | grep -qF "KERNEL ONLY: decode/encode excluded" \
  && head -n 1 "$tmp/adv.txt" | grep -qF "kern.json (KERNEL ONLY: decode/encode excluded)" \
  && $py -c 'import json,sys; e=json.load(open(sys.argv[1]))["applied_profiles"][0]; assert e["kernel_only"] and e["covers"]=="kernel_only"' "$tmp/adv.json" \
  && ok "--allow-kernel-only: labelled on stderr, in the table header and in the JSON" || bad "kernel-only labels"

# --- calibrate ffmpeg (FFmpeg overheads) ---------------------------------
if command -v ffmpeg >/dev/null; then
  TMPDIR=$tmp "$FORKCAST" calibrate ffmpeg --size 320x240 --seconds 2 --gop 10 --repeats 1 -o "$tmp/ff.json" \
    >/dev/null 2>&1 || bad "calibrate ffmpeg"
  applied "$tmp/ff.json" stage.ffmpeg_start_s stage.seek_s parallel.concat_s parallel.concat_per_chunk_s
  grep 'applied parallel.concat_s' "$tmp/adv.err" | grep -qF "(calibrate ffmpeg, FFmpeg overheads, r² " \
    && ok "ffmpeg line: FFmpeg overheads with the concat fit" || bad "ffmpeg line: $(cat "$tmp/adv.err")"
  ver=$(ffmpeg -version | sed -n 's/^ffmpeg version \([^ ]*\).*/\1/p')
  $py -c 'import json,sys; assert json.load(open(sys.argv[1]))["_provenance"]["machine"]["ffmpeg"] == sys.argv[2]' \
    "$tmp/ff.json" "$ver" && ok "ffmpeg profile records FFmpeg $ver" || bad "ffmpeg version not recorded"
else
  ok "calibrate ffmpeg: skipped (no ffmpeg)"
fi

# --- calibrate fit (a fitted platform) -----------------------------------
"$FORKCAST" calibrate fit data/experiments/e7_overlay.json -o "$tmp/fitted.json" >/dev/null 2>&1 || bad "calibrate fit"
applied "$tmp/fitted.json" platform.cold_start_s
grep 'applied platform.cold_start_s' "$tmp/adv.err" | grep -qF "(calibrate fit, fitted platform, chi² " \
  && grep -q "fields as given in $tmp/fitted.json, not measured" "$tmp/adv.err" \
  && ok "fit: the fitted field with its intervals, the copied ones on one line" || bad "fit lines: $(cat "$tmp/adv.err")"

# --- the lines from model, sim and report too ----------------------------
"$FORKCAST" model "$tmp/s.json" --with "$tmp/cmd.json" --json 2>"$tmp/err" | $py -c 'import json,sys; assert len(json.load(sys.stdin)["applied_profiles"]) == 2' \
  && [ "$(grep -c '^forkcast: applied ' "$tmp/err")" -eq 2 ] && ok "model --json: applied_profiles, lines on stderr" || bad "model"
"$FORKCAST" sim "$tmp/s.json" --with "$tmp/cmd.json" --csv 2>"$tmp/err" | head -n 1 | grep -q '^scenario,' \
  && grep -q '^forkcast: applied stage.per_frame_s' "$tmp/err" && ok "sim --csv: CSV on stdout, lines on stderr" || bad "sim"
"$FORKCAST" report "$tmp/s.json" --with "$tmp/cmd.json" -o "$tmp/rep" >/dev/null 2>&1 \
  && grep -q '^## Profiles applied' "$tmp/rep/report.md" \
  && grep -qF "stage.per\_frame\_s = " "$tmp/rep/report.md" && grep -qF "calibrate command, end to end" "$tmp/rep/report.md" \
  && grep -qF "| calibrated: $tmp/cmd.json |" "$tmp/rep/report.md" \
  && ok "report: a Profiles applied section, the assumptions' source" || bad "report section"
"$FORKCAST" advise "$tmp/s.json" --with "$tmp/cmd.json" --per-frame 0.01 --no-sim 2>&1 >/dev/null \
  | grep 'applied stage.per_frame_s' | grep -q 'overridden by --per-frame' && ok "--per-frame says it overrides" || bad "override"

# --- calibrate command: no {frames}; a fit of noise ----------------------
expect_usage_error "calibrate command -- true" "no argument of the command contains {frames}" calibrate command -- true
# Sleeps that ignore the frame count, in a fixed order: 30, 60, 120, 240
# frames get 0.3 s, 0 s, 0.2 s, 0.1 s, then 0 s, 0.3 s, 0.1 s, 0.2 s, so
# every count averages 0.15 s: slope 0 whatever the timing noise.
noisy='n=$(cat "$0" 2>/dev/null || echo 0); echo $((n + 1)) > "$0"; set -- 0.3 0 0.2 0.1 0 0.3 0.1 0.2; shift $((n % 8)); sleep $1; : {frames}'
"$FORKCAST" calibrate command --frames 30,60,120,240 --repeats 2 -o "$tmp/noisy.json" -- sh -c "$noisy" "$tmp/counter" \
  >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q '^forkcast: warning: poor fit: r² .* < 0.95' "$tmp/err" \
  && grep -q '^forkcast: warning: the per-frame 95% interval .* includes 0' "$tmp/err" \
  && grep -q '^forkcast: warning: the fixed cost dominates' "$tmp/err" \
  && $py - "$tmp/noisy.json" <<'EOF' && ok "noisy command: three warnings on stderr and in the profile" || bad "noisy (rc=$rc): $(cat "$tmp/err")"
import json, sys
p = json.load(open(sys.argv[1]))["_provenance"]
assert any(w.startswith("poor fit") for w in p["warnings"]), p["warnings"]
fw = p["fields"]["stage.per_frame_s"]["warnings"]
assert any("includes 0" in w for w in fw) and any("dominates" in w for w in fw), fw
EOF
"$FORKCAST" advise "$tmp/s.json" --with "$tmp/noisy.json" --no-sim 2>&1 >/dev/null | grep 'applied stage.per_frame_s' \
  | grep -q 'warning: poor fit' && ok "the warning travels to advise's applied line" || bad "warning in the applied line"

# --- replace, not merge; errors name the profile -------------------------
cat >"$tmp/dist.json" <<'EOF'
{"stage": {"ffmpeg_start_s": {"dist": "lognormal", "median": 0.07, "p95": 0.09},
           "seek_s": {"dist": "uniform", "min": 0, "max": 0.3}}}
EOF
"$FORKCAST" advise "$tmp/s.json" --with "$tmp/dist.json" --no-sim --json 2>/dev/null | $py -c '
import json, sys
e = {x["field"]: x["value"] for x in json.load(sys.stdin)["applied_profiles"]}
assert e["stage.ffmpeg_start_s"] == {"dist": "lognormal", "median": 0.07, "p95": 0.09}, e
assert e["stage.seek_s"] == {"dist": "uniform", "min": 0, "max": 0.3}, e' \
  && ok "a distribution replaces the scenario's whole (example's uniform/fixed)" || bad "replace whole"
echo '{"stage": {"seek_s": {"dist": "lognormal", "min": 1}}}' >"$tmp/badp.json"
expect_usage_error "error inside a profile names the profile" "badp.json: stage.seek_s" advise "$tmp/s.json" --with "$tmp/badp.json"
grep -q 's.json:' "$tmp/err" && bad "the error names the scenario, not the profile" || ok "not the scenario"

exit $fail
