#!/usr/bin/env bash
# tests/cli/outputs.sh -- every output is safe (docs/outputs.md): a failed
# write to stdout is one line and exit 1 for every command; output files
# follow a symbolic link and replace its target (the link stays a link);
# devices, FIFOs, sockets and /dev/stdout are written through, never
# replaced; a directory is refused (exit 2); a replaced file keeps its mode;
# CSV fields are quoted per RFC 4180 (a scenario named a,"b"<newline>c).
# /dev/full is only ever a shell redirection target here (never a path
# forkcast could replace): the test checks it is still a device at the end.
set -u
: "${FORKCAST:?set FORKCAST to the forkcast binary}"
tmp=$(mktemp -d /tmp/forkcast-outputs-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
e7=data/scenarios/overlay-e7.json
leftovers() { find "$tmp" -name '*.tmp.*' | head -3; }

# full NAME ARGS... : stdout onto /dev/full gives exit 1 and exactly one
# stderr line naming the reason.
full() {
  local name=$1; shift
  "$FORKCAST" "$@" >/dev/full 2>"$tmp/err"; local rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] \
     && grep -qx 'forkcast: writing output failed: No space left on device' "$tmp/err"; then ok "$name > /dev/full: exit 1, one line"
  else bad "$name > /dev/full (rc=$rc): $(head -c 300 "$tmp/err")"; fi
}
full "advise --json"      advise --json
full "advise"             advise
full "advise --csv"       advise --csv
full "model"              model "$e7"
full "model --json"       model "$e7" --json
full "model --csv"        model "$e7" --csv
full "sim --json"         sim "$e7" --json --replications 300
full "sim --csv"          sim "$e7" --csv --replications 300
full "sim"                sim "$e7" --replications 300
full "capacity --json"    capacity "$e7" --rate 60 --hours 2 --json
full "capacity --csv"     capacity "$e7" --rate 60 --hours 2 --csv
full "capacity"           capacity "$e7" --rate 60 --hours 2
full "capacity --sweep"   capacity "$e7" --rate 60 --hours 2 --sweep max_containers=1..3 --json
full "sweep"              sweep "$e7" --frames 100..1000 --points 3
full "sweep --json"       sweep "$e7" --frames 100..1000 --points 3 --json
full "example"            example
full "--help"             --help
full "--version"          --version
full "sim --help"         sim --help
# A command that writes nothing to stdout is no failure when stdout is closed.
"$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/closed.csv" >&- 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'writing output failed: Bad file descriptor' "$tmp/err" \
  && ok "stdout closed: exit 1, says so" || bad "stdout closed (rc=$rc): $(cat "$tmp/err")"
"$FORKCAST" example >"$tmp/ex.json" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && ok "example to a file: exit 0, quiet" \
  || bad "example to a file"

# A symbolic link: the link stays, its target gets the new content.
echo old >"$tmp/real.csv"
ln -s real.csv "$tmp/link.csv"
"$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/link.csv" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ -L "$tmp/link.csv" ] && [ "$(readlink "$tmp/link.csv")" = real.csv ] \
  && head -1 "$tmp/real.csv" | grep -qx 'k,container,chunk,phase,start_s,end_s' && [ -z "$(leftovers)" ] \
  && ok "--trace onto a symlink: link kept, target replaced" || bad "--trace symlink (rc=$rc): $(cat "$tmp/err"); $(ls -l "$tmp")"
# A link in another folder, relative, two hops, to a file not there yet.
mkdir "$tmp/a" "$tmp/b"
ln -s ../b/hop.csv "$tmp/a/l1.csv"
ln -s new.csv "$tmp/b/hop.csv"
"$FORKCAST" capacity "$e7" --rate 60 --hours 1 --series "$tmp/a/l1.csv" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ -L "$tmp/a/l1.csv" ] && [ -L "$tmp/b/hop.csv" ] && [ -f "$tmp/b/new.csv" ] && [ ! -L "$tmp/b/new.csv" ] \
  && head -1 "$tmp/b/new.csv" | grep -q '^t_s,busy' && [ -z "$(leftovers)" ] \
  && ok "--series through two relative links to a new file: both links kept, file made" \
  || bad "--series two links (rc=$rc): $(cat "$tmp/err")"
