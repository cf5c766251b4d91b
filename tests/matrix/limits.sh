# Under ulimit -v 300 MiB, on 1.5 M events (240 MB): the streaming filters
# work (parse, dedupe --window, stage, sort with a small -S); the others
# work or fail with an out-of-memory message that names what grew - never
# a crash or a silently short result. (Not under the sanitizers: ASan
# reserves terabytes of address space.)
set -eu
case $BIN in *san*) echo "skipped: ulimit -v and the sanitizers (their shadow memory) do not mix"; exit 77 ;; esac
"$BIN/vchain-gen" --seed 6 --events 1500000 > "$TMP/big"
n=$(wc -l < "$TMP/big")
check() {	# NAME CMD...: works (status 0), or says out of memory and what grew (status 1)
	name=$1; shift
	set +e
	( ulimit -v 307200; "$@" > "$TMP/out" 2> "$TMP/err" )
	st=$?
	set -e
	case $st in
	0) ;;
	1) grep -q "out of memory .*[a-z]" "$TMP/err" || { echo "$name: status 1 without an out-of-memory message"; cat "$TMP/err"; exit 1; } ;;
	*) echo "$name: status $st (a crash?)"; cat "$TMP/err"; exit 1 ;;
	esac
	echo "$name: status $st"
}
streaming() {	# NAME CMD...: must work within the limit
	check "$@"
	[ $st -eq 0 ] || { echo "$1 needs more than 300 MiB"; cat "$TMP/err"; exit 1; }
}
streaming parse "$BIN/vchain-parse" "$TMP/big"
[ "$(wc -l < "$TMP/out")" -eq "$n" ]
streaming dedupe-window "$BIN/vchain-dedupe" --window 24h "$TMP/big"
streaming stage "$BIN/vchain-stage" "$TMP/big"
streaming sort "$BIN/vchain-sort" -S 32M -T "$TMP" "$TMP/big"
[ "$(wc -l < "$TMP/out")" -eq "$n" ]
check dedupe "$BIN/vchain-dedupe" "$TMP/big"
check aggregate "$BIN/vchain-aggregate" -a distinct:event_id,p99:revenue -g user_id "$TMP/big"
check attribute "$BIN/vchain-attribute" --summary "$TMP/big"
check rank-advocates "$BIN/vchain-rank-advocates" "$TMP/big"
check sort-default "$BIN/vchain-sort" -T "$TMP" "$TMP/big"
