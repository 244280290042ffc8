"""scripts/docs/gen_basic.py -- generic generators: a command's verbatim output
(`cmd`, `cmd-err`), and the README's advise figures and decision map."""
import csv
import io
import os

from docrun import gen, filegen, run, jrun, fence, shown, thousands, tmpdir, RunError, TIME_MASK, TIME_NOISE


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


def map_marker(rows, per_frame, frames=300):
    """The map's marker row at (frames, per_frame): the model's verdict there (E7: 0.025 s, T50: 0.68 s)."""
    for r in rows:
        if r["series"] in ("experiment", "marker") and int(float(r["frames"])) == frames and abs(float(r["per_frame_s"]) - per_frame) < 1e-9:
            return r
    raise RunError("plot map: no marker at %d frames, %g s a frame" % (frames, per_frame))


@filegen("docs/map.png", tier="normal")
def map_png():
    map_csv()
    return open(os.path.join(tmpdir(), "map.png"), "rb").read()


@gen("map-markers")
def map_markers():
    """Where the seed experiments fall on the default's decision map (its CSV's markers)."""
    e7, t50 = (int(map_marker(map_csv(), pf)["best_gpus"]) for pf in (0.025, 0.68))
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
