#!/usr/bin/env bash
# tests/cli/trust.sh -- no accepted input crashes, hangs or prints nonsense
# (issue 10): each reproducer of the issue, for model, advise, sim, capacity
# and report, gives the one-line input error naming the file and exit 2, or
# a finite result, within the documented time bound (docs/scenario.md,
# "Plausible domains"; every run here is under `timeout`). Also: FIFOs,
# devices and directories are refused without blocking, error lines stay
# one line whatever bytes went in, experiments files are validated like
# scenarios, and command-line values go through the scenario's bounds.
set -u
. "$(dirname "$0")/lib.sh"
e7=data/scenarios/overlay-e7.json
T=30   # seconds: far above any run here (docs/scenario.md states the bounds)

# variant OUT PYTHON: overlay-e7 changed by a Python statement on `s`.
variant() {
  python3 - "$e7" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s.pop('_fit', None)
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], 'w'), indent=1)
PY
}
variant "$tmp/wb005.json"  "s['platform']['cold_start_s'] = {'dist':'weibull','scale':30,'shape':0.005}"
variant "$tmp/wb003.json"  "s['platform']['cold_start_s'] = {'dist':'weibull','scale':30,'shape':0.003}"
variant "$tmp/gbig.json"   "s['platform']['cold_start_s'] = {'dist':'gamma','mean':1e300,'cv':1e10}"
variant "$tmp/gcv24.json"  "s['platform']['cold_start_s'] = {'dist':'gamma','mean':30,'cv':24}"
variant "$tmp/ln700.json"  "s['platform']['cold_start_s'] = {'dist':'lognormal','mu':700,'sigma':20}"
variant "$tmp/lnwide.json" "s['platform']['cold_start_s'] = {'dist':'lognormal','median':1e-300,'p95':1e300}"
variant "$tmp/pfln.json"   "s['stage']['per_frame_s'] = {'dist':'lognormal','mu':-3,'sigma':20}"
variant "$tmp/in80.json"   "s['job']['input_mb'] = 1e80; s['platform']['billing']['granularity_s'] = 1"
variant "$tmp/exp200.json" "s['platform']['cold_start_s'] = {'dist':'exponential','mean':1e200}"
# strict reading
head -c -1 "$e7" >"$tmp/trail.json"; printf '}\n x' >>"$tmp/trail.json"
{ cat "$e7"; echo '{"a": 1}'; } >"$tmp/second.json"
{ cat "$e7"; printf '\0'; } >"$tmp/nul.json"
printf '{"job":{"frames":300},"stage":{"seek_s":1},"job":{"frames":30}}' >"$tmp/dupjob.json"
printf '{"job":{"frames":300},"platform":{"cold_start_s":{"dist":"gamma","mean":3,"cv":1,"mean":4}}}' >"$tmp/dupdist.json"
printf '{"job":{"frames":300},"pla\\ntform":{}}' >"$tmp/nlkey.json"
mkfifo "$tmp/fifo.json"
mkdir "$tmp/dir.json"

# refuse NAME NEEDLE CMD ARGS...: exit 2, one stderr line "forkcast: " with
# NEEDLE, nothing on stdout, nothing left behind, within T seconds.
refuse() {
  local name=$1 needle=$2; shift 2
  rm -rf "$tmp/rep"
  timeout -k 5 $T "$FORKCAST" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" \
     && grep -qF -- "$needle" "$tmp/err" && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/rep" ]; then ok "$name"
  else bad "$name (rc=$rc, stderr: $(head -c 300 "$tmp/err" | tr '\n' '|'))"; fi
}

# Each reproducer through each command: the message names the file and the field.
c=platform.cold_start_s
for f in wb005:$c.shape wb003:$c.shape gbig:$c.cv gcv24:$c.cv ln700:$c.sigma lnwide:$c.median \
         pfln:stage.per_frame_s.sigma in80:job.input_mb exp200:"$c: mean must be at most 86400" \
         trail:"more content after the JSON value" second:"more content after" nul:"a NUL byte" \
         dupjob:"job: duplicate key" dupdist:"$c.mean: duplicate key" nlkey:'pla\ntform: unknown field' \
         fifo:"is a FIFO, not a regular file" dir:"is a directory, not a regular file"; do
  n=${f%%:*}; want="$tmp/$n.json: ${f#*:}"
  refuse "model $n"    "$want" model "$tmp/$n.json"
  refuse "advise $n"   "$want" advise "$tmp/$n.json"
  refuse "sim $n"      "$want" sim "$tmp/$n.json" --replications 1000
  refuse "capacity $n" "$want" capacity "$tmp/$n.json" --rate 60 --hours 1
  refuse "report $n"   "$want" report "$tmp/$n.json" -o "$tmp/rep"
