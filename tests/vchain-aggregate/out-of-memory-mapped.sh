# Tables of 2 MiB and more are anonymous mappings (filters/lib/mem.c), made
# and grown by mmap and mremap, which the malloc failures of
# out-of-memory.sh never reach. Here each mapping fails in turn: the
# funnel's people (150000 of them) and an exact distinct count of them.
# The run stops with the out-of-memory message and status 1 every time
# (the input needs every mapping), never a crash or a short result.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 71 --people 150000 | "$BIN/vchain-stage" > "$TMP/in"
for args in "-j 1 --report funnel" "-j 3 --report funnel" "-j 1 -a distinct:user_id"; do
	# shellcheck disable=SC2086
	sh "$TOP/tests/faults/oom-maps.sh" "$so" "$TMP/in" \
		'^vchain-aggregate: <stdin>: out of memory with 1 groups and [0-9]+ MB of state' "$BIN/vchain-aggregate" $args
done
