# Records in arrays: a line that is a JSON array of objects, --records-at
# for a page object, a bad element making the line a bad record (set aside
# whole), --stats (2 events from 2 lines: an array of 2 and an empty one). Twitter's v1.1 API
# responses as served (python-twitter's recordings: arrays and a search
# page) give exactly the events of the same tweets one per line (68).
set -eu
P="$BIN/vchain-parse"
printf '%s\n' '[{"ts":"2024-01-01T00:00:00Z","type":"view","platform":"web"},{"ts":"2024-01-02T00:00:00Z","type":"like","platform":"x"}]' \
	'[{"ts":"2024-01-03T00:00:00Z","type":"view"},{"type":"like"}]' '[]' > "$TMP/a.json"
$RUN "$P" --stats --rejects "$TMP/rej" "$TMP/a.json" > "$TMP/out" 2> "$TMP/err"
[ "$(jq -r .type "$TMP/out" | tr '\n' ' ')" = "view like " ]
sed -n 2p "$TMP/a.json" | cmp - "$TMP/rej"
grep -q 'read 3, written 2, rejected 1' "$TMP/err" || { cat "$TMP/err"; exit 1; }
printf '%s\n' '{"page":1,"items":[{"ts":"2024-01-03T00:00:00Z","type":"share","platform":"x"},{"ts":"2024-01-04T00:00:00Z","type":"like","platform":"x"}]}' > "$TMP/p.json"
[ "$($RUN "$P" --records-at items "$TMP/p.json" | jq -r .type | tr '\n' ' ')" = "share like " ]
! $RUN "$P" --records-at nope "$TMP/p.json" 2> "$TMP/err"
grep -q 'no array "nope" (--records-at)' "$TMP/err"

d="$DATA/twitter-v1.1-python-twitter"
[ -d "$d" ] || { echo "$d not found"; exit 77; }
key='[.event_id, .ts, .type, .user_id, .followers, .reply_to] | @tsv'
$RUN "$P" "$d/tweets-v1.1.ndjson" | jq -r "$key" > "$TMP/want"
for f in get_user_timeline get_mentions get_retweets get_search_geocode; do
	$RUN "$P" "$d/$f.json"
done | jq -r "$key" > "$TMP/got"
[ "$(wc -l < "$TMP/got")" -eq 68 ]
cmp "$TMP/want" "$TMP/got"
