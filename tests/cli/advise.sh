#!/usr/bin/env bash
# tests/cli/advise.sh -- advise, model, example and calibrate fit end to end:
# golden outputs (relative tolerance 1e-6, regenerate with
# scripts/regen-golden.sh after a deliberate change), the E7 verdict, and
# every bad input -> one line, exit 2.
set -u
. "$(dirname "$0")/lib.sh"
g=tests/golden

"$FORKCAST" advise >"$tmp/a.txt" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q '^NOT BENEFICIAL: 2 GPUs' "$tmp/a.txt" && grep -q '^break-even: 2 GPUs from' "$tmp/a.txt" \
  && ok "advise: default prints the E7 verdict" || bad "advise default (rc=$rc) $(cat "$tmp/a.txt" "$tmp/err")"

"$FORKCAST" advise --json --no-sim >"$tmp/a.json" 2>/dev/null || "$FORKCAST" advise --json >"$tmp/a.json"
json_close "$tmp/a.json" $g/advise_default.json 1e-6 && ok "advise --json matches golden" || bad "advise --json golden"

"$FORKCAST" model data/scenarios/overlay-e7.json --json >"$tmp/m.json"
json_close "$tmp/m.json" $g/advise_default.json 1e-6 && ok "model FILE == advise default" || bad "model FILE vs advise"

"$FORKCAST" model --json >"$tmp/m0.json" 2>"$tmp/err" && [ ! -s "$tmp/err" ] \
  && json_close "$tmp/m0.json" $g/advise_default.json 1e-6 && ok "model without FILE == the built-in overlay-e7" \
  || bad "model without FILE $(cat "$tmp/err")"

"$FORKCAST" model data/scenarios/framing-t50.json --json >"$tmp/t.json"
json_close "$tmp/t.json" $g/model_t50.json 1e-6 && ok "model framing-t50 matches golden" || bad "model t50 golden"
python3 -c "import json,sys; d=json.load(open('$tmp/t.json')); assert d['verdict']['parallelize'] and d['verdict']['best_gpus']==4" \
  && ok "framing-t50: parallelize on 4 GPUs" || bad "framing-t50 verdict"

"$FORKCAST" advise --frames 100000 --gpus 1,4 --json >"$tmp/o.json"
python3 - "$tmp/o.json" <<'PY' && ok "overrides: --frames --gpus" || bad "overrides"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["frames"] == 100000 and [r["gpus"] for r in d["results"]] == [1, 4]
assert d["results"][1]["speedup"] > 3
PY
# --csv carries every column the table shows (sim p95 included, same
# replications), no placeholder zeros: the closed form has no standard error.
"$FORKCAST" advise >"$tmp/t.txt" 2>/dev/null && "$FORKCAST" advise --csv >"$tmp/a.csv" 2>/dev/null \
  && "$FORKCAST" advise --csv --no-sim >"$tmp/n.csv" 2>/dev/null && python3 - "$tmp/t.txt" "$tmp/a.csv" "$tmp/n.csv" <<'PY' \
  && ok "advise --csv: the table's columns (sim p95, 2000 replications), empty wall_stderr_s" || bad "advise --csv columns"
import csv, json, re, sys
table = [l.split() for l in open(sys.argv[1]) if re.match(r"^ +\d+  ", l)]
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == len(table) == 4, (len(rows), len(table))
for t, r in zip(table, rows):
    # GPUs, wall mean, wall p95, sim p95, cost mean, speedup, cost change, beneficial
    assert int(t[0]) == int(r["gpus"])
    assert t[1] == "%.1f" % float(r["wall_mean_s"]) and t[3] == "%.1f" % float(r["wall_p95_s"]), (t, r)
    assert t[5] == "%.1f" % float(r["sim_wall_p95_s"]), (t, r)
    assert t[7] == "$%.5f" % float(r["cost_mean_usd"]) and t[8] == "%.2fx" % float(r["speedup"]), (t, r)
    assert t[9] == "%+.1f%%" % ((float(r["cost_ratio"]) - 1) * 100), (t, r)
    assert r["sim_replications"] == "2000" and r["wall_stderr_s"] == "", r
for r in csv.DictReader(open(sys.argv[3])):
    assert r["sim_replications"] == "" and r["sim_wall_p95_s"] == "", r
PY

"$FORKCAST" advise --per-frame 0.68 --csv >"$tmp/o.csv"
head -1 "$tmp/o.csv" | grep -q '^scenario,method,frames,gpus,wall_mean_s' && [ "$(wc -l <"$tmp/o.csv")" -eq 5 ] \
  && ok "--per-frame with --csv" || bad "--csv"
