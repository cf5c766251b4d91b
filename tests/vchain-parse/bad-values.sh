# The rejects file of bad-values holds each bad line byte-exact, and the
# counts add up: read = written + rejected; a run of nothing but bad
# records fails.
set -eu
# every record bad: set aside, and the run fails (nothing was written)
if "$BIN/vchain-parse" --stats --rejects "$TMP/rej" < bad-values.in > "$TMP/out" 2> "$TMP/err"; then exit 1; fi
grep -qx 'vchain-parse: every record read (6) was bad: nothing written' "$TMP/err"
cmp bad-values.in "$TMP/rej"
[ ! -s "$TMP/out" ]
grep -qx 'vchain-parse: <stdin>: ndjson: read 6, written 0, rejected 6' "$TMP/err"
# mixed good and bad, two inputs
cat normalize.in bad-values.in > "$TMP/mixed"
"$BIN/vchain-parse" --stats --rejects "$TMP/rej2" "$TMP/mixed" normalize.in > "$TMP/out2" 2> "$TMP/err2"
grep -q ': ndjson: read 11, written 5, rejected 6$' "$TMP/err2"
grep -qx 'vchain-parse: total: read 16, written 10, rejected 6' "$TMP/err2"
[ "$(wc -l < "$TMP/out2")" -eq 10 ]
cmp bad-values.in "$TMP/rej2"
