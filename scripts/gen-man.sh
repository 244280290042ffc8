#!/usr/bin/env bash
# scripts/gen-man.sh BIN OUT -- the man page forkcast.1 from BIN's --help
# outputs, with Debian's help2man: the top-level help, then one section per
# subcommand and calibrate mode holding its --help verbatim. `make man`
# (and `make install`) run it; nothing here is hand-written about options.
set -eu
bin=$1; out=$2
command -v help2man >/dev/null || { echo "gen-man: help2man missing (make deps installs it)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/forkcast-man-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# roff-safe verbatim text: backslashes escaped, no line starting with . or '
verbatim() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
cmds=$("$bin" --help | awk '/^  [a-z]/ {print $1}')
modes=$("$bin" calibrate --help | awk '/^  [a-z]/ {print $1}')
{
  echo '[SUBCOMMANDS]'
  for c in $cmds; do
    echo ".SS $c"; echo '.nf'; "$bin" "$c" --help | verbatim; echo '.fi'
    if [ "$c" = calibrate ]; then
      for m in $modes; do
        echo ".SS calibrate $m"; echo '.nf'; "$bin" calibrate "$m" --help | verbatim; echo '.fi'
      done
    fi
  done
  echo '[ENVIRONMENT]'
  echo '.TP'; echo '.B FORKCAST_PROGRESS_S'
  echo 'Seconds between progress lines when stderr is not a terminal (default 5).'
  echo '.TP'; echo '.B FORKCAST_DATA'
  echo 'Where plot scripts (plots/KIND.gp) are looked for first.'
  echo '[SEE ALSO]'
  echo 'README.md and docs/*.md of the source tree (installed in share/doc/forkcast):'
  echo 'docs/cli.md for the option conventions, docs/scenario.md for the scenario format.'
} >"$tmp/include"
help2man --no-info --section 1 --name "should a video stage be split across N serverless GPU containers?" \
  --source forkcast --manual "User Commands" --include "$tmp/include" --output "$tmp/forkcast.1" "$bin"
mv "$tmp/forkcast.1" "$out"
