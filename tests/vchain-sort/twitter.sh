# Real data: a Twitter API v2 search page (../shared/data/twitter-v2-twarc/
# flat.jsonl, SOURCE.md: 100 tweets, query=obama, created 19:31:31Z to
# 19:34:16Z) comes newest first, so vchain-stage --sorted-check refuses it
# and says vchain-sort is the cure; sorted, it passes, the 100 tweets all
# there, the oldest first and the newest last.
set -eu
f="$DATA/twitter-v2-twarc/flat.jsonl"
[ -f "$f" ] || { echo "skipped: $f not found"; exit 77; }
"$BIN/vchain-parse" "$f" > "$TMP/ev"
[ "$(wc -l < "$TMP/ev")" -eq 100 ]
st=0
"$BIN/vchain-stage" --sorted-check "$TMP/ev" > /dev/null 2> "$TMP/err" || st=$?
[ $st -eq 1 ]
grep -q "^vchain-stage: $TMP/ev:[0-9]*: ts goes back .*vchain-sort puts records in time order" "$TMP/err"
$RUN "$BIN/vchain-sort" "$TMP/ev" > "$TMP/sorted"
"$BIN/vchain-stage" --sorted-check "$TMP/sorted" > /dev/null
[ "$(wc -l < "$TMP/sorted")" -eq 100 ]
[ "$(head -1 "$TMP/sorted" | jq -r .ts)" = 2021-04-08T19:31:31Z ]
[ "$(tail -1 "$TMP/sorted" | jq -r .ts)" = 2021-04-08T19:34:16Z ]
# the same set of tweets, byte for byte
sort "$TMP/ev" | cmp - "$(sort "$TMP/sorted" > "$TMP/s2"; echo "$TMP/s2")"
# the order: by ts then event_id, as sort(1) orders these (every ts in one
# canonical form, every id 19 digits: string order is time order)
jq -r '.ts + " " + .event_id' "$TMP/ev" | sort > "$TMP/want"
jq -r '.ts + " " + .event_id' "$TMP/sorted" | cmp "$TMP/want" -
