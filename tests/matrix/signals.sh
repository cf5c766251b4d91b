# SIGTERM and SIGINT mid-run: every filter stops at a whole record, closes
# its output, says so, and exits 128 + the signal (or, when it was waiting
# for input, ends there at once: nothing is half written); vchain-sort leaves no
# temporary file behind (its runs are unlinked from the start). A run that
# ends before the signal comes is fine too (status 0, whole output).
set -eu
"$BIN/vchain-gen" --seed 9 --events 1500000 > "$TMP/big"
mkdir -p "$TMP/sorttmp"
for f in parse dedupe stage sort aggregate attribute rank-advocates gen; do
	for sig in TERM INT; do
		case $f in
		gen) set -- --events 100000000 ;;
		sort) set -- -S 8M -T "$TMP/sorttmp" "$TMP/big" ;;
		*) set -- "$TMP/big" ;;
		esac
		# emptied first: a signal that comes before the shell's child has opened them must not leave
		# the run before's output and message to be read as this one's
		: > "$TMP/out"
		: > "$TMP/err"
		"$BIN/vchain-$f" "$@" > "$TMP/out" 2> "$TMP/err" &
		pid=$!
		sleep 0.3
		kill -$sig $pid 2>/dev/null || true
		set +e
		wait $pid
		st=$?
		set -e
		want=$((128 + $([ $sig = TERM ] && echo 15 || echo 2)))
		if [ $st -eq $want ]; then
			# it said so, or the signal came while it waited for input and ended it there
			[ ! -s "$TMP/err" ] || grep -q "stopped by SIG$sig: the output ends at a whole record" "$TMP/err" ||
				{ cat "$TMP/err"; exit 1; }
		elif [ $st -ne 0 ]; then
			echo "vchain-$f SIG$sig: status $st"; cat "$TMP/err"; exit 1
		fi
		# whole records: empty, or ending in a newline, every line JSON
		if [ -s "$TMP/out" ]; then
			[ "$(tail -c 1 "$TMP/out" | od -An -tx1 | tr -d ' ')" = 0a ] || { echo "vchain-$f SIG$sig: a cut record"; exit 1; }
			tail -n 5 "$TMP/out" | jq -e . > /dev/null
		fi
		[ -z "$(ls -A "$TMP/sorttmp")" ] || { echo "vchain-$f left files in -T"; ls -la "$TMP/sorttmp"; exit 1; }
	done
done
