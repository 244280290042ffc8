#!/usr/bin/env bash
# tests/cli/report.sh -- `forkcast report`: the verdict comes first and is
# advise's, the table is advise's, every chart is linked (Markdown) and
# inlined (HTML, valid PNGs), the HTML needs nothing outside itself, every
# number names its source, and failures leave no report.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-report-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
py=/usr/bin/python3

cat >"$tmp/trace.csv" <<'EOF'
k,container,chunk,phase,start_s,end_s
1,0,0,start,0,30
1,0,0,process,30,37.5
2,0,0,start,0,28
2,0,0,process,28,31.75
2,1,1,start,0,35
2,1,1,seek,35,36
2,1,1,process,36,39.75
2,-1,-1,concat,39.75,41.25
EOF
printf 'k,wall_s\n1,40\n1,45\n1,50\n2,42\n2,47\n2,55\n' >"$tmp/walls.csv"
printf 't_s,busy,idle,queue,p50_s,p95_s,p99_s\n0,1,1,0,40,50,55\n60,2,0,1,45,55,60\n' >"$tmp/series.csv"
# A calibration profile (as `forkcast calibrate command` writes): stage.per_frame_s measured.
cat >"$tmp/prof.json" <<'EOF'
{"stage": {"per_frame_s": 0.03}, "fit": {"per_frame_s": {"value": 0.03, "ci95": [0.028, 0.032]}}}
EOF

"$FORKCAST" report -o "$tmp/r" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && grep -q "$tmp/r/report.html" "$tmp/out" && ok "report -o DIR: exit 0, paths printed" \
  || bad "report: rc=$rc $(cat "$tmp/err")"
"$FORKCAST" advise >"$tmp/advise.txt" 2>/dev/null
# The report states the replications it simulated (advise's check, min(2000,
# sim.replications)) beside the scenario's sim.replications, and they agree
# with its method line; with sim.replications 500 it simulated 500.
grep -q '^| sim.replications | 10000; this report simulated 2000 (' "$tmp/r/report.md" \
  && grep -q 'sim p95: Monte Carlo, 2000 replications' "$tmp/r/report.md" \
  && ok "report: sim.replications 10000, simulated 2000, said both" || bad "report replications: $(grep -n replications "$tmp/r/report.md")"
python3 -c "import json; d=json.load(open('data/scenarios/overlay-e7.json')); d['sim']['replications']=500; json.dump(d, open('$tmp/r500.json','w'))"
"$FORKCAST" report "$tmp/r500.json" -o "$tmp/r500" >/dev/null 2>&1 \
  && grep -q '^| sim.replications | 500; this report simulated 500 (' "$tmp/r500/report.md" \
  && grep -q 'sim p95: Monte Carlo, 500 replications' "$tmp/r500/report.md" \
  && ok "report: sim.replications 500, simulated 500" || bad "report replications 500"
"$FORKCAST" report -o "$tmp/all" --trace "$tmp/trace.csv" --walls "$tmp/walls.csv" --series "$tmp/series.csv" \
  >/dev/null 2>"$tmp/err" || bad "report with every input: $(cat "$tmp/err")"

"$py" - "$tmp" <<'EOF' && ok "verdict first and equal to advise's, advise's table, 6 charts linked and inlined, no external resource" || bad "report content"
import base64, re, sys
d = sys.argv[1]
adv = open(f"{d}/advise.txt").read().splitlines()
verdict = [l for l in adv if l.startswith(("BENEFICIAL", "NOT BENEFICIAL"))][0]
rows = [l.split() for l in adv if re.match(r"^\s+\d+\s+\d", l)]
assert len(rows) == 4 and all(len(r) == 11 for r in rows), rows  # GPUs, wall, p95, sim p95, cost, ...
for fmt in ("md", "html"):
    text = open(f"{d}/r/report.{fmt}").read()
    assert verdict in text, (fmt, verdict)
    table = text.index("Predictions per GPU count")
    assert text.index(verdict) < table, "verdict after the table"
    for r in rows:  # GPUs, wall mean, wall p95, cost: the same numbers as advise
        gpus, wall, p95, simp95, cost = r[0], r[1], r[3], r[5], r[7]
        if fmt == "md":
            assert f"| {gpus} | {wall} s | {p95} s | {simp95} s | {cost} |" in text, (r, fmt)
        else:
            assert (f'<td class="r">{gpus}</td><td class="r">{wall} s</td><td class="r">{p95} s</td>'
                    f'<td class="r">{simp95} s</td><td class="r">{cost}</td>') in text, r
    assert text.index("Charts") > table
md = open(f"{d}/r/report.md").read()
for k in ("map", "speedup", "frames", "breakdown", "gantt", "cdf"):
    assert f"]({k}.png)" in md and f"]({k}.csv)" in md, k
