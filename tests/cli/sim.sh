#!/usr/bin/env bash
# tests/cli/sim.sh -- `forkcast sim` end to end: agrees with the model and
# with E7 on the built-in scenario, byte-identical for any --threads, the
# trace, advise's simulated column and disagreement warning, and every bad
# input (exit 2, one line, nothing written).
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-sim-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
e7=data/scenarios/overlay-e7.json

# expect_fail NAME ARGS... : exit 2, one "forkcast: " line, no trace file
expect_fail() {
  local name=$1; shift
  rm -f "$tmp/t.csv"
  "$FORKCAST" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" && [ ! -s "$tmp/out" ] \
     && [ ! -e "$tmp/t.csv" ] && [ -z "$(ls "$tmp" | grep 't.csv.tmp')" ]; then ok "$name: $(cat "$tmp/err")"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"))"; fi
}

"$FORKCAST" sim --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast sim' "$tmp/out" && ok "--help" || bad "--help"

# Must show: overlay-e7 agrees with the model within 3 SE and with E7 (wall
# within 5%, cost within 10% for k = 1, 2, 4).
"$FORKCAST" sim "$e7" --json >"$tmp/sim.json" 2>"$tmp/err" && [ ! -s "$tmp/err" ] \
  && ok "sim overlay-e7: exit 0, quiet stderr (not a tty: no progress bar)" || bad "sim overlay-e7 $(cat "$tmp/err")"
"$FORKCAST" model "$e7" --json --no-break-even >"$tmp/model.json" || bad "model overlay-e7"
"$FORKCAST" sim --json >"$tmp/sim0.json" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && cmp -s "$tmp/sim0.json" "$tmp/sim.json" \
  && ok "sim without FILE: the built-in overlay-e7, byte-identical" || bad "sim without FILE $(cat "$tmp/err")"
python3 - "$tmp/sim.json" "$tmp/model.json" data/experiments/e7_overlay.json <<'EOF' \
  && ok "overlay-e7: sim within 3 SE of the model; within 5% (wall) / 10% (cost) of E7" || bad "overlay-e7 agreement"
import json, sys
sim, model, exp = (json.load(open(p)) for p in sys.argv[1:4])
assert sim["method"] == "sim" and sim["replications"] == 10000 and sim["seed"] == 1
ms = {r["gpus"]: r for r in model["results"]}
for r in sim["results"]:
    m = ms[r["gpus"]]
    for q in ("wall_s", "cost_usd"):
        d, se = r[q]["mean"] - m[q]["mean"], r[q]["stderr"]
        print(f"     k={r['gpus']} {q}: sim {r[q]['mean']:.6g} +- {se:.2g}, model {m[q]['mean']:.6g} ({d / se:+.2f} SE)")
        assert abs(d) <= 3 * se, (r["gpus"], q)
        assert r[q]["p50"] <= r[q]["p95"] <= r[q]["p99"]
    b = r["breakdown_s"]
    assert abs(sum(b.values()) - r["wall_s"]["mean"]) < 1e-6 * r["wall_s"]["mean"]
ss = {r["gpus"]: r for r in sim["results"]}
for o in exp["observations"]:
    r = ss[o["gpus"]]
    ew = r["wall_s"]["mean"] / o["wall_s"] - 1
    ec = r["cost_usd"]["mean"] / o["cost_usd"] - 1
    print(f"     E7 k={o['gpus']}: wall {r['wall_s']['mean']:.2f} vs {o['wall_s']} ({ew:+.1%}), "
          f"cost {r['cost_usd']['mean']:.5f} vs {o['cost_usd']} ({ec:+.1%})")
    assert abs(ew) <= 0.05 and abs(ec) <= 0.10, o
EOF

