#!/usr/bin/env bash
# scripts/docs/regen-capacity-pipeline.sh [BIN] -- rewrite the generated
# blocks of README.md and docs/capacity.md that show `forkcast capacity` on a
# pipeline and `forkcast plan --rate`, from real runs of BIN (default
# ./forkcast; build it first). A block runs from
#   <!-- BEGIN generated NAME: scripts/docs/regen-capacity-pipeline.sh -->
# to <!-- END generated NAME -->; everything between is replaced, nothing
# else is touched. Review the diff before committing.
set -euo pipefail
bin=${1:-./forkcast}
f=data/scenarios/pipeline-t50-t51.json
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

show() { # OUT CMD... : "$ forkcast ARGS" and its output, inside a fence
  local out=$1; shift
  { printf '$ forkcast %s\n' "$*"; "$bin" "$@"; } >>"$out"
}
{ echo '```'; } >"$tmp/pipe"
show "$tmp/pipe" capacity $f --rate 83.3 --hours 24
echo >>"$tmp/pipe"
show "$tmp/pipe" capacity $f --rate 83.3 --hours 24 --plan recommended
echo '```' >>"$tmp/pipe"

# plan --rate: the under-load part of the output only
under() { # OUT ARGS...
  local out=$1; shift
  printf '$ forkcast %s   # the part after the single-video search\n' "$*" >>"$out"
  "$bin" "$@" | sed -n '/^under load/,$p' >>"$out"
}
echo '```' >"$tmp/rate"
under "$tmp/rate" plan $f --rate 83.3 --hours 24
echo >>"$tmp/rate"
under "$tmp/rate" plan $f --rate 83.3 --hours 24 --p95-target 100
echo '```' >>"$tmp/rate"

python3 - "$tmp" README.md docs/capacity.md <<'PY'
import re, sys
tmp, files = sys.argv[1], sys.argv[2:]
blocks = {"capacity-pipeline": open(f"{tmp}/pipe").read(), "plan-rate": open(f"{tmp}/rate").read()}
for path in files:
    text = open(path).read()
    for name, body in blocks.items():
        pat = re.compile(r"(<!-- BEGIN generated %s: [^>]*-->\n).*?(<!-- END generated %s -->)" % (name, name), re.S)
        text = pat.sub(lambda m: m.group(1) + body + m.group(2), text)
    open(path, "w").write(text)
PY
git --no-pager diff --stat -- README.md docs/capacity.md || true
