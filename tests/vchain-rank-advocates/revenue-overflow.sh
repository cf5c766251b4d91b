# An event the engine cannot take (a customer's revenue past 38 digits)
# stops the run with the message on that event's line, at every -j,
# whichever thread had its part of the state: the commit step, in input
# order, names it. A sum that does not fit at the end (a referrer's
# referred revenue, counted in from the referred people's parts) is an
# error too, not a wrong number.
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
{
	ev r1 purchase rita 1 1
	for u in u1 u2; do
		printf '{"event_id":"v%s","type":"visit","user_id":"%s","ts":"2024-01-01T00:02:00Z","referred_by":"rita"}\n' $u $u
		ev b$u purchase $u 3 $big
	done
} > "$TMP/in2"
for j in 1 2 3 4 7; do
	for opt in "" --summary; do
		st=0
		$RUN "$R" -j $j $opt "$TMP/in2" > "$TMP/out" 2> "$TMP/err" || st=$?
		[ $st -eq 1 ] && [ ! -s "$TMP/out" ] &&
			grep -q '^vchain-rank-advocates: revenue does not fit (beyond 38 digits)$' "$TMP/err" ||
			{ echo "-j $j $opt: status $st, not the sum's message:"; cat "$TMP/err" "$TMP/out"; exit 1; }
	done
done
