#!/usr/bin/env bash
# tests/cli/plan.sh -- forkcast plan end to end: the seed pipeline's
# recommendation, the JSON contract, CSV quoting, --opt V = --opt=V, one
# stage = advise, --verify, per-stage profiles, targets no plan meets
# (exit 0), and every bad input -> one line, exit 2.
set -u
. "$(dirname "$0")/lib.sh"
seed=data/scenarios/pipeline-t50-t51.json

"$FORKCAST" plan "$seed" >"$tmp/p.txt" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && grep -q '^FUSE overlay into framing: 4 x T4, p95 .* (now .*), \$.* per video (now \$.*)$' "$tmp/p.txt" \
  && grep -q '^runner-up: ' "$tmp/p.txt" \
  && ok "plan seed: FUSE overlay into framing, against the current plan" || bad "plan seed (rc=$rc) $(cat "$tmp/p.txt" "$tmp/err")"

"$FORKCAST" plan "$seed" --json >"$tmp/p.json"
python3 - "$tmp/p.json" <<'PY' && ok "plan --json: the contract's fields; fused beats current on cost and p95" || bad "plan --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["method"] == "plan" and d["scenario"] == "pipeline-t50-t51" and d["objective"] == "cost"
for p in d["plans"] + [d["recommended"], d["current"]]:
    assert set(["groups", "wall_s", "cost_usd", "pareto", "meets_targets"]) <= set(p), p.keys()
    assert p["wall_s"]["mean"] > 0 and p["wall_s"]["p95"] >= p["wall_s"]["mean"] * 0.9 and p["cost_usd"]["mean"] > 0
    for g in p["groups"]:
        assert set(["stages", "gpu", "gpus"]) <= set(g)
assert all(p["pareto"] for p in d["plans"])
costs = [p["cost_usd"]["mean"] for p in d["plans"]]; p95s = [p["wall_s"]["p95"] for p in d["plans"]]
assert costs == sorted(costs) and p95s == sorted(p95s, reverse=True)
r, c = d["recommended"], d["current"]
assert r["groups"] == [{"stages": ["framing", "overlay"], "gpu": "T4", "gpus": 4}] or \
       [(g["stages"], g["gpu"], g["gpus"]) for g in r["groups"]] == [(["framing", "overlay"], "T4", 4)]
assert [(g["stages"], g["gpu"], g["gpus"]) for g in c["groups"]] == [(["framing"], "T4", 4), (["overlay"], "T4", 1)]
assert r["cost_usd"]["mean"] < c["cost_usd"]["mean"] and r["wall_s"]["p95"] < c["wall_s"]["p95"]
assert d["targets"]["p95_from"] == "current" and abs(d["targets"]["p95_s"] - c["wall_s"]["p95"]) < 1e-9
assert d["summary"].startswith("FUSE overlay into framing: 4 x T4")
assert "T50" in d["stages"][0]["source"]["T4"] and "E7" in d["stages"][1]["source"]["T4"]
PY

# --opt V and --opt=V; --p95-target none: no target at all (cheapest: fused on 1 T4)
"$FORKCAST" plan "$seed" --objective speed --gpus 1,2,4 --json >"$tmp/a.json"
"$FORKCAST" plan "$seed" --objective=speed --gpus=1,2,4 --json >"$tmp/b.json"
python3 - "$tmp/a.json" "$tmp/b.json" <<'PY' && ok "--opt V == --opt=V" || bad "--opt=V"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b): d.pop("search_s")
assert a == b and a["objective"] == "speed"
PY
"$FORKCAST" plan "$seed" --p95-target none --json >"$tmp/n.json"
python3 -c "
import json; d = json.load(open('$tmp/n.json'))
assert d['targets']['p95_s'] is None
assert [(g['stages'], g['gpu'], g['gpus']) for g in d['recommended']['groups']] == [(['framing', 'overlay'], 'T4', 1)]
" && ok "--p95-target none: the cheapest plan, fused on 1 x T4" || bad "--p95-target none"

