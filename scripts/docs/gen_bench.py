"""scripts/docs/gen_bench.py -- the speed figures of docs/sim.md,
docs/capacity.md and docs/plan.md, from the benchmarks (build/bench/, built by
make docs) and timed runs of forkcast. All timings: noise TIME (a factor of
3: the machine's 2 cores are shared); the slow tier holds the 10^9 and 2^31
replication runs (make docs-slow, several minutes)."""
import json
import math
import os
import re
import subprocess
import time

import docrun
from docrun import gen, run, fence, machine, jrun, prose, RunError, TIME, RSS, TIME_TEXT
from gen_measure import in_tmp

_out = {}


def bench(name, *args):
    """stdout of build/bench/NAME (FORKCAST set), its BENCH lines as a dict too."""
    key = (name,) + args
    if key not in _out:
        prog = os.path.join(docrun.REPO, "build", "bench", name)
        if not os.access(prog, os.X_OK):
            raise RunError("%s: not built (make docs builds the benches)" % prog)
        p = subprocess.run([prog] + list(args), cwd=docrun.REPO, capture_output=True, text=True,
                           env=dict(os.environ, FORKCAST=docrun.BIN, FORKCAST_PROGRESS_S="1000"))
        if p.returncode:
            raise RunError("%s: exit %d: %s" % (name, p.returncode, p.stderr[-300:]))
        vals = {}
        for l in p.stdout.splitlines():
            if l.startswith("BENCH "):
                f = dict(kv.split("=", 1) for kv in l.split()[1:])
                vals[(f["name"], f["impl"], f["metric"])] = float(f["value"])
        _out[key] = (p.stdout, vals)
    return _out[key]


def human(out, pred):
    return "\n".join(l for l in out.splitlines() if not l.startswith("BENCH ") and pred(l))


def stats(argv):
    """(wall s, CPU s, peak RSS MiB, stdout) of one run of forkcast ARGV."""
    t0 = time.perf_counter()
    p = subprocess.Popen([docrun.BIN] + argv, cwd=docrun.REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, FORKCAST_PROGRESS_S="100000"))
    out = p.stdout.read()
    _, st, ru = os.wait4(p.pid, 0)
    if st:
        raise RunError("forkcast %s: status %d" % (" ".join(argv), st))
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, out.decode()


# ---- docs/capacity.md

@gen("bench-capacity", tier="normal", noise=TIME)
def bench_capacity():
    out = bench("bench_capacity")[0]
    return fence(human(out, lambda l: "pipeline" not in l)) + "\n(%s; %s)\n" % (machine(), TIME_TEXT)


@gen("bench-capacity-pipe", tier="normal", noise=TIME)
def bench_capacity_pipe():
    return fence(human(bench("bench_capacity")[0], lambda l: "pipeline" in l))


def cpu_of(out, label):
    m = re.search(r"^ *%s: ([\d.]+) s CPU .*?([\d.]+) M jobs/s" % re.escape(label), out, re.M)
    return float(m.group(1)), float(m.group(2))


@gen("bench-capacity-note", tier="normal", noise=TIME)
def bench_capacity_note():
    out = bench("bench_capacity")[0]
    one, rate = cpu_of(out, "1000000 jobs")
    allf, arate = cpu_of(out, "1000000 jobs (all fields)")
    pipe, _ = cpu_of(out, "1000000 jobs (pipeline, 2 groups)")
    rss = [float(x) / 1024 for x in re.findall(r"peak RSS (\d+) KiB", out)]
    return prose("With the issue-14 fields off, 10^6 jobs take %.3f s of CPU (%.2f M jobs/s); with\n"
            "every field on, %.3f s (%.2f M jobs/s). A latency or wait lands in its\n"
            "histogram bin through log10 instead of GSL's binary search over 12,001\n"
            "bins, which pays for the fields' bookkeeping. Peak memory is flat\n"
            "(%.1f-%.1f MB) from 10^4 to 10^6 jobs. Scale-down timers are cancelled when\n"
            "a container is reused, so most jobs cost two engine events (arrival,\n"
            "input done). The pipeline of two groups takes %.3f s, %.1fx one\n"
            "single-pool run: two pools' events and the scan over the pools at each\n"
            "event; a video entering the second pool is admitted at once, not through\n"
            "an event (3 events per video, not 4).\n" % (
                one, rate, allf, arate, min(rss), max(rss), pipe, pipe / one))


# ---- docs/plan.md

def plan_bench():
    return bench("bench_plan")


def plan_lines(out, label):
    return [l for l in out.splitlines() if l.startswith("plan ") and label in l]


