# vchain-attribute against an independent attribution (ref.py: Python's
# json, Fractions and Decimals, dicts of people) on events made here with
# awk: people touching several platforms and campaigns, buying now and
# then, some at the same instant as a touch, some without user_id or
# revenue, some idle longer than the window. Every per-conversion credit
# record and every path, under each transform, must be the same bytes;
# the time-decay and window rules are exercised by paths of many channels.
set -eu
A="$BIN/vchain-attribute"
awk 'BEGIN {
	srand(7); t = 1709251200; split("facebook instagram x tiktok youtube web", pl, " ")
	split("impression like comment share visit click view refund", ty, " ")
	for (i = 0; i < 40000; i++) {
		if (rand() < 0.7) t += int(rand() * 600)
		u = int(rand() * 2500); p = pl[1 + int(rand() * 6)]
		ts = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
		user = rand() < 0.02 ? "" : sprintf(",\"user_id\":\"u%d\"", u)
		if (rand() < 0.06) {
			rev = rand() < 0.1 ? "" : sprintf(",\"revenue\":%d.%02d", int(rand() * 200), int(rand() * 100))
			printf "{\"event_id\":\"e%d\",\"ts\":\"%s\"%s,\"platform\":\"web\",\"type\":\"purchase\"%s}\n", i, ts, user, rev
		} else
			printf "{\"event_id\":\"e%d\",\"ts\":\"%s\"%s,\"platform\":\"%s\",\"type\":\"%s\",\"campaign\":\"c%d\"}\n", i, ts, user, p, ty[1 + int(rand() * 8)], int(rand() * 4)
		if (i % 5000 == 4999) t += 12 * 86400	# a quiet spell: people go idle
	}
}' > "$TMP/ev"
heur=first,last,last_non_direct,linear,time_decay,position
check() {	# label, ref.py options, vchain-attribute options
	python3 ref.py events "$TMP/ev" $2 > "$TMP/ref"
	grep '^{' "$TMP/ref" > "$TMP/want"
	grep -v '^{' "$TMP/ref" > "$TMP/wantp"
	$RUN "$A" -m $heur $3 "$TMP/ev" > "$TMP/got"
	cmp "$TMP/want" "$TMP/got" || { echo "$1: credits differ from ref.py"; diff "$TMP/want" "$TMP/got" | head; exit 1; }
	$RUN "$A" --paths --format csv $3 "$TMP/ev" | tail -n +2 | tr ',' ';' | tr -d '"' > "$TMP/gotp"
	cmp "$TMP/wantp" "$TMP/gotp" || { echo "$1: paths differ from ref.py"; diff "$TMP/wantp" "$TMP/gotp" | head; exit 1; }
}
check default "" ""
# the rules are exercised: paths of several channels, direct conversions, journeys without conversion
[ "$(grep -c ' > ' "$TMP/wantp")" -ge 300 ]
grep -q '^(direct);' "$TMP/wantp"
[ "$(awk -F';' '$4 > 0' "$TMP/wantp" | wc -l)" -ge 300 ]
check "lookback 2d, half-life 6h" "--lookback 172800 --half-life 21600" "--lookback 2d --half-life 6h"
for tf in exposure unique first frequency; do
	check "--by campaign,platform --transform $tf" "--by campaign,platform --transform $tf" \
		"--by campaign,platform --transform $tf"
done
# one thread or two: the same
$RUN "$A" -j 1 -m $heur "$TMP/ev" | cmp "$TMP/got" - 2> /dev/null || $RUN "$A" -j 1 -m $heur --by campaign,platform --transform frequency "$TMP/ev" | cmp "$TMP/got" -