# CSV: every candidate, RFC 4180 quoting of the scenario name
sed 's/"name": "pipeline-t50-t51"/"name": "seed, \\"quoted\\""/' "$seed" >"$tmp/q.json"
"$FORKCAST" plan "$tmp/q.json" --csv >"$tmp/p.csv"
python3 - "$tmp/p.csv" "$tmp/p.json" <<'PY' && ok "plan --csv: every candidate, quoted" || bad "plan --csv"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
assert rows[0]["scenario"] == 'seed, "quoted"'
assert len([r for r in rows if r["role"] != "current"]) == d["candidates"]
assert sum(r["pareto"] == "1" for r in rows if r["role"] != "current") == len(d["plans"])
assert [r for r in rows if r["role"] == "recommended"][0]["plan"] == d["recommended"]["plan"]
PY

# one stage = advise (the platform's own GPU type)
"$FORKCAST" plan data/scenarios/overlay-e7.json --p95-target none --json >"$tmp/o.json"
"$FORKCAST" model data/scenarios/overlay-e7.json --json >"$tmp/m.json"
python3 - "$tmp/o.json" "$tmp/m.json" <<'PY' && ok "plan overlay-e7 == model/advise per GPU count" || bad "plan vs advise"
import json, subprocess, sys
p, m = (json.load(open(f)) for f in sys.argv[1:3])
best = p["recommended"]
k = best["groups"][0]["gpus"]
r = [x for x in m["results"] if x["gpus"] == k][0]
for a, b in ((best["wall_s"]["mean"], r["wall_s"]["mean"]), (best["wall_s"]["p95"], r["wall_s"]["p95"]),
             (best["cost_usd"]["mean"], r["cost_usd"]["mean"])):
    assert abs(a - b) <= 1e-9 * abs(b), (a, b)
assert k == 1 and best["groups"][0]["gpu"] == "T4"
PY
"$FORKCAST" plan >"$tmp/d.txt" && grep -q '^RUN overlay-e7 on 1 x T4' "$tmp/d.txt" && ok "plan with no FILE: the built-in scenario" \
  || bad "plan default: $(cat "$tmp/d.txt")"

# --verify: every Pareto plan and the current one within 4 standard errors
"$FORKCAST" plan "$seed" --verify --replications 4000 --json >"$tmp/v.json"
python3 - "$tmp/v.json" <<'PY' && ok "plan --verify: model vs simulation within 4 se" || bad "plan --verify"
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["plans"] + [d["current"]]:
    z = p["sim"]["z"]
    assert p["sim"]["replications"] == 4000
    assert all(abs(z[k]) < 4 for k in ("wall_mean", "wall_p95", "cost_mean")), (p["plan"], z)
PY
"$FORKCAST" plan "$seed" --verify --replications 2000 >"$tmp/v.txt" && grep -q '^verify: Monte Carlo, 2000 replications' "$tmp/v.txt" \
  && ok "plan --verify text table" || bad "plan --verify text"

# a per-stage profile: overlay's figure on L4 from a calibration profile, with its provenance
printf '{"stage":{"per_frame_s":0.004},"calibration":{"mode":"pipeline","device":"NVIDIA L4"}}\n' >"$tmp/prof.json"
"$FORKCAST" plan "$seed" --with "overlay@L4=$tmp/prof.json" --json >"$tmp/w.json"
python3 - "$tmp/w.json" <<'PY' && ok "--with STAGE@GPU=PROFILE: figure and provenance" || bad "--with STAGE@GPU"
import json, sys
d = json.load(open(sys.argv[1]))
o = [s for s in d["stages"] if s["name"] == "overlay"][0]
assert o["per_frame_s"]["L4"] == 0.004 and o["source"]["L4"].startswith("calibrate pipeline on NVIDIA L4")
PY

# a target no plan meets: an answer (exit 0) with the closest plans
"$FORKCAST" plan "$seed" --p95-target 5 >"$tmp/u.txt" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q '^no plan meets p95 <= 5 s: closest framing: 4 x H100' "$tmp/u.txt" \
  && ok "unmet target: exit 0, no plan meets, the closest" || bad "unmet target (rc=$rc) $(cat "$tmp/u.txt" "$tmp/err")"

