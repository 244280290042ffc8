#!/usr/bin/env python3
"""scripts/docs/regen.py -- regenerate every figure forkcast gives in README.md
and docs/*.md from real runs of the binary (make docs, make docs-check).

A figure lives in a marked region of the Markdown, replaced whole:

    <!-- regen: NAME [WORDS] -->        a block: the lines in between
    ...
    <!-- /regen -->

    prose <!-- regen: NAME [WORDS] -->4,467<!-- /regen --> prose      (inline)

NAME is a generator (--list prints them with their tier and noise); WORDS
are its arguments (for `cmd`, forkcast's). Nothing outside the markers is
touched. Whole files (docs/map.png) have file generators.

Tiers: fast (deterministic, a few seconds in all: the subset tests/cli/docs.sh
checks on every make test), normal (make docs: minutes), slow (make
docs-slow: also the 10^9-replication runs). A deterministic region must come
out byte for byte the same on a rerun; a timing or measurement region may
differ in each number by the noise its generator declares (a factor, or an
absolute difference; its text states it), the text between the numbers being
the same. A verbatim output whose one timing is masked (plan's "closed form
in 0.007 s") keeps its committed bytes while that time stays within its
noise, so a rerun leaves it alone.

usage: regen.py [--check] [--tier fast|normal|slow] [--only NAME,...]
                [--bin BIN] [--root DIR] [--list]
  --check     write nothing; print a diff of each region that differs and
              exit 1 (deterministic: any byte; timing: a number beyond its noise)
  --tier T    regions of tier T and below (default normal)
  --only N,.. only these generators (any tier)
  --bin BIN   the forkcast binary (default ./forkcast; build it first)
  --root DIR  where README.md and docs/ are read and written (default: the
              repository; commands always run in the repository)
Exit 0 ok, 1 drift (--check) or a failed run, 2 usage or a bad marker.
"""
import argparse
import difflib
import glob
import os
import re
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docrun  # noqa: E402
from docrun import GENS, FILES, TIERS  # noqa: E402
import gen_basic, gen_capacity, gen_capdoc, gen_model, gen_plan, gen_measure, gen_bench  # noqa: E402,F401

MARK = re.compile(r"<!-- regen: ([^>]*?) -->(.*?)<!-- /regen -->", re.S)
NUM = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def regions(text, path):
    """(start, end, words, body, block) of every marked region."""
    out = []
    for m in MARK.finditer(text):
        words = shlex.split(m.group(1))
        if not words or words[0] not in GENS:
            raise SystemExit("regen: %s: unknown generator %r (--list)" % (path, m.group(1)))
        body = m.group(2)
        block = body.startswith("\n")
        if not block and "\n" in body:
            raise SystemExit("regen: %s: inline region %r spans lines" % (path, m.group(1)))
        if block and not ((m.start() == 0 or text[m.start() - 1] == "\n") and text[m.end():m.end() + 1] in ("\n", "")):
            raise SystemExit("regen: %s: block region %r: its markers must stand on lines of their own"
                             % (path, m.group(1)))
        out.append((m.start(2), m.end(2), words, body, block))
    opens = text.count("<!-- regen: ")
    if opens != len(out) or text.count("<!-- /regen -->") != len(out):
        raise SystemExit("regen: %s: unbalanced regen markers" % path)
    return out


def produce(words, block):
    g = GENS[words[0]]
    body = g.fn(*words[1:])
    if block:
        return "\n" + body if body.endswith("\n") else "\n" + body + "\n"
    if "\n" in body:
        raise docrun.RunError("%s: inline text with a line break" % " ".join(words))
    return body


def parse_num(s):
    return float(s.replace(",", ""))


def within(old, new, g):
    """A rerun agrees: with a mask, byte for byte outside its matches and each
    match within the noise; without, the same text between the numbers
    (blanks collapsed) and each number within the noise."""
    if g.mask:
        mo, mn = re.findall(g.mask, old), re.findall(g.mask, new)
        return (re.split(g.mask, old) == re.split(g.mask, new) and len(mo) == len(mn)
                and all(numbers_within(a, b, g.noise) for a, b in zip(mo, mn)))
    return numbers_within(old, new, g.noise)


def numbers_within(old, new, noise):
    factor, ab = noise
    so, sn = NUM.split(old), NUM.split(new)
    if [" ".join(x.split()) for x in so] != [" ".join(x.split()) for x in sn]:
        return False
    for a, b in zip(NUM.findall(old), NUM.findall(new)):
        x, y = abs(parse_num(a)), abs(parse_num(b))
        same_sign = (parse_num(a) >= 0) == (parse_num(b) >= 0)
        if abs(parse_num(a) - parse_num(b)) > (ab or 0) and not (same_sign and max(x, y) <= factor * min(x, y)):
            return False
    return True


