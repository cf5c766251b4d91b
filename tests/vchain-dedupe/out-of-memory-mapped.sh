# Tables of 2 MiB and more are anonymous mappings (filters/lib/mem.c), made
# and grown by mmap and mremap, which the malloc failures of
# out-of-memory.sh never reach. Here each mapping fails in turn, on the
# keys of 318283 events: the run stops with the out-of-memory message and
# status 1 every time (the input needs every mapping), never a crash or a
# short result.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 71 --people 150000 > "$TMP/in"
[ "$(wc -l < "$TMP/in")" -eq 318283 ]
for j in 1 3; do
	sh "$TOP/tests/faults/oom-maps.sh" "$so" "$TMP/in" '^vchain-dedupe: <stdin>: out of memory for [0-9]+ keys' \
		"$BIN/vchain-dedupe" -j $j
done
