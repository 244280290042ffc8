#!/usr/bin/env bash
# scripts/run-report.sh [BIN] -- the last step of `make run`: write the
# default report (charts + report.html) to out/; `forkcast report` prints
# the paths it wrote.
set -euo pipefail
bin=${1:-./forkcast}
"$bin" report -o out
