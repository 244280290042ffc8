#!/usr/bin/env bash
# tests/cli/progress.sh -- progress of long work on stderr (cli/progress.h):
# not a terminal, plain lines "forkcast: TASK: D/T UNIT (P%), E s elapsed[,
# about R s left]" at most every FORKCAST_PROGRESS_S seconds (checked on the
# elapsed times the lines print), then a "done" line; the default interval
# (5 s) keeps a short run silent; --quiet silences any; a terminal gets the
# redrawn bar, erased at the end. stdout is the same with and without it.
set -u
. "$(dirname "$0")/lib.sh"
e7=data/scenarios/overlay-e7.json

# lines TASK UNIT INTERVAL FILE: every line a progress line of TASK in UNIT, at
# least 1 before the done line, elapsed times at least INTERVAL apart.
lines() {
  python3 - "$@" <<'PY'
import re, sys
task, unit, iv, path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
ls = open(path).read().splitlines()
pat = re.compile(r"^forkcast: %s: (?:.*: )?(\d+)/(\d+) %s \((\d+)%%\), ([0-9.]+) s elapsed(?:, about [0-9.]+ s left)?$"
                 % (re.escape(task), re.escape(unit)))
assert ls and re.match(r"^forkcast: %s: done, \d+ %s in [0-9.]+ s$" % (re.escape(task), re.escape(unit)), ls[-1]), ls[-1:]
m = [pat.match(l) for l in ls[:-1]]
assert len(m) >= 1 and all(m), [l for l, x in zip(ls, m) if not x] or len(m)
el = [float(x.group(4)) for x in m]
assert all(b - a >= iv - 0.051 for a, b in zip(el, el[1:])), el   # printed to 0.1 s
assert all(int(x.group(1)) <= int(x.group(2)) for x in m)
PY
}

FORKCAST_PROGRESS_S=0.2 "$FORKCAST" sim "$e7" --replications 12000000 --threads 2 --json >"$tmp/a.json" 2>"$tmp/err" \
  && lines sim replications 0.2 "$tmp/err" && ok "sim, large R: lines at most every 0.2 s, then done" \
  || bad "sim lines: $(head -c 600 "$tmp/err")"
FORKCAST_PROGRESS_S=0.2 "$FORKCAST" sim "$e7" --replications 12000000 --threads 2 --json --quiet >"$tmp/q.json" 2>"$tmp/err" \
  && [ ! -s "$tmp/err" ] && cmp -s "$tmp/a.json" "$tmp/q.json" && ok "sim --quiet: no progress, the same stdout" \
  || bad "sim --quiet: $(head -c 300 "$tmp/err")"
"$FORKCAST" sim "$e7" --replications 2000 >/dev/null 2>"$tmp/err" && [ ! -s "$tmp/err" ] \
  && ok "default interval: a short run prints nothing" || bad "short run: $(cat "$tmp/err")"

FORKCAST_PROGRESS_S=0.3 "$FORKCAST" calibrate command --frames 30,60 --repeats 4 -o "$tmp/c.json" \
  -- sh -c 'sleep $(awk "BEGIN{print 0.1 + 0.001 * {frames}}")' >/dev/null 2>"$tmp/err"
grep '^forkcast: calibrate command: ' "$tmp/err" >"$tmp/cl"
lines "calibrate command" runs 0.3 "$tmp/cl" && grep -q ' 8 runs in ' "$tmp/cl" \
  && ok "calibrate command: runs done of 8, time left" || bad "calibrate command lines: $(cat "$tmp/err")"
FORKCAST_PROGRESS_S=0 "$FORKCAST" calibrate command --quiet --frames 30,60 --repeats 2 -o "$tmp/c.json" \
  -- sh -c 'sleep $(awk "BEGIN{print 0.05 + 0.001 * {frames}}")' >/dev/null 2>"$tmp/err"
! grep -q 'calibrate command: ' "$tmp/err" && ok "calibrate command --quiet: no progress" || bad "--quiet: $(cat "$tmp/err")"

FORKCAST_PROGRESS_S=0.2 "$FORKCAST" capacity "$e7" --rate 200000 --hours 24 --json >/dev/null 2>"$tmp/err" \
  && lines capacity "simulated s" 0.2 "$tmp/err" && ok "capacity, many jobs: simulated seconds of 86400" \
  || bad "capacity lines: $(head -c 600 "$tmp/err")"
FORKCAST_PROGRESS_S=0 "$FORKCAST" plan data/scenarios/pipeline-t50-t51.json --verify --replications 2000 >/dev/null 2>"$tmp/err" \
  && grep -q '^forkcast: plan --verify: 1/[0-9]* plans simulated (' "$tmp/err" \
  && grep -q '^forkcast: plan --verify: done, [0-9]* plans simulated in ' "$tmp/err" \
  && ok "plan --verify: plans simulated" || bad "plan --verify: $(head -c 600 "$tmp/err")"

# A terminal: the bar, redrawn with \r and erased with \r ESC[K at the end.
python3 - "$FORKCAST" "$tmp/c.json" <<'PY' && ok "terminal: a bar, erased at the end" || bad "terminal bar"
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], "calibrate", "command", "--frames", "30,60", "--repeats", "4", "-o", sys.argv[2],
                      "--", "sh", "-c", "sleep 0.3; : {frames}"], stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
assert p.wait() == 0
bar = out.split(b"\r\x1b[K")[0]   # warnings of the flat fit follow the erased bar
assert b"\rforkcast: calibrate command: [#" in bar and b"/8 runs (" in bar and b"\n" not in bar, out[:300]
assert b"\r\x1b[K" in out, out[-200:]
PY
exit $fail
