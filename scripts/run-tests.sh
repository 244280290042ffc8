#!/usr/bin/env bash
# scripts/run-tests.sh BUILD BIN -- run every unit test binary in BUILD/tests,
# every fuzz harness replay BUILD/fuzz/replay_NAME over tests/fuzz/corpus/NAME,
# then every CLI test script tests/cli/*.sh with FORKCAST=BIN. Exit 1 if any fails.
set -u
build=${1:-build}; bin=${2:-./forkcast}
export FORKCAST="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
fail=0; n=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  n=$((n+1))
  if "$t"; then :; else echo "FAIL: $t"; fail=$((fail+1)); fi
done
for r in "$build"/fuzz/replay_*; do
  [ -x "$r" ] || continue
  n=$((n+1))
  if "$r" "tests/fuzz/corpus/${r##*/replay_}"; then :; else echo "FAIL: $r"; fail=$((fail+1)); fi
done
for s in tests/cli/*.sh; do
  [ -f "$s" ] || continue
  n=$((n+1))
  if bash "$s"; then :; else echo "FAIL: $s"; fail=$((fail+1)); fi
done
echo "tests: $n suites, $fail failed"
[ "$fail" -eq 0 ]
