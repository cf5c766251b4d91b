# Spilled runs: in -T's directory (or $TMPDIR's), never left there after
# success, an error or SIGINT/SIGTERM; a full -T directory is an error that
# names it, with nothing written (a small tmpfs when this can mount one,
# and always a file-size limit, RLIMIT_FSIZE, with SIGXFSZ ignored so that
# write fails with EFBIG as on a full disk).
set -eu
S="$BIN/vchain-sort"
"$BIN/vchain-gen" --seed 61 --events 100000 > "$TMP/in"
python3 ref.py "$TMP/in" > "$TMP/want"
mkdir "$TMP/t" "$TMP/e"
empty() { [ -z "$(ls -A "$1")" ] || { echo "$2: left in $1:"; ls -la "$1"; exit 1; }; }
# success: runs were spilled there, and are gone
$RUN "$S" -S 1M -T "$TMP/t" --stats "$TMP/in" 2> "$TMP/stats" | cmp "$TMP/want" -
grep -q "runs spilled [1-9][0-9]*; written to $TMP/t " "$TMP/stats"
empty "$TMP/t" success
# $TMPDIR when there is no -T
TMPDIR="$TMP/e" $RUN "$S" -S 1M --stats "$TMP/in" 2> "$TMP/stats" | cmp "$TMP/want" -
grep -q "runs spilled [1-9][0-9]*; written to $TMP/e " "$TMP/stats"
empty "$TMP/e" TMPDIR
# an error after runs were spilled: a bad last record
cp "$TMP/in" "$TMP/bad" && echo '{"ts":' >> "$TMP/bad"
st=0
$RUN "$S" -S 1M -T "$TMP/t" "$TMP/bad" > "$TMP/out" 2> /dev/null || st=$?
[ $st -eq 1 ] && [ ! -s "$TMP/out" ]
empty "$TMP/t" error
# killed mid-run, while runs are being spilled: input that stalls
# (a fifo of its own for each kill: killing the feeder's shell can leave its
# cat behind, still holding the last fifo with half a record in it, which
# the next reader would get first)
for sig in INT TERM; do
	mkfifo "$TMP/fifo-$sig"
	{ cat "$TMP/in"; exec sleep 30; } > "$TMP/fifo-$sig" &
	feeder=$!
	env --default-signal=INT,TERM $RUN "$S" -S 1M -T "$TMP/t" < "$TMP/fifo-$sig" > "$TMP/out" &
	pid=$!
	n=0	# until it holds a run's file open (O_TMPFILE names it "#inode (deleted)")
	until ls -l /proc/$pid/fd 2> /dev/null | grep -q "$TMP/t/"; do
		n=$((n + 1)); [ $n -lt 100 ] || { echo "SIG$sig: no run spilled in 10 s"; exit 1; }; sleep 0.1
	done
	kill -s $sig $pid
	st=0
	wait $pid || st=$?
	kill $feeder 2> /dev/null || true
	wait $feeder 2> /dev/null || true
	[ $st -gt 128 ] || { echo "SIG$sig: exit status $st"; exit 1; }
	[ ! -s "$TMP/out" ]
	empty "$TMP/t" "SIG$sig"
done
# a full temporary directory
full() {	# DIR WHAT: exit 1, the directory named, nothing written, nothing left
	st=0
	$RUN "$S" -S 1M -T "$1" "$TMP/in" > "$TMP/out" 2> "$TMP/err" || st=$?
	[ $st -eq 1 ] || { echo "$2: exit status $st"; exit 1; }
	grep -q "^vchain-sort: $1: cannot write a sorted run there: $3" "$TMP/err" ||
		{ echo "$2: the error does not name $1:"; cat "$TMP/err"; exit 1; }
	[ ! -s "$TMP/out" ]
	empty "$1" "$2"
}
mkdir "$TMP/small"
if mount -t tmpfs -o size=1m vchain-test "$TMP/small" 2> /dev/null; then
	trap 'umount "$TMP/small" 2> /dev/null || true' EXIT
	full "$TMP/small" "a 1 MB tmpfs" "No space left on device"
	umount "$TMP/small"
	trap - EXIT
fi
(trap '' XFSZ; ulimit -f 1024; full "$TMP/t" "RLIMIT_FSIZE 512 KiB" "File too large")