done
# as a profile too: the message names the profile
for n in trail nul dupjob fifo dir; do
  refuse "advise --with $n" "$tmp/$n.json: " advise "$e7" --with "$tmp/$n.json"
  refuse "report --with $n" "$tmp/$n.json: " report "$e7" --with "$tmp/$n.json" -o "$tmp/rep"
done
refuse "model /dev/zero" "/dev/zero: is a character device" model /dev/zero
refuse "advise --with /dev/zero" "/dev/zero: is a character device" advise --with /dev/zero
refuse "sim --with a FIFO" "fifo.json: is a FIFO" sim "$e7" --with "$tmp/fifo.json"
# the one-line rule holds for a name full of control characters too
refuse "a file name with a newline and ESC" 'a\nb\x1b[0m.json: cannot open' model "$(printf 'a\nb\033[0m.json')"

# Command-line values go through the same bounds.
refuse "--per-frame above an hour" "--per-frame: stage.per_frame_s: mean must be at most 3600 s" \
  model "$e7" --per-frame 5000
refuse "--frames x per-frame beyond the job bound" "job.frames: 1000000000 frames at 3000 s per frame" \
  model "$e7" --frames 1000000000 --per-frame 3000
refuse "sweep corner beyond the job bound" "of processing on one GPU" \
  sweep "$e7" --frames 1..1000000000 --per-frame 0.01..10
refuse "sweep --per-frame above an hour" "--per-frame: stage.per_frame_s" \
  sweep "$e7" --frames 1..100 --per-frame 1..5000

# Inside the domain, at its edges: finite numbers, exit 0, in time. The
# heaviest tails the bounds allow in four phases at once, nine GPU counts.
variant "$tmp/edge.json" "
s['platform']['cold_start_s'] = {'dist':'lognormal','median':600,'p95':8300}
s['platform']['warm_start_s'] = {'dist':'gamma','mean':100,'cv':4}
s['platform']['request_s'] = {'dist':'lognormal','mu':3,'sigma':1.6}
s['stage']['ffmpeg_start_s'] = {'dist':'gamma','mean':1800,'cv':4}
s['stage']['seek_s'] = {'dist':'weibull','scale':130,'shape':0.3}
s['parallel']['gpus'] = [1, 2, 8, 64, 4096]"
variant "$tmp/edge2.json" "
s['platform']['cold_start_s'] = {'dist':'lognormal','median':600,'p95':8300}
s['stage']['ffmpeg_start_s'] = {'dist':'gamma','mean':1800,'cv':4}
s['parallel']['gpus'] = [1, 2, 8, 4096]"
variant "$tmp/bigjob.json" "
s['job']['frames'] = 1000000000
s['stage']['per_frame_s'] = {'dist':'gamma','mean':0.1,'cv':0.001}
s['platform']['billing']['granularity_s'] = 1"
# finite NAME CMD ARGS...: exit 0 within T, the JSON on stdout has only finite
# numbers (no null where a number belongs) and positive costs.
finite() {
  local name=$1; shift
  timeout -k 5 $T "$FORKCAST" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -eq 0 ] && python3 - "$tmp/out" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
def walk(x, path):
    if isinstance(x, dict):
        for k, v in x.items(): walk(v, path + '.' + k)
    elif isinstance(x, list):
        for i, v in enumerate(x): walk(v, f'{path}[{i}]')
    elif isinstance(x, bool) or isinstance(x, str):
        pass
    elif isinstance(x, (int, float)):
        assert math.isfinite(x), f'{path}: {x}'
        assert x >= 0 or path.endswith('error_pct'), f'{path}: negative {x}'
    elif x is None:  # documented nulls: none, unlimited, stable (docs/capacity.md)
        assert any(w in path for w in ('break_even', 'ci95', 'pool.max_queue', 'pool.queue_timeout_s',
                                       '$.stability', 'load.per_capacity')), f'{path}: null'