# plot -o onto a link (the image through gnuplot) when gnuplot is here.
if command -v gnuplot >/dev/null; then
  echo old >"$tmp/img.png"
  ln -s img.png "$tmp/chart.png"
  "$FORKCAST" plot speedup "$e7" -o "$tmp/chart.png" 2>"$tmp/err"; rc=$?
  [ $rc -eq 0 ] && [ -L "$tmp/chart.png" ] && [ "$(head -c 4 "$tmp/img.png" | tail -c 3)" = PNG ] && [ -z "$(leftovers)" ] \
    && ok "plot -o onto a symlink: link kept, target is the PNG" || bad "plot -o symlink (rc=$rc): $(cat "$tmp/err")"
fi
# A replaced file keeps its mode.
echo old >"$tmp/mode.json"; chmod 640 "$tmp/mode.json"
"$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/mode.json" >/dev/null
[ "$(stat -c %a "$tmp/mode.json")" = 640 ] && ok "replaced file keeps mode 640" || bad "mode: $(stat -c %a "$tmp/mode.json")"

# A FIFO with a reader: written through; the FIFO stays a FIFO.
mkfifo "$tmp/fifo"
(timeout 30 cat "$tmp/fifo" >"$tmp/fifo.out") &
reader=$!
timeout 30 "$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/fifo" >/dev/null 2>"$tmp/err"; rc=$?
wait $reader # bounded: a reader left waiting (the FIFO replaced) ends after 30 s
"$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/ref.csv" >/dev/null
[ $rc -eq 0 ] && [ -p "$tmp/fifo" ] && cmp -s "$tmp/fifo.out" "$tmp/ref.csv" && [ -z "$(leftovers)" ] \
  && ok "--trace FIFO: written through, same bytes as a file, FIFO kept" || bad "--trace FIFO (rc=$rc): $(cat "$tmp/err")"

# A full disk behind a link: written through, one line, exit 1; the device
# node and the link stay what they were. The node is one made here (mknod
# c 1 7, as /dev/full), so a regression can replace only that one; without
# the right to make one, a link to /dev/full itself, which a user without
# that right cannot replace either.
if mknod "$tmp/fullnode" c 1 7 2>/dev/null; then fullpath=$tmp/fullnode
elif [ "$(id -u)" -ne 0 ]; then fullpath=/dev/full
else fullpath=; echo "skip the full-disk file case: cannot mknod"; fi
if [ -n "$fullpath" ]; then
  ln -s "$fullpath" "$tmp/full.csv"
  "$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/full.csv" >/dev/null 2>"$tmp/err"; rc=$?
  [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] \
    && grep -qx "forkcast: $tmp/full.csv: writing output failed: No space left on device" "$tmp/err" \
    && [ -c "$fullpath" ] && [ -L "$tmp/full.csv" ] && [ -z "$(leftovers)" ] \
    && ok "--trace onto a link to a full device: exit 1, one line, device kept" || bad "--trace full device (rc=$rc): $(cat "$tmp/err")"
fi

# /dev/stdout into a pipe and into a file: written through, in order with
# what the command prints after it.
"$FORKCAST" sim "$e7" --replications 100 --trace /dev/stdout --json 2>"$tmp/err" | cat >"$tmp/pipe.out"
[ "${PIPESTATUS[0]}" -eq 0 ] && head -1 "$tmp/pipe.out" | grep -qx 'k,container,chunk,phase,start_s,end_s' \
  && grep -q '"method":' "$tmp/pipe.out" && [ "$(grep -c '^1,0,0,' "$tmp/pipe.out")" -eq "$(grep -c '^1,0,0,' "$tmp/ref.csv")" ] \
  && ok "--trace /dev/stdout into a pipe: trace then JSON" || bad "--trace /dev/stdout pipe: $(cat "$tmp/err")"
"$FORKCAST" sim "$e7" --replications 100 --trace /dev/stdout --json >"$tmp/stdout.out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/stdout.out" ] && head -1 "$tmp/stdout.out" | grep -qx 'k,container,chunk,phase,start_s,end_s' \
  && grep -q '"method":' "$tmp/stdout.out" && [ "$(grep -c '^1,0,0,' "$tmp/stdout.out")" -eq "$(grep -c '^1,0,0,' "$tmp/ref.csv")" ] \
  && [ -L /dev/stdout ] && [ -z "$(leftovers)" ] \
  && ok "--trace /dev/stdout into a file: both in the file, nothing renamed" || bad "--trace /dev/stdout file (rc=$rc): $(cat "$tmp/err")"

