# Killed mid-run by SIGINT or SIGTERM, vchain-stage leaves only whole
# records behind: every write carries whole records (a record is never
# split between two writes), so the output ends in '\n' and every line is
# JSON. Input that stalls (a pipe that waits) makes sure the kill comes
# mid-run, after some writes, whatever the machine's speed. (Before, each
# kill left half a record behind about every other time: six kills.)
set -eu
"$BIN/vchain-gen" --seed 5 --events 60000 > "$TMP/in"
j=0
for sig in INT TERM INT TERM INT TERM; do
	j=$((j % 3 + 1))
	# a fifo of its own for each kill: killing the feeder's shell can leave
	# its cat behind, still holding the last fifo with half a record in it,
	# which the next reader would get first
	mkfifo "$TMP/fifo-$sig-$j"
	{ cat "$TMP/in"; exec sleep 30; } > "$TMP/fifo-$sig-$j" &
	feeder=$!
	# a background job of sh starts with SIGINT ignored: give it the default back
	env --default-signal=INT,TERM $RUN "$BIN/vchain-stage" -j $j < "$TMP/fifo-$sig-$j" > "$TMP/out" &
	pid=$!
	sleep 1
	kill -s $sig $pid
	st=0
	wait $pid || st=$?
	kill $feeder 2> /dev/null || true
	wait $feeder 2> /dev/null || true
	[ -s "$TMP/out" ] || { echo "SIG$sig -j $j: nothing written before the kill"; exit 1; }
	[ "$(tail -c 1 "$TMP/out" | od -An -c | tr -d ' ')" = '\n' ] ||
		{ echo "SIG$sig -j $j: the output ends mid-record"; exit 1; }
	jq -e . "$TMP/out" > /dev/null || { echo "SIG$sig -j $j: a line is not JSON"; exit 1; }
	[ $st -gt 128 ] || { echo "SIG$sig -j $j: exit status $st, not the signal's"; exit 1; }
done
