#!/bin/sh
# oom.sh SO EXPECTED INPUT PROGRAM [ARG...] - run PROGRAM < INPUT with the
# N-th allocation failing (failalloc.so), for N over all the allocations a
# run makes (at most about 300 of them, evenly spread), and check that each
# run either writes exactly EXPECTED and exits 0, or exits 1 with a message
# ending in what ran out ("out of memory", or another error); never a
# crash, never a different output with status 0. Prints how many runs
# failed cleanly. Exit 0 when all hold.
# OOM_LAST=N: each of the last N allocations fails in turn too (the work
# at the end of a run: joins, sorts, the output), not every step-th.
# For a program whose output is files: OOM_BEFORE, a command run before
# each run (make its output directory afresh), and OOM_CHECK, a command
# that succeeds when the files are whole, checked instead of EXPECTED.
# With OOM_MAPS=1 the anonymous mappings fail instead (mem.c's big tables),
# not the mallocs: each one alone, one a run, every one of them (they are
# few).
set -u
what=ALLOC noun=allocation after=AFTER
[ "${OOM_MAPS:-0}" = 1 ] && what=MAP noun=mapping after=AT
so=$1 expected=$2 input=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
whole_output() {
	if [ -n "${OOM_CHECK:-}" ]; then sh -c "$OOM_CHECK" > /dev/null 2>&1; else cmp -s "$tmp/out" "$expected"; fi
}
[ -z "${OOM_BEFORE:-}" ] || sh -c "$OOM_BEFORE"
env "FAIL_${what}_COUNT=$tmp/count" LD_PRELOAD="$so" "$@" < "$input" > "$tmp/out" 2> "$tmp/err" ||
	{ echo "the run without failures failed:"; cat "$tmp/err"; exit 1; }
whole_output || { echo "the run without failures gave another output"; exit 1; }
total=$(cat "$tmp/count")
[ "$what" = ALLOC ] && step=$((total / 300 + 1)) || step=1
[ "$total" -gt 0 ] || { echo "the run made no $noun to fail"; exit 1; }
n=0 clean=0 whole=0 step0=$step
while [ $n -lt "$total" ]; do
	st=0
	[ -z "${OOM_BEFORE:-}" ] || sh -c "$OOM_BEFORE"
	env "FAIL_${what}_${after}=$n" LD_PRELOAD="$so" "$@" < "$input" > "$tmp/out" 2> "$tmp/err" || st=$?
	if [ $st -eq 0 ]; then
		whole_output ||
			{ echo "$noun $n failing: exit 0 with another output"; head -c 300 "$tmp/err"; exit 1; }
		whole=$((whole + 1))
	elif [ $st -eq 1 ] && [ -s "$tmp/err" ]; then
		clean=$((clean + 1))
	else
		echo "$noun $n failing: exit status $st"; head -c 300 "$tmp/err"; exit 1
	fi
	# the last OOM_LAST one by one
	if [ $((n + step)) -ge $((total - ${OOM_LAST:-0})) ] && [ $n -lt $((total - ${OOM_LAST:-0})) ]; then
		n=$((total - ${OOM_LAST:-0}))
		step=1
	else
		n=$((n + step))
	fi
done
[ "$step0" -eq 1 ] && which="each" || which="every ${step0}th"
[ "${OOM_LAST:-0}" -gt 0 ] && [ "$step0" -gt 1 ] && which="$which, the last ${OOM_LAST} each,"
echo "$total ${noun}s, $which failed in turn: $clean runs stopped with a message, $whole gave the whole output"
