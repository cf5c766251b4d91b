# Partial results keep a group's whole state on one line: a funnel's people
# over 400 k events make a line of ~28 MB, past --max-line's 16 MiB default.
# --merge reads such lines (no limit but memory unless --max-line is
# given) and gives the one-pass funnel; make soak found --merge refusing
# its own --partial output.
set -eu
A="$BIN/vchain-aggregate"
"$BIN/vchain-gen" --seed 3 --events 450000 | "$BIN/vchain-stage" > "$TMP/ev"
head -n 400000 "$TMP/ev" > "$TMP/a"
tail -n +400001 "$TMP/ev" > "$TMP/b"
"$A" --partial --report funnel "$TMP/a" > "$TMP/a.p"
"$A" --partial --report funnel "$TMP/b" > "$TMP/b.p"
[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$TMP/a.p" "$TMP/b.p")" -gt 16777216 ] ||
	{ echo "the partial lines are not past 16 MiB: the test tests nothing"; exit 1; }
"$A" --report funnel "$TMP/ev" > "$TMP/one"
$RUN "$A" --merge "$TMP/a.p" "$TMP/b.p" | cmp "$TMP/one" -
# an explicit --max-line still holds
if "$A" --merge --max-line 1M "$TMP/a.p" "$TMP/b.p" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "a.p:2: line longer than 1048576 bytes (--max-line)" "$TMP/err"
