# The bad-input matrix: every filter on each kind of bad or odd input.
# Expected, for each: the documented result, or an error naming file and
# line with exit status 1 (2 for usage), or with --rejects the record set
# aside byte-exact and counted; never a crash, a hang or a short result
# without a message.
set -eu
ALL="parse dedupe sort stage aggregate attribute rank-advocates"
REJ="parse sort aggregate attribute rank-advocates"
args_of() {	# what each filter is run with: one that reads the fields in question
	case $1 in
	aggregate) echo "-g type -a count,distinct:user_id,sum:revenue" ;;
	attribute) echo "-m linear --summary" ;;
	rank-advocates) echo "--summary" ;;
	*) echo "" ;;
	esac
}
run() {	# FILTER FILE...: status in $st, output in out, messages in err
	f=$1; shift
	set +e
	"$BIN/vchain-$f" $(args_of "$f") "$@" > "$TMP/out" 2> "$TMP/err"
	st=$?
	set -e
	[ $st -le 2 ] || { echo "vchain-$f $*: status $st (a crash?)"; cat "$TMP/err"; exit 1; }
}
fails_at() {	# FILTER FILE WHERE PATTERN: status 1, the message names FILE:LINE
	run "$1" "$TMP/$2"
	[ $st -eq 1 ] && grep -q "$2$3: $4" "$TMP/err" ||
		{ echo "vchain-$1 $2: status $st, wanted a message $2$3: $4"; cat "$TMP/err"; exit 1; }
}
same_as_ok() {	# FILTER FILE: the output equals the clean input's
	run "$1" "$TMP/$2"
	[ $st -eq 0 ] || { echo "vchain-$1 $2: status $st"; cat "$TMP/err"; exit 1; }
	"$BIN/vchain-$1" $(args_of "$1") "$TMP/ok" > "$TMP/want"
	cmp -s "$TMP/want" "$TMP/out" || { echo "vchain-$1 $2: output differs from the clean input's"; exit 1; }
}

"$BIN/vchain-gen" --seed 4 --events 3000 | "$BIN/vchain-stage" > "$TMP/ok"
: > "$TMP/empty"
head -c -1 "$TMP/ok" > "$TMP/nofinal"
sed 's/$/\r/' "$TMP/ok" > "$TMP/crlf"
{ printf '\357\273\277'; cat "$TMP/ok"; } > "$TMP/bom"
E='"ts":"2024-01-01T00:00:00Z","platform":"web","user_id":"u9"'
{ head -5 "$TMP/ok"; printf '{"event_id":"u1",%s,"type":"like","x":"a\377"}\n' "$E"; } > "$TMP/badutf"
{ head -5 "$TMP/ok"; printf '{"event_id":"n1",%s,"type":"like","x":"a\000b"}\n' "$E"; } > "$TMP/nul"
{ head -5 "$TMP/ok"; printf '{"event_id":"d1",%s,"type":"like","deep":' "$E"; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; printf "1"; for (i = 0; i < 100000; i++) printf "]"; print "}" }'; } > "$TMP/deep"
{ printf '{"event_id":"d2",%s,"type":"like","deep":' "$E"; awk 'BEGIN { for (i = 0; i < 60; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 60; i++) printf "}"; print "}" }'; } > "$TMP/nested"
printf '{"event_id":"m1",%s,"type":"purchase","revenue":9223372036854775807.99,"currency":"EUR","big":1e308,"huge":-1e400,"i":18446744073709551616}\n' "$E" > "$TMP/nums"
printf '{"event_id":"m2",%s,"type":"like","count":18446744073709551616}\n' "$E" > "$TMP/bigcount"
printf '{"event_id":"k1",%s,"type":"like","type":"purchase","revenue":5,"currency":"EUR"}\n' "$E" > "$TMP/dupkeys"
printf '{"event_id":"y1","ts":"0001-01-01T00:00:00Z","platform":"web","type":"like","user_id":"u"}\n{"event_id":"y2","ts":"9999-12-31T23:59:59.999Z","platform":"web","type":"like","user_id":"u"}\n' > "$TMP/years"
printf '{"event_id":"t1","ts":"yesterday","platform":"web","type":"purchase","user_id":"u","revenue":1}\n' > "$TMP/badts"
printf '{"user_id":"u"}\n' > "$TMP/missing"
gzip -c "$TMP/ok" > "$TMP/ok.gz"
head -c $(($(wc -c < "$TMP/ok.gz") / 2)) "$TMP/ok.gz" > "$TMP/trunc.gz"
{ cat "$TMP/ok.gz"; echo garbage; } > "$TMP/trail.gz"
cp "$TMP/ok" "$TMP/plain.gz"
mkdir -p "$TMP/adir"
awk -v e="$E" 'BEGIN { printf "{\"event_id\":\"L1\",%s,\"type\":\"like\",\"pad\":\"", e; s = "xxxxxxxxxxxxxxxx"; for (i = 0; i < 23; i++) s = s s; for (i = 0; i < 100; i++) printf "%s", substr(s, 1, 1048576); print "\"}" }' > "$TMP/long"

