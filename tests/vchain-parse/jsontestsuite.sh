# JSONTestSuite (../shared/data/JSONTestSuite) through vchain-parse --raw:
# every y_ case that is an object is accepted and written byte-exact; every
# other y_ case is rejected as "not a JSON object"; every n_ case is rejected
# (nothing written, exit 1 with a <stdin>:LINE message; an empty file, or
# one of white space only (after a byte order mark), has no record at all:
# blank lines are skipped, as jq and Miller do); i_ cases may go either way but never crash (status 0 or 1).
set -u
suite="$DATA/JSONTestSuite/test_parsing"
[ -d "$suite" ] || { echo "skipped: $suite not found"; exit 77; }
P="$BIN/vchain-parse"
fails=0 y=0 n=0 i=0
for f in "$suite"/y_*.json; do
	y=$((y + 1))
	first=$(tr '\n\r\t' '   ' < "$f" | sed 's/^ *//' | cut -c1)
	if [ "$first" = "{" ]; then
		# one record: newlines inside a JSON text can only be whitespace
		tr '\n' ' ' < "$f" > "$TMP/in"
		printf '\n' >> "$TMP/in"
		if ! $RUN "$P" --from ndjson --raw < "$TMP/in" > "$TMP/out" 2> "$TMP/err" || ! cmp -s "$TMP/in" "$TMP/out"; then
			echo "y_ object not passed byte-exact: $f"; cat "$TMP/err"; fails=$((fails + 1))
		fi
	else
		$RUN "$P" --from ndjson --raw < "$f" > "$TMP/out" 2> "$TMP/err"
		if [ $? -ne 1 ] || [ -s "$TMP/out" ] || ! grep -q 'not a JSON object' "$TMP/err"; then
			echo "y_ non-object not rejected as such: $f"; fails=$((fails + 1))
		fi
	fi
done
for f in "$suite"/n_*.json; do
	n=$((n + 1))
	$RUN "$P" --from ndjson --raw < "$f" > "$TMP/out" 2> "$TMP/err"
	st=$?
	if [ -s "$TMP/out" ]; then
		echo "n_ case accepted: $f"; fails=$((fails + 1))
	elif [ "$(sed '1s/^\xEF\xBB\xBF//' "$f" | tr -d ' \t\r\n' | wc -c)" -eq 0 ]; then
		[ $st -eq 0 ] || { echo "blank n_ case not skipped (status $st): $f"; fails=$((fails + 1)); }
	elif [ -s "$f" ] && { [ $st -ne 1 ] || ! grep -q '^vchain-parse: <stdin>:[0-9]*: ' "$TMP/err"; }; then
		echo "n_ case without a FILE:LINE error (status $st): $f"; fails=$((fails + 1))
	fi
done
for f in "$suite"/i_*.json; do
	i=$((i + 1))
	$RUN "$P" --from ndjson --raw < "$f" > /dev/null 2>&1
	st=$?
	[ $st -le 1 ] || { echo "i_ case crashed or failed oddly (status $st): $f"; fails=$((fails + 1)); }
done
echo "y_ $y, n_ $n, i_ $i cases; $fails failures"
[ $fails -eq 0 ]