@gen("bench-plan-table", tier="normal", noise=TIME)
def bench_plan_table():
    out, v = plan_bench()
    rows = ["| per-frame times | candidates | tables | exact | |", "|---|---|---|---|---|"]
    for lab, tag in (("fixed", "fixed per-frame times:"), ("gamma (cv 0.3), random concat", "gamma per-frame")):
        main = [l for l in plan_lines(out, tag) if "group choices" in l][0]
        cands = re.search(r"(\d+) candidates \((\d+) before", main)
        t = re.search(r"best of \d+ ([\d.]+) s \(CPU ([\d.]+) s\)", main)
        ex = [l for l in plan_lines(out, tag) if "exact (no tables" in l]
        if ex:
            e = re.search(r"best of \d+ ([\d.]+) s \(CPU ([\d.]+) s\): the tables ([\d.]+)x", ex[0])
            exact, ratio = "%s s (CPU %s s)" % (e.group(1), e.group(2)), "%.0fx" % float(e.group(3))
        else:
            exact, ratio = "the same computation", "no tables apply"
        rows.append("| %s | %s | %s s (CPU %s s) | %s | %s |" % (lab, "{:,}".format(int(cands.group(1))), t.group(1),
                                                                t.group(2), exact, ratio))
    return "\n".join(rows) + "\n"


@gen("bench-plan-note", tier="normal", noise=TIME)
def bench_plan_note():
    out, v = plan_bench()
    main = [l for l in plan_lines(out, "fixed per-frame times:") if "group choices" in l][0]
    m = re.search(r"(\d+) group choices, (\d+) candidates \((\d+) before.*?(\d+) Pareto plans", main)
    vf, vr = v[("plan_fixed", "forkcast", "verify_s")], v[("plan_random", "forkcast", "verify_s")]
    best = min(json.loads(stats(["plan", "data/scenarios/pipeline-t50-t51.json", "--json"])[3])["search_s"]
               for _ in range(5))
    cmp_ = [l for l in plan_lines(out, "gamma per-frame") if "tables vs exact" in l][0]
    w = re.search(r"wall mean ([\d.e+-]+), wall p95 ([\d.e+-]+)", cmp_)
    return prose("On the %s (%s): %s group choices, %s candidates of %s\n"
            "before dropping dominated choices. `--verify` at 10^4 replications on the %s\n"
            "Pareto plans takes %.2f s (fixed) and %.2f s (random). The seed pipeline\n"
            "(random H100 framing and L4 overlay figures) plans in %.3f s (best of 5).\n"
            "The bench's random search with and without the tables: %s; worst\n"
            "relative difference %s (mean) and %s (p95).\n" % (
                machine(), TIME_TEXT, m.group(1), "{:,}".format(int(m.group(2))), "{:,}".format(int(m.group(3))),
                m.group(4), vf, vr, best,
                "the same candidates, Pareto set and recommendation" if "same candidates" in cmp_ else "DIFFERENT",
                w.group(1), w.group(2)))


# ---- docs/sim.md

def sim_bench():
    return bench("bench_sim")[0]


def us(out, pat):
    m = re.search(pat, out, re.S)
    if not m:
        raise RunError("bench_sim: no match for %r" % pat)
    return float(m.group(1))


@gen("sim-fast-ns", tier="normal", noise=TIME)
def sim_fast_ns():
    x = us(sim_bench(), r"in process, 1000000 replications.*?one thread [\d.]+ s CPU = ([\d.]+) us")
    return "~%.0f ns" % (1e3 * x)


@gen("sim-general-us", tier="normal", noise=TIME)
def sim_general_us():
    d = json.load(open(os.path.join(docrun.REPO, "data/scenarios/overlay-e7.json")))
    d["platform"].setdefault("billing", {})["granularity_s"] = 1
    json.dump(d, open(in_tmp("overlay-rounded.json"), "w"))
    cpu = min(stats(["sim", in_tmp("overlay-rounded.json"), "--gpus", "1,2,4,8,16", "--replications", "1000000",
                     "--threads", "1", "--json"])[1] for _ in range(2))
    eff = us(sim_bench(), r"every effect on.*?([\d.]+) us per replication")
    return "~%.2f µs per replication of overlay-e7 billed by the second; %.0f µs with every effect on" % (cpu, eff)


@gen("sim-cost-table", tier="normal", noise=TIME)
def sim_cost_table():
    out = sim_bench()
    f = us(out, r"forkcast sim [\d.]+ s = ([\d.]+) us per replication")
    n = us(out, r"numpy \(bench/peers/mc_numpy.py\) [\d.]+ s = ([\d.]+) us")
    return ("| | µs per replication |\n|---|---|\n"
            "| numpy peer (bench/peers/mc_numpy.py: vectorised, common starts, np.percentile) | %.2f |\n"
            "| forkcast sim | %.3f (%.1fx the numpy peer) |\n" % (n, f, n / f))


