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

"$FORKCAST" capacity --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast capacity' "$tmp/out" \
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

# Loss system (Must show): max_queue 0 on a cap of 3 at load 0.9/s x 1.991 s = 1.7919
# erlangs: rejected_fraction within 2% of Erlang B's 17.903% (B computed here).
cat >"$tmp/loss.json" <<'EOF'
{"name":"loss","job":{"frames":{"dist":"exponential","mean":10000}},"stage":{"per_frame_s":0.0001991},
 "platform":{"max_containers":3,"max_queue":0,"scaledown_window_s":60},
 "parallel":{"policy":"fixed:1"},"workload":{"rate_per_hour":3240,"jobs":1000000}}
EOF
"$FORKCAST" capacity "$tmp/loss.json" --json >"$tmp/loss.out" 2>"$tmp/err" && python3 - "$tmp/loss.out" <<'EOF' \
  && ok "max_queue 0, cap 3, load 1.79: rejected_fraction = Erlang B within 2%" || bad "Erlang B $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
a, b = 0.9 * 1.991, 1.0
for k in range(1, 4):
    b = a * b / (k + a * b)
assert abs(b - 0.17903) < 1e-5, b
got = d["rejected_fraction"]
assert abs(got / b - 1) <= 0.02, (got, b)
assert d["pool"]["max_queue"] == 0 and d["queue_wait_s"]["mean"] == 0 and d["stable"] is True
assert d["served"] + round(got * d["jobs"]) == d["jobs"]
print(f"     rejected {got:.5f} vs Erlang B {b:.5f} ({100 * (got / b - 1):+.2f}%), served {d['served']}")
EOF

# The pinned warm pool (issue 10): 18 containers, min = max, scale-down 1e9 s,
# 225 jobs/h of 240 s: utilization over the window rho = 0.833, Erlang C's mean wait.
cat >"$tmp/pin.json" <<'EOF'
{"name":"pinned","job":{"frames":{"dist":"exponential","mean":10000}},"stage":{"per_frame_s":0.024},
 "platform":{"max_containers":18,"min_containers":18,"scaledown_window_s":1e9,"gpu_per_s":0.000164},
 "parallel":{"policy":"fixed:1"},"workload":{"rate_per_hour":225,"jobs":2000000,"warmup_jobs":10000}}
EOF
"$FORKCAST" capacity "$tmp/pin.json" --json >"$tmp/pin.out" 2>"$tmp/err" && python3 - "$tmp/pin.out" <<'EOF' \
  && ok "pinned 18: utilization 0.833 +- 0.03, Erlang C wait within 3%, cost per job in cents" || bad "pinned $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
lam, mu, c = 225 / 3600, 1 / 240, 18
a, term, s = lam / mu, 1.0, 0.0
for k in range(c):
    s += term
    term *= a / (k + 1)
tail = term * c / (c - a)
wq = tail / (s + tail) / (c * mu - lam)
u, w = d["utilization"], d["queue_wait_s"]["mean"]
assert abs(u - 15 / 18) <= 0.03, u
assert abs(w / wq - 1) <= 0.03, (w, wq)
L = d["little"]
assert abs(L["arrival_rate_per_s"] / lam - 1) < 0.01, L
assert abs(L["mean_in_system"] - L["arrival_rate_per_s"] * L["mean_time_in_system_s"]) < 0.01 * L["mean_in_system"]
# 18 containers at $0.000164/s, one job every 1/lambda = 16 s: $0.047 a job
want = 18 * 0.000164 / lam
assert abs(d["cost_per_job_usd"] / want - 1) < 0.01, (d["cost_per_job_usd"], want)
assert d["stable"] is True and d["containers"]["lifespan_s"]["alive_at_end"] == 18
print(f"     utilization {u:.4f}, W_q {w:.3f} s vs Erlang C {wq:.3f} s ({100 * (w / wq - 1):+.2f}%), "
      f"${d['cost_per_job_usd']:.4f} per job")
EOF

