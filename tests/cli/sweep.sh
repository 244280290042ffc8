#!/usr/bin/env bash
# tests/cli/sweep.sh -- `forkcast sweep`: every grid point agrees with
# `forkcast model` run on that point alone, the verdict with `advise`, the
# output is the same for any thread count, bad input is one line and exit 2.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-sweep-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
py=/usr/bin/python3

"$FORKCAST" sweep --frames 100..10000 --per-frame 0.01..1 --points 3 --csv >"$tmp/s.csv" 2>"$tmp/err" \
  && [ ! -s "$tmp/err" ] && ok "sweep --csv (default scenario)" || bad "sweep --csv: $(cat "$tmp/err")"
"$FORKCAST" sweep --frames 100..10000 --per-frame 0.01..1 --points 3 --csv --threads 1 >"$tmp/s1.csv" 2>/dev/null
cmp -s "$tmp/s.csv" "$tmp/s1.csv" && ok "same output with 1 thread" || bad "thread count changes the output"

# Each point through `forkcast model` / `advise` on its own.
"$py" - "$tmp/s.csv" "$FORKCAST" <<'EOF' && ok "9 points x 4 GPU counts agree with forkcast model and advise" || bad "sweep vs model"
import csv, json, subprocess, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3 * 3 * 4, len(rows)
assert sorted({int(r["frames"]) for r in rows}) == [100, 1000, 10000]
assert sorted({float(r["per_frame_s"]) for r in rows}) == [0.01, 0.1, 1.0]
close = lambda a, b: abs(a - b) <= 2e-6 * abs(b)
points = {}
for r in rows:
    points.setdefault((r["frames"], r["per_frame_s"]), []).append(r)
for (n, pf), rs in points.items():
    out = subprocess.run([sys.argv[2], "advise", "--frames", n, "--per-frame", pf, "--no-break-even", "--json"],
                         capture_output=True, text=True, check=True).stdout
    m = json.loads(out)
    by_k = {r["gpus"]: r for r in m["results"]}
    for r in rs:
        k = by_k[int(r["gpus"])]
        assert close(float(r["wall_mean_s"]), k["wall_s"]["mean"]), (n, pf, r, k["wall_s"])
        assert close(float(r["cost_mean_usd"]), k["cost_usd"]["mean"]), (n, pf, r)
        assert close(float(r["speedup"]), k["speedup"]) and close(float(r["cost_ratio"]), k["cost_ratio"])
        assert int(r["beneficial"]) == int(k["beneficial"])
        assert int(r["best_gpus"]) == m["verdict"]["best_gpus"], (n, pf, r["best_gpus"], m["verdict"])
# somewhere in this grid splitting pays, somewhere not
best = {int(r["best_gpus"]) for r in rows}
assert 1 in best and max(best) > 1, best
EOF

# Not sweeping the per-frame cost: the scenario's own (T50: 0.68 s).
"$FORKCAST" sweep data/scenarios/framing-t50.json --frames 300 --gpus 1,4 --csv >"$tmp/t.csv" 2>"$tmp/err"
"$FORKCAST" model data/scenarios/framing-t50.json --gpus 1,4 --json --no-break-even >"$tmp/t.json" 2>/dev/null
"$py" - "$tmp/t.csv" "$tmp/t.json" <<'EOF' && ok "T50 at 300 frames: the scenario's per-frame cost, 3.56x on 4 GPUs as model says" || bad "T50 sweep $(cat "$tmp/err")"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
assert len(rows) == 2 and all(r["per_frame_s"] == "0.68" for r in rows)
r4 = [r for r in rows if r["gpus"] == "4"][0]
k4 = [k for k in m["results"] if k["gpus"] == 4][0]
assert abs(float(r4["speedup"]) - k4["speedup"]) <= 2e-6 * k4["speedup"] and round(k4["speedup"], 2) == 3.56
assert r4["best_gpus"] == "4"
EOF

"$FORKCAST" sweep --frames 10..1000 --points 3 --json >"$tmp/s.json" 2>/dev/null \
  && "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["points"]) == 3 and d["gpus"] == [1,2,4,8]' "$tmp/s.json" \
  && ok "--json" || bad "--json"
"$FORKCAST" sweep --frames 10..1000 --points 3 >"$tmp/table" 2>/dev/null && grep -q 'closed-form sweep, 3 frame counts' "$tmp/table" \
  && grep -q '8 GPUs' "$tmp/table" && ok "table" || bad "table"
"$FORKCAST" sweep --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast sweep' "$tmp/out" && ok "--help" || bad "--help"

expect() { # NAME ARGS... : exit 2, one "forkcast: " line, nothing on stdout
  local name=$1; shift
  "$FORKCAST" sweep "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "$name: $(cat "$tmp/err")"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"))"; fi
}
expect "no --frames" --points 3
expect "reversed range" --frames 100..10
expect "frames 0" --frames 0..10
expect "per-frame 0" --frames 10..100 --per-frame 0..1
expect "points 0" --frames 10..100 --points 0
expect "points too many" --frames 10..100 --points 100000
expect "unknown option" --frames 10..100 --bogus
expect "missing scenario" /nonexistent.json --frames 10..100
expect "bad gpus" --frames 10..100 --gpus 0,2
expect "json and csv" --frames 10..100 --json --csv
exit $fail
