# A record a part of the state cannot take (a value too large to credit)
# stops the run with the message on that record's line, at every -j,
# whichever thread had the part: the parts run ahead of the commit, which
# names the line. A ts going back on an earlier line is named instead, and
# the credit records of the conversions before the line are written, as
# one thread in input order writes them.
set -eu
A="$BIN/vchain-attribute"
big=10000000000000000000000000	# 10^25 is refused (10^24 is taken: found by trying)
ev() { printf '{"event_id":"%s","type":"%s","user_id":"%s","ts":"2024-01-01T00:0%s:00Z","platform":"web","revenue":%s}\n' "$@"; }
{
	ev e1 visit u2 1 null
	ev e2 purchase u2 2 5
	ev e3 visit u1 3 null
	ev e4 purchase u1 4 $big
	ev e5 purchase u3 5 7
} > "$TMP/in"
for j in 1 2 3 4 7; do
	st=0
	$RUN "$A" -j $j -m first < "$TMP/in" > "$TMP/out" 2> "$TMP/err" || st=$?
	[ $st -eq 1 ] || { echo "-j $j: status $st, not 1"; exit 1; }
	grep -q '^vchain-attribute: <stdin>:4: revenue: the value, or a sum of values, does not fit in 38 digits$' "$TMP/err" ||
		{ echo "-j $j: not line 4's message:"; cat "$TMP/err"; exit 1; }
	# e2's credit (by hand: its one touch, web, takes it all), and nothing of e4 or e5
	[ "$(cat "$TMP/out")" = '{"conversion_id":"e2","user_id":"u2","ts":"2024-01-01T00:02:00Z","model":"first","channel":"web","credit":1,"value":5.00}' ] ||
		{ echo "-j $j: credits written:"; cat "$TMP/out"; exit 1; }
done
# a ts that goes back on line 3, before the part's failure on line 4
sed '3s/00:03:00/00:00:30/' "$TMP/in" > "$TMP/back"
for j in 1 3; do
	st=0
	$RUN "$A" -j $j -m first < "$TMP/back" > /dev/null 2> "$TMP/err" || st=$?
	[ $st -eq 1 ] && grep -q '^vchain-attribute: <stdin>:3: ts goes back 90.000 s' "$TMP/err" ||
		{ echo "-j $j: status $st, not line 3's message:"; cat "$TMP/err"; exit 1; }
done
