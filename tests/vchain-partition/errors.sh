# vchain-partition's manners: a bad line is an error naming file and line
# (or, with --rejects, set aside byte-exact and counted); usage errors say
# what is wrong; a file that cannot be made or written (a full disk) is an
# error naming it, never a short file left silently.
set -eu
P="$BIN/vchain-partition"
printf '{"user_id":"a"}\n{"user_id": oops}\n{"user_id":"b"}\n' > "$TMP/bad"
mkdir "$TMP/o"
if $RUN "$P" -n 2 -o "$TMP/o/p-%d" "$TMP/bad" 2> "$TMP/e"; then exit 1; fi
grep -q "^vchain-partition: $TMP/bad:2: " "$TMP/e"
$RUN "$P" -n 2 -o "$TMP/o/p-%d" --rejects "$TMP/rej" --stats "$TMP/bad" 2> "$TMP/e"
printf '{"user_id": oops}\n' | cmp - "$TMP/rej"
[ "$(cat "$TMP"/o/p-0 "$TMP"/o/p-1 | wc -l)" -eq 2 ]
grep -q "written 2, of them without the key 0 (in file 0); rejected 1" "$TMP/e"
# usage errors: status 2 and a message
for args in "-o $TMP/o/x-%d" "-n 2" "-n 0 -o $TMP/o/x-%d" "-n 2 -o $TMP/o/x" "-n 2 -o $TMP/o/x-%d-%d" \
	"-n 2 -o $TMP/o/x-%s" "-n 2 --missing 2 -o $TMP/o/x-%d" "--keyed -n 2"; do
	st=0
	# shellcheck disable=SC2086
	$RUN "$P" $args "$TMP/bad" 2> "$TMP/e" || st=$?
	[ "$st" -eq 2 ] || { echo "$args: status $st"; exit 1; }
	grep -q "^vchain-partition: " "$TMP/e"
done
# a directory that is not there
if $RUN "$P" -n 2 -o "$TMP/nowhere/p-%d" "$TMP/bad" 2> "$TMP/e"; then exit 1; fi
grep -q "nowhere/p-0: cannot open: No such file or directory" "$TMP/e"
# a full disk: file 1 is /dev/full
if [ -w /dev/full ]; then
	"$BIN/vchain-gen" --seed 3 --events 20000 > "$TMP/ev"
	mkdir "$TMP/full"
	ln -s /dev/full "$TMP/full/p-1"
	st=0
	$RUN "$P" -n 2 -o "$TMP/full/p-%d" "$TMP/ev" 2> "$TMP/e" || st=$?
	[ "$st" -eq 1 ] || { echo "full disk: status $st"; exit 1; }
	grep -q "p-1: write error: No space left on device" "$TMP/e"
	# a little, written only when the files are closed
	st=0
	head -3 "$TMP/ev" | $RUN "$P" -n 2 -o "$TMP/full/p-%d" 2> "$TMP/e" || st=$?
	[ "$st" -eq 1 ] || { echo "full disk at close: status $st"; exit 1; }
	grep -q "p-1: .*No space left on device" "$TMP/e"
	rm "$TMP/full/p-1"
	ln -s /dev/full "$TMP/full/p-1.gz"
	if $RUN "$P" -n 2 -o "$TMP/full/p-%d.gz" "$TMP/ev" 2> "$TMP/e"; then exit 1; fi
	grep -q "p-1.gz: write error: No space left on device" "$TMP/e"
fi
