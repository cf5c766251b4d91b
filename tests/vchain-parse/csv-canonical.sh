# CSV to canonical events: header synonyms and --map (a synonym of revenue,
# here Amount, is revenue on purchases only: a share keeps its Amount), a byte order mark,
# --tz (fixed offset and a tz database zone, across a DST change), exact
# money, the fingerprint id (checked with xxhsum), blank lines counted,
# bad records with the line of their first physical line, multi-line
# rejects byte-exact, and vchain-gen's CSV read back to its own NDJSON.
set -eu
P="$BIN/vchain-parse"
printf '\357\273\277Order Date,Customer-ID,Network,Event,Amount,currency,Bestellnr,Notes\r\n' > "$TMP/shop.csv"
printf '2024-03-01 12:00:00,c1,Twitter,purchase completed,19.99,eur,A-1,"gift, wrapped"\r\n' >> "$TMP/shop.csv"
printf '\r\n' >> "$TMP/shop.csv"
printf '2024-03-31 02:30:00,c2,IG,Retweet,0.10,usd,A-2,"two\r\nlines"\r\n' >> "$TMP/shop.csv"
printf '2024-03-31 00:30:00+02:00,c3,fb,like,,,,\r\n' >> "$TMP/shop.csv"
$RUN "$P" --stats --map bestellnr=order_id "$TMP/shop.csv" > "$TMP/out" 2> "$TMP/err"
cat > "$TMP/want" <<'J'
{"event_id":"ID1","ts":"2024-03-01T12:00:00Z","user_id":"c1","platform":"x","type":"purchase","revenue":19.99,"currency":"EUR","order_id":"A-1","Notes":"gift, wrapped"}
{"event_id":"ID2","ts":"2024-03-31T02:30:00Z","user_id":"c2","platform":"instagram","type":"share","currency":"USD","order_id":"A-2","Amount":"0.10","Notes":"two\r\nlines"}
{"event_id":"ID3","ts":"2024-03-30T22:30:00Z","user_id":"c3","platform":"facebook","type":"like","Notes":""}
J
# the ids: XXH3-128 of each record as written, without its line end
id() { sed -n "$1p" "$TMP/shop.csv" | tr -d '\r' | head -c -1 | xxhsum -H2 | cut -d' ' -f1 | sed 's/^XXH128_//'; }
id1=$(id 2)
id2=$(printf '2024-03-31 02:30:00,c2,IG,Retweet,0.10,usd,A-2,"two\r\nlines"' | xxhsum -H2 | cut -d' ' -f1 | sed 's/^XXH128_//')
id3=$(id 6)
sed "s/ID1/$id1/; s/ID2/$id2/; s/ID3/$id3/" "$TMP/want" > "$TMP/want2"
cmp "$TMP/want2" "$TMP/out"
grep -qx "vchain-parse: $TMP/shop.csv: csv: read 4, written 3, rejected 0, left out 1 (blank lines 1)" "$TMP/err"

# --tz: Berlin is +01:00 before 2024-03-31 02:00 and +02:00 after; a fixed offset
$RUN "$P" --tz Europe/Berlin --map bestellnr=order_id "$TMP/shop.csv" | jq -r .ts > "$TMP/ts"
printf '2024-03-01T11:00:00Z\n2024-03-31T01:30:00Z\n2024-03-30T22:30:00Z\n' | cmp - "$TMP/ts"
printf 'ts,type\n2024-07-01 12:00:00,like\n2024-12-01,like\n' > "$TMP/tz.csv"
$RUN "$P" --tz Europe/Berlin "$TMP/tz.csv" | jq -r .ts | tr '\n' ' ' | grep -qx '2024-07-01T10:00:00Z 2024-11-30T23:00:00Z '
$RUN "$P" --tz=-05:30 "$TMP/tz.csv" | jq -r .ts | tr '\n' ' ' | grep -qx '2024-07-01T17:30:00Z 2024-12-01T05:30:00Z '
if "$P" --tz Mars/Olympus_Mons "$TMP/tz.csv" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "tz: 'Mars/Olympus_Mons' is neither" "$TMP/e"

# --map to a column no header has is an error; a name twice gets _2
if "$P" --map nope=ts "$TMP/tz.csv" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "tz.csv:1: --map: no column 'nope' in the header" "$TMP/e"
printf 'ts,type,x,x,\n2024-01-01,like,1,2,3\n' | $RUN "$P" --raw | grep -qx '{"ts":"2024-01-01","type":"like","x":"1","x_2":"2","5":"3"}'

# bad records: the line of the record's first line; a quoted newline counts
printf 'ts,type,note\n2024-01-01,like,"a\nb"\n2024-01-02,like\n2024-01-03,like,"x"y\n2024-01-04,like,"ok"\n"open,like,x\n' > "$TMP/bad.csv"
if $RUN "$P" "$TMP/bad.csv" > "$TMP/o1" 2> "$TMP/e1"; then exit 1; fi
grep -qx "vchain-parse: $TMP/bad.csv:4: 2 fields, the header has 3" "$TMP/e1"
[ "$(wc -l < "$TMP/o1")" -eq 1 ]
$RUN "$P" --stats --rejects "$TMP/rej" "$TMP/bad.csv" > "$TMP/o2" 2> "$TMP/e2"
grep -q "bad.csv:5: bad CSV: text after a closing quote (byte 20 of the record) (set aside)" "$TMP/e2"
grep -q "bad.csv:7: bad CSV: a quoted field is not closed (set aside)" "$TMP/e2"
grep -q "csv: read 5, written 2, rejected 3" "$TMP/e2"
printf '2024-01-02,like\n2024-01-03,like,"x"y\n"open,like,x\n' | cmp - "$TMP/rej"
# invalid UTF-8 and bad values are bad records, named
printf 'ts,type,revenue\n2024-01-01,like,\377\n2024-01-01,like,1e\n' > "$TMP/v.csv"
if $RUN "$P" --rejects "$TMP/rej3" "$TMP/v.csv" > /dev/null 2> "$TMP/e3"; then exit 1; fi	# all bad: fails
grep -q "v.csv:2: not valid UTF-8" "$TMP/e3"
grep -q "v.csv:3: revenue: expected a decimal amount" "$TMP/e3"

# vchain-gen writes the same events as CSV and as NDJSON: read back, equal
"$BIN/vchain-gen" --seed 8 --events 30000 --format csv > "$TMP/g.csv"
"$BIN/vchain-gen" --seed 8 --events 30000 > "$TMP/g.ndjson"
$RUN "$P" "$TMP/g.csv" | cmp - "$TMP/g.ndjson"
gzip -c "$TMP/g.csv" > "$TMP/g.csv.gz"
$RUN "$P" -j 3 "$TMP/g.csv.gz" | cmp - "$TMP/g.ndjson"