for f in $ALL; do
	# empty input: nothing, and no error
	run "$f" "$TMP/empty"; [ $st -eq 0 ] || { echo "vchain-$f empty: $st"; exit 1; }
	# no final newline, CRLF line ends, a byte order mark: the same as the clean input
	same_as_ok "$f" nofinal
	same_as_ok "$f" crlf
	same_as_ok "$f" bom
	# invalid UTF-8, a NUL in a string, nesting 100000 deep: a bad record, named
	fails_at "$f" badutf :6 "invalid UTF-8 in string"
	fails_at "$f" nul :6 "control character in string"
	fails_at "$f" deep :6 "nested too deeply"
	# nesting within the limit in a field no filter reads: carried as it is
	run "$f" "$TMP/nested"; [ $st -le 1 ] || exit 1
	# numbers past int64 and double in fields that are carried: kept as written (no overflow, no crash)
	run "$f" "$TMP/nums"; [ $st -eq 0 ] || { echo "vchain-$f nums: $st"; cat "$TMP/err"; exit 1; }
	case $f in parse|dedupe|sort|stage) grep -q '"big":1e308,"huge":-1e400,"i":18446744073709551616' "$TMP/out" ;; esac
	# years 0001 and 9999: taken
	run "$f" "$TMP/years"; [ $st -eq 0 ] || { echo "vchain-$f years: $st"; cat "$TMP/err"; exit 1; }
	# gzip cut short, or with garbage after its last member: an error at the line reached
	fails_at "$f" trunc.gz ":[0-9]*" "truncated gzip input"
	fails_at "$f" trail.gz :3001 "trailing garbage after gzip data"
	fails_at "$f" plain.gz "" "not in gzip format"
	# a directory, a missing file among readable ones: named, the others read
	fails_at "$f" adir "" "read error: Is a directory"
	run "$f" "$TMP/ok" "$TMP/nosuchfile" "$TMP/ok"
	[ $st -eq 1 ] && grep -q "nosuchfile: cannot open" "$TMP/err" || { echo "vchain-$f missing file: $st"; cat "$TMP/err"; exit 1; }
	# a 100 MiB line: past --max-line (16 MiB) an error naming it, even with --rejects
	fails_at "$f" long :1 "line longer than 16777216 bytes (--max-line)"
	# output to a full disk: an error, not a short result
	set +e
	"$BIN/vchain-$f" $(args_of "$f") "$TMP/ok" > /dev/full 2> "$TMP/err"
	st=$?
	set -e
	[ $st -eq 1 ] && grep -q "write error: No space left on device" "$TMP/err" || { echo "vchain-$f /dev/full: $st"; exit 1; }
	# a reader that goes away (| head -1): a quiet end
	case $f in attribute|rank-advocates) three="$TMP/ok" ;; *) three="$TMP/ok $TMP/ok $TMP/ok" ;; esac	# time order
	set +e
	st=$( { "$BIN/vchain-$f" $(args_of "$f") $three 2> "$TMP/err"; echo $? > "$TMP/st"; } | head -c 1 > /dev/null; cat "$TMP/st")
	set -e
	[ "$st" -eq 0 ] && [ ! -s "$TMP/err" ] || { echo "vchain-$f | head: $st"; cat "$TMP/err"; exit 1; }
done
run parse --max-line 200M "$TMP/long"; [ $st -eq 0 ] && [ "$(wc -c < "$TMP/out")" -gt 104857600 ]
run parse --rejects "$TMP/rej" "$TMP/long"; [ $st -eq 1 ] && grep -q "line longer than" "$TMP/err"

# fields each filter reads, missing or bad: named
fails_at parse missing :1 "ts: missing"
fails_at parse badts :1 "ts: unrecognised timestamp"
fails_at parse bigcount :1 "count: expected a non-negative integer"
fails_at sort badts :1 "ts: not a timestamp"
fails_at sort missing :1 "no ts to sort by"
fails_at stage missing :1 "no type"
fails_at attribute badts :1 "ts missing or not a timestamp"
fails_at rank-advocates missing :1 "no type"
run aggregate --every day -a count "$TMP/badts"; [ $st -eq 1 ] && grep -q "badts:1: ts: not a timestamp" "$TMP/err"

# a key twice in one object: the last one counts (as in jq and Python), in every filter that reads it
run parse "$TMP/dupkeys"; grep -q '"type":"purchase"' "$TMP/out" && ! grep -q '"type":"like"' "$TMP/out"
run aggregate "$TMP/dupkeys"; grep -q '"type":"purchase"' "$TMP/out"
run stage "$TMP/dupkeys"; grep -q '"stage":6' "$TMP/out"

# with --rejects: each bad record set aside byte-exact, the rest go on, the counts add up
cat "$TMP/ok" > "$TMP/mixed"
sed -n 6p "$TMP/badutf" >> "$TMP/mixed"
sed -n 6p "$TMP/nul" >> "$TMP/mixed"
sed -n 6p "$TMP/deep" >> "$TMP/mixed"
tail -3 "$TMP/mixed" > "$TMP/want.rej"
for f in $REJ; do
	"$BIN/vchain-$f" $(args_of "$f") --rejects "$TMP/rej" "$TMP/mixed" > "$TMP/out" 2> "$TMP/err" ||
		{ echo "vchain-$f --rejects"; cat "$TMP/err"; exit 1; }
	cmp "$TMP/want.rej" "$TMP/rej" || { echo "vchain-$f: rejects not byte-exact"; exit 1; }
	grep -q "3 bad records set aside" "$TMP/err"
done
"$BIN/vchain-parse" --stats --rejects "$TMP/rej" "$TMP/mixed" 2>&1 > /dev/null | grep -q "read 3003, written 3000, rejected 3"
"$BIN/vchain-aggregate" --stats -a count --rejects "$TMP/rej" "$TMP/mixed" 2>&1 > /dev/null | grep -q "read 3003, rejected 3"