# Overloaded pools: a warning line, stable false, exit 0, bounded time and memory.
"$FORKCAST" capacity --rate 100000 --hours 20 --max-containers 10 --json >"$tmp/ov.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^forkcast: warning: unstable' "$tmp/err" \
  && python3 -c "import json,sys; d=json.load(open('$tmp/ov.json')); assert d['stable'] is False and d['stability'].startswith('unstable'), d['stable']" \
  && ok "--rate 100000 --max-containers 10: warning line, stable false" || bad "overload rc=$rc $(cat "$tmp/err")"
python3 - "$FORKCAST" <<'EOF' && ok "--rate 1e9 --jobs 1e10: stops at the bound, peak RSS bounded" || bad "--rate 1e9 memory"
import json, resource, subprocess, sys
p = subprocess.run([sys.argv[1], "capacity", "--rate", "1e9", "--jobs", "10000000000", "--json"],
                   capture_output=True, text=True, timeout=300)
rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
d = json.loads(p.stdout)
assert p.returncode == 0 and d["stable"] is False and "warning: unstable" in p.stderr, p.stderr
assert d["jobs_total"] <= 1 << 20, d["jobs_total"]
assert rss_mb < 1500, rss_mb   # the bound holds 2^20 inputs (~210 MB optimised; ASan more)
print(f"     stopped after {d['jobs_total']} jobs, peak RSS {rss_mb:.0f} MB")
EOF

# The new options, "--opt V" and "--opt=V" alike, and their JSON.
"$FORKCAST" capacity --rate=600 --hours=2 --policy=fixed:1 --max-queue 2 --max-containers=2 --queue-timeout=30 \
  --max-inputs 2 --throughput=1,1.5 --idle-rule=oldest --initial-warm 2 --scaledown=120 --json >"$tmp/n.json" 2>"$tmp/err" \
  && python3 - "$tmp/n.json" <<'EOF' && ok "new options (both forms) reach the pool and the outputs" || bad "new options $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["pool"]
assert p["max_queue"] == 2 and p["queue_timeout_s"] == 30 and p["max_inputs"] == 2, p
assert p["concurrency_throughput"] == [1, 1.5] and p["idle_rule"] == "oldest" and p["initial_warm"] == 2, p
for k in ("served", "rejected_fraction", "timed_out_fraction", "stable", "idle_cost_usd"):
    assert k in d, k
assert set(d["containers"]["per_state"]) == {"starting", "busy", "idle"}
assert set(d["containers"]["lifespan_s"]) >= {"mean", "p50", "p95", "ended", "alive_at_end"}
assert set(d["cold_starts"]) >= {"per_input", "per_container_start", "per_job"}
assert d["served"] + round((d["rejected_fraction"] + d["timed_out_fraction"]) * d["jobs"]) == d["jobs"]
assert d["rejected_fraction"] > 0 and 0 < d["load"]["per_capacity"] < 1
EOF
"$FORKCAST" capacity --rate 600 --interarrival-cv 3 --hours 24 --policy fixed:1 --json >"$tmp/cv.json" 2>/dev/null \
  && python3 -c "import json; d=json.load(open('$tmp/cv.json')); assert d['workload'].startswith('renewal, gamma'), d['workload']; assert abs(d['jobs']/14400-1) < 0.1, d['jobs']" \
  && ok "--interarrival-cv: a gamma renewal process at the rate" || bad "--interarrival-cv"

# --transient: the first hour from initial_warm containers, in buckets.
"$FORKCAST" capacity --rate 83.3 --transient --initial-warm 4 --scaledown 300 --policy fixed:1 --json >"$tmp/tr.json" 2>"$tmp/err" \
  && python3 - "$tmp/tr.json" <<'EOF' && ok "--transient: 12 buckets over the first hour, jobs by arrival bucket" || bad "--transient $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["transient"]
