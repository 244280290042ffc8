#!/usr/bin/env bash
# tests/cli/layers.sh -- scripts/check-layers.sh passes on the tree and fails
# on a copy with a deliberately wrong include (one per kind of rule).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
if "$root/scripts/check-layers.sh" "$root" >"$tmp/out" 2>&1; then ok "tree respects the layers"
else bad "tree: $(head -3 "$tmp/out")"; fi
try_bad() { # NAME FILE LINE NEEDLE
  rm -rf "$tmp/tree"; mkdir -p "$tmp/tree"
  (cd "$root" && cp -R base kernels model sim calibrate plots cli "$tmp/tree/")
  echo "$3" >> "$tmp/tree/$2"
  "$root/scripts/check-layers.sh" "$tmp/tree" >"$tmp/out" 2>&1; local rc=$?
  if [ $rc -eq 1 ] && grep -qF -- "$4" "$tmp/out"; then ok "$1"
  else bad "$1 (rc=$rc: $(head -2 "$tmp/out"))"; fi
}
try_bad "model includes sim" model/dist.h '#include "sim/engine.h"' 'model/dist.h'
try_bad "base includes model" base/clock.c '#include "model/dist.h"' 'base/clock.c'
try_bad "plots includes calibrate" plots/sweep.c '#include "calibrate/fit.h"' 'plots/sweep.c'
try_bad "sim includes FFmpeg" sim/mc.h '#include <libavcodec/avcodec.h>' 'FFmpeg or CUDA'
try_bad "cli is the top: kernels includes cli" kernels/kern.h '#include "cli/cli.h"' 'kernels/kern.h'
exit $fail
