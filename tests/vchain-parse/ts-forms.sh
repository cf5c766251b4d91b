# Every timestamp form vchain-parse takes beyond RFC 3339, 200 instants
# each, checked against the instant Python's datetime and email.utils
# make of the same text (ts_forms.py); and --ts-format for day/month
# orders, where a form no parser guesses is an error that names it.
set -eu
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }
python3 ts_forms.py "$TMP"
for f in "$TMP"/*.ndjson; do
	name=${f%.ndjson}
	fmt=$(cat "$name.fmt")
	if [ -n "$fmt" ]; then
		$RUN "$BIN/vchain-parse" --ts-format "$fmt" "$f" > "$TMP/out"
	else
		$RUN "$BIN/vchain-parse" "$f" > "$TMP/out"
	fi
	jq -r .ts "$TMP/out" | cmp - "$name.want" || { echo "$(basename "$name"): differs"; exit 1; }
done
# without --ts-format the day/month forms are errors, never guessed
! $RUN "$BIN/vchain-parse" "$TMP/us-slash.ndjson" > /dev/null 2> "$TMP/err"
grep -q 'unrecognised timestamp' "$TMP/err"
! $RUN "$BIN/vchain-parse" --ts-format '%Q' "$TMP/us-slash.ndjson" > /dev/null 2> "$TMP/err"
grep -q -- '--ts-format' "$TMP/err"
