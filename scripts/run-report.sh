#!/usr/bin/env bash
# scripts/run-report.sh [BIN] -- the last step of `make run`: write the
# default report (charts + report.html) to out/ once `forkcast report` exists.
set -euo pipefail
bin=${1:-./forkcast}
if "$bin" report --help >/dev/null 2>&1; then
  "$bin" report -o out
  echo "report: $(pwd)/out/report.html"
fi
