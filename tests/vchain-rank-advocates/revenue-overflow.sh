# An event the engine cannot take (a customer's revenue past 38 digits)
# stops the run with the message on that event's line, at every -j: the
# workers parse ahead, the commit step takes the events in input order.
set -eu
R="$BIN/vchain-rank-advocates"
big=90000000000000000000000000000000000000	# 9 x 10^37: twice it is past 38 digits
ev() { printf '{"event_id":"%s","type":"%s","user_id":"%s","ts":"2024-01-01T00:0%s:00Z","platform":"web","revenue":%s}\n' "$@"; }
{
	ev e1 visit u2 1 null
	ev e2 purchase u1 2 $big
	ev e3 purchase u2 3 5
	ev e4 purchase u1 4 $big
	ev e5 purchase u3 5 7
} > "$TMP/in"
for j in 1 2 3 4 7; do
	st=0
	$RUN "$R" -j $j < "$TMP/in" > /dev/null 2> "$TMP/err" || st=$?
	[ $st -eq 1 ] && grep -q '^vchain-rank-advocates: <stdin>:4: revenue does not fit (beyond 38 digits)$' "$TMP/err" ||
		{ echo "-j $j: status $st, not line 4's message:"; cat "$TMP/err"; exit 1; }
done
