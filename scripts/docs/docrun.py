"""scripts/docs/docrun.py -- what the documentation generators share: the
registry of generators, the forkcast runner (cached: a run asked for twice in
one regeneration runs once), timing, and number formatting.

A generator is a function of its marker's words returning the text of its
region (or, for a file generator, the file's bytes). Each is registered with
a tier (fast: deterministic and cheap, checked by `make test`; normal: `make
docs`; slow: `make docs-slow` only) and a noise: None for a deterministic
figure (a rerun must give the same bytes), or (factor, abs) for a timing or a
measurement (a rerun's number may be up to factor times larger or smaller,
or differ by abs; the text around the numbers must not change). The noise is
stated in the region itself (TIME_TEXT, MEAS_TEXT), so a reader knows it too.
"""
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(REPO, "forkcast")
TIERS = {"fast": 0, "normal": 1, "slow": 2}


class Gen:
    def __init__(self, name, fn, tier, noise, mask=None, path=None):
        self.name, self.fn, self.tier, self.noise, self.mask, self.path = name, fn, tier, noise, mask, path


# Noises, as (factor, abs): a rerun's number y agrees with x when
# max(|x|, |y|) <= factor * min(|x|, |y|), or |x - y| <= abs.
TIME = (3.0, 0.01)   # a best-of-N timing (CPU time where it can be): the machine's cores are shared
MEAS = (3.0, 0.02)   # a measurement of this machine by calibrate (wall times of real runs)
RSS = (1.5, 1.0)     # a peak RSS in MiB
TIME_TEXT = "a rerun agrees within a factor of 3: the machine's cores are shared"
MEAS_TEXT = "a measurement of this machine: a rerun gives other values, within a factor of 3"

# The time a command reports it took ("closed form in 0.007 s", "10 plans in
# 0.07 s"): the only part of a verbatim output that changes run to run.
TIME_MASK = r"\bin \d+(?:\.\d+)? s\b"
TIME_NOISE = (1.0, 0.5)

GENS = {}      # name -> Gen (text regions)
FILES = {}     # repository path -> Gen (whole files, e.g. docs/map.png)


def gen(name, tier="fast", noise=None, mask=None):
    """Register a region generator: fn(*words) -> text. noise (factor, abs):
    the numbers may change by that much on a rerun (TIME, MEAS, ...) -- all
    of them, or with mask (a regex) only those inside its matches, the rest
    staying byte for byte."""
    def deco(fn):
        assert name not in GENS, name
        GENS[name] = Gen(name, fn, tier, noise, mask)
        return fn
    return deco


def filegen(path, tier="fast"):
    """Register a file generator: fn() -> bytes of the file at path."""
    def deco(fn):
        FILES[path] = Gen(path, fn, tier, None, None, path)
        return fn
    return deco


class RunError(Exception):
    pass


_cache = {}
_tmp = None


def tmpdir():
    """One private temporary directory per regeneration (removed at exit)."""
    global _tmp
    if _tmp is None:
        _tmp = tempfile.TemporaryDirectory(prefix="forkcast-docs-")
    return _tmp.name


def run(args, ok=(0,), env=None, both=False, prog=None, cwd=None):
    """stdout of `forkcast ARGS` (or of prog ARGS), run in the repository root;
    both=True: (stdout, stderr, rc). Cached by its arguments and environment."""
    argv = [prog or BIN] + [str(a) for a in args]
    key = (tuple(argv), tuple(sorted((env or {}).items())), cwd)
    if key not in _cache:
        e = dict(os.environ, LC_ALL="C", FORKCAST_PROGRESS_S="1000")
        e.update(env or {})
        p = subprocess.run(argv, cwd=cwd or REPO, env=e, capture_output=True, text=True)
        if p.returncode not in ok:
            raise RunError("%s: exit %d: %s" % (" ".join(argv), p.returncode, p.stderr.strip()[-500:]))
        _cache[key] = (p.stdout, p.stderr, p.returncode)
    out, err, rc = _cache[key]
    return (out, err, rc) if both else out


def jrun(args, **kw):
    """`forkcast ARGS` parsed as JSON."""
    return json.loads(run(args, **kw))


def timed(argv, n=5, env=None):
    """Best CPU time (user + sys, s) of n runs of argv (a list; argv[0] a
    program), stdout discarded: less sensitive than wall time to other load
    on the machine."""
    best = float("inf")
    e = dict(os.environ, LC_ALL="C", FORKCAST_PROGRESS_S="100000")
    e.update(env or {})
    for _ in range(n):
        p = subprocess.Popen(argv, cwd=REPO, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, st, ru = os.wait4(p.pid, 0)
        if st:
            raise RunError("%s: status %d" % (" ".join(argv), st))
        best = min(best, ru.ru_utime + ru.ru_stime)
    return best


def machine():
    """'a 2-core Intel(R) Xeon(R) Processor' -- the machine timings were taken on."""
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%d-core %s" % (os.cpu_count() or 1, model)


def fence(text):
    return "```\n" + text.rstrip("\n") + "\n```\n"


def shown(args, out=None, note=""):
    """'$ forkcast ARGS' and its output, as a reader would type it."""
    if out is None:
        out = run(args)
    return "$ forkcast %s%s\n%s" % (" ".join(str(a) for a in args), note, out.rstrip("\n") + "\n")


def money(x, nd=2):
    return "$%.*f" % (nd, x)


def pct(x, nd=0):
    return "%.*f%%" % (nd, 100 * x)


def s1(x):
    return "%.1f s" % x


def thousands(n):
    return "{:,}".format(int(n))


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def prose(text, width=76):
    """Paragraphs and '- ' bullets refilled to width (a generated sentence
    reads like the hand-written text around it); blank lines kept."""
    import re
    import textwrap
    out, block = [], []
    keep = re.compile(r"(?<=\d) (?=(?:s|ms|µs|ns|MB|MiB|GB|x|frames|GPUs?|jobs|runs)\b)| (?=<?=)|(?<==) ")

    def flush():
        if block:
            words = keep.sub("\0", " ".join(l.strip() for l in block))   # no line break inside "60 s", "R = 3"
            bullet = block[0].startswith("- ")
            out.append(textwrap.fill(words[2:] if bullet else words, width, initial_indent="- " if bullet else "",
                                     subsequent_indent="  " if bullet else "", break_on_hyphens=False,
                                     break_long_words=False).replace("\0", " "))
            block.clear()
    for line in text.rstrip("\n").split("\n"):
        if not line.strip():
            flush()
            out.append("")
        elif line.startswith("- "):
            flush()
            block.append(line)
        else:
            block.append(line)
    flush()
    return "\n".join(out) + "\n"
