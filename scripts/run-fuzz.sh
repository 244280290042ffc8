#!/usr/bin/env bash
# scripts/run-fuzz.sh BUILD SECONDS NAME... -- run each libFuzzer harness
# BUILD/fuzz/fuzz_NAME for SECONDS, one at a time (the machine's cores are
# shared). Each grows its corpus in BUILD/fuzz/corpus/NAME, seeded from
# tests/fuzz/corpus/NAME (read, never written), with tests/fuzz/json.dict
# for the JSON harnesses; a crash, a broken contract, a leak or a run over
# the time bound (-timeout) is written to BUILD/fuzz/artifacts/NAME/ and
# fails the run: add the file to tests/fuzz/corpus/NAME once fixed. Prints
# one line per harness: executions, coverage (edges, features), corpus.
set -u
build=$1; secs=$2; shift 2
fail=0
for h in "$@"; do
  bin=$build/fuzz/fuzz_$h
  corpus=$build/fuzz/corpus/$h; art=$build/fuzz/artifacts/$h/
  mkdir -p "$corpus" "$art" tests/fuzz/corpus/$h
  dict=(); [ "$h" != csv ] && dict=(-dict=tests/fuzz/json.dict)
  log=$build/fuzz/$h.log
  "$bin" -max_total_time="$secs" -timeout=120 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$art" "${dict[@]}" "$corpus" "tests/fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*'); ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  n=$(ls "$corpus" | wc -l)
  found=$(ls "$art" 2>/dev/null | head -3 | tr '\n' ' ')
  echo "fuzz $h: ${secs} s, ${execs:-?} executions, cov ${cov:-?} edges, ft ${ft:-?} features, corpus $n${found:+, FINDINGS: $found}"
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    fail=1
    grep -m3 -E 'ERROR|fuzz contract|SUMMARY|runtime error' "$log" | sed 's/^/  /'
    echo "  full log: $log"
  fi
done
exit $fail