assert t["horizon_s"] == 3600 and t["bucket_s"] == 300 and len(t["buckets"]) == 12
b = t["buckets"]
assert sum(x["arrivals"] for x in b) == d["jobs"]
assert b[0]["start_s"] == 0 and b[-1]["end_s"] == 3600
st = b[0]["per_state"]
assert abs(b[0]["mean_live"] - (st["starting"] + st["busy"] + st["idle"])) < 1e-9
assert b[0]["mean_live"] > 3.5   # four warm from t = 0, 300 s idle timeout
EOF
# One bucket holds every job: its percentiles are the run's, to the bit.
"$FORKCAST" capacity --rate 83.3 --transient --buckets 1 --policy fixed:1 --json >"$tmp/tr1.json" 2>"$tmp/err" \
  && python3 - "$tmp/tr1.json" <<'EOF' && ok "--transient --buckets 1: the bucket's p50/p95/p99 are the run's" || bad "--transient one bucket $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["transient"]["buckets"][0]
assert b["served"] == d["served"] > 0, (b["served"], d["served"])
assert [b["latency_p50_s"], b["latency_p95_s"], b["latency_p99_s"]] == [d["latency_s"][q] for q in ("p50", "p95", "p99")], b
EOF
"$FORKCAST" capacity --rate 83.3 --transient=0.5 --buckets=3 --policy fixed:1 --csv >"$tmp/tr.csv" 2>/dev/null \
  && [ "$(wc -l <"$tmp/tr.csv")" -eq 4 ] && grep -q '^start_s,end_s,arrivals' "$tmp/tr.csv" && grep -q '^1200,1800,' "$tmp/tr.csv" \
  && ok "--transient=0.5 --buckets=3 --csv" || bad "--transient csv: $(cat "$tmp/tr.csv")"

# The sweep with a loss system: every run's rejected fraction is Erlang B at its cap.
"$FORKCAST" capacity "$tmp/loss.json" --jobs 100000 --sweep max_containers=1..5 --json >"$tmp/sl.json" 2>"$tmp/err" \
  && python3 - "$tmp/sl.json" <<'EOF' && ok "--sweep with max_queue 0: Erlang B at every cap" || bad "--sweep loss $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
a = 0.9 * 1.991
assert [r["max_containers"] for r in d["runs"]] == [1, 2, 3, 4, 5]
for r in d["runs"]:
    b = 1.0
    for k in range(1, r["max_containers"] + 1):
        b = a * b / (k + a * b)
    assert abs(r["rejected_fraction"] - b) <= 0.05 * b + 0.002, (r["max_containers"], r["rejected_fraction"], b)
EOF

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
NEEDLE="--max-queue"     expect_fail "--max-queue -1" --rate 10 --hours 1 --max-queue -1 $S
NEEDLE="--max-queue"     expect_fail "--max-queue without a value" --rate 10 --hours 1 --max-queue
NEEDLE="--idle-rule"     expect_fail "--idle-rule bogus" --rate 10 --hours 1 --idle-rule=random $S
NEEDLE="concurrency_throughput" expect_fail "--throughput of 3 for 2 inputs" --rate 10 --hours 1 --max-inputs 2 --throughput 1,1.5,2 $S
NEEDLE="concurrency_throughput" expect_fail "--throughput first not 1" --rate 10 --hours 1 --max-inputs 2 --throughput 0.5,1 $S
NEEDLE="concurrency_throughput" expect_fail "--throughput superlinear" --rate 10 --hours 1 --max-inputs 2 --throughput 1,2.5 $S
NEEDLE="initial_warm"    expect_fail "--initial-warm above the cap" --rate 10 --hours 1 --max-containers 2 --initial-warm 3 $S
NEEDLE="--transient"     expect_fail "--transient with --hours" --rate 10 --hours 1 --transient 2 $S
NEEDLE="--buckets"       expect_fail "--buckets without --transient" --rate 10 --hours 1 --buckets 4 $S
NEEDLE="--buckets"       expect_fail "--buckets 61" --rate 10 --transient --buckets 61 $S
NEEDLE="--interarrival-cv" expect_fail "--interarrival-cv without a rate" --hours 1 --interarrival-cv 2 $S
NEEDLE="--queue-timeout" expect_fail "--queue-timeout -1" --rate 10 --hours 1 --queue-timeout=-1 $S

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
scenario two '{"rate_per_hour":3,"interarrival_s":20,"hours":1}'
NEEDLE="exactly one of" expect_fail "file: rate and interarrival_s" "$tmp/two.json" $S
scenario gap0 '{"interarrival_s":0,"hours":1}'
NEEDLE="workload.interarrival_s" expect_fail "file: interarrival_s 0" "$tmp/gap0.json" $S
scenario rule '{"rate_per_hour":3,"hours":1}' '"idle_rule":"fifo"'
NEEDLE="platform.idle_rule" expect_fail "file: idle_rule fifo" "$tmp/rule.json" $S
scenario thr '{"rate_per_hour":3,"hours":1}' '"concurrency_throughput":[1,1.5]'
NEEDLE="max_inputs" expect_fail "file: throughput without max_inputs" "$tmp/thr.json" $S

