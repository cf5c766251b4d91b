# scripts/vchain-report shares the CPUs its filters may use (the number
# their --help says, which counts a CPU quota) among its seventeen outputs:
# each gets CPUs / 17 threads, at least one. The programs are run through
# wrappers that log their arguments; vchain-stage's --help is made to say
# 33, 35, 52 or 16 CPUs (this machine may have only 2), and every output
# must then run with -j 1, 2, 3 or 1 (33 / 17 = 1 where / 16 gives 2; 35
# / 17 = 2 and 52 / 17 = 3 where / 18 gives 1 and 2; 16 / 17 < 1). The
# report's funnel is the filter's own on the same events, so the wrappers
# changed nothing else.
set -eu
case $BIN in */san|*/tsan) echo "skipped: run once, in the plain build (a script: its programs are tested under the sanitizers on their own)"; exit 77 ;; esac
for t in jq gnuplot; do
	command -v $t > /dev/null || { echo "skipped: $t is not installed (make deps)"; exit 77; }
done
VR="$TOP/scripts/vchain-report"
"$BIN/vchain-gen" --seed 5 --events 3000 > "$TMP/events"
"$BIN/vchain-parse" "$TMP/events" | "$BIN/vchain-dedupe" | "$BIN/vchain-sort" | "$BIN/vchain-stage" |
	"$BIN/vchain-aggregate" --report funnel > "$TMP/funnel.expected"

mkdir "$TMP/w"
for p in "$BIN"/vchain-*; do
	[ -x "$p" ] || continue
	n=$(basename "$p")
	cat > "$TMP/w/$n" << EOF
#!/bin/sh
if [ "$n" = vchain-stage ] && [ "\${1-}" = --help ]; then
	"$p" --help | sed "s/(default: the CPUs it may use: [0-9]* here)\$/(default: the CPUs it may use: \$(cat "$TMP/cpus") here)/"
	exit
fi
echo "$n \$*" >> "$TMP/log"
exec "$p" "\$@"
EOF
	chmod +x "$TMP/w/$n"
done
# the fake number must reach the script: the wrapper's --help says it
echo 36 > "$TMP/cpus"
"$TMP/w/vchain-stage" --help | grep -q '(default: the CPUs it may use: 36 here)$' ||
	{ echo "the wrapper's --help does not say 36 CPUs"; exit 1; }

for c in 33:1 35:2 52:3 16:1; do
	cpus=${c%:*} want=${c#*:}
	echo "$cpus" > "$TMP/cpus"
	: > "$TMP/log"
	rm -rf "$TMP/out"
	sh "$VR" -q --bin "$TMP/w" -o "$TMP/out" "$TMP/events" 2> "$TMP/err" || { cat "$TMP/err"; exit 1; }
	# the outputs are the programs given -j (the pipeline's own run with their default)
	outs=$(grep -c -- ' -j ' "$TMP/log" || true)
	[ "$outs" -eq 17 ] || { echo "$cpus CPUs: $outs outputs given -j, not 17"; cat "$TMP/log"; exit 1; }
	bad=$(grep -- ' -j ' "$TMP/log" | grep -v -- " -j $want " || true)
	[ -z "$bad" ] || { echo "$cpus CPUs: outputs not given -j $want:"; echo "$bad"; exit 1; }
	cmp "$TMP/funnel.expected" "$TMP/out/funnel.ndjson" || { echo "$cpus CPUs: the funnel differs"; exit 1; }
done
echo "ok: 33, 35, 52 and 16 CPUs gave each of 17 outputs -j 1, 2, 3 and 1"
