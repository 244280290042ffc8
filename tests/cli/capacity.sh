#!/usr/bin/env bash
# tests/cli/capacity.sh -- `forkcast capacity` end to end: the documented
# JSON/CSV/text outputs, the --series file, the --sweep search, and every bad
# input refused with exit 2, one "forkcast: " line and no file written.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-clicap-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# expect_fail NAME ARGS... : exit 2, one "forkcast: " line naming NEEDLE ($NEEDLE), no series file
expect_fail() {
  local name=$1; shift
  rm -f "$tmp/s.csv"
  "$FORKCAST" capacity "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" && [ ! -s "$tmp/out" ] \
     && [ ! -e "$tmp/s.csv" ] && [ -z "$(ls "$tmp" | grep 's.csv.tmp')" ] \
     && { [ -z "${NEEDLE:-}" ] || grep -qF -- "$NEEDLE" "$tmp/err"; }; then ok "$name"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"))"; fi
}

"$FORKCAST" capacity --help >"$tmp/out" 2>&1 && grep -q '^usage: forkcast capacity' "$tmp/out" \
  && ok "--help" || bad "--help"

# The default stage at 2,000 videos a day: JSON has every documented field.
"$FORKCAST" capacity --rate 83.333 --hours 24 --policy fixed:1 --scaledown 60 --json \
  --series "$tmp/s.csv" --series-step 30 >"$tmp/o.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && ok "default + --rate --hours: exit 0, quiet stderr" \
  || bad "default run: rc=$rc $(cat "$tmp/err")"
python3 - "$tmp/o.json" "$tmp/s.csv" <<'EOF' && ok "JSON fields, Little's law, --series columns and integral" || bad "JSON/series"
import csv, json, sys
d = json.load(open(sys.argv[1]))
for k in ("jobs", "cold_start_fraction", "utilization", "cost_per_job_usd", "cost_per_hour_usd", "cost_per_day_usd"):
    assert isinstance(d[k], (int, float)), k
