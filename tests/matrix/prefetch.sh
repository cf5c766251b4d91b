# The prefetches of the hash tables' slots are in the binaries. gcc finds
# a function made only of prefetches "pure" and drops every call to it
# (its result is unused), so htab_prefetch and the functions wrapping it
# must be inlined always; without that, vchain-dedupe had none left and
# vchain-attribute only the one of a person's row, and each person's
# slot was a cache miss (dedupe -j 1 on 3 M events took 1.5x as long).
set -eu
command -v objdump > /dev/null 2>&1 || { echo "no objdump (binutils)"; exit 77; }
at_least() {	# FILTER N: its machine code has N prefetch instructions or more
	n=$(objdump -d --no-show-raw-insn "$BIN/$1" | grep -c 'prefetch' || true)
	[ "$n" -ge "$2" ] || { echo "$1: $n prefetch instructions, expected $2 or more"; exit 1; }
}
at_least vchain-dedupe 1	# the seen set's slot, some records ahead
at_least vchain-attribute 3	# a person's index slot (key, value) and row
at_least vchain-aggregate 6	# the report tables' slots (5 before the fix)
