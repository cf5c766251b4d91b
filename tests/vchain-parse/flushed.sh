# One gzip member cut at flush points (pigz --independent; deflate's full
# flush), decoded on several threads from -j 3 on: written here by
# flushed.py with zlib alone (and by pigz itself when it is installed),
# from a generated file; the records must be the plain file's, byte for
# byte, at every -j, with either decoder and on stdin, whether the
# stretches share nothing (full flush), refer back (sync flush, as plain
# pigz ends some of its blocks) or both in turn; a member followed by
# another goes on into it; damage (cut short, inside the trailer, a
# changed byte of data, CRC-32 or length, garbage after it) fails naming
# the file, never a short result.
set -u
P="$BIN/vchain-parse"
fails=0
"$BIN/vchain-gen" --seed 4 --events 30000 > "$TMP/in.ndjson"
F="$TOP/tests/vchain-parse/flushed.py"
python3 "$F" --every 20000 < "$TMP/in.ndjson" > "$TMP/full.gz"
python3 "$F" --every 20000 --kind sync < "$TMP/in.ndjson" > "$TMP/sync.gz"
python3 "$F" --every 7000 --kind mixed < "$TMP/in.ndjson" > "$TMP/mixed.gz"
python3 "$F" --first 5000 --every 100000000 < "$TMP/in.ndjson" > "$TMP/one.gz"
for f in full sync mixed one; do
	gzip -dc "$TMP/$f.gz" | cmp -s - "$TMP/in.ndjson" || { echo "FAIL: flushed.py wrote no gzip of the input ($f)"; fails=$((fails + 1)); }
done
# the flush points are there: the empty stored block's bytes, many times
[ "$(od -An -v -tx1 "$TMP/full.gz" | tr -d ' \n' | grep -o '0000ffff' | wc -l)" -gt 100 ] ||
	{ echo "FAIL: full.gz has few flush points"; fails=$((fails + 1)); }
pigz=
if command -v pigz > /dev/null; then
	pigz -i -p 2 -b 32 -c "$TMP/in.ndjson" > "$TMP/pigz-i.gz"
	pigz -p 2 -b 32 -c "$TMP/in.ndjson" > "$TMP/pigz.gz"
	pigz="pigz-i pigz"
else
	echo "flushed.sh: pigz not installed (make deps installs it): pigz's own files not tried" >&2
fi
. "$TOP/tests/vchain-parse/gzip.inc"
wants

# damaged copies of full.gz
size=$(wc -c < "$TMP/full.gz")
head -c $((size / 2)) "$TMP/full.gz" > "$TMP/cut.gz"
head -c $((size - 4)) "$TMP/full.gz" > "$TMP/cut-trailer.gz"
cp "$TMP/full.gz" "$TMP/garbage.gz"; printf 'garbage' >> "$TMP/garbage.gz"
python3 - "$TMP/full.gz" "$TMP" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
def put(name, at, x):
    d = bytearray(b)
    d[at] ^= x
    open(sys.argv[2] + "/" + name, "wb").write(d)
put("crc.gz", len(b) - 7, 0x55)	# the trailer's CRC-32
put("len.gz", len(b) - 3, 0x55)	# the trailer's length
# a byte of data in the middle: after a flush point, so a stretch decoded on its own meets it
mid = b.index(b"\x00\x00\xff\xff", len(b) // 2) + 4
put("data.gz", mid + 30, 0x55)
PY
{ cat "$TMP/full.gz"; gzip -c "$TMP/in.ndjson"; } > "$TMP/then-gzip.gz"

for dec in $decoders; do
	export VCHAIN_INFLATE=$dec
	for j in 1 2 3 4 7; do
		for f in full sync mixed one $pigz; do
			check "$f -j $j" "$TMP/want" $RUN "$P" -j $j "$TMP/$f.gz"
		done
		check "then gzip -j $j" "$TMP/want2" $RUN "$P" -j $j "$TMP/then-gzip.gz"
	done
	check "on stdin" "$TMP/want" sh -c "$RUN '$P' -j 4 < '$TMP/full.gz'"
	check "two files" "$TMP/want2" $RUN "$P" -j 4 "$TMP/full.gz" "$TMP/mixed.gz"
	for j in 1 4; do
		must_fail "cut short" "truncated gzip" "$TMP/cut.gz" $j
		must_fail "cut inside the trailer" "truncated gzip" "$TMP/cut-trailer.gz" $j
		must_fail "trailing garbage" "trailing garbage" "$TMP/garbage.gz" $j
		must_fail "the CRC-32 changed" "corrupt gzip data: incorrect data check" "$TMP/crc.gz" $j
		must_fail "the length changed" "corrupt gzip data: incorrect" "$TMP/len.gz" $j
		must_fail "a byte of data changed" "corrupt gzip" "$TMP/data.gz" $j
	done
done
[ $fails -eq 0 ]
