# The silent surprises a new user met (issue: reliability), each now a
# checked behaviour across every filter it concerns:
#   - a .gz name without gzip magic is an error naming the file (as zcat);
#   - --max-rejects N|P% stops or fails a run; a run whose every record was
#     bad fails whatever the limit; --max-rejects without --rejects is a
#     usage error;
#   - vchain-dedupe -k with a field no record has fails naming it;
#   - blank and white-space-only lines are skipped by every filter (the
#     output is that of the input without them) and counted in --stats;
#   - a null count weighs 0, not 1, and is counted;
#   - a Twitter users page is rejected as what it is, not made mentions.
set -eu
ALL="parse dedupe sort stage aggregate attribute rank-advocates"
REJ="parse sort aggregate attribute rank-advocates"
"$BIN/vchain-gen" --seed 3 --events 3000 > "$TMP/ev"

# .gz without gzip magic
cp "$TMP/ev" "$TMP/plain.gz"
for f in $ALL; do
	if "$BIN/vchain-$f" "$TMP/plain.gz" > /dev/null 2> "$TMP/err"; then echo "vchain-$f read a non-gzip .gz"; exit 1; fi
	grep -q "plain.gz: not in gzip format" "$TMP/err" || { echo "vchain-$f:"; cat "$TMP/err"; exit 1; }
done

# blank lines: skipped, counted, the output unchanged
awk 'NR % 500 == 0 { print ""; print "  \t" } { print }' "$TMP/ev" > "$TMP/blank"
[ "$(grep -c '^[[:space:]]*$' "$TMP/blank")" -eq 12 ]
for f in $ALL; do
	case $f in
	parse|dedupe|stage|sort) args= ;;
	aggregate) args="-g type -a count,distinct:user_id" ;;
	attribute) args="-m linear" ;;
	rank-advocates) args="-n 20" ;;
	esac
	"$BIN/vchain-$f" $args "$TMP/ev" > "$TMP/want"
	"$BIN/vchain-$f" $args --stats "$TMP/blank" > "$TMP/got" 2> "$TMP/err" || { echo "vchain-$f:"; cat "$TMP/err"; exit 1; }
	cmp "$TMP/want" "$TMP/got" || { echo "vchain-$f: blank lines change the output"; exit 1; }
	grep -q "blank lines 12" "$TMP/err" || { echo "vchain-$f --stats:"; cat "$TMP/err"; exit 1; }
done
grep -q "read 3012, written 3000, rejected 0, left out 12 (blank lines 12)" "$TMP/err" 2>/dev/null ||
	"$BIN/vchain-parse" --stats "$TMP/blank" 2>&1 > /dev/null | grep -q "read 3012, written 3000, rejected 0, left out 12 (blank lines 12)"

# --max-rejects, and a run of nothing but bad records
head -100 "$TMP/ev" > "$TMP/h"
{ cat "$TMP/h"; echo '{"ts":"2024-01-01T00:00:00Z", broken'; echo 'not JSON at all'; } > "$TMP/bad3"
printf '{"event_id":"y1",\n[1,2]\n' > "$TMP/allbad"
for f in $REJ; do
	case $f in
	aggregate) args="--every day -a rows" ;;
	attribute) args="-m linear" ;;
	*) args= ;;
	esac
	"$BIN/vchain-$f" $args --rejects "$TMP/rej" --max-rejects 2 "$TMP/bad3" > /dev/null 2> "$TMP/err" ||
		{ echo "vchain-$f: 2 bad records within --max-rejects 2"; cat "$TMP/err"; exit 1; }
	[ "$(wc -l < "$TMP/rej")" -eq 2 ]
	if "$BIN/vchain-$f" $args --rejects "$TMP/rej" --max-rejects 1 "$TMP/bad3" > /dev/null 2> "$TMP/err"; then
		echo "vchain-$f: --max-rejects 1 let 2 through"; exit 1
	fi
	grep -q "more than 1 bad record (--max-rejects)" "$TMP/err" || { cat "$TMP/err"; exit 1; }
	if "$BIN/vchain-$f" $args --rejects "$TMP/rej" --max-rejects 1% "$TMP/bad3" > /dev/null 2> "$TMP/err"; then
		echo "vchain-$f: --max-rejects 1% let 2 of 102 through"; exit 1
	fi
	grep -q "2 of 102 records bad (1.961%), more than --max-rejects 1% allows" "$TMP/err" || { cat "$TMP/err"; exit 1; }
	"$BIN/vchain-$f" $args --rejects "$TMP/rej" --max-rejects 2% "$TMP/bad3" > /dev/null 2>&1 ||
		{ echo "vchain-$f: --max-rejects 2% refused 2 of 102"; exit 1; }
	if "$BIN/vchain-$f" $args --rejects "$TMP/rej" "$TMP/allbad" > /dev/null 2> "$TMP/err"; then
		echo "vchain-$f: a run of bad records only passed"; exit 1
	fi
	grep -q "every record read (2) was bad: nothing written" "$TMP/err" || { cat "$TMP/err"; exit 1; }
	cmp "$TMP/allbad" "$TMP/rej"
	set +e
	"$BIN/vchain-$f" --max-rejects 5 "$TMP/h" > /dev/null 2> "$TMP/err"
	st=$?
	set -e
	[ $st -eq 2 ] && grep -q "max-rejects goes with --rejects" "$TMP/err" || { echo "vchain-$f: $st"; cat "$TMP/err"; exit 1; }
done

# dedupe by a key no record has
if "$BIN/vchain-dedupe" -k nosuchfield "$TMP/ev" > "$TMP/out" 2> "$TMP/err"; then echo "dedupe -k nosuchfield passed"; exit 1; fi
grep -q "no record has the key nosuchfield (all 3000 written, none compared)" "$TMP/err"
[ "$(wc -l < "$TMP/out")" -eq 3000 ]
"$BIN/vchain-dedupe" -k user_id "$TMP/ev" > /dev/null	# some records lack it: fine

# a null count weighs nothing
printf '%s\n' '{"event_id":"1","ts":"2024-01-01T00:00:00Z","platform":"x","type":"like","count":null}' \
	'{"event_id":"2","ts":"2024-01-01T00:00:00Z","platform":"x","type":"like","count":5}' \
	'{"event_id":"3","ts":"2024-01-01T00:00:00Z","platform":"x","type":"like"}' > "$TMP/c"
"$BIN/vchain-aggregate" --stats -a count "$TMP/c" 2> "$TMP/err" | grep -qx '{"count":6}'
grep -q "1 with a null count (weight 0)" "$TMP/err"
"$BIN/vchain-aggregate" --report engagement "$TMP/c" | jq -e '.engagements == 6' > /dev/null

# a Twitter users page is no tweets
f="$DATA/twitter-v2-twarc/users.jsonl"
if [ -f "$f" ]; then
	if "$BIN/vchain-parse" "$f" > "$TMP/out" 2> "$TMP/err"; then echo "users page parsed"; exit 1; fi
	grep -q "users.jsonl:1: not a tweet but a user account" "$TMP/err"
	[ ! -s "$TMP/out" ]
fi
