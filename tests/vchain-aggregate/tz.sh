# --tz: --every's buckets in a zone of the tz database, daylight saving
# included. Hand-worked cases (a Berlin sale at 00:30 on 1 March; the days
# and hours of the spring and autumn clock changes; a New York week's
# Monday; a half-hour zone), then every unit in six zones on generated
# events against Python's zoneinfo, at -j 1 and 2; --partial/--merge over
# shards; an unknown zone, --tz without --every and --merge --tz are usage
# errors.
set -eu
A="$BIN/vchain-aggregate"
[ -f /usr/share/zoneinfo/Europe/Berlin ] || [ -f "${TZDIR:-/nonexistent}/Europe/Berlin" ] ||
	{ echo "skipped: no tz database (Debian: tzdata)"; exit 77; }
ev() { for t in "$@"; do printf '{"ts":"%s","type":"visit","user_id":"u"}\n' "$t"; done; }
buckets() {	# ZONE UNIT: each bucket and its rows, "bucket n" a line
	$RUN "$A" --every "$2" --tz "$1" -a rows --format tsv | tail -n +2 | tr '\t' ' '
}
check() {	# WHAT WANT GOT
	[ "$2" = "$3" ] || { printf '%s:\nwant: %s\ngot:  %s\n' "$1" "$2" "$3"; exit 1; }
}
# a Berlin sale at 00:30 on 1 March, CET (+01:00)
check "Berlin 00:30 on 1 March, day" "2024-03-01 1" "$(ev 2024-02-29T23:30:00Z | buckets Europe/Berlin day)"
check "... month" "2024-03 1" "$(ev 2024-02-29T23:30:00Z | buckets Europe/Berlin month)"
check "... in UTC" "2024-02-29 1" "$(ev 2024-02-29T23:30:00Z | $RUN "$A" --every day -a rows --format tsv | tail -n +2 | tr '\t' ' ')"
# Berlin's spring change, 31 March 2024, 02:00 CET -> 03:00 CEST: a day of 23 hours
check "Berlin 31 March, days" "$(printf '2024-03-30 1\n2024-03-31 4\n2024-04-01 1')" \
	"$(ev 2024-03-30T22:59:59Z 2024-03-30T23:00:00Z 2024-03-31T00:59:59Z 2024-03-31T01:00:00Z 2024-03-31T21:59:59Z 2024-03-31T22:00:00Z |
		buckets Europe/Berlin day)"
check "Berlin 31 March, hours" "$(printf '2024-03-31T01:00:00+01:00 1\n2024-03-31T03:00:00+02:00 1')" \
	"$(ev 2024-03-31T00:59:59Z 2024-03-31T01:00:00Z | buckets Europe/Berlin hour)"
# the autumn change, 27 October 2024, 03:00 CEST -> 02:00 CET: 25 hours, 02:00 twice
check "Berlin 27 October, day" "2024-10-27 3" \
	"$(ev 2024-10-26T22:00:00Z 2024-10-27T01:30:00Z 2024-10-27T22:59:59Z | buckets Europe/Berlin day)"
check "Berlin 27 October, the hour repeated" "$(printf '2024-10-27T02:00:00+01:00 1\n2024-10-27T02:00:00+02:00 1')" \
	"$(ev 2024-10-27T00:30:00Z 2024-10-27T01:30:00Z | buckets Europe/Berlin hour)"
# New York: Sunday 23:59:59 EST is the week of 26 February, Monday 00:00 that of 4 March
check "New York week" "$(printf '2024-02-26 1\n2024-03-04 1')" \
	"$(ev 2024-03-04T04:59:59Z 2024-03-04T05:00:00Z | buckets America/New_York week)"
# Kolkata, +05:30: 18:30 UTC on 31 January is midnight of 1 February
check "Kolkata month" "$(printf '2024-01 1\n2024-02 1')" "$(ev 2024-01-31T18:29:59Z 2024-01-31T18:30:00Z | buckets Asia/Kolkata month)"
check "Kolkata hour" "2024-02-01T00:00:00+05:30 1" "$(ev 2024-01-31T18:30:00Z | buckets Asia/Kolkata hour)"
# clock changes off the hour: St. John's (-03:30 -> -02:30 at 05:30 UTC) and
# Lord Howe (+11:00 -> +10:30 at 15:00 UTC), each a minute apart in one UTC hour
check "St. John's hours" "$(printf '2024-03-10T01:00:00-03:30 1\n2024-03-10T03:00:00-02:30 1')" \
	"$(ev 2024-03-10T05:10:00Z 2024-03-10T05:40:00Z | buckets America/St_Johns hour)"
