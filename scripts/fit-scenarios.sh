#!/usr/bin/env bash
# scripts/fit-scenarios.sh BIN -- regenerate the fitted default scenarios:
#   data/scenarios/overlay-e7.json   <- calibrate fit data/experiments/e7_overlay.json
#   data/scenarios/framing-t50.json  <- calibrate fit data/experiments/t50_framing.json
# (the framing base copies the cold start fitted to E7: keep them in step).
set -euo pipefail
bin=${1:-./forkcast}
"$bin" calibrate fit data/experiments/e7_overlay.json -o data/scenarios/overlay-e7.json
echo
"$bin" calibrate fit data/experiments/t50_framing.json -o data/scenarios/framing-t50.json