walk(d, '$')
for r in d.get('results', []):
    assert r['cost_usd']['mean'] > 0, f"gpus {r['gpus']}: cost {r['cost_usd']['mean']}"
PY
  then ok "$name: finite, exit 0"; else bad "$name (rc=$rc): $(head -c 300 "$tmp/err")"; fi
}
finite "model at the heaviest tails"  model "$tmp/edge.json" --json
finite "advise at the heaviest tails" advise "$tmp/edge2.json" --json
finite "sim at the heaviest tails"    sim "$tmp/edge.json" --json --replications 2000
finite "capacity at the heaviest tails" capacity "$tmp/edge.json" --rate 5 --hours 2 --json
finite "model, 10^9 frames of gamma cv 0.001" model "$tmp/bigjob.json" --json
finite "advise, 10^9 frames of gamma cv 0.001" advise "$tmp/bigjob.json" --json
# 10^9 frames of cv 0.001: E[wall] of k = 1 is 10^8 s plus the overheads'
# ~36 s (it was 143 s high when the integral started at 0)
"$FORKCAST" model "$tmp/bigjob.json" --json --gpus 1 --no-break-even >"$tmp/o.json" 2>/dev/null
python3 -c "
import json; r = json.load(open('$tmp/o.json'))['results'][0]
assert 30 < r['wall_s']['mean'] - 1e8 < 42, r['wall_s']['mean']" && ok "10^9 frames: E[wall] = 10^8 s + overheads" \
  || bad "10^9 frames: E[wall] $(cat "$tmp/o.json" | head -c 200)"
rm -rf "$tmp/rep"
if timeout -k 5 120 "$FORKCAST" report "$tmp/edge2.json" -o "$tmp/rep" >/dev/null 2>"$tmp/err" && [ -s "$tmp/rep/report.html" ]; then
  ok "report at the heaviest tails"
else bad "report at the heaviest tails: $(head -c 300 "$tmp/err")"; fi

# A calibrated command's stderr: its last line, escaped, on one line.
"$FORKCAST" calibrate command --frames 10,20 -- sh -c 'printf "first\nboom \033[31m\377\001\n" >&2; exit 3' {frames} \
  >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF 'exited with status 3: boom \x1b[31m\xff\x01' "$tmp/err" \
  && ok "calibrate command: binary stderr escaped, one line" || bad "calibrate command stderr (rc=$rc): $(cat -v "$tmp/err")"

# Experiments files: validated like scenarios.
exp=data/experiments/e7_overlay.json
xvariant() {
  python3 - "$exp" "$1" "$2" "$PWD" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); e['scenario'] = sys.argv[4] + '/data/scenarios/base/overlay-e7.json'
exec(sys.argv[3])
json.dump(e, open(sys.argv[2], 'w'))
PY
}
xvariant "$tmp/x1.json" "e['relative_sd']['wal_s'] = e['relative_sd'].pop('wall_s')"
refuse "experiments: a typo in relative_sd" "x1.json: relative_sd.wal_s: unknown field (did you mean 'wall_s'?)" \
  calibrate fit "$tmp/x1.json"
xvariant "$tmp/x2.json" "e['free'].append(dict(e['free'][0]))"
refuse "experiments: a parameter freed twice" "x2.json: free[2].field: 'platform.cold_start_s.median' is already free" \
  calibrate fit "$tmp/x2.json"
xvariant "$tmp/x3.json" "e['free'][0]['field'] = 'platform.cold_start_s.medain'"
refuse "experiments: a bad free path blames the experiments file" \
  "x3.json: free: platform.cold_start_s.medain: unknown field" calibrate fit "$tmp/x3.json"
xvariant "$tmp/x4.json" "e['known']['job.framez'] = 300"
refuse "experiments: a bad known path blames the experiments file" "x4.json: known: job.framez: unknown field" \
  calibrate fit "$tmp/x4.json"
xvariant "$tmp/x5.json" "e['obsrvations'] = e.pop('observations')"
refuse "experiments: a typo at the top" "x5.json: obsrvations: unknown field (did you mean 'observations'?)" \
  calibrate fit "$tmp/x5.json"
