#!/usr/bin/python3
"""bench/peers/mc_numpy.py -- the Monte Carlo of `forkcast sim` in vectorised numpy.

What a data scientist writes for data/scenarios/overlay-e7.json, k in
{1, 2, 4, 8, 16}, with the semantics of forkcast sim (sim/montecarlo.h,
sim/job.h): per replication the starts are drawn once for the largest k
(common starts: container i has the same start for every k; warm for
i < min_containers, cold after), container i of k's job finishes at
start_i + request + download + ffmpeg_start + seek (i > 0) + process(n_i)
+ upload(n_i) with the frames split as evenly as possible (the first
N mod k chunks one frame more); wall = the largest finish + concat_s
+ k x concat_per_chunk_s for k > 1; cost = rate x the sum of the billed
container lives (granularity, minimum, cold start billed or not). Then per k
the mean, standard error (sd with n - 1), and p50/p95/p99 by np.percentile
(its default "linear" method is GSL's interpolation between order
statistics, the one forkcast uses).

Vectorised the usual way: replications in blocks of 2^16, the starts
container-major (16 rows of 2^16, so a max or sum over containers is k - 1
whole-row operations: 4x faster than reducing along short rows), one
standard_normal call per block (numpy's Generator, PCG64 + ziggurat), one
exp, and per k one max and one sum over the first k rows; the per-replication walls and costs
are kept (R doubles each) for np.percentile. Only the kinds the scenario
uses are implemented (fixed phases; a fixed or lognormal start; concat not
billed): anything else is refused.

    /usr/bin/python3 bench/peers/mc_numpy.py [REPS] [--no-check]

REPS defaults to 10^6. Prints the summaries and
    BENCH name=mc_1e6 impl=numpy metric=replications_per_s value=V
(the Monte Carlo alone, process CPU time: bench_sim's in-process mc_1e6 is
its counterpart when REPS = 10^6) and the whole process's CPU time
(interpreter start and numpy import included) per replication. bench_sim
(bench/bench_sim.c) also runs it with --no-check beside `forkcast sim` and
compares the whole processes (name=mc_1e6_process). Sanity: unless --no-check, with $FORKCAST set
(scripts/run-bench.sh sets it), each mean wall and cost must be within 4
standard errors of `forkcast model`'s; exit 1 otherwise.
"""
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

SCEN = "data/scenarios/overlay-e7.json"
GPUS = [1, 2, 4, 8, 16]
Z95 = 1.6448536269514722
BLOCK = 1 << 16


def fixed(spec, what):
    if isinstance(spec, (int, float)):
        return float(spec)
    if spec.get("dist") == "fixed":
        return spec["value"] + spec.get("shift", 0.0)
    raise SystemExit(f"mc_numpy.py: {what}: only a fixed time is implemented")


def start_law(spec):
    """(mu, sigma, shift) of a lognormal start, or (value, None, 0) for a fixed one."""
    if isinstance(spec, (int, float)) or spec.get("dist") == "fixed":
        return fixed(spec, "start"), None, 0.0
    if spec.get("dist") != "lognormal":
        raise SystemExit("mc_numpy.py: start: only fixed and lognormal are implemented")
    if "median" in spec:
        mu = math.log(spec["median"])
        return mu, (math.log(spec["p95"]) - mu) / Z95, spec.get("shift", 0.0)
    return spec["mu"], spec["sigma"], spec.get("shift", 0.0)


def plan(sc):
    """Per k: each container's fixed rest (everything but its start)."""
    job, stage, plat, par = sc["job"], sc["stage"], sc["platform"], sc.get("parallel", {})
    get = lambda d, key: fixed(d[key], key) if key in d else 0.0
    frames = job["frames"]
    per_frame = fixed(stage["per_frame_s"], "per_frame_s")
    dl = job.get("input_mb", 0) / plat["download_mb_s"] if plat.get("download_mb_s") else 0.0
    up_per_frame = job.get("output_mb", 0) / plat["upload_mb_s"] / frames if plat.get("upload_mb_s") else 0.0
    head = get(plat, "request_s") + dl + get(stage, "ffmpeg_start_s")
    seek = get(stage, "seek_s")
    if par.get("concat_billed", "none") != "none":
        raise SystemExit("mc_numpy.py: concat billing not implemented")
    rests, concat = {}, {}
    for k in GPUS:
        base, extra = divmod(frames, k)
        n = np.full(k, float(base))
        n[:extra] += 1
        rests[k] = head + np.where(np.arange(k) > 0, seek, 0.0) + n * per_frame + n * up_per_frame
        concat[k] = get(par, "concat_s") + k * get(par, "concat_per_chunk_s") if k > 1 else 0.0
    return rests, concat


