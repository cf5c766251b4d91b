# Tables of 2 MiB and more are anonymous mappings (filters/lib/mem.c), made
# and grown by mmap and mremap, which the malloc failures of
# out-of-memory.sh never reach. Here each mapping fails in turn, on the
# keys of 318283 events: the run stops with the out-of-memory message and
# status 1 every time (the input needs every mapping), never a crash or a
# short result.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
D="$BIN/vchain-dedupe"
"$BIN/vchain-gen" --seed 71 --people 150000 > "$TMP/in"
[ "$(wc -l < "$TMP/in")" -eq 318283 ]
for args in "-j 1" "-j 3"; do
	# shellcheck disable=SC2086
	"$D" $args < "$TMP/in" > "$TMP/want"
	# shellcheck disable=SC2086
	OOM_MAPS=1 sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/want" "$TMP/in" "$D" $args | tee "$TMP/said"
	grep -q " 0 gave the whole output" "$TMP/said"
	# shellcheck disable=SC2086
	st=0 && FAIL_MAP_AT=0 LD_PRELOAD="$so" "$D" $args < "$TMP/in" > /dev/null 2> "$TMP/err" || st=$?
	[ $st -eq 1 ]
	grep -q "^vchain-dedupe: <stdin>: out of memory for [0-9]* keys" "$TMP/err"
done
