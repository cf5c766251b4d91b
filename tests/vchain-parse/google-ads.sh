# The google-ads profile on google-ads-campaigns.csv beside this script: a
# SYNTHETIC file (made up here, no real account) in the real shape of a
# Google Ads "Campaign report" CSV download: two title lines before the
# header, "25,881" and "1,238.88" thousands in quotes, 77.77% and "< 10%",
# " --" placeholders, two "Total: ..." rows. Checked:
#   - detected by its header behind the title lines; --stats: read 9,
#     written 7, left out 2 by the skip rule (read = written + left out);
#   - each row's spend and date equal Python's csv module and Decimal on the
#     same file (an independent reading), the Total rows' own sum too;
#   - the output feeds vchain-aggregate --report roi --spend: spend per
#     campaign (and per day with --every day) equal to Python's sums;
#   - a bad Cost is named with the file's line (title lines counted), a
#     file that ends in its title lines has no header, and a profile's
#     bad title-lines/makes lines are named with the profile's file and line;
#   - vchain-aggregate reads a spend table as NDJSON, its mistakes named by line.
set -eu
P="$BIN/vchain-parse"
A="$BIN/vchain-aggregate"
f="$TOP/tests/vchain-parse/google-ads-campaigns.csv"
command -v python3 > /dev/null || { echo "python3 not found"; exit 77; }

$RUN "$P" --stats --explain "$f" > "$TMP/spend" 2> "$TMP/err"
grep -q 'profile google-ads' "$TMP/err" || { cat "$TMP/err"; exit 1; }
grep -q 'read 9, written 7, rejected 0, left out 2 (the profile.s skip rule 2)' "$TMP/err" || { cat "$TMP/err"; exit 1; }

# Python's reading: the rows after the two title lines and the header, Total rows aside
python3 - "$f" > "$TMP/want" <<'X'
import csv, sys
from decimal import Decimal
rows = list(csv.reader(open(sys.argv[1], newline='')))[2:]
head, rows = rows[0], rows[1:]
day, camp, cost = head.index('Day'), head.index('Campaign'), head.index('Cost')
total = Decimal(0)
for r in rows:
    if r[day].startswith('Total:'):
        assert Decimal(r[cost].replace(',', '')) == total
        continue
    v = Decimal(r[cost].replace(',', ''))
    total += v
    print(r[day], r[camp], v)
X
jq -r '[.date, .campaign, (.spend | tostring)] | join(" ")' "$TMP/spend" > "$TMP/got"
# jq prints 164.3 for 164.30: compare as decimals
python3 - "$TMP/want" "$TMP/got" <<'X'
import sys
from decimal import Decimal
w = [l.split() for l in open(sys.argv[1])]
g = [l.split() for l in open(sys.argv[2])]
assert len(w) == len(g) == 7, (len(w), len(g))
for a, b in zip(w, g):
    assert a[:2] == b[:2] and Decimal(a[2]) == Decimal(b[2]), (a, b)
X
# the spend as written: an exact decimal, a JSON number
grep -q '"spend":1238.88,' "$TMP/spend"
grep -q '"spend":164.30,' "$TMP/spend"

# fed to --spend: per campaign, and per day
cat > "$TMP/ev" <<'X'
{"ts":"2026-11-01T10:00:00Z","user_id":"a","platform":"web","type":"purchase","campaign":"black_friday","revenue":1000,"currency":"EUR"}
{"ts":"2026-11-03T10:00:00Z","user_id":"c","platform":"web","type":"purchase","campaign":"brand_search","revenue":100,"currency":"EUR"}
X
"$A" --report roi --spend "$TMP/spend" "$TMP/ev" | jq -r '"\(.campaign) \(.spend)"' > "$TMP/got"
awk '{ s[$2] += $3 } END { for (c in s) printf "%s %.2f\n", c, s[c] }' "$TMP/want" | sort > "$TMP/w2"
sort "$TMP/got" | awk '{ printf "%s %.2f\n", $1, $2 }' > "$TMP/g2"
diff "$TMP/w2" "$TMP/g2"
"$A" --report roi --every day --spend "$TMP/spend" "$TMP/ev" | jq -r '"\(.day) \(.campaign) \(.spend)"' |
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 }' | sort > "$TMP/g3"
awk '{ printf "%s %s %.2f\n", $1, $2, $3 }' "$TMP/want" | sort > "$TMP/w3"
diff "$TMP/w3" "$TMP/g3"

# mistakes named where they are
sed '5s/164.30/abc/' "$f" > "$TMP/bad.csv"
if "$P" "$TMP/bad.csv" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "bad.csv:5: spend: 'abc' is not a number" "$TMP/err" || { cat "$TMP/err"; exit 1; }
head -2 "$f" > "$TMP/titles.csv"
if "$P" --profile google-ads "$TMP/titles.csv" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "titles.csv:3: no header" "$TMP/err" || { cat "$TMP/err"; exit 1; }
printf '# a spend profile\nmakes spend\ntitle-lines two\n' > "$TMP/p1"
if "$P" --profile "$TMP/p1" "$f" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "p1:3: title-lines: a number from 1 to 100" "$TMP/err" || { cat "$TMP/err"; exit 1; }
printf 'campaign = Campaign\nmakes spend\n' > "$TMP/p2"
if "$P" --profile "$TMP/p2" "$f" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "p2:2: makes: give it before the fields" "$TMP/err" || { cat "$TMP/err"; exit 1; }
printf 'makes spend\ncampaign = Campaign\nrevenue = Cost\n' > "$TMP/p3"
if "$P" --profile "$TMP/p3" "$f" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "p3:3: 'revenue' is not a spend field" "$TMP/err" || { cat "$TMP/err"; exit 1; }

# a spend table as NDJSON, its mistakes by line
printf '{"campaign":"x","spend":"1.50","date":"2026-11-01"}\n\n{"campaign":"x","platform":"web","spend":2}\n' > "$TMP/s.ndjson"
if "$A" --report roi --spend "$TMP/s.ndjson" "$TMP/ev" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "s.ndjson:3: both campaign and platform" "$TMP/err" || { cat "$TMP/err"; exit 1; }
printf '{"campaign":"x","spend":"1.50"}\n{"campaign":"y","spend":2}\n' > "$TMP/s.ndjson"
"$A" --report roi --spend "$TMP/s.ndjson" "$TMP/ev" > "$TMP/got"
grep -q '"campaign":"x",.*"spend":1.50,' "$TMP/got" && grep -q '"campaign":"y",.*"spend":2,' "$TMP/got"
