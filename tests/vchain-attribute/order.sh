# A ts behind the newest before it by more than --tolerance stops the run
# at its line, wherever the two are: in one chunk (the workers find it)
# or in different ones (the commit does, from the newest before the
# chunk). 20000 events in time order (many chunks), then
#   one ts moved 3 hours on at line 12345: line 12346 is behind it;
#   one ts moved a day back at line 15000: behind line 14999's;
#   and the events as two files, the second's first line (a chunk's first
#   record, as every input's is) moved back past the first file's last.
# The seconds behind are worked out with jq from the two lines' times.
set -eu
A="$BIN/vchain-attribute"
"$BIN/vchain-gen" --seed 5 --events 20000 | "$BIN/vchain-sort" > "$TMP/sorted"
"$A" --summary "$TMP/sorted" > /dev/null
shift_line() {	# LINE SECONDS: the events with line LINE's ts moved by SECONDS
	jq -c --argjson l "$1" --argjson s "$2" \
		'if input_line_number == $l then .ts = ((.ts | fromdateiso8601) + $s | todateiso8601) else . end' "$TMP/sorted"
}
ts_of() {	# FILE LINE: its ts in seconds
	sed -n "$2p" "$1" | jq '.ts | fromdateiso8601'
}
check() {	# FILE LINE NEWEST-FILE NEWEST-LINE [FIRST-FILE]: FILE:LINE behind NEWEST-FILE:NEWEST-LINE
	behind=$(( $(ts_of "$3" "$4") - $(ts_of "$1" "$2") ))
	for j in 1 3; do
		st=0
		"$A" -j $j --summary --tolerance 1h ${5:+"$5"} "$1" > /dev/null 2> "$TMP/err" || st=$?
		[ $st -eq 1 ] || { echo "$1:$2 at -j $j: exit status $st, not 1"; exit 1; }
		grep -qx "vchain-attribute: $1:$2: ts goes back $behind.000 s behind the newest so far: attribution needs events in time order (vchain-sort; --tolerance)" "$TMP/err" ||
			{ echo "line $2, $behind s behind, -j $j:"; cat "$TMP/err"; exit 1; }
	done
}
shift_line 12345 10800 > "$TMP/ahead"
check "$TMP/ahead" 12346 "$TMP/ahead" 12345
shift_line 15000 -86400 > "$TMP/back"
check "$TMP/back" 15000 "$TMP/back" 14999
shift_line 10001 -86400 > "$TMP/both"
head -n 10000 "$TMP/both" > "$TMP/one"
tail -n +10001 "$TMP/both" > "$TMP/two"
check "$TMP/two" 1 "$TMP/one" 10000 "$TMP/one"
