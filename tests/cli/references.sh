#!/usr/bin/env bash
# tests/cli/references.sh -- the repository stands alone: no file (code,
# docs, data, tests, scripts, bench) cites a design or reference file, the
# seed file or a folder outside the repository. Sources are named in words
# or by a repository doc (docs/references.md). .ci/ (the CI runner's own
# notes about its machine) and build outputs are not searched. The patterns
# are built from pieces so this file does not match itself.
set -u
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
pat="DESIGN""\.md|REFERENCE""\.md|seed/""000|\.\./""shared|/work/""shared"
cd "$root" || exit 2
files=$(git ls-files --cached --others --exclude-standard 2>/dev/null || find . -type f -not -path './.git/*')
hits=$(printf '%s\n' $files | grep -v '^\.ci/' | xargs grep -nIE "$pat" 2>/dev/null | head -20)
if [ -z "$hits" ]; then ok "no reference outside the repository"
else bad "references outside the repository:"; printf '%s\n' "$hits"; fi

# The check itself finds one (a file with such a citation, not committed).
mkdir -p "$tmp/t"; printf '/* see DESIGN''.md */\n' >"$tmp/t/x.c"
grep -qIE "$pat" "$tmp/t/x.c" && ok "the pattern finds a planted citation" || bad "pattern misses a citation"
exit $fail