check "Lord Howe hours" "$(printf '2024-04-07T01:00:00+10:30 1\n2024-04-07T01:00:00+11:00 1')" \
	"$(ev 2024-04-06T14:50:00Z 2024-04-06T15:10:00Z | buckets Australia/Lord_Howe hour)"
# ts itself stays UTC
check "ts unchanged" '{"day":"2024-03-01","ts_first":"2024-02-29T23:30:00Z"}' \
	"$(ev 2024-02-29T23:30:00Z | $RUN "$A" --every day --tz Europe/Berlin -a first:ts)"

# every unit in six zones against Python's zoneinfo (one pass per zone)
"$BIN/vchain-gen" --seed 31 --people 400 > "$TMP/ev"	# five months: every clock change of the six zones in 2024's spring
for z in Europe/Berlin America/New_York Asia/Kolkata Australia/Lord_Howe America/St_Johns Pacific/Chatham; do
	python3 - "$z" "$TMP/ev" "$TMP/want" <<'PY'
import datetime, json, sys, zoneinfo
z = zoneinfo.ZoneInfo(sys.argv[1])
n = {u: {} for u in ("hour", "day", "week", "month")}
for line in open(sys.argv[2]):
    t = datetime.datetime.fromisoformat(json.loads(line)["ts"].replace("Z", "+00:00")).astimezone(z)
    o = int(t.utcoffset().total_seconds())
    s = "-" if o < 0 else "+"
    o = abs(o)
    b = {"hour": t.strftime("%Y-%m-%dT%H:00:00") + "%s%02d:%02d" % (s, o // 3600, o // 60 % 60),
         "day": t.date().isoformat(),
         "week": (t.date() - datetime.timedelta(days=t.weekday())).isoformat(),
         "month": t.strftime("%Y-%m")}
    for u in n:
        n[u][b[u]] = n[u].get(b[u], 0) + 1
for u in n:
    with open(sys.argv[3] + "." + u, "w") as f:
        for b in sorted(n[u]):
            print(b, n[u][b], file=f)
PY
	for u in hour day week month; do
		for j in 1 2; do
			$RUN "$A" -j $j --every "$u" --tz "$z" -a rows --format tsv "$TMP/ev" | tail -n +2 | tr '\t' ' ' > "$TMP/got"
			cmp -s "$TMP/want.$u" "$TMP/got" || { echo "$z $u -j $j: differs from zoneinfo"; diff "$TMP/want.$u" "$TMP/got" | head; exit 1; }
		done
	done
done

# --partial/--merge over three shards: one pass's result
split -n l/3 -d -a 1 "$TMP/ev" "$TMP/s"
$RUN "$A" --every day --tz America/New_York -g platform -a count,distinct:user_id "$TMP/ev" > "$TMP/one"
for s in 0 1 2; do
	$RUN "$A" --partial --every day --tz America/New_York -g platform -a count,distinct:user_id "$TMP/s$s" > "$TMP/p$s"
done
$RUN "$A" --merge "$TMP/p0" "$TMP/p1" "$TMP/p2" | cmp - "$TMP/one"
# shards of another zone do not merge
$RUN "$A" --partial --every day --tz Europe/Berlin -g platform -a count,distinct:user_id "$TMP/s2" > "$TMP/pb"
if $RUN "$A" --merge "$TMP/p0" "$TMP/pb" > /dev/null 2> "$TMP/err"; then echo "zones merged"; exit 1; fi
grep -q "differ" "$TMP/err" || { cat "$TMP/err"; exit 1; }

# usage errors
for args in "--every day --tz Mars/Olympus" "--every day --tz ../etc/passwd" "--tz Europe/Berlin" "--merge --tz Europe/Berlin"; do
	st=0
	# shellcheck disable=SC2086
	$RUN "$A" $args "$TMP/ev" > /dev/null 2> "$TMP/err" || st=$?
	[ "$st" = 2 ] || { echo "$args: exit $st"; exit 1; }
done
st=0; $RUN "$A" --every day --tz Mars/Olympus "$TMP/ev" 2> "$TMP/err" > /dev/null || st=$?
grep -q "vchain-aggregate: --tz: no zone 'Mars/Olympus'" "$TMP/err" || { cat "$TMP/err"; exit 1; }