"$FORKCAST" advise --objective value-of-time --usd-per-hour 100 --json >"$tmp/v.json"
python3 -c "import json; d=json.load(open('$tmp/v.json')); assert d['verdict']['objective']=='value-of-time'; assert 'objective_usd' in d['results'][0]" \
  && ok "value-of-time objective" || bad "value-of-time"

# example: validates, runs, and names every field (alternatives as _keys).
"$FORKCAST" example >"$tmp/ex.json" && "$FORKCAST" model "$tmp/ex.json" >/dev/null && ok "example validates and runs" \
  || bad "example validates"
"$FORKCAST" example --fields >"$tmp/fields"
python3 - "$tmp/ex.json" "$tmp/fields" <<'PY' && ok "example has every field" || bad "example completeness"
import json, sys
d = json.load(open(sys.argv[1]))
missing = []
for path in open(sys.argv[2]).read().split():
    node, parts = d, path.split(".")
    for i, p in enumerate(parts):
        if isinstance(node, dict) and p in node: node = node[p]
        elif isinstance(node, dict) and i == len(parts) - 1 and "_" + p in node: node = node["_" + p]
        else: missing.append(path); break
assert not missing, missing
PY

# calibrate fit: golden fit of E7, and the written scenario equals the shipped one.
"$FORKCAST" calibrate fit data/experiments/e7_overlay.json --json >"$tmp/fit.json" 2>/dev/null
json_close "$tmp/fit.json" $g/fit_e7.json 1e-5 && ok "calibrate fit E7 matches golden" || bad "fit golden"
"$FORKCAST" calibrate fit data/experiments/e7_overlay.json -o "$tmp/e7.json" >/dev/null
"$FORKCAST" model "$tmp/e7.json" --json >"$tmp/e7m.json"
json_close "$tmp/e7m.json" $g/advise_default.json 1e-5 && ok "fit output reproduces data/scenarios/overlay-e7.json" \
  || bad "fit output vs shipped scenario (run make scenarios)"

# every shipped scenario (defaults, bases, hypotheses' bases) validates and runs
for f in data/scenarios/*.json data/scenarios/base/*.json; do
  "$FORKCAST" model "$f" --no-break-even >/dev/null 2>"$tmp/err" && ok "runs: $f" || bad "$f: $(cat "$tmp/err")"
done

# bad input: one line, exit 2
echo '{"job":{"frames":300},"platform":{"cold_start_s":{"dist":"lognormal","median":20,"p95":10}}}' >"$tmp/bad1.json"
expect_usage_error "p95 <= median" "bad1.json: platform.cold_start_s.p95: must be greater than median (got 10 <= 20)" advise "$tmp/bad1.json"
echo '{"job":{"frames":300},"platfrom":{}}' >"$tmp/bad2.json"
expect_usage_error "unknown field, did you mean" "did you mean 'platform'" model "$tmp/bad2.json"
echo '{"job":{"frames":300}' >"$tmp/bad3.json"
expect_usage_error "invalid JSON" "bad3.json: invalid JSON" advise "$tmp/bad3.json"
expect_usage_error "missing file" "nope.json: cannot open" advise "$tmp/nope.json"
expect_usage_error "directory as file" "is a directory, not a regular file" advise "$tmp"
expect_usage_error "--frames 0" "--frames: must be between 1" advise --frames 0
expect_usage_error "--gpus 0" "--gpus: values must be between 1 and 4096" advise --gpus 1,0
expect_usage_error "--gpus junk" "--gpus: expected a comma-separated list" advise --gpus 1,x
expect_usage_error "--per-frame nan" "--per-frame: expected a finite number" advise --per-frame nan
expect_usage_error "value-of-time needs rate" "--usd-per-hour" advise --objective value-of-time
expect_usage_error "unknown option" "unknown option '--bogus'" advise --bogus
expect_usage_error "unknown subcommand" "unknown subcommand 'advice'" advice
echo '{"stage":{"per_frame":1}}' >"$tmp/prof.json"
expect_usage_error "bad --with profile names the profile" "prof.json: stage.per_frame: unknown field (did you mean 'per_frame_s'?)" \
  advise --with "$tmp/prof.json"
expect_usage_error "fit: missing experiments" "missing EXPERIMENTS.json" calibrate fit
expect_usage_error "fit: bad --free" "--free: expected FIELD=INIT" calibrate fit data/experiments/e7_overlay.json --free junk

for c in advise model example sweep sim capacity calibrate plot report; do
  if "$FORKCAST" --help | grep -q "^  $c "; then
    "$FORKCAST" $c --help >"$tmp/h" 2>&1 && grep -q '^Usage: forkcast' "$tmp/h" && ok "$c --help" || bad "$c --help"
  fi
done
exit $fail