# Determinism: byte-identical for 1 and 2 threads; another seed differs.
"$FORKCAST" sim "$e7" --json --threads 1 --replications 3000 --gpus 1,2,3,5,8 >"$tmp/t1.json"
"$FORKCAST" sim "$e7" --json --threads 2 --replications 3000 --gpus 1,2,3,5,8 >"$tmp/t2.json"
"$FORKCAST" sim "$e7" --json --threads 2 --replications 3000 --gpus 1,2,3,5,8 --seed 2 >"$tmp/s2.json"
cmp -s "$tmp/t1.json" "$tmp/t2.json" && ok "--threads 1 and 2: byte-identical JSON" || bad "thread determinism"
cmp -s "$tmp/t1.json" "$tmp/s2.json" && bad "--seed 2 gives the same output" || ok "--seed 2 differs"
# ... and with effects on (event path)
cat >"$tmp/eff.json" <<'EOF'
{"job": {"frames": 3000, "input_mb": 100},
 "stage": {"per_frame_s": 0.05, "ffmpeg_start_s": 1, "seek_s": 0.5},
 "platform": {"cold_start_s": {"dist": "lognormal", "median": 10, "p95": 20}, "download_mb_s": 50,
              "shared_download_mb_s": 120, "gpu_per_s": 0.0001, "max_containers": 6,
              "failure_rate_per_s": 0.002},
 "parallel": {"gpus": [1, 2, 4, 8], "chunks_per_gpu": 2, "speculative": {"after_fraction": 0.8}}}
EOF
"$FORKCAST" sim "$tmp/eff.json" --json --threads 1 --replications 2000 >"$tmp/e1.json" 2>"$tmp/w1"
"$FORKCAST" sim "$tmp/eff.json" --json --threads 2 --replications 2000 >"$tmp/e2.json" 2>"$tmp/w2"
cmp -s "$tmp/e1.json" "$tmp/e2.json" && cmp -s "$tmp/w1" "$tmp/w2" && grep -q failed_replications "$tmp/e1.json" \
  && ok "every effect on: byte-identical JSON for 1 and 2 threads" || bad "thread determinism with effects"

# CSV and table
"$FORKCAST" sim "$e7" --csv --replications 500 >"$tmp/o.csv" && head -1 "$tmp/o.csv" | grep -q '^scenario,method' \
  && [ "$(grep -c ',sim,' "$tmp/o.csv")" -eq 4 ] && ok "--csv: header + 4 rows" || bad "--csv"
"$FORKCAST" sim "$e7" --replications 500 >"$tmp/table" && grep -q 'Monte Carlo simulation' "$tmp/table" \
  && grep -q '^500 replications, seed 1' "$tmp/table" && ok "table" || bad "table"

# Trace: one replication's timeline, atomically written; for a noiseless
# scenario its last end + concat is the (deterministic) wall.
cat >"$tmp/fixed.json" <<'EOF'
{"job": {"frames": 1000, "input_mb": 25, "output_mb": 9},
 "stage": {"per_frame_s": 0.0213, "ffmpeg_start_s": 1.37, "seek_s": 0.61},
 "platform": {"cold_start_s": 17.3, "request_s": 0.13, "download_mb_s": 45, "upload_mb_s": 35},
 "parallel": {"gpus": [1, 2, 4], "concat_s": 2.1, "concat_per_chunk_s": 0.33}}
EOF
"$FORKCAST" sim "$tmp/fixed.json" --json --replications 20 --trace "$tmp/t.csv" >"$tmp/f.json" \
  && [ -z "$(ls "$tmp" | grep 't.csv.tmp')" ] && python3 - "$tmp/t.csv" "$tmp/f.json" <<'EOF' \
  && ok "--trace: header, phases per container, end + concat = wall" || bad "--trace"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
walls = {r["gpus"]: r["wall_s"]["mean"] for r in json.load(open(sys.argv[2]))["results"]}
assert list(rows[0].keys()) == ["k", "container", "chunk", "phase", "start_s", "end_s"]
phases = {"start", "request", "download", "ffmpeg_start", "seek", "process", "upload", "concat"}
for k in (1, 2, 4):
    rk = [r for r in rows if int(r["k"]) == k]
    assert {r["phase"] for r in rk} <= phases
    assert len({r["container"] for r in rk if r["container"] != "-1"}) == k
    end = max(float(r["end_s"]) for r in rk if r["phase"] != "concat")
    concat = sum(float(r["end_s"]) - float(r["start_s"]) for r in rk if r["phase"] == "concat")
    assert (concat > 0) == (k > 1)
    assert abs(end + concat - walls[k]) < 1e-6, (k, end + concat, walls[k])
EOF
expect_fail "--trace into a missing directory" sim "$e7" --replications 10 --trace "$tmp/no/such/t.csv"

