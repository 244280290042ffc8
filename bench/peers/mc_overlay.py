#!/usr/bin/python3
"""bench/peers/mc_overlay.py -- the Monte Carlo of bench/bench_sim.c in pure Python.

A direct Monte Carlo of data/scenarios/overlay-e7.json, written plainly: per
replication and per k in {1, 2, 4, 8, 16}, each container's time is
start + request + download + ffmpeg_start + seek (chunks after the first)
+ process + upload share (docs/model.md semantics, frames split as evenly as
possible); wall = max + concat for k > 1; cost = sum of billed container
times x rate (granularity, minimum, cold start billing as in the scenario).
Draws with random.Random(1) (lognormvariate for a lognormal time). Then the
same summaries as forkcast sim: mean, standard error, p50/p95/p99 (linear
interpolation between order statistics) of wall and cost per k.

Only the distribution kinds the scenario uses are implemented (fixed,
lognormal); anything else is refused.

Timed twice: as written above (impl=python), and with common starts
(impl=python_common): the starts drawn once per replication for the largest
k and container i taking the i-th for every k, as forkcast sim does
(sim/montecarlo.h) -- the same algorithm in both languages, half the draws. Rate: replications per CPU-second of
this process (time.process_time), one core, best of 3 runs, as bench_sim
measures forkcast on one thread (best of 20).

    /usr/bin/python3 bench/peers/mc_overlay.py [REPS]     default 10000, best of 3 runs

Output: human lines, then
    BENCH name=mc_overlay impl=python metric=replications_per_s value=V
Sanity: when $FORKCAST is set (scripts/run-bench.sh sets it), each mean
wall and cost must be within 4 standard errors of `forkcast model`'s; exit 1
otherwise.
"""
import json
import math
import os
import random
import subprocess
import sys
import time

SCEN = "data/scenarios/overlay-e7.json"
GPUS = [1, 2, 4, 8, 16]
Z95 = 1.6448536269514722


def sampler(spec, rng):
    """A function drawing one value of a scenario time (number or object)."""
    if isinstance(spec, (int, float)):
        v = float(spec)
        return lambda: v
    kind, shift = spec.get("dist"), spec.get("shift", 0.0)
    if kind == "fixed":
        v = spec["value"] + shift
        return lambda: v
    if kind == "lognormal":
        if "median" in spec:
            mu = math.log(spec["median"])
            sigma = (math.log(spec["p95"]) - mu) / Z95
        else:
            mu, sigma = spec["mu"], spec["sigma"]
        return lambda: rng.lognormvariate(mu, sigma) + shift
    raise SystemExit(f"mc_overlay.py: distribution {kind!r} not implemented")


def quantile(xs, p):
    """Linear interpolation between order statistics (GSL's definition)."""
    i = p * (len(xs) - 1)
    lo = math.floor(i)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (i - lo) * (xs[hi] - xs[lo])


def main():
    reps = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10000
    sc = json.load(open(SCEN))
    job, stage, plat, par = sc["job"], sc["stage"], sc["platform"], sc.get("parallel", {})
    rng = random.Random(1)
    zero = lambda: 0.0
    get = lambda d, k: sampler(d[k], rng) if k in d else zero
    cold, warm, request = get(plat, "cold_start_s"), get(plat, "warm_start_s"), get(plat, "request_s")
    ffmpeg, seek = get(stage, "ffmpeg_start_s"), get(stage, "seek_s")
    concat, per_chunk = get(par, "concat_s"), get(par, "concat_per_chunk_s")
    if not isinstance(stage["per_frame_s"], (int, float)):
        raise SystemExit("mc_overlay.py: only a fixed per_frame_s is implemented")
    per_frame = float(stage["per_frame_s"])
    frames = job["frames"]
    dl = job.get("input_mb", 0) / plat["download_mb_s"] if plat.get("download_mb_s") else 0.0
    up_per_frame = job.get("output_mb", 0) / plat["upload_mb_s"] / frames if plat.get("upload_mb_s") else 0.0
    bill = plat.get("billing", {})
    gran, minimum = bill.get("granularity_s", 0), bill.get("minimum_s", 0)
    cold_billed = bill.get("includes_cold_start", True)
    min_warm = plat.get("min_containers", 0)
    rate = plat.get("gpu_per_s", 0) + plat.get("cores", 0) * plat.get("cpu_per_core_s", 0) \
        + plat.get("mem_gib", 0) * plat.get("mem_per_gib_s", 0)
    if par.get("concat_billed", "none") != "none":
        raise SystemExit("mc_overlay.py: concat billing not implemented")

    def billed(x):
        if gran > 0:
            x = gran * math.ceil(x / gran - 1e-9)
        return max(minimum, x)

    bad = 0
    for common, impl in ((False, "python"), (True, "python_common")):
        best = None
        for attempt in range(3):
            t0, w0 = time.process_time(), time.perf_counter()
            summary = run(reps, cold, warm, request, ffmpeg, seek, concat, per_chunk, per_frame, frames, dl,
                          up_per_frame, billed, cold_billed, min_warm, rate, common)
            dt, wall = time.process_time() - t0, time.perf_counter() - w0
            if best is None or dt < best[0]:
                best = (dt, wall)
        dt, wall = best
        report(reps, dt, wall, summary, impl)
        bad |= check(summary)
    return bad


