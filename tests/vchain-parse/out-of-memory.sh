# Out of memory at any allocation, vchain-parse stops with a message and
# status 1, or writes all its records: never a crash or a record cut short.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 8 --events 2000 > "$TMP/in"
"$BIN/vchain-gen" --seed 8 --events 2000 --format csv > "$TMP/in.csv"
"$BIN/vchain-gen" --seed 8 --events 2000 --format access > "$TMP/in.log"
for f in "ndjson $TMP/in" "csv $TMP/in.csv" "access $TMP/in.log"; do
	for j in 1 3; do
		# shellcheck disable=SC2086
		set -- $f
		"$BIN/vchain-parse" -j $j --from "$1" < "$2" > "$TMP/expected"
		sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/expected" "$2" "$BIN/vchain-parse" -j $j --from "$1"
	done
done
# a gzip member cut at flush points, shared out from -j 3 on (several batches: 400 KB of gzip)
"$BIN/vchain-gen" --seed 8 --events 20000 | python3 "$TOP/tests/vchain-parse/flushed.py" --every 20000 > "$TMP/in.gz"
for j in 3 4; do
	"$BIN/vchain-parse" -j $j < "$TMP/in.gz" > "$TMP/expected"
	sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/expected" "$TMP/in.gz" "$BIN/vchain-parse" -j $j
done
