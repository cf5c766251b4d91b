# BGZF (bgzip's gzip of independent members, each with its size in the
# header) decoded on several threads: written here by bgzf.py with zlib
# alone, from a generated file; the records must be the plain file's,
# byte for byte, at every -j and on stdin; a BGZF file followed by plain
# gzip members goes on into them; damage (cut short, a member's data or
# size field changed, garbage after it) fails naming the file, never a
# short result; an empty BGZF file (the EOF member alone) has no records.
set -u
P="$BIN/vchain-parse"
fails=0
"$BIN/vchain-gen" --seed 4 --events 30000 > "$TMP/in.ndjson"
python3 "$TOP/tests/vchain-parse/bgzf.py" < "$TMP/in.ndjson" > "$TMP/in.bgz"
# small members too: many batches of many members
python3 "$TOP/tests/vchain-parse/bgzf.py" --block 3000 < "$TMP/in.ndjson" > "$TMP/small.bgz"
# the file is BGZF by gzip's own reading, and by its first member's header
gzip -dc "$TMP/in.bgz" | cmp -s - "$TMP/in.ndjson" || { echo "FAIL: bgzf.py wrote no gzip of the input"; fails=$((fails + 1)); }
[ "$(head -c 16 "$TMP/in.bgz" | od -An -tx1 | tr -d ' \n')" = "1f8b08040000000000ff060042430200" ] ||
	{ echo "FAIL: not a BGZF header"; fails=$((fails + 1)); }
. "$TOP/tests/vchain-parse/gzip.inc"
wants

# damaged copies
size=$(wc -c < "$TMP/small.bgz")
head -c $((size / 2)) "$TMP/small.bgz" > "$TMP/cut.bgz"
head -c $((size - 28 - 3)) "$TMP/small.bgz" > "$TMP/cut-end.bgz"	# inside the last data member
cp "$TMP/small.bgz" "$TMP/garbage.bgz"; printf 'garbage' >> "$TMP/garbage.bgz"
# a byte of a middle member's deflate data changed (its CRC-32 or its inflation fails)
python3 - "$TMP/small.bgz" "$TMP/data.bgz" "$TMP/isize.bgz" "$TMP/isize-less.bgz" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
offs, at = [], 0
while at < len(b):
    offs.append(at)
    at += struct.unpack_from("<H", b, at + 16)[0] + 1
mid = offs[len(offs) // 2]
d = bytearray(b)
d[mid + 18 + 40] ^= 0x55
open(sys.argv[2], "wb").write(d)
# the trailer's length says one byte more than the member decodes to
s = bytearray(b)
end = offs[len(offs) // 2 + 1]
struct.pack_into("<I", s, end - 4, struct.unpack_from("<I", s, end - 4)[0] + 1)
open(sys.argv[3], "wb").write(s)
# and one byte less: the member makes more than it says
s = bytearray(b)
struct.pack_into("<I", s, end - 4, struct.unpack_from("<I", s, end - 4)[0] - 1)
open(sys.argv[4], "wb").write(s)
PY
# a middle member's BC size less than its own header and trailer: no BGZF size, so from it on the
# file is read as plain gzip, which needs no sizes (the same records)
python3 - "$TMP/small.bgz" "$TMP/bc.bgz" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
offs, at = [], 0
while at < len(b):
    offs.append(at)
    at += struct.unpack_from("<H", b, at + 16)[0] + 1
struct.pack_into("<H", b, offs[len(offs) // 2] + 16, 20)
open(sys.argv[2], "wb").write(b)
PY
# libFuzzer's find: a BC size within the extra field that holds it (once read before a buffer)
echo H4sIJAA0AABJAAb/AAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQkMCAB4AH4sIBAAAAAAfiwgAAAAl |
	base64 -d > "$TMP/fuzz1.gz"
# BGZF, then plain gzip members: the rest is read as gzip reads it
{ cat "$TMP/small.bgz"; gzip -c "$TMP/in.ndjson"; } > "$TMP/mixed.gz"
# the EOF member alone
printf '\037\213\010\004\000\000\000\000\000\377\006\000\102\103\002\000\033\000\003\000\000\000\000\000\000\000\000\000' > "$TMP/empty.bgz"

for dec in $decoders; do
	export VCHAIN_INFLATE=$dec
	for j in 1 2 3 4 7; do
		check "BGZF -j $j" "$TMP/want" $RUN "$P" -j $j "$TMP/in.bgz"
		check "small members -j $j" "$TMP/want" $RUN "$P" -j $j "$TMP/small.bgz"
		check "BGZF then gzip -j $j" "$TMP/want2" $RUN "$P" -j $j "$TMP/mixed.gz"
	done
	check "BGZF on stdin" "$TMP/want" sh -c "$RUN '$P' -j 3 < '$TMP/small.bgz'"
	check "two BGZF files" "$TMP/want2" $RUN "$P" -j 3 "$TMP/small.bgz" "$TMP/in.bgz"
	check "the EOF member alone" /dev/null $RUN "$P" -j 2 "$TMP/empty.bgz"
	check "a member's BC size too small" "$TMP/want" $RUN "$P" -j 3 "$TMP/bc.bgz"
	for j in 1 3; do
		must_fail "cut short" "truncated gzip" "$TMP/cut.bgz" $j
		must_fail "cut inside the last member" "truncated gzip" "$TMP/cut-end.bgz" $j
		must_fail "trailing garbage" "trailing garbage" "$TMP/garbage.bgz" $j
		must_fail "a member's data changed" "corrupt gzip" "$TMP/data.bgz" $j
		must_fail "a member's length field changed" "corrupt gzip" "$TMP/isize.bgz" $j
		must_fail "a member's length field one less" "corrupt gzip" "$TMP/isize-less.bgz" $j
		must_fail "the fuzzer's header" "gzip" "$TMP/fuzz1.gz" $j
	done
done
[ $fails -eq 0 ]
