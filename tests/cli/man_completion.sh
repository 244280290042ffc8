#!/usr/bin/env bash
# tests/cli/man_completion.sh -- the man page (scripts/gen-man.sh: help2man
# over the --help outputs) renders with groff and man without a warning and
# holds every subcommand's and calibrate mode's help; the bash completion
# (`forkcast completion`) completes `forkcast cal<TAB>` and `forkcast advise
# --<TAB>`, and every option it offers is one the subcommand's parser
# accepts (no "unknown option"), while an unknown one is refused.
set -u
. "$(dirname "$0")/lib.sh"

if ! command -v help2man >/dev/null; then bad "help2man missing (make deps installs it)"
else
  ./scripts/gen-man.sh "$FORKCAST" "$tmp/forkcast.1" 2>"$tmp/err" || bad "gen-man: $(cat "$tmp/err")"
  groff -man -Tutf8 -ww "$tmp/forkcast.1" >"$tmp/man.txt" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && [ -s "$tmp/man.txt" ] \
    && ok "groff -man renders forkcast.1 without warnings" || bad "groff: $(head -c 400 "$tmp/err")"
  MANWIDTH=100 man -l "$tmp/forkcast.1" >"$tmp/man2.txt" 2>"$tmp/err" && [ ! -s "$tmp/err" ] \
    && grep -q '^SUBCOMMANDS' "$tmp/man2.txt" && ok "man -l renders it" || bad "man -l: $(head -c 400 "$tmp/err")"
  missing=
  for c in $("$FORKCAST" --help | awk '/^  [a-z]/ {print $1}') \
           $("$FORKCAST" calibrate --help | awk '/^  [a-z]/ {print "calibrate_" $1}'); do
    c=${c/_/ }
    grep -q "^   $c\$" "$tmp/man2.txt" && grep -q "Usage: forkcast $c" "$tmp/man2.txt" || missing="$missing [$c]"
  done
  [ -z "$missing" ] && grep -q -- '--p95-target' "$tmp/man2.txt" && ok "every subcommand and mode has its section and usage" \
    || bad "man sections missing:$missing"
fi

"$FORKCAST" completion >"$tmp/c.bash" 2>"$tmp/err" && [ ! -s "$tmp/err" ] || bad "completion: $(cat "$tmp/err")"
comp() { # WORDS... : COMPREPLY of the completion function with the cursor on the last word
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _forkcast; echo "${COMPREPLY[*]}"' \
    _ "$tmp/c.bash" "$@"
}
[ "$(comp forkcast cal)" = calibrate ] && ok "forkcast cal<TAB> -> calibrate" || bad "cal<TAB>: $(comp forkcast cal)"
adv=$(comp forkcast advise --)
for o in --with --frames --gpus --per-frame --no-sim --no-break-even --json --csv --quiet --help; do
  case " $adv " in *" $o "*) ;; *) bad "advise --<TAB> lacks $o: $adv" ;; esac
done
case " $adv " in *" --rate "*|*" -o "*) bad "advise --<TAB> offers another command's option: $adv" ;; *) ok "advise --<TAB>: advise's options" ;; esac
[ "$(comp forkcast calibrate kernels --ba)" = --backend ] && [ "$(comp forkcast plot ma)" = map ] \
  && [ "$(comp forkcast capacity --p95)" = --p95-target ] && ok "modes' options, plot kinds, capacity's options" \
  || bad "completion: '$(comp forkcast calibrate kernels --ba)' '$(comp forkcast plot ma)' '$(comp forkcast capacity --p95)'"
[ -z "$(comp forkcast advise --with '')" ] && ok "an option's value: files (bash's default)" || bad "value completion"

# Every option offered is accepted by its parser; an unknown one is not.
bad_opts=
for key in $(sed -n 's/^_forkcast_opts_\([a-z_]*\)=.*/\1/p' "$tmp/c.bash"); do
  cmd=${key/_/ }; [ "$key" = completion ] && cmd=completion
  for o in $(sed -n "s/^_forkcast_opts_$key=\"\(.*\)\"/\1/p" "$tmp/c.bash"); do
    "$FORKCAST" $cmd "$o" 1 --help >/dev/null 2>"$tmp/err" </dev/null
    grep -q 'unknown option' "$tmp/err" && bad_opts="$bad_opts [$cmd $o]"
  done
  "$FORKCAST" $cmd --no-such-option >/dev/null 2>"$tmp/err" </dev/null
  grep -q "unknown option '--no-such-option'" "$tmp/err" || bad_opts="$bad_opts [$cmd: unknown accepted]"
done
[ -z "$bad_opts" ] && ok "every completed option parses; unknown ones refused" || bad "completion vs parser:$bad_opts"
exit $fail