# ---- pipelines: a plan's groups as pools in tandem (docs/capacity.md, "Pipelines") ----
P=data/scenarios/pipeline-t50-t51.json
W="--rate 83.3 --hours 24"
"$FORKCAST" capacity $P $W >"$tmp/pt.txt" 2>"$tmp/err" && [ ! -s "$tmp/err" ] \
  && grep -q '^plan: framing: 4 x T4 -> overlay: 1 x T4 (pipeline.current)' "$tmp/pt.txt" \
  && grep -q '^  group 2  overlay: 1 x T4 at \$0.000164/s' "$tmp/pt.txt" && grep -q '^end to end' "$tmp/pt.txt" \
  && ok "pipeline: the current plan by default, each group listed" || bad "pipeline text: $(head -c 300 "$tmp/err")"
"$FORKCAST" capacity $P $W --json >"$tmp/pc.json" 2>"$tmp/err" \
  && "$FORKCAST" capacity $P $W --json --plan recommended >"$tmp/pr.json" \
  && "$FORKCAST" capacity $P $W --json "--plan=framing+overlay: 4 x T4" >"$tmp/pg.json" \
  && "$FORKCAST" plan $P --json >"$tmp/plan.json" \
  && "$FORKCAST" capacity $P $W --json --plan stage >"$tmp/ps.json" \
  && "$FORKCAST" capacity $P $W --json --plan "framing:4xT4,overlay:1xT4" >"$tmp/pc2.json" \
  || bad "pipeline JSON runs: $(head -c 300 "$tmp/err")"
python3 - "$tmp" <<'EOF' && ok "pipeline JSON: groups add up, recommended = forkcast plan's, a SPEC = the same plan, --plan stage = one stage" || bad "pipeline JSON"
import json, sys
t = sys.argv[1]
c, r, g, pl, st, c2 = (json.load(open(f"{t}/{n}.json")) for n in ("pc", "pr", "pg", "plan", "ps", "pc2"))
assert c["pipeline"] is True and c["plan"] == {"plan": "framing: 4 x T4 -> overlay: 1 x T4", "from": "current", "groups": 2}
g1, g2 = c["groups"]
assert g1["stages"] == ["framing"] and g2["stages"] == ["overlay"] and g1["gpus"] == 4 and g2["gpus"] == 1
assert g1["policy"] == "fixed:4" and g2["policy"] == "fixed:1" and g2["pool"]["min_containers"] == 4
rel = lambda a, b, e: abs(a - b) <= e * max(abs(a), abs(b), 1e-300)
# nothing is lost: every video goes through both groups, so the means and bills add up
assert c["jobs"] == g1["jobs"] == g2["jobs"] == c["served"] == g2["served"]
assert rel(c["latency_s"]["mean"], g1["latency_s"]["mean"] + g2["latency_s"]["mean"], 1e-9)
assert rel(c["queue_wait_s"]["mean"], g1["queue_wait_s"]["mean"] + g2["queue_wait_s"]["mean"], 1e-9)
for k in ("cost_per_day_usd", "cost_usd", "idle_cost_usd", "billed_container_s"):
    assert rel(c[k], g1[k] + g2[k], 1e-9), k
