# Access logs: the real logs of ../shared/data/access-logs parsed end to
# end, their counts checked against awk's own reading of the same files
# (a regular expression for the combined format, the method, the status,
# the tables of schemas/ for bots and assets); the basjes "hackers" log's
# 1,080 POSTs (SOURCE.md) left out as no page views; then the format variants, utm_*
# decoding, platforms from click ids and referrers, purchases, user ids.
set -eu
P="$BIN/vchain-parse"
dir="$DATA/access-logs"
if [ -f "$dir/apache_logs" ]; then
	$RUN "$P" --stats --rejects "$TMP/rej" "$dir/apache_logs" > "$TMP/out" 2> "$TMP/err"
	awk -v bots="$TOP/schemas/bots.tsv" -v assets="$TOP/schemas/assets.tsv" '
	BEGIN {
		while ((getline l < bots) > 0) if (l !~ /^#/) { split(l, f, "\t"); if (f[1] != "") bot[++nb] = f[1] }
		while ((getline l < assets) > 0) if (l !~ /^#/) { split(l, f, "\t"); ext[f[1]] = 1 }
	}
	{ read++ }
	!/^[^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "[^"]*" [0-9][0-9][0-9] ([0-9]+|-) "[^"]*" "[^"]*"/ { bad++; next }
	{
		split($0, q, "\""); status = substr(q[3], 2, 3) + 0
		split(q[2], rq, " "); if (rq[1] != "GET" && rq[1] != "HEAD") { meth++; next }
		if (status < 200 || status > 399) { err++; next }
		ua = tolower(q[6]); isbot = 0
		for (i = 1; i <= nb; i++) if (index(ua, bot[i])) isbot = 1
		if (isbot) { bots++; next }
		split(q[2], rq, " "); path = rq[2]; sub(/[?#].*/, "", path)
		n = split(path, seg, "/"); last = seg[n]; e = ""
		if (match(last, /\.[^.]+$/)) e = tolower(substr(last, RSTART + 1))
		if (e in ext) { asset++; next }
		kept++
		if (q[2] ~ /[?&]utm_source=feedburner/) feed++
	}
	END {
		printf "access: read %d, written %d, rejected %d, left out %d (assets %d, bots %d, errors %d, other methods %d)\n",
			read, kept, bad, asset + bots + err + meth, asset, bots, err, meth
		print feed > "/dev/stderr"
	}' "$dir/apache_logs" > "$TMP/awk" 2> "$TMP/feed"
	grep -q "apache_logs: $(cat "$TMP/awk")\$" "$TMP/err" || { echo "counts differ:"; cat "$TMP/awk" "$TMP/err"; exit 1; }
	# the one malformed line (8899, an unclosed user agent) is set aside byte-exact
	sed -n 8899p "$dir/apache_logs" | cmp - "$TMP/rej"
	grep -q "apache_logs:8899: no closed \"user agent\"" "$TMP/err"
	[ "$(jq -r 'select(.source == "feedburner") | .medium' "$TMP/out" | grep -cx feed)" -eq "$(cat "$TMP/feed")" ]
	jq -r 'select(.source == "feedburner") | .campaign' "$TMP/out" | sort -u | grep -qx 'Feed: semicomplete/main (semicomplete.com - Jordan Sissel)'
	# --keep-*: nothing left out, everything well-formed written
	$RUN "$P" --keep-assets --keep-bots --keep-errors --keep-methods --rejects /dev/null "$dir/apache_logs" 2>/dev/null | wc -l | grep -qx 9999
else
	echo "note: $dir/apache_logs not found; real-log case skipped"
fi
f="$dir/basjes-hackers-access.log"
if [ -f "$f" ]; then
	# a visit is a successful GET or HEAD: the form POSTs of the probing clients are not
	$RUN "$P" --stats "$f" > /dev/null 2> "$TMP/err"
	ok=$(awk '$6 == "\"GET" && $9 >= 200 && $9 < 400' "$f" | wc -l)
	grep -q "access: read 3456, written $ok, rejected 0, left out $((3456 - ok)) (errors 25, other methods 1080)" "$TMP/err" ||
		{ cat "$TMP/err"; exit 1; }
	$RUN "$P" --stats --keep-methods "$f" 2>&1 > /dev/null | grep -q "written $((ok + 1080 - $(awk '$6 == "\"POST" && ($9 < 200 || $9 >= 400)' "$f" | wc -l)))," ||
		{ echo "--keep-methods"; exit 1; }
fi
if [ -f "$dir/basjes-access_log.gz" ]; then
	# a real gzipped log with a garbage line 2, read from stdin (format found from the content)
	$RUN "$P" --stats --rejects "$TMP/rej2" < "$dir/basjes-access_log.gz" > "$TMP/out2" 2> "$TMP/err2"
	grep -q '<stdin>:2: no \[time\] field' "$TMP/err2"
	printf 'xxxxxxxxxxxx\n' | cmp - "$TMP/rej2"
	n=$(zcat "$dir/basjes-access_log.gz" | wc -l)
	grep -q "<stdin>: access: read $n, written $(wc -l < "$TMP/out2"), rejected 1" "$TMP/err2"
	# +0200 in the log, UTC out
	head -1 "$TMP/out2" | jq -r .ts | grep -qx 2013-04-07T02:04:56Z
fi

# the variants, one line each
cat > "$TMP/v.log" <<'LOG'
192.0.2.1 - - [10/Oct/2024:13:55:36 -0700] "GET /a.html HTTP/1.1" 200 2326
192.0.2.2 - frank [10/Oct/2024:13:55:37 +0000] "GET /b?utm_source=Facebook&utm_medium=paid+social&utm_campaign=spring%20sale&utm_content=c%C3%A9&utm_term=t HTTP/1.1" 200 10 "-" "Mozilla/5.0" 0.042
203.0.113.9, 10.0.0.1 - - [10/Oct/2024:13:55:38 +0000] "GET /c?gclid=abc HTTP/1.1" 302 0 "https://t.co/xyz" "Mozilla/5.0"
- 198.51.100.7 - - [10/Oct/2024:13:55:39 +0000] "GET /d HTTP/1.1" 200 5 "https://DE-DE.Facebook.com:443/x" "Mozilla/5.0"
192.0.2.3 - - [10/Oct/2024:13:55:40 +0000] "GET /checkout/thank-you?order=7&total=49.90 HTTP/1.1" 200 5 "https://mail.google.com/" "Mozilla/5.0" "uid=42"
192.0.2.3 - - [10/Oct/2024:13:55:41 +0000] "GET /e?ttclid=1 HTTP/1.1" 200 5 "https://www.youtube.com/watch" "Mozilla/5.0 \"quoted\""
192.0.2.4 - - [10/Oct/2024:13:55:42 +0000] "GET /logo.PNG HTTP/1.1" 200 5 "-" "Mozilla/5.0"
192.0.2.4 - - [10/Oct/2024:13:55:43 +0000] "GET /f HTTP/1.1" 200 5 "-" "Googlebot/2.1"
192.0.2.4 - - [10/Oct/2024:13:55:44 +0000] "GET /g HTTP/1.1" 404 5 "-" "Mozilla/5.0"
LOG
$RUN "$P" --stats --purchase-path '^/checkout/thank-you' --revenue-param total "$TMP/v.log" > "$TMP/v.out" 2> "$TMP/v.err"
grep -q "access: read 9, written 6, rejected 0, left out 3 (assets 1, bots 1, errors 1)" "$TMP/v.err"
jq -c '[.ts, .platform, .type, .url, .referrer, .source, .medium, .campaign, .content, .term, .revenue]' "$TMP/v.out" > "$TMP/v.got"
cat > "$TMP/v.want" <<'J'
["2024-10-10T20:55:36Z","web","visit","/a.html",null,null,null,null,null,null,null]
["2024-10-10T13:55:37Z","facebook","visit","/b?utm_source=Facebook&utm_medium=paid+social&utm_campaign=spring%20sale&utm_content=c%C3%A9&utm_term=t",null,"Facebook","paid social","spring sale","cé","t",null]
["2024-10-10T13:55:38Z","other","visit","/c?gclid=abc","https://t.co/xyz",null,null,null,null,null,null]
["2024-10-10T13:55:39Z","facebook","visit","/d","https://DE-DE.Facebook.com:443/x",null,null,null,null,null,null]
["2024-10-10T13:55:40Z","email","purchase","/checkout/thank-you?order=7&total=49.90","https://mail.google.com/",null,null,null,null,null,49.90]
["2024-10-10T13:55:41Z","tiktok","visit","/e?ttclid=1","https://www.youtube.com/watch",null,null,null,null,null,null]
J
# jq prints 49.90 as 49.9: compare the revenue bytes separately
sed 's/,49.9\]$/,49.90]/' "$TMP/v.got" | cmp "$TMP/v.want" -
grep -q '"revenue":49.90}' "$TMP/v.out"
# user ids: a hash of client and agent (the same for the same pair), or a named field
[ "$(jq -r .user_id "$TMP/v.out" | sed -n 5p)" = "$(jq -r .user_id "$TMP/v.out" | sed -n 5p)" ]
jq -r .user_id "$TMP/v.out" | grep -c '^[0-9a-f]\{16\}$' | grep -qx 6
h1=$(printf '192.0.2.3\nMozilla/5.0' | xxhsum -H3 | awk '{ print $NF }')
[ "$(jq -r .user_id "$TMP/v.out" | sed -n 5p)" = "$h1" ]
$RUN "$P" --user-field user "$TMP/v.log" | jq -r .user_id | sed -n 2p | grep -qx frank
$RUN "$P" --user-field extra:1 "$TMP/v.log" | jq -r .user_id | sed -n 5p | grep -qx uid=42
# the Apache \" escape is undone
$RUN "$P" --keep-bots "$TMP/v.log" | grep -c '"user_id"' | grep -qx 7
# a revenue that is no number is a bad record, named
printf '192.0.2.3 - - [10/Oct/2024:13:55:40 +0000] "GET /checkout/thank-you?total=abc HTTP/1.1" 200 5 "-" "M"\n' > "$TMP/r.log"
if $RUN "$P" --purchase-path '^/checkout/' --revenue-param total "$TMP/r.log" > /dev/null 2> "$TMP/r.err"; then exit 1; fi
grep -q 'r.log:1: total=abc is not a decimal amount' "$TMP/r.err"
