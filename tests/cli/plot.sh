#!/usr/bin/env bash
# tests/cli/plot.sh -- `forkcast plot` end to end with the real gnuplot: every
# kind writes a valid PNG (signature, 1200x800, non-trivial size) and a valid
# SVG (parses as XML, the expected number of data series), the CSV beside it
# agrees with `forkcast model`/`advise`, the scripts are found through
# FORKCAST_DATA and EXE/../share/forkcast, and every failure is one line,
# the right exit status and no file left behind.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-plot-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
py=/usr/bin/python3

if ! command -v gnuplot >/dev/null; then
  echo "FAIL gnuplot not installed (make deps)"; exit 1
fi

# Small inputs for the CSV-fed charts.
cat >"$tmp/trace.csv" <<'EOF'
k,container,chunk,phase,start_s,end_s
1,0,0,start,0,30.5
1,0,0,request,30.5,30.65
1,0,0,download,30.65,30.85
1,0,0,ffmpeg_start,30.85,32.35
1,0,0,process,32.35,39.85
1,0,0,upload,39.85,40.05
2,0,0,start,0,28
2,0,0,process,28,31.75
2,1,1,start,0,35
2,1,1,seek,35,36
2,1,1,process,36,39.75
2,-1,-1,concat,39.75,41.25
EOF
"$py" - "$tmp/walls.csv" <<'EOF'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("k,wall_s\n")
    for k in (1, 2, 4):
        for _ in range(500):
            f.write("%d,%.4f\n" % (k, max(random.lognormvariate(3.5, 0.2) for _ in range(k)) + 8 / k))
EOF
cat >"$tmp/series.csv" <<'EOF'
t_s,busy,idle,queue,p50_s,p95_s,p99_s
0,1,2,0,44,50,55
600,3,1,0,45,52,58
1200,5,0,2,60,75,80
1800,2,2,0,,,
2400,1,3,0,43,49,51
EOF

# draw KIND EXT EXPECTED_SERIES ARGS...
draw() {
  local kind=$1 ext=$2 want=$3; shift 3
  local out="$tmp/$kind.$ext"
  "$FORKCAST" plot "$kind" "$@" -o "$out" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -ne 0 ] || [ -s "$tmp/err" ] || [ ! -s "$out" ] || [ ! -s "$tmp/$kind.csv" ]; then
    bad "$kind.$ext: rc=$rc $(cat "$tmp/err")"; return
  fi
  # the paths written, on stdout as report prints its own: the image, then the CSV
  [ "$(cat "$tmp/out")" = "$(printf '%s\n%s' "$out" "$tmp/$kind.csv")" ] \
    || bad "$kind.$ext: stdout is not the two paths: $(cat "$tmp/out")"
  "$py" - "$out" "$ext" "$want" <<'EOF' && ok "$kind.$ext: valid, 1200x800, $want data series" || bad "$kind.$ext"
import struct, sys, xml.etree.ElementTree as ET
path, ext, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
if ext == "png":
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    assert data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (1200, 800), (w, h)
    assert len(data) > 20000, "suspiciously small: %d bytes" % len(data)
else:
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == "0 0 1200 800", root.get("viewBox")
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")
           if (g.get("id") or "").startswith("gnuplot_plot_")}
    assert len(ids) == want, "%d series, expected %d: %s" % (len(ids), want, sorted(ids))
EOF
}

for ext in png svg; do
  # speedup: beneficial band, speedup, cost ratio, two threshold swatches, the threshold line
  draw speedup "$ext" 6
  # frames: (4 GPU counts + break-even points) x 2 panels + the job's line in the key
  draw frames "$ext" 11 --frames 100..100000 --points 12
  # map: cells, grey, 4 GPU swatches, break-even, leader lines, 2 layers each of
  # the experiment and the job markers, labels
  draw map "$ext" 13 --points 12
  # gantt: bars + 8 phase swatches
  draw gantt "$ext" 9 --input "$tmp/trace.csv"
  # cdf: 3 GPU counts + p95 drops + p95 points + the p95 key entry
  draw cdf "$ext" 6 --input "$tmp/walls.csv"
  # breakdown: 8 phases + totals
  draw breakdown "$ext" 9
  # capacity: the p50-p95 band, p99, the run's p95 (none here) + live band, idle, busy, queue mean and max
  draw capacity "$ext" 8 --input "$tmp/series.csv"