# A Unix socket with a listener: connected and written through.
python3 - "$tmp/sock" "$tmp/sock.out" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(30)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b:
            break
        f.write(b)
EOF
listener=$!
for _ in $(seq 100); do [ -e "$tmp/sock.ready" ] && break; sleep 0.05; done
timeout 30 "$FORKCAST" sim "$e7" --replications 100 --trace "$tmp/sock" >/dev/null 2>"$tmp/err"; rc=$?
wait $listener # bounded: accept times out after 30 s
[ $rc -eq 0 ] && [ -S "$tmp/sock" ] && cmp -s "$tmp/sock.out" "$tmp/ref.csv" \
  && ok "--trace onto a Unix socket: connected, same bytes, socket kept" || bad "--trace socket (rc=$rc): $(cat "$tmp/err")"

# A directory (or a link to one) is refused: exit 2, one line, nothing in it.
mkdir "$tmp/dir" "$tmp/dir.png"
ln -s dir "$tmp/dirlink"
for args in "sim $e7 --replications 100 --trace $tmp/dir" "sim $e7 --replications 100 --trace $tmp/dirlink" \
            "capacity $e7 --rate 60 --hours 1 --series $tmp/dir" "plot speedup $e7 -o $tmp/dir.png"; do
  # shellcheck disable=SC2086
  "$FORKCAST" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'is a directory' "$tmp/err" && [ -z "$(ls -A "$tmp/dir")" ] \
    && [ -d "$tmp/dir.png" ] && ok "directory refused: ${args##*/}" || bad "directory ${args##*/} (rc=$rc): $(cat "$tmp/err")"
done

# CSV: a scenario named a,"b"<newline>c stays one field in every CSV.
python3 - "$tmp/ex.json" "$tmp/odd.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["name"] = 'a,"b"\nc'
json.dump(s, open(sys.argv[2], "w"))
EOF
"$FORKCAST" model "$tmp/odd.json" --csv >"$tmp/model.csv" 2>"$tmp/err" \
  && "$FORKCAST" sim "$tmp/odd.json" --csv --replications 200 >"$tmp/sim.csv" 2>>"$tmp/err" \
  && "$FORKCAST" advise "$tmp/odd.json" --csv >"$tmp/advise.csv" 2>>"$tmp/err" || bad "odd name: $(cat "$tmp/err")"
python3 - "$tmp/model.csv" "$tmp/sim.csv" "$tmp/advise.csv" <<'EOF' && ok "--csv (model, sim, advise): the name is one RFC 4180 field" || bad "--csv quoting"
import csv, sys
for p in sys.argv[1:]:
    rows = list(csv.reader(open(p, newline="")))
    head, data = rows[0], rows[1:]
    assert head[0] == "scenario" and data, p
    for r in data:
        assert len(r) == len(head), (p, r)
        assert r[0] == 'a,"b"\nc', (p, r[0])
        int(r[3])  # gpus, where it belongs
EOF
if command -v gnuplot >/dev/null; then
  "$FORKCAST" plot map "$tmp/odd.json" --frames 5000 -o "$tmp/map.png" 2>"$tmp/err"; rc=$?
  python3 - "$tmp/map.csv" <<'EOF' && [ $rc -eq 0 ] && ok "map chart CSV: the name quoted, on one line (gnuplot drew it)" || bad "map CSV (rc=$rc): $(cat "$tmp/err")"
import csv, sys
lines = open(sys.argv[1], newline="").read().split("\n")
rows = list(csv.reader(lines))
head = rows[0]
marks = [dict(zip(head, r)) for r in rows[1:] if r and r[0] == "experiment"]
assert all(len(r) == len(head) for r in rows[1:] if r), "field count"
assert marks and all(m["note"].startswith('projected on a,"b" c: ') for m in marks), [m["note"] for m in marks]
EOF
fi

[ -c /dev/full ] && ok "/dev/full is still a character device" || bad "/dev/full changed"
[ -z "$(leftovers)" ] && ok "no *.tmp.* file anywhere" || bad "left: $(leftovers)"
exit $fail
