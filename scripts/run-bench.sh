#!/usr/bin/env bash
# scripts/run-bench.sh BUILD BIN -- run every benchmark binary BUILD/bench/bench_*
# (peers are measured inside each, in the same run). FORKCAST=BIN for any
# bench that drives the CLI. Exit 1 if any bench fails.
set -u
build=${1:-build}; bin=${2:-./forkcast}
export FORKCAST="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
fail=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || { echo "FAIL: $b"; fail=1; }
done
exit $fail
