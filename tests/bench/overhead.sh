#!/bin/sh
# overhead.sh BUILD_DIR - the work each filter adds with threads, counted
# in instructions (valgrind --tool=callgrind), at -j 1 2 4 16 64 whatever
# this machine has: what -j N costs beyond -j 1 in all its threads
# together (routing records to parts, taking parts and chunks under the
# pool's lock, more and smaller tables). Wall time on a machine of few
# CPUs cannot show it, and a shared one's noise hides it; the count is
# the same run to run within about 1 %. Serial work under a lock that
# grows with the threads (par.c once searched every part for each task:
# -j 64 took 1.23x the instructions of -j 2) shows here first. Numbers
# are printed, never asserted (make bench runs it).
#
#   OVERHEAD_EVENTS  events to generate (default 120000, about 18 MB)
#   OVERHEAD_JS      the -j values (default "1 2 4 16 64")
#   BENCH_DIR        where the data lives (default bench-data)
set -u
export LC_ALL=C
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
EVENTS=${OVERHEAD_EVENTS:-120000}
JS=${OVERHEAD_JS:-1 2 4 16 64}
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
note() { echo "overhead: $*" >&2; }
command -v valgrind > /dev/null || { note "valgrind is not installed: skipped (apt-get install valgrind)"; exit 0; }

ev="$D/overhead-$EVENTS.ndjson"
st="$D/overhead-staged-$EVENTS.ndjson"
ts="$D/overhead-sorted-staged-$EVENTS.ndjson"
[ -s "$ev" ] || { "$B/vchain-gen" --seed 1 --events "$EVENTS" > "$ev.tmp" && mv "$ev.tmp" "$ev"; } || exit 1
[ -s "$st" ] || { "$B/vchain-dedupe" "$ev" | "$B/vchain-stage" > "$st.tmp" && mv "$st.tmp" "$st"; } || exit 1
[ -s "$ts" ] || { "$B/vchain-sort" "$st" > "$ts.tmp" && mv "$ts.tmp" "$ts"; } || exit 1

# the instructions of one run of the filter's command at -j $2 (millions), or "-"
count() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null $1 -j "$2" > /dev/null 2> "$D/overhead.err" ||
		{ note "failed: $1 -j $2: $(grep -v '^==' "$D/overhead.err" | head -c 300)"; echo -; return; }
	awk '/Collected :/ { printf "%.1f", $NF / 1e6 }' "$D/overhead.err"
}

row() {	# NAME COMMAND (its input last: -j goes after it)
	line=$(printf '%-38s' "$1")
	base=
	for j in $JS; do
		n=$(count "$2" "$j")
		[ -n "$base" ] || base=$n
		line="$line $(printf '%8s %5s' "$n" "$(awk -v b="$base" -v n="$n" 'BEGIN { if (b > 0 && n > 0) printf "%.2fx", n / b; else print "-" }')")"
	done
	echo "$line"
}

echo "instructions (millions) by -j, and as a share of -j $(echo "$JS" | cut -d' ' -f1)'s; $EVENTS events ($(($(wc -c < "$ev") / 1000000)) MB), valgrind --tool=callgrind"
line=$(printf '%-38s' work)
for j in $JS; do line="$line $(printf '%14s' "-j $j")"; done
echo "$line"
row "vchain-parse NDJSON" "$B/vchain-parse $ev"
row "vchain-dedupe" "$B/vchain-dedupe $ev"
row "vchain-stage" "$B/vchain-stage $ev"
row "vchain-aggregate -a distinct:user_id" "$B/vchain-aggregate -a distinct:user_id $st"
row "vchain-aggregate --report funnel" "$B/vchain-aggregate --report funnel $st"
row "vchain-aggregate --report roi" "$B/vchain-aggregate --report roi $st"
row "vchain-aggregate -g user_id" "$B/vchain-aggregate -g user_id -a count $st"
row "vchain-attribute --summary" "$B/vchain-attribute --summary $ts"
row "vchain-rank-advocates" "$B/vchain-rank-advocates $ts"
rm -f "$D/overhead.err"