done
# capacity from the scenario's workload (sim/capacity): the latency band per window, the run's
# p50/p95/p99, the pool aggregated to the documented step
cat >"$tmp/stream.json" <<'EOF'
{"name": "stream", "job": {"frames": {"dist": "lognormal", "median": 300, "p95": 3000}, "input_mb": 10, "output_mb": 10},
 "stage": {"per_frame_s": 0.025, "ffmpeg_start_s": 1.5, "seek_s": 1},
 "platform": {"cold_start_s": {"dist": "lognormal", "median": 33.3, "p95": 47.7}, "warm_start_s": 1,
              "gpu_per_s": 0.000164, "max_containers": 6, "scaledown_window_s": 60},
 "parallel": {"gpus": [1, 2, 4], "policy": "auto"}, "workload": {"rate_per_hour": 90, "hours": 2}}
EOF
cp "$tmp/capacity.csv" "$tmp/capacity-input.csv"
draw capacity png 8 "$tmp/stream.json"
"$FORKCAST" capacity "$tmp/stream.json" --json >"$tmp/stream-run.json" 2>/dev/null
"$FORKCAST" capacity "$tmp/stream.json" --series "$tmp/stream-series.csv" --series-step 3 >/dev/null 2>&1
"$py" - "$tmp/capacity.csv" "$tmp/stream-series.csv" "$tmp/stream-run.json" <<'EOF' && ok "capacity chart of a workload: rows at the documented step, each the mean of forkcast capacity --series at step/10; latency band columns" || bad "capacity run CSV"
import csv, json, math, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
run = json.load(open(sys.argv[3]))
# The rule (docs/plots.md): the smallest listed step with D / step < 250.
steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 345600, 604800]
D = run["window_s"]["end"]
step = next(s for s in steps if D / s < 250)
assert step == 30, step
pool = [r for r in a if r["series"] == "pool"]
lat = [r for r in a if r["series"] == "latency"]
assert len(pool) == math.floor(D / step) + 1, (len(pool), D, step)
for i, r in enumerate(pool):
    samples = [x for x in b if math.floor(float(x["t_s"]) / step + 1e-9) == i]
    assert len(samples) == 10 or i == len(pool) - 1, (i, len(samples))
    for col in ("busy", "idle", "queue"):
        want = sum(float(x[col]) for x in samples) / len(samples)
        assert abs(float(r[col]) - want) < 1e-5, (i, col, r[col], want)
    live = [int(x["busy"]) + int(x["idle"]) for x in samples]
    assert float(r["live_min"]) == min(live) and float(r["live_max"]) == max(live) <= 6
assert 5 <= len(lat) <= 60 and all(float(r["p95_s"]) >= float(r["latency_mean_s"]) > 0 for r in lat), lat[:2]
assert all(0 < float(r["p50_s"]) <= float(r["p95_s"]) <= float(r["p99_s"]) for r in lat), lat[:2]
assert sum(int(r["jobs"]) for r in lat) == run["served"], (sum(int(r["jobs"]) for r in lat), run["served"])
EOF
cp "$tmp/capacity-input.csv" "$tmp/capacity.csv"

# The CSVs against the model's own output.
"$FORKCAST" model data/scenarios/overlay-e7.json --json >"$tmp/model.json" 2>/dev/null
"$FORKCAST" advise --json >"$tmp/advise.json" 2>/dev/null
"$FORKCAST" advise --per-frame 0.68 --no-break-even --json >"$tmp/t50.json" 2>/dev/null
"$FORKCAST" plot frames -o "$tmp/frames-all.png" 2>/dev/null
"$FORKCAST" plot map -o "$tmp/map-all.png" --points 12 2>/dev/null
"$py" - "$tmp" <<'EOF' && ok "CSVs agree with forkcast model/advise (speedup, breakdown, break-even, map markers) and with the inputs" || bad "CSV check"
import csv, json, sys
d = sys.argv[1]
rows = lambda name: list(csv.DictReader(open(f"{d}/{name}.csv")))
close = lambda a, b, rel=1e-6: abs(a - b) <= rel * abs(b) + 1e-15
model = json.load(open(f"{d}/model.json"))
sp = {int(r["gpus"]): r for r in rows("speedup")}
for r in model["results"]:
    s = sp[r["gpus"]]
    assert close(float(s["speedup"]), r["speedup"]), (s, r["speedup"])
    assert close(float(s["cost_ratio"]), r["cost_ratio"])
    assert close(float(s["wall_mean_s"]), r["wall_s"]["mean"])
    assert int(s["beneficial"]) == int(r["beneficial"])
