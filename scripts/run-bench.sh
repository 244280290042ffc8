#!/usr/bin/env bash
# scripts/run-bench.sh BUILD BIN -- run every benchmark BUILD/bench/bench_*
# and every peer bench/peers/*.py (with /usr/bin/python3, where Debian's
# python3-simpy and python3-numpy live; a peer whose module is missing is
# skipped) or bench/peers/*.sh, in one go, then print a table of
# their parseable lines
#   BENCH name=N impl=I metric=M value=V
# and, for each (name, metric) measured by forkcast and by a peer, the ratio
# forkcast / peer. FORKCAST=BIN is exported for benches that drive the CLI.
# Exit 1 if any bench or peer fails.
set -u
build=${1:-build}; bin=${2:-./forkcast}
export FORKCAST="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
py=/usr/bin/python3
log=$(mktemp); trap 'rm -f "$log"' EXIT
fail=0

run() { # LABEL CMD...
  echo "== $1"
  shift
  if "$@" | tee -a "$log"; then :; else echo "FAIL: $*"; fail=$((fail+1)); fi
}

for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  run "$(basename "$b")" "$b"
done
for p in bench/peers/*.py; do
  [ -f "$p" ] || continue
  skip=
  for mod in SimPy numpy; do
    if grep -q "^import $mod\|^from $mod" "$p" && ! "$py" -c "import $mod" 2>/dev/null; then skip=$mod; fi
  done
  if [ -n "$skip" ]; then
    echo "== $(basename "$p"): skipped, $skip missing for $py (make deps)"; continue
  fi
  run "$(basename "$p")" "$py" "$p"
done
for p in bench/peers/*.sh; do
  [ -f "$p" ] || continue
  run "$(basename "$p")" bash "$p"
done

echo
awk '
  $1 == "BENCH" {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["name"] SUBSEP f["metric"]
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    val[key, f["impl"]] = f["value"]; impls[key] = impls[key] " " f["impl"]
    rows[++nr] = sprintf("%-12s %-10s %-14s %14.6g", f["name"], f["impl"], f["metric"], f["value"])
  }
  END {
    printf "%-12s %-10s %-14s %14s\n", "bench", "impl", "metric", "value"
    for (i = 1; i <= nr; i++) print rows[i]
    for (i = 1; i <= n; i++) {
      key = order[i]; split(key, nm, SUBSEP)
      if (!((key, "forkcast") in val)) continue
      m = split(impls[key], im, " ")
      for (j = 1; j <= m; j++) {
        if (im[j] == "forkcast" || val[key, im[j]] + 0 == 0) continue
        printf "ratio %s %s: forkcast / %s = %.1fx\n", nm[1], nm[2], im[j],
               val[key, "forkcast"] / val[key, im[j]]
      }
    }
  }' "$log"
echo "bench: $fail failed"
[ "$fail" -eq 0 ]