assert g1["window_s"] == g2["window_s"] == c["window_s"]
assert max(g1["containers"]["peak"], g2["containers"]["peak"]) <= c["containers"]["peak"] \
       <= g1["containers"]["peak"] + g2["containers"]["peak"]
L = c["little"]
assert rel(L["mean_in_system"], L["arrival_rate_per_s"] * L["mean_time_in_system_s"], 0.01)
assert r["plan"]["plan"] == pl["recommended"]["plan"] == "framing+overlay: 4 x T4" and r["plan"]["from"] == "recommended"
g["plan"]["from"] = "recommended"
assert g == r, "a SPEC of the recommended plan runs the recommended plan"
c2["plan"]["from"] = "current"
assert c2 == c
assert "pipeline" not in st and st["policy"] == "auto" and st["pool"]["min_containers"] == 4
print(f"     current p95 {c['latency_s']['p95']:.1f} s ${c['cost_per_day_usd']:.2f}/day; "
      f"recommended p95 {r['latency_s']['p95']:.1f} s ${r['cost_per_day_usd']:.2f}/day")
EOF
# pool options reach every group; --group one group, after them; --opt V = --opt=V
"$FORKCAST" capacity $P --rate 83.3 --hours 2 --json --scaledown 60 --max-containers 30 \
  --group overlay:min_containers=0,scaledown_window_s=300 --group 1:max_queue=5,idle_rule=newest >"$tmp/po.json" \
  && "$FORKCAST" capacity $P --rate=83.3 --hours=2 --json --scaledown=60 --max-containers=30 \
  --group=overlay:min_containers=0,scaledown_window_s=300 --group=1:max_queue=5,idle_rule=newest >"$tmp/po2.json" \
  && cmp -s "$tmp/po.json" "$tmp/po2.json" && python3 - "$tmp/po.json" <<'EOF' && ok "pipeline: pool options to every group, --group to one" || bad "pipeline pool options"
import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["groups"][0]["pool"], d["groups"][1]["pool"]
assert a["scaledown_window_s"] == 60 and a["min_containers"] == 4 and a["max_queue"] == 5 and a["idle_rule"] == "newest"
assert b["scaledown_window_s"] == 300 and b["min_containers"] == 0 and b["max_queue"] is None and b["idle_rule"] == "last_idle"
assert a["max_containers"] == b["max_containers"] == 30
EOF
# a GPU type's own platform fields beat the scenario's, the command line beats both
python3 - "$P" "$tmp/typed.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["plan"]["gpu_types"] = [{"name": "T4", "scaledown_window_s": 5, "max_containers": 9}, "L4", "H100"]
json.dump(d, open(sys.argv[2], "w"))
EOF
"$FORKCAST" capacity "$tmp/typed.json" --rate 83.3 --hours 1 --json >"$tmp/ty1.json" \
  && "$FORKCAST" capacity "$tmp/typed.json" --rate 83.3 --hours 1 --json --scaledown 60 >"$tmp/ty2.json" \
  && python3 - "$tmp/ty1.json" "$tmp/ty2.json" <<'EOF' && ok "pipeline: type override over the scenario, options over both" || bad "pipeline precedence"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert [g["pool"]["scaledown_window_s"] for g in a["groups"]] == [5, 5]