assert "## Capacity" not in md and "capacity.png" not in md  # the default has no workload: no Capacity section
html = open(f"{d}/r/report.html").read()
assert not re.search(r"https?://", html), "external URL in the HTML"
srcs = re.findall(r'src\s*=\s*"([^"]*)"', html)
assert len(srcs) == 6 and all(s.startswith("data:image/png;base64,") for s in srcs)
files = {open(f"{d}/r/{k}.png", "rb").read() for k in ("map", "speedup", "frames", "breakdown", "gantt", "cdf")}
for s in srcs:
    png = base64.b64decode(s.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000
    assert png in files, "an inlined chart differs from its PNG file"
assert not re.search(r"<(link|script|iframe|object|embed)\b", html, re.I)
assert "@import" not in html and "url(" not in html
# assumptions: the fitted cold start and its source
assert "fitted to data/experiments/e7_overlay.json" in html
assert "platform.cold_start_s" in html and "95% CI" in html
# every chart with every input
allhtml = open(f"{d}/all/report.html").read()
assert allhtml.count("data:image/png;base64,") == 7
allmd = open(f"{d}/all/report.md").read()
# --series without a workload: a Capacity section with the chart, the figures need a workload
assert "## Capacity" in allmd and "need the scenario's workload section" in allmd and "p95 latency |" not in allmd
for k in ("map", "speedup", "frames", "breakdown", "gantt", "cdf", "capacity"):
    assert f"]({k}.png)" in allmd
EOF
for k in map speedup frames breakdown gantt cdf; do [ -s "$tmp/r/$k.png" ] && [ -s "$tmp/r/$k.csv" ] || bad "missing $k.png/csv"; done

"$FORKCAST" report data/scenarios/framing-t50.json --with "$tmp/prof.json" --frames 1200 -o "$tmp/t" >/dev/null 2>"$tmp/err" \
  || bad "T50 report: $(cat "$tmp/err")"
"$py" - "$tmp/t/report.md" "$tmp/prof.json" <<'EOF' && ok "sources: calibrated profile, command line, fitted, given" || bad "sources"
import sys
md = open(sys.argv[1]).read()
row = lambda f: [l for l in md.splitlines() if l.startswith("| " + f.replace("_", "\\_") + " |")][0]
assert "calibrated: " + sys.argv[2] in row("stage.per_frame_s") and "| 0.03 |" in row("stage.per_frame_s")
assert "given on the command line" in row("job.frames") and "| 1200 |" in row("job.frames")
assert "fitted to data/experiments/t50\\_framing.json" in row("platform.warm_start_s")
assert "given: data/scenarios/framing-t50.json" in row("platform.gpu_per_s")
assert md.index("BENEFICIAL") < md.index("## Predictions")
assert "## Capacity" not in md  # framing-t50 has no workload
EOF

# A scenario with a workload: the capacity chart runs it.
cat >"$tmp/stream.json" <<'EOF'
{"name": "stream", "job": {"frames": 300}, "stage": {"per_frame_s": 0.025},
 "platform": {"cold_start_s": {"dist": "lognormal", "median": 33.3, "p95": 47.7}, "warm_start_s": 1,
              "gpu_per_s": 0.000164, "max_containers": 4, "scaledown_window_s": 60},
 "workload": {"rate_per_hour": 60, "hours": 1}}
EOF
"$FORKCAST" report "$tmp/stream.json" -o "$tmp/w" >/dev/null 2>"$tmp/err" && [ -s "$tmp/w/capacity.png" ] \
  && [ "$(grep -o 'data:image/png;base64,' "$tmp/w/report.html" | wc -l)" -eq 7 ] \
  && ok "a workload scenario adds the capacity chart" || bad "workload report: $(cat "$tmp/err")"
"$FORKCAST" capacity "$tmp/stream.json" --json >"$tmp/w.json" 2>/dev/null
"$py" - "$tmp/w/report.md" "$tmp/w/report.html" "$tmp/w.json" <<'EOF' && ok "a workload: the Capacity section with forkcast capacity's p95 latency, cold-start fraction, utilization, cost per day" || bad "Capacity section"
import json, sys
md, html, run = open(sys.argv[1]).read(), open(sys.argv[2]).read(), json.load(open(sys.argv[3]))
assert md.count("## Capacity") == 1 and md.index("## Capacity") < md.index("## Charts")
sec = md[md.index("## Capacity"):md.index("## Charts")]
assert "| p95 latency | %.1f s |" % run["latency_s"]["p95"] in sec, sec
assert "| cold-start fraction | %.1f%% |" % (100 * run["cold_start_fraction"]) in sec
assert "| utilization | %.1f%% |" % (100 * run["utilization"]) in sec
assert "| cost per day | $%.2f |" % run["cost_per_day_usd"] in sec
assert "](capacity.png)" in sec and md.count("capacity.png") == 1
assert '<h2 id="capacity">Capacity</h2>' in html or ">Capacity</h2>" in html
EOF

expect() { # NAME STATUS ARGS... : status, one "forkcast: " line, no report written
  local name=$1 want=$2; shift 2
  rm -rf "$tmp/e"
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" \
     && [ ! -e "$tmp/e/report.md" ] && [ ! -e "$tmp/e/report.html" ] && [ -z "$(ls -A "$tmp/e" 2>/dev/null)" ]; then
    ok "$name: $(cat "$tmp/err")"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"))"; fi
}
expect "gnuplot missing" 1 env PATH=/nonexistent "$FORKCAST" report -o "$tmp/e"
touch "$tmp/file"
expect "DIR is a file" 1 "$FORKCAST" report -o "$tmp/file"
expect "DIR's parent missing" 1 "$FORKCAST" report -o "$tmp/e/deeper/still"
expect "missing -o" 2 "$FORKCAST" report
expect "unknown option" 2 "$FORKCAST" report -o "$tmp/e" --bogus
printf 'k,wall_s\n1,x\n' >"$tmp/bad.csv"
expect "bad --walls CSV" 2 "$FORKCAST" report -o "$tmp/e" --walls "$tmp/bad.csv"
"$FORKCAST" report --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast report' "$tmp/out" && ok "--help" || bad "--help"
exit $fail
