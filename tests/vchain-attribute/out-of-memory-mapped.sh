# Tables of 2 MiB and more are anonymous mappings (filters/lib/mem.c), made
# and grown by mmap and mremap, which the malloc failures of
# out-of-memory.sh never reach. Here each mapping fails in turn, on
# journeys with 300000 people in the window at once (the people's rows of
# each of the 8 parts pass 2 MiB and are grown by mremap): the run stops
# with vchain-attribute's out-of-memory message and status 1 every time
# (the input needs every mapping), never a crash or a short result.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 71 --people 300000 > "$TMP/in"
sh "$TOP/tests/faults/oom-maps.sh" "$so" "$TMP/in" '^vchain-attribute: out of memory with [0-9]+ people in the window' \
	"$BIN/vchain-attribute" -j 1 --summary