assert [g["pool"]["scaledown_window_s"] for g in b["groups"]] == [60, 60]
assert [g["pool"]["max_containers"] for g in b["groups"]] == [9, 9]
EOF
"$FORKCAST" capacity $P --rate 83.3 --hours 2 --csv >"$tmp/p.csv" && python3 - "$tmp/p.csv" <<'EOF' && ok "pipeline CSV: a row per group and one end to end" || bad "pipeline CSV"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0][:3] == ["group", "plan", "jobs"] and [r[0] for r in rows[1:]] == ["1", "2", "all"], rows
assert rows[3][1] == "framing: 4 x T4 -> overlay: 1 x T4" and len({len(r) for r in rows}) == 1
EOF
# a sweep of the cap over both groups: the smallest meeting the target, met above it, missed below
"$FORKCAST" capacity $P $W --sweep max_containers=4..40 --p95-target 150 --json >"$tmp/psw.json" 2>/dev/null \
  && python3 - "$tmp/psw.json" <<'EOF' && ok "pipeline --sweep --p95-target on the end-to-end p95" || bad "pipeline sweep"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pipeline"] and d["sweep"] == "max_containers" and d["p95_target_s"] == 150
runs, m = d["runs"], d["smallest"]
met = [x["max_containers"] for x in runs if x["meets_target"]]
assert met and m == min(met) and all(not x["meets_target"] for x in runs if x["max_containers"] < m)
for x in runs:
    assert x["meets_target"] == (x["stable"] and x["latency_s"]["p95"] <= 150)
    assert [g["pool"]["max_containers"] for g in x["groups"]] == [x["max_containers"]] * 2
print(f"     smallest cap {m} of {[x['max_containers'] for x in runs]}")
EOF
# plan --rate: the loaded table ranks by cost per day within the current plan's loaded p95
"$FORKCAST" plan $P --rate 83.3 --hours 24 --json >"$tmp/pu.json" 2>"$tmp/err" \
  && "$FORKCAST" plan $P --rate 83.3 --hours 24 >"$tmp/pu.txt" && grep -q '^best under Poisson 83.3 jobs/h' "$tmp/pu.txt" \
  && python3 - "$tmp/pu.json" "$tmp/pc.json" <<'EOF' && ok "plan --rate: ranked under load, the current row = capacity's run" || bad "plan --rate: $(head -c 300 "$tmp/err")"
import json, sys
d, cap = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
u = d["under_load"]
rows = u["plans"]
assert u["rate_per_hour"] == 83.3 and u["hours"] == 24 and len(rows) == len(d["plans"]) + 1
cur = [x for x in rows if x["current"]]
assert len(cur) == 1 and cur[0]["plan"] == cap["plan"]["plan"]
assert cur[0]["latency_s"] == cap["latency_s"] and cur[0]["cost_per_day_usd"] == cap["cost_per_day_usd"]
assert u["p95_target_s"] == cur[0]["latency_s"]["p95"]          # the current plan's, under load
for x in rows:
    assert x["meets_targets"] == (x["stable"] and x["lost_fraction"] <= 0.01 and x["latency_s"]["p95"] <= u["p95_target_s"])
best = min((x for x in rows if x["meets_targets"]), key=lambda x: (x["cost_per_day_usd"], x["latency_s"]["p95"]))
assert u["best"] == best["plan"] and u["single_recommended"] == d["recommended"]["plan"]
assert u["differs"] == (u["best"] != u["single_recommended"])
print(f"     best under load {u['best']} (${best['cost_per_day_usd']:.2f}/day), differs {u['differs']}")
EOF
# a given target is kept under load; the best is the cheapest per day meeting it, whichever the
# single-video search recommended
"$FORKCAST" plan $P --rate 83.3 --hours 24 --p95-target 100 --json >"$tmp/pu2.json" && python3 - "$tmp/pu2.json" <<'EOF' && ok "plan --rate with a given target keeps it" || bad "plan --rate --p95-target"
import json, sys
u = json.load(open(sys.argv[1]))["under_load"]
assert u["p95_target_s"] == 100
rows = u["plans"]
for x in rows:
    assert x["meets_targets"] == (x["stable"] and x["lost_fraction"] <= 0.01 and x["latency_s"]["p95"] <= 100)