def selected(g, tier, only):
    return g.name in only if only else TIERS[g.tier] <= TIERS[tier]


def main():
    ap = argparse.ArgumentParser(add_help=True)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--tier", default="normal", choices=list(TIERS))
    ap.add_argument("--only", default="")
    ap.add_argument("--bin", default=None)
    ap.add_argument("--root", default=docrun.REPO)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    only = set(x for x in a.only.split(",") if x)
    if a.list:
        for g in sorted(list(GENS.values()) + list(FILES.values()), key=lambda g: g.name):
            print("%-28s %-6s %s" % (g.name, g.tier, "deterministic" if g.noise is None else "noise %s" % (g.noise,)))
        return 0
    bad = [n for n in only if n not in GENS and n not in FILES]
    if bad:
        raise SystemExit("regen: unknown generator %s (--list)" % ", ".join(bad))
    if a.bin:
        docrun.BIN = os.path.abspath(a.bin)
    if not os.access(docrun.BIN, os.X_OK):
        raise SystemExit("regen: %s: not built (make forkcast)" % docrun.BIN)
    paths = [os.path.join(a.root, "README.md")] + sorted(glob.glob(os.path.join(a.root, "docs", "*.md")))
    t0 = time.time()
    drift, changed, nreg, used, timing = [], [], 0, set(), []
    for path in paths:
        rel = os.path.relpath(path, a.root)
        text = open(path, encoding="utf-8").read()
        pieces, last = [], 0
        for start, end, words, body, block in regions(text, rel):
            g = GENS[words[0]]
            used.add(g.name)
            new = body
            if selected(g, a.tier, only):
                nreg += 1
                t1 = time.time()
                try:
                    new = produce(words, block)
                except docrun.RunError as e:
                    print("regen: %s: %s: %s" % (rel, " ".join(words), e), file=sys.stderr)
                    return 1
                except Exception as e:  # a generator's bug or an output it no longer understands
                    import traceback
                    traceback.print_exc()
                    print("regen: %s: %s: %s: %s" % (rel, " ".join(words), type(e).__name__, e), file=sys.stderr)
                    return 1
                if time.time() - t1 > 2:
                    docrun.say("regen: %s: %s: %.1f s" % (rel, " ".join(words), time.time() - t1))
                same = new == body or (g.noise is not None and within(body, new, g))
                if g.noise is not None and not g.mask:
                    timing.append("%s: %s" % (rel, " ".join(words)))
                if not same:
                    drift.append((rel, words, body, new))
                elif g.mask:
                    new = body   # only the masked timing moved, within its noise: keep the committed bytes
            pieces += [text[last:start], new if not a.check else body]
            last = end
        pieces.append(text[last:])
        out = "".join(pieces)
        if not a.check and out != text:
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write(out)
            os.replace(path + ".tmp", path)
            changed.append(rel)
    for fpath, g in sorted(FILES.items()):
        if not selected(g, a.tier, only):
            continue
        nreg += 1
        data = g.fn()
        target = os.path.join(a.root, fpath)
        old = open(target, "rb").read() if os.path.exists(target) else b""
        if data != old:
            drift.append((fpath, [g.name], "(%d bytes)" % len(old), "(%d bytes)" % len(data)))
            if not a.check:
                with open(target + ".tmp", "wb") as f:
                    f.write(data)
                os.replace(target + ".tmp", target)
                changed.append(fpath)
    unused = [n for n, g in GENS.items() if n not in used and selected(g, a.tier, only) and n not in ("cmd", "cmd-err")]
    for n in unused:
        print("regen: warning: generator %s has no region in the docs" % n, file=sys.stderr)
    if a.check:
        for rel, words, body, new in drift:
            print("drift: %s: <!-- regen: %s -->" % (rel, " ".join(words)))
            for line in list(difflib.unified_diff(body.splitlines(), new.splitlines(), "committed", "regenerated",
                                                  lineterm="", n=1))[:40]:
                print("  " + line)
        print("regen --check: %d regions (tier %s), %d differ, %.1f s" % (nreg, a.tier if not only else "only", len(drift),
                                                                          time.time() - t0))
        return 1 if drift else 0
    print("regen: %d regions (tier %s), %d timing or measured (within their stated noise on a rerun); %s; %.1f s"
          % (nreg, a.tier if not only else "only", len(timing),
             ("changed " + ", ".join(sorted(set(changed)))) if changed else "nothing changed", time.time() - t0))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except docrun.RunError as e:
        print("regen: %s" % e, file=sys.stderr)
        sys.exit(1)
