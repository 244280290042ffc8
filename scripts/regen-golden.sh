#!/usr/bin/env bash
# scripts/regen-golden.sh [BIN] -- rewrite tests/golden/* from a real run.
# Only after a deliberate change to the model: review the diff before committing.
set -euo pipefail
bin=${1:-./forkcast}
g=tests/golden
"$bin" model data/scenarios/overlay-e7.json --json >$g/advise_default.json
"$bin" model data/scenarios/framing-t50.json --json >$g/model_t50.json
"$bin" calibrate fit data/experiments/e7_overlay.json --json >$g/fit_e7.json 2>/dev/null
git --no-pager diff --stat -- $g || true
