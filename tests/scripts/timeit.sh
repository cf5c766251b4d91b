# tests/bench/timeit, make bench's timer (GNU time's -f, -o and -a to the
# millisecond): its fields against what the command did, the command's
# exit status passed on, and a format it does not know refused before
# anything runs.
set -eu
case $BIN in */san|*/tsan) echo "skipped: make bench's tool, tested in the plain build"; exit 77 ;; esac
T="$BIN/tests/timeit"
[ -x "$T" ] || { echo "skipped: no $T (make unit builds it)"; exit 77; }
# a 0.3 s sleep: wall 0.300 or a little more, printed to 3 decimals, hardly any CPU
"$T" -f "%e|%U|%S|%M" -o "$TMP/t" sleep 0.3
awk -F'|' '!($1 >= 0.3 && $1 < 3 && $1 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ && $2 + $3 < 0.1 && $4 > 0) { exit 1 }' "$TMP/t" ||
	{ echo "sleep 0.3: $(cat "$TMP/t")"; exit 1; }
# CPU of the children the command waited for: a shell's busy loop in a child sh
"$T" -f "%e %U %S" -o "$TMP/t" sh -c 'sh -c "i=0; while [ \$i -lt 300000 ]; do i=\$((i + 1)); done"'
awk '!($2 + $3 > 0.05 && $2 + $3 <= $1 + 0.05) { exit 1 }' "$TMP/t" || { echo "busy loop: $(cat "$TMP/t")"; exit 1; }
# -a appends a line a run; without it the file is written anew
"$T" -a -o "$TMP/t" true
"$T" -a -o "$TMP/t" true
[ "$(wc -l < "$TMP/t")" -eq 3 ] || { echo "-a: not 3 lines"; exit 1; }
"$T" -f "%e %%" -o "$TMP/t" true
grep -Eqx '[0-9]+\.[0-9]{3} %' "$TMP/t" || { echo "%%: $(cat "$TMP/t")"; exit 1; }
# the command's status: its exit code, 128 + the signal, 127 when it cannot run
st=0; "$T" -o "$TMP/t" sh -c 'exit 3' || st=$?
[ "$st" -eq 3 ] || { echo "exit 3 gave $st"; exit 1; }
st=0; "$T" -o "$TMP/t" sh -c 'kill -TERM $$' || st=$?
[ "$st" -eq 143 ] || { echo "SIGTERM gave $st"; exit 1; }
st=0; "$T" -o "$TMP/t" "$TMP/no-such-command" 2> "$TMP/err" || st=$?
[ "$st" -eq 127 ] && grep -q "no-such-command: No such file" "$TMP/err" || { echo "a missing command gave $st"; exit 1; }
# a format it does not know: refused, nothing run, no file written
rm -f "$TMP/t"
st=0; "$T" -f "%e %x" -o "$TMP/t" touch "$TMP/ran" 2> "$TMP/err" || st=$?
[ "$st" -eq 2 ] && [ ! -e "$TMP/t" ] && [ ! -e "$TMP/ran" ] && grep -q "%x" "$TMP/err" ||
	{ echo "%x: status $st"; exit 1; }
