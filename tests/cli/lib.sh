# tests/cli/lib.sh -- sourced by CLI test scripts: ok/bad counters,
# expect_usage_error, json_close (numbers within a relative tolerance).
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# expect_usage_error NAME NEEDLE ARGS... : exit 2, exactly one stderr line
# starting "forkcast: " and containing NEEDLE, nothing on stdout.
expect_usage_error() {
  local name=$1 needle=$2; shift 2
  "$FORKCAST" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^forkcast: ' "$tmp/err" \
     && grep -qF -- "$needle" "$tmp/err" && [ ! -s "$tmp/out" ]; then ok "$name"
  else bad "$name (rc=$rc, stderr: $(head -c 300 "$tmp/err"))"; fi
}

# json_close A B REL : same structure, strings equal, numbers within REL.
json_close() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
a, b, rel = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
def cmp(x, y, path):
    if isinstance(x, bool) or isinstance(y, bool) or x is None or y is None or isinstance(x, str):
        assert x == y, f"{path}: {x!r} != {y!r}"
    elif isinstance(x, (int, float)):
        assert isinstance(y, (int, float)), f"{path}: type"
        assert abs(x - y) <= rel * max(abs(x), abs(y), 1e-12), f"{path}: {x} vs {y}"
    elif isinstance(x, list):
        assert len(x) == len(y), f"{path}: length {len(x)} != {len(y)}"
        for i, (p, q) in enumerate(zip(x, y)): cmp(p, q, f"{path}[{i}]")
    else:
        assert set(x) == set(y), f"{path}: keys {sorted(set(x) ^ set(y))}"
        for k in x: cmp(x[k], y[k], f"{path}.{k}")
try:
    cmp(a, b, "$")
except AssertionError as e:
    print("  mismatch:", e); sys.exit(1)
PY
}
