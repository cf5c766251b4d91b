#!/bin/sh
# ab.sh N 'COMMAND A' 'COMMAND B' - N runs of each, interleaved (A, B, A,
# B, ...) so that a slow spell of a shared machine falls on both alike;
# prints each one's minimum and median wall seconds and CPU seconds (user
# + system). For a before/after of one change: build the old binary to
# another name and give both commands. Output goes to /dev/null; a
# command that needs setup before each run can start with it ('rm -rf
# d && mkdir d && ...'), which is then timed too.
set -u
[ $# -eq 3 ] || { echo "usage: ab.sh N 'COMMAND A' 'COMMAND B'" >&2; exit 2; }
n=$1
# GNU time to the millisecond (tests/bench/timeit.c: make bench, or make build/tests/timeit), else its 10 ms
T="$(cd "$(dirname "$0")/../.." && pwd)/build/tests/timeit"
[ -x "$T" ] || T=/usr/bin/time
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
i=0
while [ "$i" -lt "$n" ]; do
	"$T" -f "%e %U %S" -a -o "$t/a" sh -c "$2" > /dev/null 2>&1 < /dev/null
	"$T" -f "%e %U %S" -a -o "$t/b" sh -c "$3" > /dev/null 2>&1 < /dev/null
	i=$((i + 1))
done
for x in a b; do
	w=$(awk '{ print $1 }' "$t/$x" | sort -n | awk '{ v[NR] = $1 } END { printf "wall min %.3f med %.3f", v[1], v[int((NR + 1) / 2)] }')
	c=$(awk '{ print $2 + $3 }' "$t/$x" | sort -n | awk '{ v[NR] = $1 } END { printf "cpu min %.3f med %.3f", v[1], v[int((NR + 1) / 2)] }')
	echo "$x  $w  $c"
done
