#!/usr/bin/env bash
# scripts/run-bench.sh BUILD BIN -- run every benchmark binary BUILD/bench/bench_*
# (each prints its own table, peers measured in the same run). Exit 1 if any fails.
set -u
build=${1:-build}; bin=${2:-./forkcast}
export FORKCAST="$bin"
fail=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || { echo "FAIL: $b"; fail=$((fail+1)); }
done
[ "$fail" -eq 0 ]