@gen("sim-rss", tier="normal", noise=RSS)
def sim_rss():
    m = re.search(r"R=1e4 ([\d.]+) MiB, R=1e6 ([\d.]+) MiB, R=1e8 ([\d.]+) MiB", sim_bench())
    return "%s MiB at R = 10^4, %s MiB at 10^6, %s MiB at 10^8" % m.groups()


@gen("sim-1e4", tier="normal", noise=TIME)
def sim_1e4():
    return "%.2f µs" % us(sim_bench(), r"in process, 10000 replications.*?one thread [\d.]+ s CPU = ([\d.]+) us")


@gen("sim-threads", tier="normal", noise=TIME)
def sim_threads():
    base = ["sim", "--gpus", "1,2,4,8,16", "--json", "--replications"]
    r7 = [min(stats(base + ["10000000", "--threads", t])[0] for _ in range(3)) for t in ("1", "2")]
    s8 = [stats(base + ["100000000", "--threads", t]) for t in ("1", "2")]
    return prose("On the %s (wall times; %s): R = 10^7 in %.2f s on one thread, %.2f s on two\n"
            "(%.2fx); R = 10^8 in %.1f s and %.1f s (%.2fx), %.1f s and %.1f s of CPU.\n" % (
                machine(), TIME_TEXT, r7[0], r7[1], r7[0] / r7[1], s8[0][0], s8[1][0], s8[0][0] / s8[1][0],
                s8[0][1], s8[1][1]))


def big(reps):
    """forkcast sim at R = reps on every core: (wall, CPU, RSS, stdout), run once per regeneration."""
    if ("big", reps) not in _out:
        _out[("big", reps)] = stats(["sim", "--gpus", "1,2,4,8,16", "--json", "--replications", str(reps)])
    return _out[("big", reps)]


def agreement(d):
    """Largest |sim mean - model mean| / standard error over k, and that gap in ms of wall."""
    model = {r["gpus"]: r for r in jrun(["model", "--gpus", "1,2,4,8,16", "--json"])["results"]}
    worst, gap = 0, 0
    for r in d["results"]:
        z = abs(r["wall_s"]["mean"] - model[r["gpus"]]["wall_s"]["mean"]) / r["wall_s"]["stderr"]
        worst, gap = max(worst, z), max(gap, abs(r["wall_s"]["mean"] - model[r["gpus"]]["wall_s"]["mean"]))
    return worst, gap


@gen("sim-1e9", tier="slow", noise=TIME)
def sim_1e9():
    w, c, rss, out = big(10 ** 9)
    d, d6 = json.loads(out), json.loads(big(10 ** 6)[3])
    ratio = min(a["wall_s"]["stderr"] / b["wall_s"]["stderr"] for a, b in zip(d6["results"], d["results"]))
    z, gap = agreement(d)
    _out["1e9"] = (d, z, gap, rss)
    return prose("10^9 replications on both cores: %.0f s wall, %.0f s CPU, %.1f MiB; the standard\n"
            "errors are %.1fx smaller than at 10^6 (sqrt(1000) = 31.62) and every mean is within\n"
            "%.1f standard errors of the closed form.\n" % (w, c, rss, ratio, z))


@gen("sim-1e9-agree", tier="slow", noise=(3.0, 0.5))
def sim_1e9_agree():
    if "1e9" not in _out:
        sim_1e9()
    d, z, gap, _ = _out["1e9"]
    return "within %.1f standard errors (%.2f ms of wall)" % (z, 1e3 * gap)


@gen("sim-1e9-rss", tier="slow", noise=RSS)
def sim_1e9_rss():
    if "1e9" not in _out:
        sim_1e9()
    return "%.1f MiB at 10^9" % _out["1e9"][3]


@gen("sim-2e31", tier="slow", noise=TIME)
def sim_2e31():
    reps = 2 ** 31 + 2 ** 20
    w, c, rss, out = big(reps)
    if "1e9" not in _out:
        sim_1e9()
    d9 = _out["1e9"][0]
    d = json.loads(out)
    ratio = d9["results"][0]["wall_s"]["stderr"] / d["results"][0]["wall_s"]["stderr"]
    return prose("R = 2^31 + 2^20 (past any 32-bit count): %.0f s wall, %.0f s CPU, %.1f MiB;\n"
            "standard errors %.4fx smaller than at 10^9 (sqrt(R / 10^9) = %.4f).\n" % (
                w, c, rss, ratio, math.sqrt(reps / 1e9)))


@gen("bench-plan-cands", tier="normal")
def bench_plan_cands():
    main = [l for l in plan_lines(plan_bench()[0], "fixed per-frame times:") if "group choices" in l][0]
    m = re.search(r"(\d+) candidates \((\d+) before", main)
    return "%s out of %s" % ("{:,}".format(int(m.group(1))), "{:,}".format(int(m.group(2))))
