# A profile a user writes, loaded from a file with --profile: every
# function on a small hand-checked CSV (product, abs, sign, int, lower,
# number, map with a default, prefix, when, a "text" constant, skip,
# carry none), unpivot into one event per metric with count; and profile
# errors named with the file and line.
set -eu
P="$BIN/vchain-parse"
cat > "$TMP/shop.profile" <<'X'
# a made-up shop export
about     test shop
carry     none
skip      Kind Total
ts        = When
user_id   = Who | int
platform  = Where | lower | map ig=instagram,*=web
type      = Qty * Price | sign -=refund,*=purchase
revenue   = Qty * Price | abs
campaign  = Code | prefix SPR=spring,*=other
post_id   = Views | number
source    = "shop"
medium    = Kind | when type=refund
X
cat > "$TMP/shop.csv" <<'X'
When,Who,Where,Qty,Price,Code,Views,Kind
2024-05-01 10:00:00,17.0,IG,3,2.50,SPR-1,"25,881",sale
2024-05-01 11:00:00,18.0,Web,-2,1.25,AUT-9,--,return
2024-05-01 12:00:00,,Web,1,9.99,SPR-2,77.77%,Total:
X
$RUN "$P" --profile "$TMP/shop.profile" "$TMP/shop.csv" | jq -c 'del(.event_id)' > "$TMP/out"
cat > "$TMP/want" <<'X'
{"ts":"2024-05-01T10:00:00Z","user_id":"17","platform":"instagram","type":"purchase","post_id":"25881","campaign":"spring","source":"shop","revenue":7.50}
{"ts":"2024-05-01T11:00:00Z","user_id":"18","platform":"web","type":"refund","campaign":"other","source":"shop","medium":"return","revenue":2.50}
X
jq -c . "$TMP/want" | cmp - "$TMP/out"

# unpivot: a row of metrics, one event per metric that is not 0, with count
cat > "$TMP/metrics.profile" <<'X'
ts        = Day
platform  = "facebook"
post_id   = Post
unpivot   Impressions=impression,Likes=like,Shares=share
X
printf 'Day,Post,Impressions,Likes,Shares\n2024-05-01,p1,1200,31,0\n2024-05-02,p2,800,,4\n' > "$TMP/m.csv"
$RUN "$P" --stats --profile "$TMP/metrics.profile" "$TMP/m.csv" > "$TMP/out" 2> "$TMP/err"
jq -r '[.post_id, .type, .count] | @tsv' "$TMP/out" | tr '\t\n' ':,' | grep -qx 'p1:impression:1200,p1:like:31,p2:impression:800,p2:share:4,'
[ "$(jq -r .event_id "$TMP/out" | sort -u | wc -l)" -eq 4 ]
grep -q 'read 2, written 2 (4 events)' "$TMP/err" || { cat "$TMP/err"; exit 1; }

# errors: the profile file and line
printf 'ts = When\ntype = Kind | frobnicate\n' > "$TMP/bad.profile"
! $RUN "$P" --profile "$TMP/bad.profile" "$TMP/shop.csv" 2> "$TMP/err"
grep -q "bad.profile:2: unknown function 'frobnicate'" "$TMP/err" || { cat "$TMP/err"; exit 1; }
printf 'ts = When\ncolour = Kind\n' > "$TMP/bad.profile"
! $RUN "$P" --profile "$TMP/bad.profile" "$TMP/shop.csv" 2> "$TMP/err"
grep -q "bad.profile:2: 'colour' is not a canonical field" "$TMP/err"
printf 'ts = When\ntype = Nope\n' > "$TMP/bad.profile"
! $RUN "$P" --profile "$TMP/bad.profile" "$TMP/shop.csv" 2> "$TMP/err"
grep -q "no column 'Nope' in the header" "$TMP/err"
printf 'ts = When\ntype = Qty * Code\n' > "$TMP/bad.profile"
! $RUN "$P" --profile "$TMP/bad.profile" "$TMP/shop.csv" 2> "$TMP/err"
grep -q "shop.csv:2: 3 \* SPR-1: not two numbers" "$TMP/err" || { cat "$TMP/err"; exit 1; }
! $RUN "$P" --profile no-such-profile "$TMP/shop.csv" 2> "$TMP/err"
# a mistyped name: the shipped ones listed (the files of schemas/profiles, in C order)
names=$(cd "$TOP/schemas/profiles" && LC_ALL=C ls *.profile | sed 's/\.profile$//' | paste -sd, - | sed 's/,/, /g')
grep -qF "'no-such-profile' is neither a shipped profile ($names) nor a file: No such file or directory" "$TMP/err" ||
	{ echo "want the shipped profiles ($names):"; cat "$TMP/err"; exit 1; }

# --explain: the profile chosen and each column's fate, before any record
$RUN "$P" --explain --profile "$TMP/shop.profile" "$TMP/shop.csv" 2> "$TMP/err" > /dev/null
grep -q "shop.csv: read as csv, delimiter ',', profile $TMP/shop.profile: test shop" "$TMP/err" || { cat "$TMP/err"; exit 1; }
grep -q '  Qty  *-> type, revenue$' "$TMP/err"
grep -q '  Kind  *-> medium' "$TMP/err"
grep -q '  Who  *-> user_id' "$TMP/err"

# abs of a long negative value: the value's buffer grows while it is read
# from itself (a use after free the sanitizer build caught, from the fuzzer)
printf 'ts = t\ntype = "purchase"\nrevenue = v | abs\n' > "$TMP/abs.profile"
long=$(printf '%0190d' 7)
printf 't,v\n2024-01-01,-%s.5\n2024-01-02,-2.5\n' "$long" > "$TMP/abs.csv"
$RUN "$P" --rejects "$TMP/abs.rej" --profile "$TMP/abs.profile" "$TMP/abs.csv" > "$TMP/out" 2> "$TMP/err" || true
grep -q '"revenue":2.5' "$TMP/out" || { cat "$TMP/err"; exit 1; }
if [ -s "$TMP/abs.rej" ]; then grep -q "^2024-01-01,-$long.5" "$TMP/abs.rej"; else grep -q "\"revenue\":$long.5" "$TMP/out"; fi
