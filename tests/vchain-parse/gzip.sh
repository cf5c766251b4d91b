# Gzip input through both decoders: the real 6-member BGZF file of
# ../shared/data, gzip made by gzip(1) on a generated file, the same on
# stdin, and damaged files (cut short, flipped CRC, trailing garbage) that
# must fail with a message naming the file, never give a short result.
set -u
P="$BIN/vchain-parse"
fails=0
decoders=zlib
"$P" --version | grep -q ISA-L && decoders="zlib isal"
i=0
: > "$TMP/in.ndjson"
while [ $i -lt 3000 ]; do
	printf '{"event_id":"e%d","ts":"2024-01-01T00:00:%02dZ","platform":"x","type":"like","pad":"%s"}\n' \
		$i $((i % 60)) "$(printf '%*s' $((i % 97)) '' | tr ' ' 'x')" >> "$TMP/in.ndjson"
	i=$((i + 1))
done
gzip -c "$TMP/in.ndjson" > "$TMP/in.ndjson.gz"
( gzip -c "$TMP/in.ndjson" ; printf '' | gzip -c ; gzip -c "$TMP/in.ndjson" ) > "$TMP/multi.gz"
cat "$TMP/in.ndjson" "$TMP/in.ndjson" > "$TMP/twice.ndjson"
size=$(wc -c < "$TMP/in.ndjson.gz")
head -c $((size / 2)) "$TMP/in.ndjson.gz" > "$TMP/cut.gz"
cp "$TMP/in.ndjson.gz" "$TMP/garbage.gz"; printf 'garbage' >> "$TMP/garbage.gz"
# flip one byte of the CRC-32 (the trailer's first 4 of its last 8 bytes)
head -c $((size - 8)) "$TMP/in.ndjson.gz" > "$TMP/crc.gz"
printf '\377\377\377\377' >> "$TMP/crc.gz"
tail -c 4 "$TMP/in.ndjson.gz" >> "$TMP/crc.gz"

check() {	# what, expected file, command...
	what=$1 want=$2; shift 2
	if ! "$@" > "$TMP/out" 2> "$TMP/err" || ! cmp -s "$want" "$TMP/out"; then
		echo "FAIL ($dec): $what"; cat "$TMP/err"; fails=$((fails + 1))
	fi
}
must_fail() {	# what, message pattern, file
	if $RUN "$P" --from ndjson --raw "$3" > "$TMP/out" 2> "$TMP/err"; then
		echo "FAIL ($dec): $1 was accepted"; fails=$((fails + 1))
	elif ! grep -q "^vchain-parse: $3:[0-9]*: .*$2" "$TMP/err"; then
		echo "FAIL ($dec): $1: unexpected message:"; cat "$TMP/err"; fails=$((fails + 1))
	fi
}
for dec in $decoders; do
	export VCHAIN_INFLATE=$dec
	check "gzip file" "$TMP/in.ndjson" $RUN "$P" --from ndjson --raw "$TMP/in.ndjson.gz"
	check "gzip on stdin" "$TMP/in.ndjson" sh -c "$RUN '$P' --from ndjson --raw < '$TMP/in.ndjson.gz'"
	check "multi-member gzip" "$TMP/twice.ndjson" $RUN "$P" --from ndjson --raw "$TMP/multi.gz"
	must_fail "truncated gzip" "truncated gzip" "$TMP/cut.gz"
	must_fail "trailing garbage" "trailing garbage" "$TMP/garbage.gz"
	must_fail "bad CRC" "corrupt gzip" "$TMP/crc.gz"
	bgz="$DATA/gzip-multimember/bgziptest.txt.gz"
	if [ -f "$bgz" ]; then
		# 6 BGZF members (FEXTRA headers, an empty EOF member) decode to the 15-byte original;
		# its one line "122333444455555" is no JSON, so it is the rejected record, byte-exact
		"$P" --from ndjson --raw --rejects "$TMP/rej" "$bgz" > "$TMP/out" 2> "$TMP/err"
		if ! cmp -s "$TMP/rej" "$DATA/gzip-multimember/bgziptest.txt" && \
		   ! { cat "$DATA/gzip-multimember/bgziptest.txt"; echo; } | cmp -s - "$TMP/rej"; then
			echo "FAIL ($dec): BGZF members not decoded to the original"; fails=$((fails + 1))
		fi
	else
		echo "note: $bgz not found; BGZF case skipped"
	fi
done
[ $fails -eq 0 ]