bd = {int(r["gpus"]): r for r in rows("breakdown")}
for r in model["results"]:
    for ph, v in r["breakdown_s"].items():
        assert close(float(bd[r["gpus"]][ph]), v, 1e-6), (ph, bd[r["gpus"]][ph], v)
adv = json.load(open(f"{d}/advise.json"))
be = {int(r["gpus"]): int(r["frames"]) for r in rows("frames-all") if r["series"] == "break_even"}
want = {int(k): v for k, v in adv["break_even_frames"].items() if v is not None}
assert be == want, (be, want)
marks = {r["label"].split(" measured")[0]: r for r in rows("map-all") if r["series"] == "experiment"}
assert int(marks["E7"]["best_gpus"]) == 1, marks["E7"]
t50 = json.load(open(f"{d}/t50.json"))
assert t50["verdict"]["parallelize"] and int(marks["T50"]["best_gpus"]) == t50["verdict"]["best_gpus"] > 1
best = [r for r in t50["results"] if r["gpus"] == t50["verdict"]["best_gpus"]][0]
assert close(float(marks["T50"]["speedup"]), best["speedup"], 1e-6)
# the experiments as measured (data/experiments), the model's verdict a projection
t50f = json.load(open("data/experiments/t50_framing.json"))
o = [x for x in t50f["observations"] if x["gpus"] > 1][0]
assert marks["T50"]["label"] == "T50 measured: %.2fx on %d warm GPUs (cost %.2fx)" % (o["speedup"], o["gpus"], o["cost_ratio"]), marks["T50"]
assert marks["T50"]["note"] == "projected on overlay-e7: %d GPUs %.2fx faster (cost %.2fx)" % (best["gpus"], best["speedup"], best["cost_ratio"])
svg = open(f"{d}/map.svg").read()
assert "T50 measured: 3.56x on 4 warm GPUs" in svg and "projected on overlay-e7: not beneficial" in svg
# cdf: p95 by linear interpolation between order statistics (GSL's rule)
walls = {}
for r in csv.DictReader(open(f"{d}/walls.csv")):
    walls.setdefault(int(r["k"]), []).append(float(r["wall_s"]))
for r in rows("cdf"):
    if r["series"] == "p95":
        x = sorted(walls[int(r["gpus"])]); h = (len(x) - 1) * 0.95; i = int(h)
        assert abs(float(r["wall_s"]) - (x[i] + (h - i) * (x[i + 1] - x[i]))) < 1e-3
g = rows("gantt")
assert len(g) == 12 and {int(r["row"]) for r in g} == {0, 2, 3, 4}
cap = rows("capacity")
assert [r["busy"] for r in cap if r["series"] == "pool"] == ["1", "3", "5", "2", "1"]  # 600 s apart: no aggregation
assert [r["p50_s"] for r in cap if r["series"] == "latency"] == ["44", "45", "60", "43"]  # the empty window left out
EOF

# gantt and cdf from the simulator itself: replication 0's trace and the
# replications' wall times, the same as `forkcast sim` prints.
draw gantt svg 9
draw cdf svg 7 --replications 3000
"$FORKCAST" sim data/scenarios/overlay-e7.json --replications 3000 --json >"$tmp/sim.json" 2>/dev/null
"$FORKCAST" sim data/scenarios/overlay-e7.json --replications 1 --trace "$tmp/simtrace.csv" >/dev/null 2>&1
"$py" - "$tmp" <<'EOF' && ok "gantt is forkcast sim --trace; cdf p95 is forkcast sim's p95 (3000 replications)" || bad "sim charts vs forkcast sim"
import csv, json, sys
d = sys.argv[1]
sim = {r["gpus"]: r["wall_s"] for r in json.load(open(f"{d}/sim.json"))["results"]}
p95 = {int(r["gpus"]): float(r["wall_s"]) for r in csv.DictReader(open(f"{d}/cdf.csv")) if r["series"] == "p95"}
assert set(p95) == set(sim) == {1, 2, 4, 8}
for k in sim:
    assert abs(p95[k] - sim[k]["p95"]) <= 1e-6 * sim[k]["p95"], (k, p95[k], sim[k]["p95"])
