# An error the ordered commit step finds about a record (not the line's
# own parse: a ts going back, one out of order, a missing key, a sum past
# 38 digits) names that record's line, in a later chunk, after blank
# lines, bad lines set aside (--rejects) and at every -j: the commit
# counts records, and the lines that gave none shift the count
# (par_record_line). The line is counted here with awk, from the file.
set -eu
filler() {	# N BAD: N lines of visits at one instant, every 97th blank, every 101st bad JSON when BAD is 1
	awk -v n="$1" -v bad="$2" 'BEGIN { for (i = 1; i <= n; i++) {
		if (i % 97 == 0) print ""
		else if (bad && i % 101 == 0) print "{bad"
		else printf "{\"event_id\":\"f%d\",\"type\":\"visit\",\"user_id\":\"u%d\",\"ts\":\"2024-01-02T00:00:00Z\",\"platform\":\"web\"}\n", i, i % 50
	} }'
}
check() {	# FILTER FILE PATTERN ARGS...: status 1 and FILE:LINE (the file's last line) with PATTERN, at each -j
	f=$1 file=$2 pat=$3
	shift 3
	line=$(awk 'END { print NR }' "$file")
	for j in 1 2 3; do
		st=0
		"$BIN/vchain-$f" -j $j "$@" "$file" > /dev/null 2> "$TMP/err" || st=$?
		[ $st -eq 1 ] && grep -q "^vchain-$f: $file:$line: $pat" "$TMP/err" ||
			{ echo "vchain-$f -j $j $*: status $st, wanted $file:$line: $pat"; cat "$TMP/err"; exit 1; }
	done
}
back='{"event_id":"x","type":"visit","user_id":"u1","ts":"2024-01-01T00:00:00Z","platform":"web"}'

{ filler 3000 1; echo "$back"; } > "$TMP/a"
check attribute "$TMP/a" "ts goes back 86400.000 s" --summary --rejects "$TMP/rej"

{ filler 3000 0; echo "$back"; } > "$TMP/s"
check stage "$TMP/s" "ts goes back 86400.000 s" --sorted-check

check sort "$TMP/a" "out of order" -c -k ts --rejects "$TMP/rej"

{ filler 3000 0; echo '{"type":"visit","user_id":"u1","ts":"2024-01-02T00:00:00Z"}'; } > "$TMP/d"
check dedupe "$TMP/d" "no key field (--require-key)" --require-key

big=90000000000000000000000000000000000000	# 9 x 10^37: twice it is past 38 digits
buy='{"event_id":"b%s","type":"purchase","user_id":"u7","ts":"2024-01-02T00:00:00Z","platform":"web","revenue":%s}\n'
{ printf "$buy" 1 "$big"; filler 3000 1; printf "$buy" 2 "$big"; } > "$TMP/r"
check rank-advocates "$TMP/r" "revenue does not fit" --rejects "$TMP/rej"
