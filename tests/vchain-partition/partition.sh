# vchain-partition on generated events: nothing lost or doubled, each file
# in input order, each person in one file, the records without user_id in
# the --missing file, a decoded key the same as its plain spelling; the
# same files for every -j, from a pipe, and gzip'd.
set -eu
P="$BIN/vchain-partition"
# the events, numbered (n) so that order can be checked apart from the bytes
"$BIN/vchain-gen" --seed 5 --events 60000 | jq -c '. + {n: input_line_number}' > "$TMP/in"
printf '{"user_id":"\\u0061","n":900001}\n{"user_id":"a","n":900002}\n{"user_id":null,"n":900003}\n' >> "$TMP/in"
total=$(wc -l < "$TMP/in")
keyless=$(jq -r 'select(.user_id == null) | .n' "$TMP/in" | wc -l)
[ "$keyless" -gt 100 ] || { echo "only $keyless records without user_id"; exit 1; }
mkdir "$TMP/p1"
$RUN "$P" -n 7 --missing 3 -o "$TMP/p1/part-%d.ndjson" --stats "$TMP/in" 2> "$TMP/err"
# all seven files, and every record once
[ "$(ls "$TMP/p1" | wc -l)" -eq 7 ]
cat "$TMP"/p1/part-*.ndjson | sort | cmp - "$(sort "$TMP/in" > "$TMP/in.sorted"; echo "$TMP/in.sorted")"
# each file in input order
for f in "$TMP"/p1/part-*.ndjson; do
	jq -r .n "$f" | awk 'NR > 1 && $1 <= last { print "out of order: " FILENAME; exit 1 } { last = $1 }'
done
# each person in one file only
for f in "$TMP"/p1/part-*.ndjson; do
	jq -r 'select(.user_id != null) | .user_id' "$f" | sort -u
done | sort | uniq -d > "$TMP/twice"
[ ! -s "$TMP/twice" ] || { echo "people in two files: $(head -3 "$TMP/twice")"; exit 1; }
# the keyless in file 3, all of them; "\u0061" and "a" together
[ "$(jq -r 'select(.user_id == null) | .n' "$TMP/p1/part-3.ndjson" | wc -l)" -eq "$keyless" ]
grep -l '"n":900001' "$TMP"/p1/part-*.ndjson > "$TMP/f1"
grep -l '"n":900002' "$TMP"/p1/part-*.ndjson | cmp - "$TMP/f1"
# the counts add up, and --stats says so
grep -qx "vchain-partition: written $total, of them without the key $keyless (in file 3); rejected 0" "$TMP/err"
sum=0
for q in 0 1 2 3 4 5 6; do
	n=$(wc -l < "$TMP/p1/part-$q.ndjson")
	grep -qx "vchain-partition: $TMP/p1/part-$q.ndjson: $n records, $(wc -c < "$TMP/p1/part-$q.ndjson") bytes" "$TMP/err"
	sum=$((sum + n))
done
[ "$sum" -eq "$total" ]
# the same files whatever the threads, from a pipe, and as gzip
for j in 1 2 3 4 7; do
	rm -rf "$TMP/pj" && mkdir "$TMP/pj"
	cat "$TMP/in" | $RUN "$P" -j $j -n 7 --missing 3 -o "$TMP/pj/part-%d.ndjson"
	$RUN "$P" -j $j -n 7 --missing 3 -o "$TMP/pj/part-%d.ndjson.gz" "$TMP/in"
	for q in 0 1 2 3 4 5 6; do
		cmp "$TMP/pj/part-$q.ndjson" "$TMP/p1/part-$q.ndjson"
		gzip -t "$TMP/pj/part-$q.ndjson.gz"
		zcat "$TMP/pj/part-$q.ndjson.gz" | cmp - "$TMP/p1/part-$q.ndjson"
	done
done
# one file: the input itself
mkdir "$TMP/one"
$RUN "$P" -n 1 -o "$TMP/one/all-%d" "$TMP/in"
cmp "$TMP/one/all-0" "$TMP/in"
# --keyed: every record to stdout after its key's hash and a tab (empty for
# no key); the records are the input's, and one person's hash is one value
$RUN "$P" --keyed "$TMP/in" > "$TMP/keyed"
cut -f2- "$TMP/keyed" | cmp - "$TMP/in"
[ "$(grep -c "^$(printf '\t')" "$TMP/keyed")" -eq "$keyless" ]
cut -f1 "$TMP/keyed" | grep -v '^$' | grep -vcx '[0-9a-f]\{16\}' | grep -qx 0
paste "$TMP/keyed" /dev/null | awk -F'\t' '$1 != "" { match($2, /"user_id":"[^"]*"/); u = substr($2, RSTART, RLENGTH)
	if (u in h && h[u] != $1) { print "two hashes for " u; exit 1 } h[u] = $1 }'