# bad input: one line, exit 2
cp "$seed" "$tmp/s.json"
mk() { python3 - "$seed" "$tmp/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))
PY
}
mk stage 'd["pipeline"]["current"][1]["stages"] = ["overlya"]'
expect_usage_error "unknown stage in current" "pipeline.current[1].stages[0]: unknown stage 'overlya' (did you mean 'overlay'?)" plan "$tmp/stage.json"
mk price 'd["plan"]["gpu_types"].append("X100")'
expect_usage_error "GPU type with no price" "plan.gpu_types[3]: no price for GPU type 'X100'" plan "$tmp/price.json"
expect_usage_error "no figure on any considered type" "stage 'framing' has no figure for any GPU type considered (L4)" plan "$seed" --gpu-types L4
mk cap 'd["platform"]["max_containers"] = 4'
expect_usage_error "empty search space" "empty search space" plan "$tmp/cap.json" --gpus 8,16
expect_usage_error "--gpu-types unpriced" "--gpu-types: no price for GPU type 'Q1'" plan "$seed" --gpu-types T4,Q1
expect_usage_error "bad --objective" "--objective: must be cost, speed or balanced[:W]" plan "$seed" --objective fast
expect_usage_error "bad balanced weight" "--objective balanced:W: must be between 0 and 1" plan "$seed" --objective balanced:2
expect_usage_error "bad --p95-target" "--p95-target: expected a finite number" plan "$seed" --p95-target soon
expect_usage_error "unknown option" "plan: unknown option '--fast'" plan "$seed" --fast
expect_usage_error "missing value" "--gpus: missing value" plan "$seed" --gpus
expect_usage_error "--json --csv" "--json and --csv exclude each other" plan "$seed" --json --csv
expect_usage_error "--verify --csv" "--verify and --csv exclude each other" plan "$seed" --verify --csv
expect_usage_error "unknown stage profile" "--with mixing=" plan "$seed" --with "mixing=$tmp/prof.json"
mk field 'd["plan"]["objectve"] = "cost"'
expect_usage_error "unknown plan field" "plan.objectve: unknown field (did you mean 'objective'?)" plan "$tmp/field.json"

# charts and the report's Plan section
if command -v gnuplot >/dev/null; then
  "$FORKCAST" plot pareto "$seed" -o "$tmp/pareto.png" && "$FORKCAST" plot pareto "$seed" -o "$tmp/pareto.svg" \
    && "$FORKCAST" plot plan-gantt "$seed" -o "$tmp/pg.png" && [ -s "$tmp/pareto.png" ] && [ -s "$tmp/pareto.svg" ] \
    && [ -s "$tmp/pg.png" ] && ok "plot pareto (png, svg) and plan-gantt" || bad "plot pareto / plan-gantt"
  python3 - "$tmp/pareto.csv" "$tmp/p.json" "$tmp/pg.csv" <<'PY' && ok "pareto and plan-gantt CSVs" || bad "pareto CSV"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
ser = [r["series"] for r in rows]
assert ser.count("candidate") == d["candidates"] and ser.count("front") == len(d["plans"])
rec = [r for r in rows if r["series"] == "recommended"][0]
assert rec["label"] == "recommended: " + d["recommended"]["plan"]
assert abs(float(rec["cost_usd"]) - d["recommended"]["cost_usd"]["mean"]) < 1e-9
g = list(csv.DictReader(open(sys.argv[3])))
assert set(r["lane"] for r in g) == {"0", "1"} and any(r["phase"] == "concat" for r in g)
PY
  "$FORKCAST" report "$seed" -o "$tmp/rep" >/dev/null 2>&1 && grep -q '^## Plan' "$tmp/rep/report.md" \
    && grep -q '^\*\*FUSE overlay into framing' "$tmp/rep/report.md" && [ -s "$tmp/rep/pareto.png" ] \
    && [ -s "$tmp/rep/plan-gantt.png" ] && grep -q 'id="plan"' "$tmp/rep/report.html" \
    && ok "report: a Plan section with both charts" || bad "report Plan section"
  "$FORKCAST" report data/scenarios/overlay-e7.json -o "$tmp/rep2" >/dev/null 2>&1 && ! grep -q '^## Plan' "$tmp/rep2/report.md" \
    && [ ! -e "$tmp/rep2/pareto.png" ] && ok "report without a pipeline: no Plan section" || bad "report without pipeline"
else
  echo "skip plot/report checks: gnuplot missing"
fi

"$FORKCAST" plan --help | grep -q '^Usage: forkcast plan' && ok "plan --help" || bad "plan --help"
exit $fail
