# A closed pipe (| head) ends the filter quietly: no message, status 0.
set -u
yes '{"event_id":"x","ts":"2024-01-01T00:00:00Z","platform":"x","type":"like"}' | head -n 300000 > "$TMP/in"
"$BIN/vchain-parse" "$TMP/in" 2> "$TMP/err" | head -n 1 > /dev/null
st=$(cat "$TMP/err" | wc -c)
[ "$st" -eq 0 ] || { echo "stderr not empty:"; cat "$TMP/err"; exit 1; }
( "$BIN/vchain-parse" "$TMP/in"; echo $? > "$TMP/status" ) | head -n 1 > /dev/null
[ "$(cat "$TMP/status")" = 0 ] || { echo "status $(cat "$TMP/status")"; exit 1; }
