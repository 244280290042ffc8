"""scripts/docs/gen_basic.py -- generic generators: a command's verbatim output
(`cmd`, `cmd-err`), and the README's advise figures and decision map."""
import csv
import io
import os

from docrun import gen, filegen, run, jrun, fence, shown, thousands, tmpdir, TIME_MASK, TIME_NOISE


def commands(words):
    """WORDS split on ';;': several commands shown in one block."""
    cmds, cur = [], []
    for w in words:
        if w == ";;":
            cmds.append(cur)
            cur = []
        else:
            cur.append(w)
    cmds.append(cur)
    return [c for c in cmds if c]


@gen("cmd", noise=TIME_NOISE, mask=TIME_MASK)
def cmd(*words):
    """`cmd ARGS [;; ARGS ...]`: each `$ forkcast ARGS` and its stdout (exit 0), one fence."""
    return fence("\n".join(shown(c) for c in commands(words)))


@gen("cmd-err")
def cmd_err(*words):
    """`cmd-err ARGS [;; ...]`: commands that fail: `$ forkcast ARGS` and the line on stderr."""
    parts = []
    for c in commands(words):
        out, err, rc = run(c, ok=(1, 2), both=True)
        parts.append("$ forkcast %s\n%s" % (" ".join(c), err))
    return fence("".join(parts))


def map_csv():
    p = os.path.join(tmpdir(), "map.png")
    run(["plot", "map", "-o", p])
    return list(csv.DictReader(io.open(p[:-4] + ".csv")))


@filegen("docs/map.png", tier="normal")
def map_png():
    map_csv()
    return open(os.path.join(tmpdir(), "map.png"), "rb").read()


@gen("map-markers")
def map_markers():
    """Where the seed experiments fall on the default's decision map (its CSV's markers)."""
    mk = {r["label"].split()[0]: r for r in map_csv() if r["series"] == "marker"}
    e7, t50 = int(mk["E7"]["best_gpus"]), int(mk["T50"]["best_gpus"])
    where = lambda k: "the not-beneficial region" if k == 1 else "the %d-GPU region" % k  # noqa: E731
    return ("E7 (300 frames at 25 ms) in %s and T50's per-frame cost (680 ms) in %s: on E7's "
            "cold-start platform, not T50's warm one" % (where(e7), where(t50)))


@gen("dev-full")
def dev_full():
    """stdout on a full disk: one line, exit 1."""
    import subprocess
    import docrun
    with open("/dev/full", "w") as full:
        p = subprocess.run([docrun.BIN, "advise", "--json"], cwd=docrun.REPO, stdout=full, stderr=subprocess.PIPE,
                           text=True)
    return fence("$ forkcast advise --json > /dev/full; echo $?\n%s%d" % (p.stderr, p.returncode))