key = lambda r: (int(r["k"]), int(r["container"]), int(r["chunk"]), r["phase"], round(float(r["start_s"]), 6), round(float(r["end_s"]), 6))
g = sorted(key(r) for r in csv.DictReader(open(f"{d}/gantt.csv")))
t = sorted(key(r) for r in csv.DictReader(open(f"{d}/simtrace.csv")))
assert g == t and len(g) > 40, (len(g), len(t))
EOF

# expect NAME STATUS ARGS... : exit STATUS, one "forkcast: " line, nothing left in $tmp/e
expect() {
  local name=$1 want=$2; shift 2
  rm -rf "$tmp/e"; mkdir "$tmp/e"
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" \
     && [ -z "$(ls -A "$tmp/e")" ]; then ok "$name: exit $want, one line: $(cat "$tmp/err")"
  else bad "$name (rc=$rc, stderr: $(cat "$tmp/err"), left: $(ls -A "$tmp/e"))"; fi
}
bin=$FORKCAST
expect "gnuplot missing" 1 env PATH=/nonexistent "$bin" plot speedup -o "$tmp/e/s.png"
expect "gnuplot missing (svg)" 1 env PATH=/nonexistent "$bin" plot map --points 4 -o "$tmp/e/m.svg"
touch "$tmp/e-file"
expect "output under a regular file" 1 "$bin" plot speedup -o "$tmp/e-file/s.png"
expect "output directory missing" 1 "$bin" plot speedup -o "$tmp/e/nodir/s.png"
expect "unknown kind" 2 "$bin" plot pie -o "$tmp/e/s.png"
expect "bad extension" 2 "$bin" plot speedup -o "$tmp/e/s.jpg"
expect "missing -o" 2 "$bin" plot speedup
expect "missing kind" 2 "$bin" plot -o "$tmp/e/s.png"
expect "capacity without --input or workload" 2 "$bin" plot capacity -o "$tmp/e/c.png"
printf 'k,wall_s\n1,abc\n' >"$tmp/bad.csv"
expect "bad input CSV" 2 "$bin" plot cdf --input "$tmp/bad.csv" -o "$tmp/e/c.png"
expect "bad range" 2 "$bin" plot map --frames 100..10 -o "$tmp/e/m.png"
expect "bad scenario" 2 "$bin" plot speedup "$tmp/bad.csv" -o "$tmp/e/s.png"
expect "--points 1" 2 "$bin" plot map --points 1 -o "$tmp/e/m.png"
# A gnuplot script that fails: exit 1, nothing left (FORKCAST_DATA is used).
mkdir -p "$tmp/data/plots"
cp plots/*.gp "$tmp/data/plots/"
echo 'plot this is not gnuplot' >>"$tmp/data/plots/speedup.gp"
expect "gnuplot fails (FORKCAST_DATA scripts)" 1 env FORKCAST_DATA="$tmp/data" "$bin" plot speedup -o "$tmp/e/s.png"
grep -q "$tmp/data/plots/speedup.gp" "$tmp/err" && ok "FORKCAST_DATA scripts used" || bad "FORKCAST_DATA not used: $(cat "$tmp/err")"

# Installed layout: PREFIX/bin/forkcast finds PREFIX/share/forkcast/plots.
mkdir -p "$tmp/inst/bin" "$tmp/inst/share/forkcast/plots"
cp "$bin" "$tmp/inst/bin/forkcast"
cp plots/*.gp "$tmp/inst/share/forkcast/plots/"
"$tmp/inst/bin/forkcast" plot breakdown -o "$tmp/inst.png" 2>"$tmp/err" && [ -s "$tmp/inst.png" ] \
  && ok "installed layout: scripts from ../share/forkcast" || bad "installed layout: $(cat "$tmp/err")"
echo 'plot this is not gnuplot' >>"$tmp/inst/share/forkcast/plots/breakdown.gp"
"$tmp/inst/bin/forkcast" plot breakdown -o "$tmp/inst2.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "$tmp/inst/bin/../share/forkcast/plots/breakdown.gp" "$tmp/err" && [ ! -e "$tmp/inst2.png" ] \
  && ok "installed layout is preferred to the source tree" || bad "installed layout not used: $(cat "$tmp/err")"

"$FORKCAST" plot --help >"$tmp/out" 2>&1 && grep -q '^Usage: forkcast plot KIND' "$tmp/out" && grep -q capacity "$tmp/out" \
  && ok "--help" || bad "--help"
[ -z "$(ls "$tmp" | grep '\.tmp\.')" ] && ok "no temporary files left" || bad "temporary files left: $(ls "$tmp" | grep '\.tmp\.')"
exit $fail
