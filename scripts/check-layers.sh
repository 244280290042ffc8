#!/usr/bin/env bash
# scripts/check-layers.sh [ROOT] -- fail when a source file includes a header
# from a layer above its own (docs/architecture.md). Layers, bottom to top:
#   0 base/ kernels/     the shared layer and the kernels (kernels may use base)
#   1 model/             the domain
#   2 sim/
#   3 calibrate/ plots/  siblings: neither includes the other
#   4 cli/
# Also: base/ includes nothing of kernels/, and model/, sim/, base/ include no
# FFmpeg (<libav*>, <libsw*>) or CUDA (<cuda*>) header. tests/ and bench/
# may include anything. Prints one line per violation; exit 1 if any.
set -u
root=${1:-.}
cd "$root" || exit 2
rank() {
  case $1 in
    base|kernels) echo 0 ;; model) echo 1 ;; sim) echo 2 ;;
    calibrate|plots) echo 3 ;; cli) echo 4 ;; *) echo -1 ;;
  esac
}
bad=0; n=0
for f in $(find base kernels model sim calibrate plots cli -type f \
             \( -name '*.c' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) 2>/dev/null | sort); do
  from=${f%%/*}; rf=$(rank "$from"); n=$((n+1))
  while IFS=: read -r line inc; do
    to=${inc%%/*}; rt=$(rank "$to")
    [ "$rt" -lt 0 ] && continue
    if [ "$rt" -gt "$rf" ] || { [ "$rt" -eq "$rf" ] && [ "$to" != "$from" ] && [ "$from" != kernels ]; }; then
      echo "check-layers: $f:$line: $from/ (layer $rf) includes \"$inc\" ($to/, layer $rt)"
      bad=$((bad+1))
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
           sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
  case $from in
    base|model|sim)
      while IFS=: read -r line rest; do
        echo "check-layers: $f:$line: $from/ must not include FFmpeg or CUDA headers ($rest)"
        bad=$((bad+1))
      done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(libav|libsw|cuda)' "$f")
      ;;
  esac
done
if [ "$bad" -gt 0 ]; then echo "check-layers: $bad violation(s) in $n files"; exit 1; fi
echo "check-layers: $n files, layers respected"
