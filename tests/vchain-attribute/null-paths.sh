# The journeys that end without a conversion (null paths) are what the
# path-level models, --paths and --partial read; without those only their
# channels are kept (the summary lists them). Worked by hand:
#   a: facebook > instagram > purchase (10); b: instagram, no purchase;
#   c: facebook, no purchase.
# Markov, order 1: from (start) facebook 2/3, instagram 1/3; from
# facebook instagram 1/2, (null) 1/2; from instagram (conversion) 1/2,
# (null) 1/2. P = 2/3 x 1/2 x 1/2 + 1/3 x 1/2 = 1/3; without facebook
# 1/6 (removal effect 1/2), without instagram 0 (1): shares 1/3 and 2/3.
# Without the null paths it would be 1 and 1, shares 1/2 and 1/2.
# --transform frequency names channels by their count: d's null path
# instagram, instagram is "instagram(2)", a channel no converting path has,
# listed with nothing under the rule-based models too.
set -eu
A="$BIN/vchain-attribute"
cat > "$TMP/in" <<'J'
{"event_id":"a1","ts":"2024-03-01T00:00:00Z","user_id":"a","platform":"facebook","type":"impression"}
{"event_id":"b1","ts":"2024-03-01T00:00:00Z","user_id":"b","platform":"instagram","type":"impression"}
{"event_id":"c1","ts":"2024-03-01T00:00:00Z","user_id":"c","platform":"facebook","type":"impression"}
{"event_id":"a2","ts":"2024-03-02T00:00:00Z","user_id":"a","platform":"instagram","type":"like"}
{"event_id":"a3","ts":"2024-03-03T00:00:00Z","user_id":"a","platform":"web","type":"purchase","revenue":10}
J
for j in 1 3; do
	$RUN "$A" -j $j --summary -m markov,first "$TMP/in" |
		jq -r '[.model, .channel, .removal_effect, .conversions, .value] | map(tostring) | @tsv' > "$TMP/got"
	cat > "$TMP/want" <<'T'
markov	instagram	1	0.666666667	6.67
markov	facebook	0.5	0.333333333	3.33
first	facebook	null	1	10
first	instagram	null	0	0
T
	diff "$TMP/want" "$TMP/got"
done
{ cat "$TMP/in"; printf '%s\n' '{"event_id":"d1","ts":"2024-03-01T00:00:00Z","user_id":"d","platform":"instagram","type":"impression"}' \
	'{"event_id":"d2","ts":"2024-03-01T01:00:00Z","user_id":"d","platform":"instagram","type":"like"}'; } |
	sort -s -t'"' -k8,8 > "$TMP/in2"
$RUN "$A" --summary -m first --transform frequency "$TMP/in2" | jq -r '.channel' > "$TMP/got"
printf '%s\n' 'facebook(1)' 'instagram(1)' 'instagram(2)' > "$TMP/want"
diff "$TMP/want" "$TMP/got"
# --stats says which paths it kept: a, and with markov b's and c's too
$RUN "$A" --summary -m first --stats "$TMP/in" 2>&1 > /dev/null | grep -q '; 1 paths (converting ones only: nothing asked for reads the others), 2 channels;'
$RUN "$A" --summary -m markov --stats "$TMP/in" 2>&1 > /dev/null | grep -q '; 3 paths, 2 channels;'
