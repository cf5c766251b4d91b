# People idle for longer than the window are forgotten, and memory stays
# flat: 20000 people, each seen once, one a minute for 14 days, with a
# window of an hour. The sweep runs once an eighth of the window (7.5
# minutes) of stream time, so at most 60 + 8 people (the last hour's, and
# those idle since the last sweep) plus the one at hand are ever in the
# window of one engine, against 20000 if nobody were forgotten; and the
# last hour's are there at least. Each journey (one touch, no conversion) reaches the
# path table once: "x", 20000 without conversion. Then people active for
# longer than the window (below). Then people who come
# back: one every 2 hours, each a touch on "a" then, 90 minutes later
# (past the window), a touch on "b" and a purchase at once: forgotten
# between, so their journeys are "a" without conversion and "b" that
# converted, whether the sweep or their own return found them idle.
set -eu
A="$BIN/vchain-attribute"
awk 'BEGIN {
	for (i = 0; i < 20000; i++) {
		t = 1704067200 + 60 * i
		printf "{\"ts\":\"%s\",\"user_id\":\"u%d\",\"platform\":\"x\",\"type\":\"like\"}\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), i
	}
}' > "$TMP/once"
# The people are cut into 8 parts at -j 1 and 2 (ATTRIB_PARTS_MIN), each
# with its own sweep; --stats adds up their peaks: at most 8 x 69
for j in 1 2; do
	most=$((8 * 69))
	$RUN "$A" -j $j --lookback 1h --stats --paths "$TMP/once" > "$TMP/paths" 2> "$TMP/err"
	peak=$(sed -n 's/.*people in the window at most \([0-9]*\).*/\1/p' "$TMP/err")
	[ -n "$peak" ] || { echo "no peak in --stats:"; cat "$TMP/err"; exit 1; }
	[ "$peak" -ge 60 ] && [ "$peak" -le "$most" ] ||
		{ echo "-j $j: people in the window at most $peak, expected 60 to $most"; exit 1; }
	[ "$(jq -c '[.path, .total_conversions, .total_null]' "$TMP/paths")" = '["x",0,20000]' ] ||
		{ echo "-j $j: paths:"; cat "$TMP/paths"; exit 1; }
done

# People active for longer than the window, then idle: person k starts at
# minute 10k, is seen every 30 minutes for 3 hours and is forgotten at
# the first sweep past minute 10k + 240 (at most 7.5 minutes later): at
# any time at most 25 (k from (T - 247.5) / 10 to T / 10) plus the one
# at hand are in an engine's window, against 1000 if the active were
# never looked at again
awk 'BEGIN {
	for (k = 0; k < 1000; k++)
		for (m = 0; m < 7; m++)
			print 1704067200 + 600 * k + 1800 * m, k
}' | sort -n -k1,1 -k2,2 | awk '{
	printf "{\"ts\":\"%s\",\"user_id\":\"s%d\",\"platform\":\"x\",\"type\":\"like\"}\n", strftime("%Y-%m-%dT%H:%M:%SZ", $1, 1), $2
}' > "$TMP/long"
$RUN "$A" -j 1 --lookback 1h --stats --summary "$TMP/long" > /dev/null 2> "$TMP/err"
peak=$(sed -n 's/.*people in the window at most \([0-9]*\).*/\1/p' "$TMP/err")
[ -n "$peak" ] && [ "$peak" -ge 24 ] && [ "$peak" -le $((8 * 26)) ] ||
	{ echo "people active for 3 hours: at most ${peak:-?} in the window, expected 24 to 8 x 26"; cat "$TMP/err"; exit 1; }

awk 'BEGIN {
	for (i = 0; i < 300; i++) {
		t = 1704067200 + 7200 * i
		printf "{\"ts\":\"%s\",\"user_id\":\"r%d\",\"platform\":\"a\",\"type\":\"like\"}\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), i
		t += 5400
		printf "{\"ts\":\"%s\",\"user_id\":\"r%d\",\"platform\":\"b\",\"type\":\"like\"}\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), i
		printf "{\"event_id\":\"p%d\",\"ts\":\"%s\",\"user_id\":\"r%d\",\"platform\":\"web\",\"type\":\"purchase\",\"revenue\":2}\n", i, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), i
	}
}' > "$TMP/back"
$RUN "$A" --lookback 1h --paths "$TMP/back" | jq -c '[.path, .total_conversions, .total_conversion_value, .total_null]' | sort > "$TMP/got"
printf '%s\n' '["a",0,0,300]' '["b",300,600,0]' | cmp - "$TMP/got" || { cat "$TMP/got"; exit 1; }
