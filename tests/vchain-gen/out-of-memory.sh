# Out of memory at any allocation, vchain-gen stops with a message and
# status 1, or writes every record: never a crash or a short sample.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
for fmt in ndjson csv access; do
	"$BIN/vchain-gen" --events 5000 --format $fmt > "$TMP/expected"
	sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/expected" /dev/null "$BIN/vchain-gen" --events 5000 --format $fmt
done
