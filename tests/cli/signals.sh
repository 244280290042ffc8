#!/usr/bin/env bash
# tests/cli/signals.sh -- a run stopped by SIGINT, SIGTERM or SIGHUP leaves
# nothing behind (docs/outputs.md): no *.tmp.* file from `sim --trace` or
# `capacity --series`, no report staging folder, no $TMPDIR/forkcast-*
# folder, no child process (gnuplot and what it started), and ends by the
# signal (exit 130, 143, 129). Each signal is sent once the run has made its
# temporary (waited for, bounded), so it always lands mid-run.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-signals-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
e7=data/scenarios/overlay-e7.json
mkdir "$tmp/t"
export TMPDIR=$tmp/t # base_tmpdir folders land here, and nowhere else

# wait_for GLOB: until a file matching it exists (at most 20 s); 0 when seen.
wait_for() {
  local _
  for _ in $(seq 400); do
    compgen -G "$1" >/dev/null && return 0
    sleep 0.05
  done
  return 1
}
# gone PID...: every one has ended (not running, not a zombie) within 5 s.
gone() {
  local p _ left
  for _ in $(seq 100); do
    left=
    for p in "$@"; do
      [ -r "/proc/$p/stat" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left=1
    done
    [ -z "$left" ] && return 0
    sleep 0.05
  done
  return 1
}
# stop NAME SIG CODE GLOB DIR ARGS... : start forkcast ARGS, wait for GLOB,
# send SIG; expect exit CODE and no *.tmp.* in DIR, nothing in $TMPDIR.
stop() {
  local name=$1 sig=$2 code=$3 glob=$4 dir=$5; shift 5
  # SIGHUP at its default first, as in a terminal: under nohup it comes
  # ignored, and forkcast leaves it so (docs/outputs.md).
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$FORKCAST" "$@" >"$tmp/out" 2>"$tmp/err" &
  local pid=$!
  if ! wait_for "$glob"; then
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    bad "$name: the temporary $glob never appeared"; return
  fi
  kill -"$sig" $pid
  wait $pid 2>/dev/null; local rc=$?
  local left; left=$(find "$dir" "$TMPDIR" -mindepth 1 \( -name '*.tmp.*' -o -name 'forkcast-*' -o -name '.forkcast-*' \) | head -3)
  if [ $rc -eq "$code" ] && [ -z "$left" ] && [ ! -s "$tmp/out" ]; then ok "$name: exit $rc, nothing left"
  else bad "$name (rc=$rc, left: $left): $(head -c 300 "$tmp/err")"; fi
}

mkdir "$tmp/o"
# Long runs (seconds, under 100 MB) that are stopped within a fraction of one.
sim_long=(sim "$e7" --replications 3000000 --gpus 256 --threads 1)
cap_long=(capacity "$e7" --rate 2000 --hours 20000)
stop "sim --trace, SIGINT"       INT  130 "$tmp/o/trace.csv.tmp.*"  "$tmp/o" "${sim_long[@]}" --trace "$tmp/o/trace.csv"
stop "sim --trace, SIGTERM"      TERM 143 "$tmp/o/trace.csv.tmp.*"  "$tmp/o" "${sim_long[@]}" --trace "$tmp/o/trace.csv"
stop "sim --trace, SIGHUP"       HUP  129 "$tmp/o/trace.csv.tmp.*"  "$tmp/o" "${sim_long[@]}" --trace "$tmp/o/trace.csv"
stop "capacity --series, SIGINT" INT  130 "$tmp/o/series.csv.tmp.*" "$tmp/o" "${cap_long[@]}" --series "$tmp/o/series.csv"
stop "capacity --series, SIGTERM" TERM 143 "$tmp/o/series.csv.tmp.*" "$tmp/o" "${cap_long[@]}" --series "$tmp/o/series.csv"
[ ! -e "$tmp/o/trace.csv" ] && [ ! -e "$tmp/o/series.csv" ] && ok "no output file made by a stopped run" \
  || bad "a stopped run made its output: $(ls "$tmp/o")"
# A trace written through a symlink: the target's temporary goes too, the link stays.
mkdir "$tmp/o/real"
ln -s real/t.csv "$tmp/o/link.csv"
stop "sim --trace onto a link, SIGINT" INT 130 "$tmp/o/real/t.csv.tmp.*" "$tmp/o" "${sim_long[@]}" --trace "$tmp/o/link.csv"
[ -L "$tmp/o/link.csv" ] && ok "the link is still a link" || bad "link gone"

# report -o DIR with a gnuplot that never ends (and starts a child of its
# own): SIGINT leaves no DIR (it made it), no staging folder, no $TMPDIR
# folder, and neither process.
mkdir "$tmp/bin"
cat >"$tmp/bin/gnuplot" <<'EOF'
#!/bin/sh
sleep 600 &
echo $$ $! >>"$FAKE_GNUPLOT_PIDS"
wait
EOF
chmod +x "$tmp/bin/gnuplot"
report_stop() {
  local name=$1 sig=$2 code=$3 dir=$4
  rm -f "$tmp/pids"
  FAKE_GNUPLOT_PIDS=$tmp/pids PATH=$tmp/bin:$PATH "$FORKCAST" report "$e7" -o "$dir" >"$tmp/out" 2>"$tmp/err" &
  local pid=$!
  if ! wait_for "$tmp/pids" || ! wait_for "$dir/.forkcast-report-*" || ! wait_for "$TMPDIR/forkcast-*"; then
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    bad "$name: gnuplot, the staging folder or the temp folder never appeared"; return
  fi
  sleep 0.1 # the fake gnuplot has written its line
  kill -"$sig" $pid
  wait $pid 2>/dev/null; local rc=$?
  # shellcheck disable=SC2046
  if [ $rc -eq "$code" ] && gone $(cat "$tmp/pids") && [ -z "$(ls -A "$TMPDIR")" ]; then ok "$name: exit $rc, gnuplot and its child ended, \$TMPDIR empty"
  else bad "$name (rc=$rc, TMPDIR: $(ls -A "$TMPDIR")): $(head -c 300 "$tmp/err")"; fi
}
report_stop "report -o new DIR, SIGINT" INT 130 "$tmp/rep"
[ ! -e "$tmp/rep" ] && ok "report: the DIR it made is gone" || bad "report left $(ls -A "$tmp/rep")"
mkdir "$tmp/keep"; echo mine >"$tmp/keep/notes.txt"
report_stop "report -o existing DIR, SIGTERM" TERM 143 "$tmp/keep"
[ "$(ls -A "$tmp/keep")" = notes.txt ] && ok "report: an existing DIR keeps only what it had" || bad "report left $(ls -A "$tmp/keep")"

# The same with the real gnuplot when it is here: stop it while a gnuplot
# it started runs (pids compared with those children only, not globally).
if command -v gnuplot >/dev/null && command -v pgrep >/dev/null; then
  "$FORKCAST" report "$e7" -o "$tmp/real" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  seen=
  for _ in $(seq 2000); do
    seen=$(pgrep -P $pid -x gnuplot) && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  if [ -n "$seen" ]; then
    kill -INT $pid
    wait $pid 2>/dev/null; rc=$?
    # shellcheck disable=SC2086
    [ $rc -eq 130 ] && gone $seen && [ ! -e "$tmp/real" ] && [ -z "$(ls -A "$TMPDIR")" ] \
      && ok "report with gnuplot $seen running, SIGINT: exit 130, gnuplot ended, nothing left" \
      || bad "report real gnuplot (rc=$rc): $(ls -A "$tmp/real" "$TMPDIR" 2>&1)"
  else
    wait $pid 2>/dev/null
    echo "skip report with the real gnuplot: it finished before a gnuplot was seen"
  fi
fi
exit $fail
