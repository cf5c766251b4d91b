# Tables of 2 MiB and more are anonymous mappings (filters/lib/mem.c), made
# and grown by mmap and mremap, which the malloc failures of
# out-of-memory.sh never reach. Here each mapping fails in turn: the
# funnel's people (150000 of them) and an exact distinct count of them.
# The run stops with the out-of-memory message and status 1 every time
# (the input needs every mapping), never a crash or a short result.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
G="$BIN/vchain-aggregate"
"$BIN/vchain-gen" --seed 71 --people 150000 | "$BIN/vchain-stage" > "$TMP/in"
for args in "-j 1 --report funnel" "-j 3 --report funnel" "-j 1 -a distinct:user_id"; do
	# shellcheck disable=SC2086
	"$G" $args < "$TMP/in" > "$TMP/want"
	# shellcheck disable=SC2086
	OOM_MAPS=1 sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/want" "$TMP/in" "$G" $args | tee "$TMP/said"
	grep -q " 0 gave the whole output" "$TMP/said"
	# shellcheck disable=SC2086
	st=0 && FAIL_MAP_AT=0 LD_PRELOAD="$so" "$G" $args < "$TMP/in" > /dev/null 2> "$TMP/err" || st=$?
	[ $st -eq 1 ]
	grep -q "^vchain-aggregate: <stdin>: out of memory with 1 groups and [0-9]* MB of state" "$TMP/err"
done