refuse "experiments: --free twice" "--free: platform.cold_start_s.median: given twice" \
  calibrate fit "$exp" --free platform.cold_start_s.median=20,platform.cold_start_s.median=30
{ cat "$exp"; echo '{}'; } >"$tmp/x6.json"
refuse "experiments: trailing content" "x6.json: more content after the JSON value" calibrate fit "$tmp/x6.json"
refuse "experiments: a FIFO" "fifo.json: is a FIFO" calibrate fit "$tmp/fifo.json"

# Pipelines and plans: the same domain for every stage figure, the handoff,
# prices and each GPU type's platform (plan and capacity).
pipe=data/scenarios/pipeline-t50-t51.json
pvariant() {
  python3 - "$pipe" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], 'w'))
PY
}
pvariant "$tmp/p1.json" "s['pipeline']['stages'][0]['per_frame_s']['T4'] = 1e200"
pvariant "$tmp/p2.json" "s['pipeline']['stages'][0]['per_frame_s']['H100'] = {'dist': 'gamma', 'mean': 1e6, 'cv': 1}"
pvariant "$tmp/p3.json" "s['pipeline']['handoff_mb'] = 1e200"
pvariant "$tmp/p4.json" "s['job']['input_mb'] = 1e6; s['plan']['gpu_types'] = [{'name': 'T4', 'download_mb_s': 0.001}, 'L4']"
pvariant "$tmp/p5.json" "s['job']['frames'] = 200000000; s['stage']['per_frame_s'] = 0.1"
printf '{"gpu_per_s": {"T4": 1e300}}' >"$tmp/prices.json"
pvariant "$tmp/p6.json" "s['plan']['prices'] = '$tmp/prices.json'"
printf '{"stage": {"per_frame_s": 1e9}}' >"$tmp/stage-huge.json"
for c in "p1:pipeline.stages[0].per_frame_s.T4: mean must be at most 3600 s" \
         "p2:pipeline.stages[0].per_frame_s.H100: mean must be at most 3600 s" \
         "p3:pipeline.handoff_mb: must be at most 1e+07" \
         "p4:plan.gpu_types[0] (T4): job.input_mb: 1e+06 MB at 0.001 MB/s" \
         "p5:pipeline.stages[0].per_frame_s.T4: 200000000 frames at 0.68 s per frame" \
         "p6:plan.prices: $tmp/prices.json: gpu_per_s.T4: must be 0 or 1e-12 to 1 USD per second"; do
  n=${c%%:*}
  refuse "plan $n" "$tmp/$n.json: ${c#*:}" plan "$tmp/$n.json"
  refuse "capacity $n" "$tmp/$n.json: ${c#*:}" capacity "$tmp/$n.json" --rate 60 --hours 1
done
refuse "plan --with STAGE=P beyond an hour a frame" "stage-huge.json: stage.per_frame_s: mean must be at most 3600 s" \
  plan "$pipe" --with "framing@T4=$tmp/stage-huge.json"
printf '{"stage": {"per_frame_s": 3000}}' >"$tmp/stage-slow.json"
pvariant "$tmp/p8.json" "s['job']['frames'] = 100000"
refuse "plan --with STAGE=P beyond the job's work" "stage-slow.json: stage.per_frame_s: 100000 frames at 3000 s per frame" \
  plan "$tmp/p8.json" --with "framing@T4=$tmp/stage-slow.json"
# The largest search the format allows (16 stages x 32 GPU types x 64 counts)
# is refused before any group is evaluated, not after minutes.
pvariant "$tmp/p7.json" "
types = ['A%d' % j for j in range(32)]
s['pipeline']['stages'] = [dict(name='s%d' % i, per_frame_s={t: 0.01 for t in types}) for i in range(16)]
s['pipeline'].pop('current')
s['plan']['gpu_types'] = [dict(name=t, gpu_per_s=0.0001) for t in types]
s['plan']['gpus'] = list(range(1, 65))"
T=5 refuse "plan: 278528 group choices refused at once" "p7.json: the plan search has 278528 group choices" plan "$tmp/p7.json"
refuse "--rate above the bound says 'at most'" "--rate: must be at most 1e+09 (got 1e+12)" capacity --rate 1e12

exit $fail