# Bad options
expect_fail "--replications 0"      sim "$e7" --replications 0 --trace "$tmp/t.csv"
expect_fail "--replications x"      sim "$e7" --replications x
expect_fail "--threads 0"           sim "$e7" --threads 0
expect_fail "--seed -1"             sim "$e7" --seed -1
expect_fail "--trace without value" sim "$e7" --trace
expect_fail "--trace ''"            sim "$e7" --trace ''
expect_fail "unknown option"        sim "$e7" --replicas 5

# Bad input for every simulator field: FILE: FIELD: problem, exit 2
i=0
while IFS='|' read -r field frag; do
  i=$((i+1))
  printf '{"job": {"frames": 10}, %s}\n' "$frag" >"$tmp/bad$i.json"
  expect_fail "$field = $frag" sim "$tmp/bad$i.json" --trace "$tmp/t.csv"
  grep -q "^forkcast: $tmp/bad$i.json: $field" "$tmp/err" || bad "$field: message names file and field"
done <<'EOF'
platform.shared_download_mb_s|"platform": {"shared_download_mb_s": -1}
platform.shared_download_mb_s|"platform": {"shared_download_mb_s": "fast"}
platform.max_containers|"platform": {"max_containers": -2}
platform.max_containers|"platform": {"max_containers": 1.5}
parallel.chunks_per_gpu|"parallel": {"chunks_per_gpu": 0}
parallel.chunks_per_gpu|"parallel": {"chunks_per_gpu": 2.5}
parallel.speculative.after_fraction|"parallel": {"speculative": {"after_fraction": 1.5}}
parallel.speculative.after_fraction|"parallel": {"speculative": {"after_fraction": 1}}
parallel.speculative.after_fraction|"parallel": {"speculative": {"after_fraction": -0.1}}
parallel.speculative|"parallel": {"speculative": 0.5}
parallel.speculative.after|"parallel": {"speculative": {"after": 0.5}}
platform.failure_rate_per_s|"platform": {"failure_rate_per_s": -0.1}
platform.failure_rate_per_s|"platform": {"failure_rate_per_s": true}
platform.max_retries|"platform": {"max_retries": -1}
platform.max_retries|"platform": {"max_retries": 1.5}
sim.replications|"sim": {"replications": 0}
sim.seed|"sim": {"seed": -1}
EOF

# advise: the simulated p95 beside the model; quiet when they agree; a
# warning naming the effect when they do not; --no-sim skips it.
"$FORKCAST" advise >"$tmp/adv" 2>"$tmp/err" && grep -q 'sim p95' "$tmp/adv" && [ ! -s "$tmp/err" ] \
  && ok "advise: sim p95 column, no warning on the default" || bad "advise default ($(cat "$tmp/err"))"
"$FORKCAST" advise --no-sim >"$tmp/adv" && ! grep -q 'sim p95' "$tmp/adv" && ok "advise --no-sim" || bad "advise --no-sim"
"$FORKCAST" advise --json >"$tmp/adv.json" && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["method"] == "model"
for r in d["results"]:
    s = r["sim"]
    assert s["replications"] == 2000 and s["wall_s"]["stderr"] > 0
    assert abs(s["wall_s"]["mean"] - r["wall_s"]["mean"]) <= 3 * s["wall_s"]["stderr"]
' "$tmp/adv.json" && ok "advise --json: per-result sim mean/p95/stderr" || bad "advise --json"
cat >"$tmp/cap.json" <<'EOF'
{"job": {"frames": 3000, "input_mb": 100},
 "stage": {"per_frame_s": 0.05, "ffmpeg_start_s": 1},
 "platform": {"cold_start_s": {"dist": "lognormal", "median": 10, "p95": 20}, "download_mb_s": 50,
              "gpu_per_s": 0.0001, "max_containers": 2}}
EOF
"$FORKCAST" advise "$tmp/cap.json" >"$tmp/adv" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^forkcast: warning: [48] GPUs: model and simulation disagree' "$tmp/err")" -eq 2 ] \
  && grep -q 'max_containers 2' "$tmp/err" && ! grep -q '^forkcast: warning: [12] GPUs' "$tmp/err" \
  && ok "advise: warns for 4 and 8 GPUs over max_containers 2, not for 1 and 2" || bad "advise warning ($(cat "$tmp/err"))"

exit $fail