assert set(d["latency_s"]) >= {"mean", "p50", "p95", "p99"}
assert set(d["queue_wait_s"]) >= {"mean", "p95"}
assert set(d["containers"]) >= {"mean_busy", "mean_idle", "peak"}
l = d["latency_s"]
assert 0 < l["p50"] <= l["p95"] <= l["p99"]
assert 1800 < d["jobs"] < 2200, d["jobs"]         # 2000 expected, Poisson sd 45
assert abs(d["cost_per_day_usd"] - 24 * d["cost_per_hour_usd"]) < 1e-9 * d["cost_per_day_usd"]
assert 0 < d["utilization"] <= 1 and 0 <= d["cold_start_fraction"] <= 1
L = d["little"]
assert abs(L["mean_in_system"] - L["arrival_rate_per_s"] * L["mean_latency_s"]) <= 0.01 * L["mean_in_system"]
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0] == ["t_s", "busy", "idle", "queue"], rows[0]
t = [float(r[0]) for r in rows[1:]]
assert t[0] == 0 and all(abs(b - a - 30) < 1e-6 for a, b in zip(t, t[1:]))
w = d["window_s"]
assert len(t) == int(w["end"] // 30) + 1
busy = sum(int(r[1]) for r in rows[1:]) * 30
exact = d["containers"]["mean_busy"] * (w["end"] - w["start"])
assert abs(busy - exact) <= 0.05 * exact, (busy, exact)
assert all(int(r[1]) >= 0 and int(r[2]) >= 0 and int(r[3]) == 0 for r in rows[1:])
print(f"     {d['jobs']} jobs, p95 {l['p95']:.1f} s, ${d['cost_per_day_usd']:.2f}/day, "
      f"series busy integral {busy:.0f} vs {exact:.0f} container-s")
EOF

# The same seed gives the same output; text and CSV forms.
"$FORKCAST" capacity --rate 83.333 --hours 24 --policy fixed:1 --scaledown 60 --json >"$tmp/o2.json" 2>/dev/null
cmp -s "$tmp/o.json" "$tmp/o2.json" && ok "reproducible (same seed, same JSON; --series changes nothing)" \
  || bad "reproducible"
"$FORKCAST" capacity --rate 83.333 --hours 24 --seed 2 --json >"$tmp/o3.json" 2>/dev/null
cmp -s "$tmp/o.json" "$tmp/o3.json" && bad "--seed changes the run" || ok "--seed changes the run"
"$FORKCAST" capacity --rate 100 --jobs 500 --csv >"$tmp/o.csv" 2>/dev/null
[ "$(wc -l <"$tmp/o.csv")" -eq 2 ] && head -1 "$tmp/o.csv" | grep -q '^jobs,latency_mean_s,' \
  && [ "$(head -1 "$tmp/o.csv" | tr ',' '\n' | wc -l)" -eq "$(tail -1 "$tmp/o.csv" | tr ',' '\n' | wc -l)" ] \
  && grep -q '^500,' "$tmp/o.csv" && ok "--csv: header and one row of 500 jobs" || bad "--csv: $(cat "$tmp/o.csv")"
"$FORKCAST" capacity --rate 100 --jobs 500 --policy auto >"$tmp/o.txt" 2>&1 \
  && grep -q '^latency ' "$tmp/o.txt" && grep -q 'per day' "$tmp/o.txt" && ok "text table" || bad "text table"

# A scenario file with its own workload and a trace relative to it.
cat >"$tmp/trace.csv" <<'EOF'
arrival_s,frames
0,300
10,300
10,600
400,300
EOF
cat >"$tmp/sc.json" <<'EOF'
{"name":"tr","job":{"frames":300},"stage":{"per_frame_s":0.025},
 "platform":{"cold_start_s":20,"warm_start_s":1,"scaledown_window_s":60,"gpu_per_s":0.000164},
 "parallel":{"policy":"fixed:1"},"workload":{"trace":"trace.csv"}}
EOF
"$FORKCAST" capacity "$tmp/sc.json" --json >"$tmp/t.json" 2>"$tmp/err" && python3 - "$tmp/t.json" <<'EOF' \
  && ok "trace workload: 4 jobs, all cold, latencies (closed form)" || bad "trace workload $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["jobs"] == 4, d["jobs"]
# 0: cold (20 + 7.5 s); 10, 10: the first is still busy, two more cold (27.5, 35 s);
# 400: every window ran out (87.5, 97.5, 105 s) -> cold again
assert abs(d["cold_start_fraction"] - 1.0) < 1e-12, d["cold_start_fraction"]
assert abs(d["latency_s"]["mean"] - (27.5 + 27.5 + 35 + 27.5) / 4) < 1e-9
EOF

# Sweep: the smallest pool meeting a p95 target, by bisection, with the table.
"$FORKCAST" capacity --rate 3000 --hours 24 --policy fixed:1 --scaledown 60 \
  --sweep max_containers=2..64 --p95-target 120 --json >"$tmp/sw.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && python3 - "$tmp/sw.json" <<'EOF' && ok "--sweep --p95-target: smallest meets, one fewer misses" \
  || bad "--sweep rc=$rc $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["max_containers"]: r for r in d["runs"]}
c = d["smallest"]
assert c is not None and 2 < c < 64, c
assert runs[c]["latency_s"]["p95"] <= 120 and runs[c]["meets_target"]
assert c - 1 in runs and runs[c - 1]["latency_s"]["p95"] > 120 and not runs[c - 1]["meets_target"]
assert sorted(runs) == [r["max_containers"] for r in d["runs"]]
assert len(runs) <= 9   # bisection, not a scan
print(f"     smallest pool {c}: p95 {runs[c]['latency_s']['p95']:.1f} s; {c-1}: {runs[c-1]['latency_s']['p95']:.1f} s;"
      f" {len(runs)} runs")
EOF
"$FORKCAST" capacity --rate 3000 --hours 2 --sweep max_containers=20..24 >"$tmp/sw.txt" 2>&1 \
  && [ "$(grep -cE '^ +2[0-4] ' "$tmp/sw.txt")" -eq 5 ] && ok "--sweep without target: every size" \
  || bad "--sweep table: $(cat "$tmp/sw.txt")"
