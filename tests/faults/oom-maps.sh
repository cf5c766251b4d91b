#!/bin/sh
# oom-maps.sh SO INPUT MESSAGE PROGRAM [ARG...] - for a run of PROGRAM <
# INPUT whose tables pass 2 MiB (mem.c maps them, and grows them by
# mremap): each anonymous mapping fails in turn (oom.sh with OOM_MAPS=1),
# and since the input needs every one of them, every run must stop with a
# message and status 1, none with the whole output; and the first
# mapping failing, the message must match MESSAGE (grep -E).
set -eu
so=$1 input=$2 msg=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" < "$input" > "$tmp/want"
OOM_MAPS=1 sh "$(dirname "$0")/oom.sh" "$so" "$tmp/want" "$input" "$@" | tee "$tmp/said"
grep -q " 0 gave the whole output" "$tmp/said"
st=0
FAIL_MAP_AT=0 LD_PRELOAD="$so" "$@" < "$input" > /dev/null 2> "$tmp/err" || st=$?
[ $st -eq 1 ] || { echo "the first mapping failing: exit status $st"; exit 1; }
grep -Eq "$msg" "$tmp/err" || { echo "the first mapping failing said:"; cat "$tmp/err"; exit 1; }
