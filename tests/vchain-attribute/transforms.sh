# The path transforms on one journey worked by hand: a a b a b b, then a
# purchase. none and unique (fractribution's: every touch its own event)
# keep it; exposure collapses runs (a b a b); first keeps first
# occurrences (a b); frequency keeps counts (a(3) b(3)). And what the
# models make of the transformed path: last_non_direct skips web.
set -eu
A="$BIN/vchain-attribute"
i=0
for p in a a b a b b; do
	i=$((i + 1))
	printf '{"ts":"2024-05-0%dT00:00:00Z","user_id":"u","platform":"%s","type":"like"}\n' $i $p
done > "$TMP/in"
echo '{"event_id":"w","ts":"2024-05-06T12:00:00Z","user_id":"u","platform":"web","type":"visit"}' >> "$TMP/in"
echo '{"event_id":"p","ts":"2024-05-07T00:00:00Z","user_id":"u","platform":"web","type":"purchase","revenue":6}' >> "$TMP/in"
for tf in none:'a > a > b > a > b > b > web' unique:'a > a > b > a > b > b > web' exposure:'a > b > a > b > web' \
	  first:'a > b > web' frequency:'a(3) > b(3) > web(1)'; do
	got=$($RUN "$A" --transform "${tf%%:*}" --paths "$TMP/in" | jq -r .path)
	[ "$got" = "${tf#*:}" ] || { echo "--transform ${tf%%:*}: $got"; exit 1; }
done
# exposure, a > b > a > b > web under position: a 0.4 + 0.2/3, b 0.4/3, web 0.4
$RUN "$A" --transform exposure -m position,last_non_direct,first "$TMP/in" | jq -r '[.model, .channel, .credit, .value] | @tsv' > "$TMP/got"
printf 'position\ta\t0.466666667\t2.8\nposition\tb\t0.133333333\t0.8\nposition\tweb\t0.4\t2.4\nlast_non_direct\tb\t1\t6\nfirst\ta\t1\t6\n' |
	cmp - "$TMP/got" || { cat "$TMP/got"; exit 1; }