def simulate(sc, reps, seed=1):
    plat = sc["platform"]
    rests, concat = plan(sc)
    bill = plat.get("billing", {})
    gran, minimum = bill.get("granularity_s", 0), bill.get("minimum_s", 0)
    cold_billed = bill.get("includes_cold_start", True)
    nwarm = min(plat.get("min_containers", 0), max(GPUS))
    warm = fixed(plat.get("warm_start_s", 0.0), "warm_start_s")
    mu, sigma, shift = start_law(plat["cold_start_s"])
    rate = plat.get("gpu_per_s", 0) + plat.get("cores", 0) * plat.get("cpu_per_core_s", 0) \
        + plat.get("mem_gib", 0) * plat.get("mem_per_gib_s", 0)
    kmax = max(GPUS)
    rng = np.random.default_rng(seed)
    wall = {k: np.empty(reps) for k in GPUS}
    cost = {k: np.empty(reps) for k in GPUS}
    for lo in range(0, reps, BLOCK):
        n = min(BLOCK, reps - lo)
        st = np.empty((kmax, n))  # container-major: reductions over k run along rows
        st[:nwarm] = warm
        if sigma is None:
            st[nwarm:] = mu
        else:
            z = st[nwarm:]  # contiguous rows: drawn in place
            rng.standard_normal(out=z)
            z *= sigma
            z += mu
            np.exp(z, out=z)
            z += shift
        for k in GPUS:
            w, c = wall[k][lo:lo + n], cost[k][lo:lo + n]
            t = st[:k] + rests[k][:, None]
            np.max(t, axis=0, out=w)
            w += concat[k]
            if gran > 0 or minimum > 0 or not (cold_billed or nwarm >= k):
                if not cold_billed:
                    t[nwarm:] -= st[nwarm:k]
                if gran > 0:
                    t = gran * np.ceil(t / gran - 1e-9)
                t = np.maximum(t, minimum)
            np.sum(t, axis=0, out=c)
            c *= rate
    out = {}
    for k in GPUS:
        out[k] = {}
        for name, x in (("wall_s", wall[k]), ("cost_usd", cost[k])):
            m = x.mean()
            se = x.std(ddof=1) / math.sqrt(reps)
            out[k][name] = (m, se, *np.percentile(x, [50, 95, 99]))
    return out


def check(summary):
    """Each mean within 4 SE of forkcast model's."""
    fc = os.environ.get("FORKCAST")
    if not fc:
        return 0
    res = subprocess.run([fc, "model", SCEN, "--gpus", ",".join(map(str, GPUS)), "--json", "--no-break-even"],
                         capture_output=True, text=True, check=True).stdout
    bad = 0
    for r in json.loads(res)["results"]:
        for q in ("wall_s", "cost_usd"):
            m, se = summary[r["gpus"]][q][:2]
            z = (m - r[q]["mean"]) / se
            print(f"  sanity k={r['gpus']:2d} {q}: {m:.6g} vs model {r[q]['mean']:.6g} ({z:+.2f} SE)")
            bad |= int(abs(z) > 4)
    print("sanity: every mean within 4 SE of forkcast model" if not bad else "sanity: FAILED")
    return bad


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    reps = int(float(args[0])) if args else 1000000
    t0 = time.process_time()
    sc = json.load(open(SCEN))
    summary = simulate(sc, reps)
    t1 = time.process_time()
    print(f"mc_numpy.py: {reps} replications x k in {GPUS}: {t1 - t0:.3f} s CPU for the Monte Carlo "
          f"({(t1 - t0) / reps * 1e6:.3f} us per replication); whole process so far {t1:.3f} s CPU "
          f"({t1 / reps * 1e6:.3f} us per replication)")
    for k in GPUS:
        m, se, p50, p95, p99 = summary[k]["wall_s"]
        print(f"  k={k:2d}: wall mean {m:.3f} +- {se:.4f} s, p50 {p50:.3f} p95 {p95:.3f} p99 {p99:.3f} s; "
              f"cost mean {summary[k]['cost_usd'][0]:.6f} USD")
    name = "mc_1e6" if reps == 1000000 else f"mc_{reps}"
    print(f"BENCH name={name} impl=numpy metric=replications_per_s value={reps / (t1 - t0):.6g}")
    return 0 if "--no-check" in sys.argv else check(summary)


if __name__ == "__main__":
    sys.exit(main())