def run(reps, cold, warm, request, ffmpeg, seek, concat, per_chunk, per_frame, frames, dl, up_per_frame,
        billed, cold_billed, min_warm, rate, common):
    """reps replications of every k, then the summaries. common: one list of
    starts per replication, container i taking the i-th for every k."""
    walls = {k: [] for k in GPUS}
    costs = {k: [] for k in GPUS}
    kmax = max(GPUS)
    for _ in range(reps):
        if common:
            starts = [warm() if i < min_warm else cold() for i in range(kmax)]
        for k in GPUS:
            base, extra = divmod(frames, k)
            tmax, total = 0.0, 0.0
            for i in range(k):
                n = base + (1 if i < extra else 0)
                is_warm = i < min_warm
                start = starts[i] if common else warm() if is_warm else cold()
                t = start + request() + dl + ffmpeg() + (seek() if i > 0 else 0.0) \
                    + n * per_frame + up_per_frame * n
                if t > tmax:
                    tmax = t
                total += billed(t if is_warm or cold_billed else t - start)
            if k > 1:
                tmax += concat() + k * per_chunk()
            walls[k].append(tmax)
            costs[k].append(total * rate)
    summary = {}
    for k in GPUS:
        row = {}
        for name, xs in (("wall_s", walls[k]), ("cost_usd", costs[k])):
            xs.sort()
            n = len(xs)
            m = math.fsum(xs) / n
            se = math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (n - 1) / n)
            row[name] = (m, se, quantile(xs, 0.5), quantile(xs, 0.95), quantile(xs, 0.99))
        summary[k] = row
    return summary


def report(reps, dt, wall, summary, impl):
    containers = sum(GPUS)
    how = "common starts" if impl == "python_common" else "independent draws"
    print(f"mc_overlay.py ({how}): {reps} replications x k in {GPUS} ({containers} containers each), "
          f"best of 3: {dt:.3f} s CPU ({wall:.3f} s wall): {dt / reps * 1e6:.1f} us per replication")
    for k in GPUS:
        m, se, p50, p95, p99 = summary[k]["wall_s"]
        print(f"  k={k:2d}: wall mean {m:.3f} +- {se:.3f} s, p95 {p95:.2f} s; cost mean "
              f"{summary[k]['cost_usd'][0]:.6f} USD")
    print(f"BENCH name=mc_overlay impl={impl} metric=replications_per_s value={reps / dt:.6g}")


def check(summary):
    """Each mean within 4 SE of forkcast model's, when $FORKCAST is set."""
    fc = os.environ.get("FORKCAST")
    if not fc:
        return 0
    out = subprocess.run([fc, "model", SCEN, "--gpus", ",".join(map(str, GPUS)), "--json", "--no-break-even"],
                         capture_output=True, text=True, check=True).stdout
    bad = 0
    for r in json.loads(out)["results"]:
        for q in ("wall_s", "cost_usd"):
            m, se = summary[r["gpus"]][q][:2]
            z = (m - r[q]["mean"]) / se
            if abs(z) > 4:
                print(f"mc_overlay.py: k={r['gpus']} {q}: {m:.6g} vs model {r[q]['mean']:.6g} ({z:+.1f} SE)")
                bad = 1
    print("sanity: every mean within 4 SE of forkcast model" if not bad else "sanity: FAILED")
    return bad


if __name__ == "__main__":
    sys.exit(main())
