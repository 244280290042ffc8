#!/usr/bin/env bash
# tests/cli/docs.sh -- README.md and docs/*.md say what forkcast says: the
# fast, deterministic regions of scripts/docs/regen.py (every capacity table,
# advise and plan output, fit, chart figure and claim built from them; a few
# seconds) regenerate byte for byte from $FORKCAST. make docs-check checks
# every region, timings within their stated noise (minutes).
# Also: the checker catches a planted drift, keeps a masked timing within its
# noise and not beyond, refuses an unknown generator; every Markdown link of
# README.md and docs/ names a file of the repository.
set -u
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
regen="$root/scripts/docs/regen.py"

if python3 "$regen" --check --tier fast --bin "$FORKCAST" >"$tmp/out" 2>&1; then
  ok "docs: every fast region regenerates unchanged ($(tail -1 "$tmp/out"))"
else
  bad "docs: README.md or docs/ drifted from forkcast's output (make docs, review, commit):"; head -60 "$tmp/out"
fi

# Every region holds what its generator last wrote: none is empty (a slow
# region never regenerated would leave a sentence with a hole in it).
python3 - "$root" <<'EOF' && ok "docs: no region is empty" || bad "docs: empty regions (make docs-slow?)"
import glob, os, re, sys
empty = []
for f in [os.path.join(sys.argv[1], "README.md")] + sorted(glob.glob(os.path.join(sys.argv[1], "docs", "*.md"))):
    for m in re.finditer(r"<!-- regen: ([^>]*?) -->(.*?)<!-- /regen -->", open(f).read(), re.S):
        if not m.group(2).strip():
            empty.append("%s: %s" % (os.path.basename(f), m.group(1)))
print("\n".join(empty))
sys.exit(1 if empty else 0)
EOF

# A copy of the docs with one figure changed in a deterministic region.
copy() { rm -rf "$tmp/r"; mkdir -p "$tmp/r"; cp "$root/README.md" "$tmp/r/"; cp -R "$root/docs" "$tmp/r/"; }
copy
python3 - "$tmp/r/README.md" <<'EOF'
import re, sys
p = sys.argv[1]; s = open(p).read()
m = re.search(r"<!-- regen: readme-cap-table -->\n(.*?)<!-- /regen -->", s, re.S)
body = m.group(1); new = re.sub(r"\$(\d+)\.(\d\d)", lambda x: "$%d.%s" % (int(x.group(1)) + 1, x.group(2)), body, count=1)
assert new != body
open(p, "w").write(s[:m.start(1)] + new + s[m.end(1):])
EOF
python3 "$regen" --check --only readme-cap-table --bin "$FORKCAST" --root "$tmp/r" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "drift: README.md: <!-- regen: readme-cap-table -->" "$tmp/out" \
  && ok "a changed cost in README's capacity table is caught" || bad "planted drift not caught (rc=$rc): $(head -5 "$tmp/out")"

# plan's search time is the one masked figure of its output: within 0.5 s passes, beyond fails.
for t in 0.3 9.0; do
  copy
  sed -i "s/closed form in [0-9.]* s/closed form in $t s/" "$tmp/r/docs/plan.md"
  python3 "$regen" --check --only plan-example --bin "$FORKCAST" --root "$tmp/r" >"$tmp/out" 2>&1; rc=$?
  want=$([ "$t" = 0.3 ] && echo 0 || echo 1)
  [ $rc -eq "$want" ] && ok "plan's search time $t s in docs/plan.md: check exits $want" \
    || bad "masked timing $t s: rc=$rc, want $want: $(head -5 "$tmp/out")"
done

copy
printf '\n<!-- regen: no-such-generator -->\n<!-- /regen -->\n' >>"$tmp/r/docs/model.md"
python3 "$regen" --check --tier fast --bin "$FORKCAST" --root "$tmp/r" >"$tmp/out" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q "unknown generator" "$tmp/out" && ok "an unknown generator is refused" \
  || bad "unknown generator accepted (rc=$rc)"

# Links stay inside the repository and name files that exist.
python3 - "$root" <<'EOF' && ok "every Markdown link of README.md and docs/ names a repository file" || bad "broken or outside links"
import glob, os, re, sys
root = sys.argv[1]; bad = []
for p in [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "docs", "*.md")):
    for target in re.findall(r"\]\(([^)\s]+)\)", open(p).read()):
        path = target.split("#")[0]
        full = os.path.normpath(os.path.join(os.path.dirname(p), path))
        if "://" in target or not full.startswith(root + os.sep) or not os.path.exists(full):
            bad.append("%s: %s" % (os.path.relpath(p, root), target))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
exit $fail
