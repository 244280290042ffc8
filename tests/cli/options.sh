#!/usr/bin/env bash
# tests/cli/options.sh -- one option convention everywhere (docs/cli.md):
# "--opt V" and "--opt=V" alike in the scenario commands and the calibrate
# modes, full names only (an abbreviation is an unknown option, with its
# did-you-mean), the same one-line messages (missing value, a flag given a
# value), -o and --output alike, options after positionals and after "--".
set -u
. "$(dirname "$0")/lib.sh"

# --opt=V reaches the same check as --opt V (the message names the option).
expect_usage_error "advise --frames=0" "--frames: must be between 1" advise --frames=0
expect_usage_error "sim --replications=0" "--replications: must be between 1" sim --replications=0
expect_usage_error "sweep --points=0" "--points: must be between 1" sweep --frames=10..100 --points=0
expect_usage_error "calibrate kernels --frames=0" "--frames: must be between 1" calibrate kernels --frames=0
expect_usage_error "calibrate pipeline --frames=0" "--frames: must be between 1" calibrate pipeline --stage=overlay --frames=0
expect_usage_error "calibrate ffmpeg --repeats=0" "--repeats: must be between 1" calibrate ffmpeg --repeats=0
expect_usage_error "calibrate command --repeats=0" "--repeats: must be between 1" calibrate command --repeats=0 -- true
expect_usage_error "calibrate fit --free=junk" "--free: expected FIELD=INIT" calibrate fit data/experiments/e7_overlay.json --free=junk
expect_usage_error "calibrate kernels --stage=blur" "--stage: expected overlay or framing" calibrate kernels --stage=blur
"$FORKCAST" advise --frames=1000 --gpus=1,4 --no-sim --json >"$tmp/a.json" 2>/dev/null \
  && "$FORKCAST" advise --frames 1000 --gpus 1,4 --no-sim --json >"$tmp/b.json" 2>/dev/null && cmp -s "$tmp/a.json" "$tmp/b.json" \
  && ok "--opt=V and --opt V give the same result" || bad "--opt=V vs --opt V"
"$FORKCAST" model --no-break-even "$PWD/data/scenarios/framing-t50.json" --json >"$tmp/c.json" \
  && "$FORKCAST" model --json -- "$PWD/data/scenarios/framing-t50.json" --no-break-even >"$tmp/d.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "one scenario file only" "$tmp/err" \
  && ok "after --, every argument is positional" || bad "-- handling (rc=$rc): $(cat "$tmp/err")"

# Full names only, in every parser; the did-you-mean names the option meant.
expect_usage_error "capacity --rat" "capacity: unknown option '--rat' (did you mean '--rate'? see --help)" capacity --rat 10 --hours 1
expect_usage_error "plan --verif" "plan: unknown option '--verif' (did you mean '--verify'? see --help)" plan --verif
expect_usage_error "sim --rep" "sim: unknown option '--rep'" sim --rep 5
expect_usage_error "sim --replicas" "(did you mean '--replications'? see --help)" sim --replicas 5
expect_usage_error "calibrate ffmpeg --rep" "calibrate ffmpeg: unknown option '--rep' (did you mean '--repeats'? see --help)" calibrate ffmpeg --rep 2
expect_usage_error "calibrate command --frame" "(did you mean '--frames'? see --help)" calibrate command --frame 30,60 -- true
expect_usage_error "advise --no-s" "advise: unknown option '--no-s'" advise --no-s
expect_usage_error "unknown, no suggestion" "advise: unknown option '--bogus' (see --help)" advise --bogus
expect_usage_error "unknown short option" "report: unknown option '-x' (see --help)" report -x

# The same messages everywhere.
expect_usage_error "missing value" "--with: missing value" advise --with
expect_usage_error "missing value (calibrate)" "--size: missing value" calibrate kernels --size
expect_usage_error "flag with a value" "--json: takes no value (got '--json=yes')" advise --json=yes
expect_usage_error "flag with a value (calibrate)" "--no-ffmpeg: takes no value" calibrate kernels --no-ffmpeg=1
expect_usage_error "flag with a value (capacity)" "--json: takes no value (got '--json=3')" capacity --json=3
expect_usage_error "flag with a value (plan)" "--json: takes no value (got '--json=3')" plan --json=3
expect_usage_error "-o where there is none" "advise: unknown option '-o'" advise -o x

# -o and --output alike.
if command -v gnuplot >/dev/null; then
  "$FORKCAST" plot speedup --output="$tmp/s.png" >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/s.png" ] \
    && [ "$(head -1 "$tmp/out")" = "$tmp/s.png" ] && ok "plot --output=FILE" || bad "plot --output: $(cat "$tmp/err")"
fi
"$FORKCAST" calibrate fit data/experiments/e7_overlay.json --output "$tmp/f.json" >/dev/null 2>&1 && [ -s "$tmp/f.json" ] \
  && ok "calibrate fit --output FILE" || bad "calibrate fit --output"
exit $fail
