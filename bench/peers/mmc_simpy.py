#!/usr/bin/python3
"""bench/peers/mmc_simpy.py -- the M/M/c queue of bench/bench_engine.c in SimPy.

SimPy 2.3 (Debian python3-simpy), written the idiomatic way: a Source
process creates one Customer process per arrival; a customer requests a
Resource of capacity c, holds for its service time, releases. Same model as
bench_engine: c = 10, mu = 1, lambda = 0.9 c, exponential times.

The count is model events, arrivals plus departures (service completions),
the unit bench_engine counts; SimPy's own scheduler runs more internal
events per customer than that. Rate per CPU-second of this process
(time.process_time), as bench_engine measures per CPU-second of its thread.

    /usr/bin/python3 bench/peers/mmc_simpy.py [EVENTS]     default 3e5 (~1.3 s here)

Run with the system python (/usr/bin/python3), where python3-simpy lives.
Output: human lines, then
    BENCH name=mmc impl=simpy metric=events_per_s value=V
Exit 1 if the mean wait is off Erlang C by more than 10% (a run this short
at rho = 0.9 carries a few per cent of noise).
"""
import math
import random
import sys
import time

from SimPy.Simulation import (Process, Resource, activate, hold, initialize, now,
                              release, request, simulate)

C, MU = 10, 1.0
LAMBDA = 0.9 * C


class Stats:
    arrivals = 0
    departures = 0
    wait_sum = 0.0
    started = 0


class Customer(Process):
    def visit(self, server, service):
        arrived = now()
        yield request, self, server
        Stats.wait_sum += now() - arrived
        Stats.started += 1
        yield hold, self, service
        yield release, self, server
        Stats.departures += 1


class Source(Process):
    def generate(self, server, rng):
        while True:
            Stats.arrivals += 1
            c = Customer()
            activate(c, c.visit(server, rng.expovariate(MU)))
            yield hold, self, rng.expovariate(LAMBDA)


def erlang_c(lam, mu, c):
    """P_wait and W_q of M/M/c (docs/references.md)."""
    a = lam / mu
    s = sum(a ** k / math.factorial(k) for k in range(c))
    top = a ** c / math.factorial(c) * c / (c - a)
    p_wait = top / (s + top)
    return p_wait, p_wait / (c * mu - lam)


def main():
    events = float(sys.argv[1]) if len(sys.argv) > 1 else 3e5
    if not 1e3 <= events <= 1e9:
        print("usage: mmc_simpy.py [EVENTS]   (1e3 .. 1e9)", file=sys.stderr)
        return 2
    rng = random.Random(1)
    initialize()
    server = Resource(capacity=C, name="servers", unitName="server")
    src = Source()
    activate(src, src.generate(server, rng), at=0.0)
    t_end = events / (2.0 * LAMBDA)
    c0, w0 = time.process_time(), time.perf_counter()
    simulate(until=t_end)
    dt, wall = time.process_time() - c0, time.perf_counter() - w0
    n = Stats.arrivals + Stats.departures
    p_wait, wq = erlang_c(LAMBDA, MU, C)
    wq_sim = Stats.wait_sum / Stats.started
    print("mmc_simpy: SimPy %s M/M/c c=%d lambda=%g mu=%g, %d events in %.3f s CPU (%.3f s wall)"
          % (getattr(sys.modules["SimPy"], "__version__", "2.3"), C, LAMBDA, MU, n, dt, wall))
    print("mmc_simpy: M/M/c %.4f M events/s, %.0f ns/event" % (n / dt / 1e6, dt / n * 1e9))
    print("sanity: mean wait %.5f vs Erlang C W_q %.5f (P_wait %.5f), rel err %.2f%%"
          % (wq_sim, wq, p_wait, 100.0 * abs(wq_sim - wq) / wq))
    print("BENCH name=mmc impl=simpy metric=events_per_s value=%.6g" % (n / dt))
    return 0 if abs(wq_sim - wq) / wq < 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