"$FORKCAST" capacity --rate 3000 --hours 2 --sweep max_containers=2..3 --p95-target 60 >"$tmp/sw.txt" 2>&1 \
  && grep -q 'no pool size in 2..3 meets' "$tmp/sw.txt" && ok "--sweep: none meets, said so" || bad "--sweep none"

# Bad input: exit 2, one line, no output, no series file.
S="--series $tmp/s.csv"
NEEDLE="--rate"          expect_fail "--rate 0" --rate 0 --hours 1 $S
NEEDLE="--rate"          expect_fail "--rate -5" --rate -5 --hours 1 $S
NEEDLE="--rate"          expect_fail "--rate abc" --rate abc --hours 1 $S
NEEDLE="workload: missing" expect_fail "no workload" --hours 1 $S
NEEDLE="hours or jobs"   expect_fail "no run length" --rate 10 $S
NEEDLE="exclude"         expect_fail "--hours and --jobs" --rate 10 --hours 1 --jobs 5 $S
NEEDLE="--policy"        expect_fail "--policy bogus" --rate 10 --hours 1 --policy sometimes $S
NEEDLE="--policy"        expect_fail "--policy fixed:0" --rate 10 --hours 1 --policy fixed:0 $S
NEEDLE="platform.buffer_containers" expect_fail "buffer > max" --rate 10 --hours 1 --max-containers 2 --buffer-containers 3 $S
NEEDLE="min_containers"  expect_fail "min > max" --rate 10 --hours 1 --max-containers 2 --min-containers 3 $S
NEEDLE="warmup_jobs"     expect_fail "warm-up >= jobs" --rate 10 --jobs 5 --warmup 5 $S
NEEDLE="--sweep"         expect_fail "--sweep other field" --rate 10 --hours 1 --sweep min_containers=1..3
NEEDLE="--p95-target"    expect_fail "--p95-target without --sweep" --rate 10 --hours 1 --p95-target 5
NEEDLE="--series"        expect_fail "--series with --sweep" --rate 10 --hours 1 --sweep max_containers=1..3 $S
NEEDLE="--objective"     expect_fail "--objective" --rate 10 --hours 1 --objective value-of-time
NEEDLE="unknown option"  expect_fail "unknown option" --rate 10 --hours 1 --bogus
NEEDLE="nonexistent"     expect_fail "missing scenario file" "$tmp/nonexistent.json" --rate 10 --hours 1

scenario() { # NAME WORKLOAD_JSON [PLATFORM_JSON]
  printf '{"job":{"frames":300},"stage":{"per_frame_s":0.025},"platform":{%s},"workload":%s}\n' "${3:-}" "$2" >"$tmp/$1.json"
}
scenario rate0 '{"rate_per_hour":0,"hours":1}'
NEEDLE="workload.rate_per_hour" expect_fail "file: rate_per_hour 0" "$tmp/rate0.json" $S
scenario rateneg '{"rate_per_hour":-3,"hours":1}'
NEEDLE="workload.rate_per_hour" expect_fail "file: rate_per_hour < 0" "$tmp/rateneg.json" $S
scenario buf '{"rate_per_hour":3,"hours":1}' '"max_containers":2,"buffer_containers":4'
NEEDLE="platform.buffer_containers" expect_fail "file: buffer > max" "$tmp/buf.json" $S
printf '0,300\n50,300\n20,300\n' >"$tmp/ooo.csv"
scenario ooo '{"trace":"ooo.csv"}'
NEEDLE="ooo.csv line 3: trace out of order" expect_fail "trace out of order" "$tmp/ooo.json" $S
printf 'arrival_s,frames\n' >"$tmp/empty.csv"
scenario empty '{"trace":"empty.csv"}'
NEEDLE="trace is empty" expect_fail "empty trace" "$tmp/empty.json" $S
printf '0,300\n5,0\n' >"$tmp/f0.csv"
scenario f0 '{"trace":"f0.csv"}'
NEEDLE="f0.csv line 2: frames" expect_fail "trace frames 0" "$tmp/f0.json" $S
scenario notrace '{"trace":"missing.csv"}'
NEEDLE="cannot read" expect_fail "unreadable trace" "$tmp/notrace.json" $S

exit $fail