best = min((x for x in rows if x["meets_targets"]), key=lambda x: (x["cost_per_day_usd"], x["latency_s"]["p95"]))
single = [x for x in rows if x["plan"] == u["single_recommended"]][0]
assert u["best"] == best["plan"] and u["differs"] == (best is not single)
assert single["single"]["wall_p95_s"] <= 100 and u["differs"] == (not single["meets_targets"])
print(f"     best under load {u['best']}, single-video {u['single_recommended']}, differs {u['differs']}")
EOF

python3 - "$P" "$tmp/nocur.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); del d["pipeline"]["current"]; json.dump(d, open(sys.argv[2], "w"))
EOF
PF=$P
NEEDLE="unknown stage 'overlya' (did you mean 'overlay'?)" expect_fail "--plan unknown stage" $PF $W --plan "framing: 4 x T4 -> overlya: 1 x T4"
NEEDLE="stage 'overlay' is in no group" expect_fail "--plan missing a stage" $PF $W --plan framing:4xT4
NEEDLE="expected 'framing'" expect_fail "--plan out of order" $PF $W --plan overlay:1xT4,framing:4xT4
NEEDLE="expected 'K x GPU'" expect_fail "--plan K 0" $PF $W --plan framing+overlay:0xT4
NEEDLE="no price for GPU type 'X100'" expect_fail "--plan unpriced type" $PF $W --plan framing+overlay:4xX100
NEEDLE="no per_frame_s figure for GPU type 'L4'" expect_fail "--plan no figure" $PF $W --plan framing+overlay:4xL4
NEEDLE="pipeline.current" expect_fail "--plan current without one" "$tmp/nocur.json" $W
NEEDLE="needs a pipeline section" expect_fail "--plan on a one-stage scenario" --rate 10 --hours 1 --plan recommended
NEEDLE="needs a pipeline section" expect_fail "--group on a one-stage scenario" --rate 10 --hours 1 --group 1:max_containers=2
NEEDLE="--plan stage" expect_fail "--group with --plan stage" $PF $W --plan stage --group 1:max_containers=2
NEEDLE="groups 1..2" expect_fail "--group 3" $PF $W --group 3:max_containers=2
NEEDLE="neither a group number" expect_fail "--group unknown stage" $PF $W --group encode:max_containers=2
NEEDLE="max_containers: must be between 0 and 1000000" expect_fail "--group max_containers -1" $PF $W --group overlay:max_containers=-1
NEEDLE="scaledown_window_s" expect_fail "--group scale-down -5" $PF $W --group 2:scaledown_window_s=-5
NEEDLE="max_inputs" expect_fail "--group max_inputs 0" $PF $W --group 2:max_inputs=0
NEEDLE="unknown field 'foo'" expect_fail "--group unknown field" $PF $W --group overlay:foo=1
NEEDLE="group 2 (overlay: 1 x T4): " expect_fail "--group min above max" $PF $W --group overlay:min_containers=5,max_containers=2
NEEDLE="--policy" expect_fail "--policy on a pipeline" $PF $W --policy fixed:2
NEEDLE="--series" expect_fail "--series on a pipeline" $PF $W $S
NEEDLE="--transient" expect_fail "--transient on a pipeline" $PF --rate 10 --transient
NEEDLE="own max_containers" expect_fail "--sweep with every group's own cap" $PF $W --sweep max_containers=4..8 --group 1:max_containers=4 --group 2:max_containers=4
expect_plan_fail() { # NAME NEEDLE ARGS...
  local name=$1 needle=$2; shift 2
  "$FORKCAST" plan "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$needle" "$tmp/err" && [ ! -s "$tmp/out" ]; then ok "$name"
  else bad "$name (rc=$rc, stderr: $(head -c 300 "$tmp/err"))"; fi
}
expect_plan_fail "plan --hours without --rate" "--hours needs --rate" $PF --hours 3
expect_plan_fail "plan --rate with --csv" "--rate and --csv" $PF --rate 10 --csv
expect_plan_fail "plan --rate 0" "--rate" $PF --rate 0

exit $fail
