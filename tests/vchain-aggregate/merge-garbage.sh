# --merge reads files from elsewhere: damaged partial results of every
# report and accumulator (bytes flipped, lines cut, values swapped for other
# JSON, lines repeated, the file cut short) must end either in a message
# naming the file (and line) and exit 1, or in exactly the result of the
# undamaged partial results; never a crash (under the sanitizer build, a
# report on stderr), and never a different result. A --merge that ignored
# its input would fail here.
set -eu
A="$BIN/vchain-aggregate"
"$BIN/vchain-gen" --seed 21 --events 40000 | tail -n 4000 | "$BIN/vchain-stage" > "$TMP/ev"	# past the start: complaints, purchases
n=0
for rep in "--report funnel" "--report engagement" "--report roi" "--report sla -g platform" "--report listening" \
	"-g platform -a count,sum:revenue,stddev:revenue,min:ts,distinct:user_id,approx_distinct:user_id,p90:revenue,last:ts"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	$RUN "$A" --partial $rep "$TMP/ev" > "$TMP/part$n"
	$RUN "$A" --merge "$TMP/part$n" > "$TMP/good$n"
	[ -s "$TMP/good$n" ]
done
/usr/bin/python3 - "$TMP" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(7)
subs = [b'null', b'1', b'-1', b'"x"', b'[]', b'{}', b'[[]]', b'[null]', b'"00000000000000000000000000000000"',
        b'99999999999999999999999', b'1.5', b'[1,2,3,4,5,6,7,8]', b'{"c":[],"p":[],"a":-1}']
k = 0
for n in range(1, 7):
    lines = open("%s/part%d" % (d, n), "rb").read().split(b"\n")
    for _ in range(25):
        ls = list(lines)
        i = rnd.randrange(1, max(2, len(ls) - 1)) if len(ls) > 2 else 0
        line = bytearray(ls[i])
        how = rnd.randrange(4)
        if how == 0 and line:  # flip bytes
            for _ in range(rnd.randrange(1, 4)):
                line[rnd.randrange(len(line))] = rnd.randrange(256)
        elif how == 1 and line:  # a line cut, or the file cut after a line
            if rnd.randrange(2):
                line = line[:rnd.randrange(len(line))]
            else:
                ls = ls[:i + 1]
        elif how == 2:  # a value swapped for other JSON
            s = bytes(line)
            cuts = [j for j, c in enumerate(s) if c in b',[:']
            if cuts:
                j = rnd.choice(cuts) + 1
                e = j
                while e < len(s) and s[e] not in b',]}':
                    e += 1
                line = bytearray(s[:j] + rnd.choice(subs) + s[e:])
        else:  # a line repeated
            ls.insert(i, bytes(line))
        ls[i] = bytes(line)
        k += 1
        open("%s/bad%d.%d" % (d, k, n), "wb").write(b"\n".join(ls))
PY
errors=0
for f in "$TMP"/bad*; do
	st=0
	$RUN "$A" --merge "$f" > "$TMP/o" 2> "$TMP/e" || st=$?
	[ $st -le 1 ] || { echo "$f: exit status $st"; cat "$TMP/e"; exit 1; }
	if grep -v '^vchain-aggregate: ' "$TMP/e" > /dev/null; then
		echo "$f: not a message of ours:"; head -5 "$TMP/e"; exit 1
	fi
	if [ $st -eq 0 ]; then
		cmp -s "$TMP/o" "$TMP/good${f##*.}" || { echo "$f: merged into another result, exit 0"; exit 1; }
	else
		grep -q "^vchain-aggregate: $f" "$TMP/e" || { echo "$f: the message does not name the file"; cat "$TMP/e"; exit 1; }
		errors=$((errors + 1))
	fi
done
echo "$errors of $(ls "$TMP"/bad* | wc -l) damaged partials refused, the rest merged as the undamaged ones"
[ "$errors" -gt 100 ]
