# vchain-aggregate --report: each report on a small case worked by hand
# (the reckoning is in the comments), then all five on generated data
# against an independent reckoning in Python (tests/vchain-aggregate/reports.py),
# and funnel and listening (whose state is in parts) the same at -j 1 and 7,
# then the funnel's --window against vchain-stage
# --journeys --window.
set -eu
A="$BIN/vchain-aggregate"

# ---- funnel, by hand ----
# u1 reaches 1 (day 1), 3 (day 2), 6 (day 11): furthest 6, or 3 within 7 days.
# u2 reaches 1 and 2, u3 only 2: furthest 2. u4 reaches 6 then 7 an hour
# later: 7. The insights row (no user) and the brand's reply (no stage) count
# for no one. People at stage >= k: 4 4 2 2 2 2 1.
cp funnel-hand.ndjson "$TMP/f"
$RUN "$A" --report funnel "$TMP/f" > "$TMP/o"
# Time to convert: a step's time runs from the first time at the stage before
# or further to the first at this one or further (so entering at stage 2, or
# skipping one, makes the skipped steps in no time). Step 2: u1 24 h (day 1 to
# the like on day 2, stage 3 being past 2), u2 5 h, u3 0 (enters at 2), u4 0
# (enters at 6): sorted 0 0 5 24, p50 at index floor(0.5 * 4) = 2: 5 h, p90
# at 3: 24 h. Step 3: u1 0 (the like is stage 3 itself), u4 0. Step 4: u1 216 h
# (day 2 to day 11), u4 0: p50 and p90 at index 1: 216. Steps 5, 6: 0.
# Step 7: u4's hour.
cat > "$TMP/x" <<'EOF'
{"stage":1,"stage_name":"awareness","users":4,"step_conversion":1,"overall_conversion":1,"drop_off":0,"ttc_p50_hours":null,"ttc_p90_hours":null}
{"stage":2,"stage_name":"consideration","users":4,"step_conversion":1,"overall_conversion":1,"drop_off":0,"ttc_p50_hours":5,"ttc_p90_hours":24}
{"stage":3,"stage_name":"engagement","users":2,"step_conversion":0.5,"overall_conversion":0.5,"drop_off":2,"ttc_p50_hours":0,"ttc_p90_hours":0}
{"stage":4,"stage_name":"audience","users":2,"step_conversion":1,"overall_conversion":0.5,"drop_off":0,"ttc_p50_hours":216,"ttc_p90_hours":216}
{"stage":5,"stage_name":"education","users":2,"step_conversion":1,"overall_conversion":0.5,"drop_off":0,"ttc_p50_hours":0,"ttc_p90_hours":0}
{"stage":6,"stage_name":"sale","users":2,"step_conversion":1,"overall_conversion":0.5,"drop_off":0,"ttc_p50_hours":0,"ttc_p90_hours":0}
{"stage":7,"stage_name":"advocacy","users":1,"step_conversion":0.5,"overall_conversion":0.25,"drop_off":1,"ttc_p50_hours":1,"ttc_p90_hours":1}
EOF
cmp "$TMP/x" "$TMP/o"
# within 7 days of their first event u1 reaches only 3: at >= k 4 4 2 1 1 1 1
$RUN "$A" --report funnel --window 7d --format csv "$TMP/f" | cut -d, -f1,3 | tr '\n' ' ' |
	grep -qx 'stage,users 1,4 2,4 3,2 4,1 5,1 6,1 7,1 '
# --step-window 12h: u1's first step took 24 h, so u1 stays at stage 1; u2 (5 h),
# u3 and u4 (no time; u4's last step an hour) go on: at >= k 4 3 1 1 1 1 1; and
# step 2's times are those of u2, u3, u4: 0 0 5; p50 at index floor(1.5) = 1: 0,
# p90 at floor(2.7) = 2: 5
$RUN "$A" --report funnel --step-window 12h --format csv "$TMP/f" | cut -d, -f1,3,7,8 | tr '\n' ' ' |
	grep -qx 'stage,users,ttc_p50_hours,ttc_p90_hours 1,4,, 2,3,0,5 3,1,0,0 4,1,0,0 5,1,0,0 6,1,0,0 7,1,1,1 '
# with --window 7d as well, u1 never gets past 1 either way
$RUN "$A" --report funnel --step-window 12h --window 7d --format csv "$TMP/f" | cut -d, -f1,3 | tr '\n' ' ' |
	grep -qx 'stage,users 1,4 2,3 3,1 4,1 5,1 6,1 7,1 '
# a step of exactly the step window is made: --step-window 5h keeps u2 (5 h) at 2
$RUN "$A" --report funnel --step-window 5h --format csv "$TMP/f" | cut -d, -f1,3 | sed -n 3p | grep -qx '2,3'
# stages reached out of order: v1 likes (3) on day 1, clicks (2) on day 2, views
# (1) on day 3: stage 3 reached on day 1 means 1 and 2 were too, so both steps
# took no time (not -1 day); v2 views on day 1 and clicks 36 h later (step 2:
# 0 and 36 h, p50 and p90 at index 1)
printf '%s\n' '{"ts":"2024-03-01T00:00:00Z","user_id":"v1","stage":3}' '{"ts":"2024-03-02T00:00:00Z","user_id":"v1","stage":2}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"v1","stage":1}' '{"ts":"2024-03-01T00:00:00Z","user_id":"v2","stage":1}' \
	'{"ts":"2024-03-02T12:00:00Z","user_id":"v2","stage":2}' |
	$RUN "$A" --report funnel --format csv | cut -d, -f1,3,7,8 | sed -n 2,4p | tr '\n' ' ' | grep -qx '1,2,, 2,2,36,36 3,1,0,0 '
st=0; $RUN "$A" --report roi --step-window 1d "$TMP/f" > /dev/null 2> "$TMP/e" || st=$?
[ "$st" = 2 ] && grep -q -- "--step-window goes with --report funnel" "$TMP/e"
# a breakdown: u1, u2 on x; u3, u4 on web: 7 rows each
sed 's/"user_id":"u[12]"/&,"platform":"x"/; s/"user_id":"u[34]"/&,"platform":"web"/' "$TMP/f" |
	$RUN "$A" --report funnel -g platform --format tsv | cut -f1,2,4 | sed -n '2p;8p;9p;15p' | tr '\n\t' ' :' |
	grep -qx 'web:1:2 web:7:1 x:1:2 x:7:0 '
# first and last touch differ: w1 views on x (day 1), then clicks (2) and buys
# (6) on web; w2 views on web (day 1) and likes (3) on x on day 5; w3 views on x
# and on web at the same instant. First touch: w1 on x (1..6), w2 on web (1..3),
# w3 on web (the tie goes to the key that sorts first): web 2 1 1 0 0 0 0 (w2
# at 3, w3 at 1), x 1 1 1 1 1 1 0. Last touch: w1 on web, w2 on x, w3 on web:
# web 2 1 1 1 1 1 0, x 1 1 1 0 0 0 0. Either way the groups add up to the
# whole: 3 2 2 1 1 1 0.
printf '%s\n' '{"ts":"2024-03-01T00:00:00Z","user_id":"w1","stage":1,"platform":"x"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"w1","stage":2,"platform":"web"}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"w1","stage":6,"platform":"web"}' \
	'{"ts":"2024-03-01T00:00:00Z","user_id":"w2","stage":1,"platform":"web"}' \
	'{"ts":"2024-03-05T00:00:00Z","user_id":"w2","stage":3,"platform":"x"}' \
	'{"ts":"2024-03-04T00:00:00Z","user_id":"w3","stage":1,"platform":"x"}' \
	'{"ts":"2024-03-04T00:00:00Z","user_id":"w3","stage":1,"platform":"web"}' > "$TMP/touch"
for by in first last; do
	$RUN "$A" --report funnel -g platform --breakdown-by $by --format tsv "$TMP/touch" | tail -n +2 |
		awk -F'\t' '{ u[$1] = u[$1] " " $4; b = $10 } END { print b ":" u["web"] " |" u["x"] }'
done | tr '\n' ';' | grep -qx 'first: 2 1 1 0 0 0 0 | 1 1 1 1 1 1 0;last: 2 1 1 1 1 1 0 | 1 1 1 0 0 0 0;'
$RUN "$A" --report funnel --format tsv "$TMP/touch" | cut -f3 | tail -n +2 | tr '\n' ' ' | grep -qx '3 2 2 1 1 1 0 '
# --exclude: x1 views (day 1), buys (2), is refunded (3), reviews (4: stage 7);
# x2 the same but the refund after the review; x3 views, unsubscribes (2, no
# stage), visits (3: stage 5); x4 views, visits, then unsubscribes; x5 only
# unsubscribes (no stage: no one); x7 views, clicks (2), unsubscribes, visits (5).
# Plain: at >= k 5 5 5 5 5 2 2. refund@7: x1's refund came before stage 7, so
# x1 stops at 6: ... 2 1. refund@6: both refunds came after the purchases: as
# plain. unsubscribe (no stage: the stage after the one held): x3 stops at 1,
# x7 at 2; x4's came after all: 5 4 3 3 3 2 2. Both rules: 5 4 3 3 3 2 1. A rule's type at the very
# instant of reaching the stage excludes too: x6 reviews and is refunded at once.
printf '%s\n' '{"ts":"2024-03-01T00:00:00Z","user_id":"x1","stage":1,"type":"view"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x1","stage":6,"type":"purchase"}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"x1","stage":6,"type":"refund"}' \
	'{"ts":"2024-03-04T00:00:00Z","user_id":"x1","stage":7,"type":"review"}' \
	'{"ts":"2024-03-01T00:00:00Z","user_id":"x2","stage":1,"type":"view"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x2","stage":6,"type":"purchase"}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"x2","stage":7,"type":"review"}' \
	'{"ts":"2024-03-04T00:00:00Z","user_id":"x2","stage":6,"type":"refund"}' \
	'{"ts":"2024-03-01T00:00:00Z","user_id":"x3","stage":1,"type":"view"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x3","stage":null,"type":"unsubscribe"}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"x3","stage":5,"type":"visit"}' \
	'{"ts":"2024-03-01T00:00:00Z","user_id":"x4","stage":1,"type":"view"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x4","stage":5,"type":"visit"}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"x4","stage":null,"type":"unsubscribe"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x5","type":"unsubscribe"}' \
	'{"ts":"2024-03-01T00:00:00Z","user_id":"x7","stage":1,"type":"view"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x7","stage":2,"type":"click"}' \
	'{"ts":"2024-03-03T00:00:00Z","user_id":"x7","type":"unsubscribe"}' \
	'{"ts":"2024-03-04T00:00:00Z","user_id":"x7","stage":5,"type":"visit"}' > "$TMP/ex"
for x in "" "--exclude refund@7" "--exclude refund@6" "--exclude unsubscribe" "--exclude refund@7 --exclude unsubscribe"; do
	# shellcheck disable=SC2086
	printf '%s:' "$x"; $RUN "$A" --report funnel $x --format tsv "$TMP/ex" | cut -f3 | tail -n +2 | tr '\n' ' '; echo
done > "$TMP/exo"
printf '%s\n' ':5 5 5 5 5 2 2 ' '--exclude refund@7:5 5 5 5 5 2 1 ' '--exclude refund@6:5 5 5 5 5 2 2 ' \
	'--exclude unsubscribe:5 4 3 3 3 2 2 ' '--exclude refund@7 --exclude unsubscribe:5 4 3 3 3 2 1 ' | cmp - "$TMP/exo" ||
	{ cat "$TMP/exo"; exit 1; }
printf '%s\n' '{"ts":"2024-03-01T00:00:00Z","user_id":"x6","stage":6,"type":"purchase"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x6","stage":7,"type":"review"}' \
	'{"ts":"2024-03-02T00:00:00Z","user_id":"x6","stage":6,"type":"refund"}' |
	$RUN "$A" --report funnel --exclude refund@7 --format tsv | cut -f3 | tail -n 2 | tr '\n' ' ' | grep -qx '1 0 '
for bad in "refund@1" "refund@8" "refund@" "@7" "re fund" ; do
	st=0; $RUN "$A" --report funnel --exclude "$bad" "$TMP/ex" > /dev/null 2>&1 || st=$?
	[ "$st" = 2 ] || { echo "--exclude $bad: exit $st"; exit 1; }
done
# the adding-up on three generated datasets, by platform, campaign and week,
# first and last: each stage's users over the groups are the whole funnel's
for seed in 4 5 6; do
	"$BIN/vchain-gen" --seed $seed --people 150 | "$BIN/vchain-stage" > "$TMP/g$seed"	# months of lives: many days and weeks
	$RUN "$A" --report funnel "$TMP/g$seed" | jq -r .users > "$TMP/whole"
	for g in "-g platform" "-g campaign --every week" "--every day"; do
		for by in first last; do
			# shellcheck disable=SC2086
			$RUN "$A" --report funnel $g --breakdown-by $by "$TMP/g$seed" |
				jq -s -r 'group_by(.stage) | .[] | map(.users) | add' | cmp -s - "$TMP/whole" ||
				{ echo "seed $seed $g --breakdown-by $by: the groups do not add up"; exit 1; }
		done
	done
done
# without vchain-stage first there is no funnel: an error that says so
printf '{"user_id":"u1","type":"view","ts":"2024-03-01T00:00:00Z"}\n' > "$TMP/nostage"
if $RUN "$A" --report funnel "$TMP/nostage" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "put vchain-stage before" "$TMP/e"
printf '{"user_id":"u1","stage":9,"ts":"2024-03-01T00:00:00Z"}\n{"user_id":"u2","stage":2}\n' > "$TMP/badstage"
if $RUN "$A" --report funnel "$TMP/badstage" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -qx "vchain-aggregate: $TMP/badstage:1: stage: not 1 to 7: 9" "$TMP/e"
$RUN "$A" --report funnel --rejects "$TMP/rej" "$TMP/badstage" > /dev/null 2> "$TMP/e" && exit 1
grep -q "badstage:2: ts missing: the funnel needs the time of each stage" "$TMP/e"

# ---- engagement, by hand ----
# facebook: impressions 31000 + 9000 = 40000 (a person's like has no
# impressions), engagements 60 + 30 + 10 = 100, so the rate is 0.0025;
# followers: the insights row with the latest ts says 25000 (the earlier one
# 24000; a person's followers are not the brand's): 100 / 25000 = 0.004;
# facebook's benchmark 0.0009, so 0.0025 / 0.0009 = 2.78 times it.
# instagram: 1000 impressions, no engagement, no followers known.
# A purchase is neither seen nor engaged: web makes no row.
cat > "$TMP/en" <<'EOF'
{"ts":"2024-03-02T00:00:00Z","platform":"facebook","type":"impression","post_id":"p1","count":31000,"followers":25000}
{"ts":"2024-03-01T00:00:00Z","platform":"facebook","type":"impression","post_id":"p2","count":9000,"followers":24000}
{"ts":"2024-03-02T00:00:00Z","platform":"facebook","type":"like","post_id":"p1","count":60}
{"ts":"2024-03-02T00:00:00Z","platform":"facebook","type":"comment","post_id":"p1","count":30}
{"ts":"2024-03-02T00:00:00Z","platform":"facebook","type":"share","post_id":"p2","user_id":"u1","count":10,"followers":900000}
{"ts":"2024-03-02T00:00:00Z","platform":"instagram","type":"view","post_id":"p3","count":1000}
{"ts":"2024-03-02T00:00:00Z","platform":"web","type":"purchase","user_id":"u1","revenue":5}
EOF
$RUN "$A" --report engagement "$TMP/en" > "$TMP/o"
cat > "$TMP/x" <<'EOF'
{"platform":"facebook","impressions":40000,"engagements":100,"followers":25000,"engagement_rate":0.0025,"engagement_rate_followers":0.004,"benchmark":0.0009,"vs_benchmark":2.777777777777778}
{"platform":"instagram","impressions":1000,"engagements":0,"followers":null,"engagement_rate":0,"engagement_rate_followers":null,"benchmark":0.0122,"vs_benchmark":0}
EOF
cmp "$TMP/x" "$TMP/o"
# per post: p1 has 31000 impressions and 90 engagements; p2 9000 and 10
$RUN "$A" --report engagement -g post_id --format csv "$TMP/en" | cut -d, -f1-3,7 | tr '\n' ' ' |
	grep -qx 'post_id,impressions,engagements,benchmark p1,31000,90,0.0009 p2,9000,10,0.0009 p3,1000,0,0.0122 '
# --brand: the brand's own account is where followers come from too
printf '{"ts":"2024-03-03T00:00:00Z","platform":"facebook","type":"like","user_id":"acme","followers":26000}\n' |
	cat "$TMP/en" - | $RUN "$A" --report engagement --brand acme | head -1 | grep -q '"engagements":101,"followers":26000,'

# ---- roi, by hand ----
# u1 buys o1 (100.10, campaign A, day 1) and o2 (50.00, B, day 5); u2 buys
# without an order_id (20.00, A, day 2) and has it refunded; u3 buys o3
# (9.90, B, day 3). Revenue 100.10 + 50.00 + 20.00 + 9.90 - 20.00 = 160.00;
# orders o1 o2 o3 and one without id = 4; customers 3; AOV 160 / 4 = 40;
# u1 bought twice: repeat rate 1/3; LTV 160 / 3.
cat > "$TMP/roi" <<'EOF'
{"ts":"2024-03-01T10:00:00Z","user_id":"u1","type":"purchase","campaign":"A","order_id":"o1","revenue":100.10}
{"ts":"2024-03-05T10:00:00Z","user_id":"u1","type":"purchase","campaign":"B","order_id":"o2","revenue":50.00}
{"ts":"2024-03-02T10:00:00Z","user_id":"u2","type":"purchase","campaign":"A","revenue":20.00}
{"ts":"2024-03-04T10:00:00Z","user_id":"u2","type":"refund","campaign":"A","revenue":20.00}
{"ts":"2024-03-03T10:00:00Z","user_id":"u3","type":"purchase","campaign":"B","order_id":"o3","revenue":9.90}
{"ts":"2024-03-03T10:00:00Z","user_id":"u4","type":"like","campaign":"C"}
EOF
$RUN "$A" --report roi "$TMP/roi" |
	grep -qx '{"revenue":160.00,"orders":4,"customers":3,"aov":40,"repeat_rate":0.3333333333333333,"ltv":53.333333333333336}'
# With spend per campaign: A spent 50.00, B 30 (in two rows), C 10.
# A: revenue 100.10, orders o1 and u2's, customers u1 u2 (both new: their
# first purchase is in A), CAC 50 / 2 = 25, ROAS 100.10 / 50 = 2.002.
# B: 59.90 from o2 and o3, customers u1 u3, only u3 new: CAC 30, ROAS 59.90 / 30.
# C: spend but no purchase: no AOV, LTV or CAC; ROAS 0.
printf 'campaign,date,spend\nA,2024-03-01,50.00\nB,2024-03-01,10\nB,2024-03-02,20\nC,2024-03-01,10.00\n' > "$TMP/spend.csv"
$RUN "$A" --report roi --spend "$TMP/spend.csv" "$TMP/roi" > "$TMP/o"
cat > "$TMP/x" <<'EOF'
{"campaign":"A","revenue":100.10,"orders":2,"customers":2,"aov":50.05,"repeat_rate":0,"ltv":50.05,"spend":50.00,"new_customers":2,"cac":25,"roas":2.002}
{"campaign":"B","revenue":59.90,"orders":2,"customers":2,"aov":29.95,"repeat_rate":0,"ltv":29.95,"spend":30,"new_customers":1,"cac":30,"roas":1.9966666666666666}
{"campaign":"C","revenue":0,"orders":0,"customers":0,"aov":null,"repeat_rate":null,"ltv":null,"spend":10.00,"new_customers":0,"cac":null,"roas":0}
EOF
cmp "$TMP/x" "$TMP/o"
# by day: the spend goes into the day of its date; B's 10 on 03-01 has no revenue
$RUN "$A" --report roi --spend "$TMP/spend.csv" --every day --format csv "$TMP/roi" | grep '^[^,]*,B,' |
	cut -d, -f1,3,9 | tr '\n' ' ' | grep -qx '2024-03-01,0,10 2024-03-02,0,20 2024-03-03,9.90, 2024-03-05,50.00, '
# the spend table's mistakes are named
printf 'campaign,spend\nA,12\nB,lots\n' > "$TMP/bad.csv"
if $RUN "$A" --report roi --spend "$TMP/bad.csv" "$TMP/roi" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -qx "vchain-aggregate: $TMP/bad.csv:3: spend: not a number: lots" "$TMP/e"
if $RUN "$A" --report roi --spend "$TMP/spend.csv" -g platform "$TMP/roi" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "spend by campaign, so group by it alone" "$TMP/e"
if $RUN "$A" --report funnel --spend "$TMP/spend.csv" "$TMP/roi" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q -- "--spend goes with --report roi" "$TMP/e"

# ---- sla, by hand ----
# c1: answered in 2 h, resolved in 20 h. c2 (a dm): answered in 13 h, resolved
# in 30 h. c3: its answer comes first in the input, 4 h after it. m1, a
# negative mention: never answered. m2 is positive: not inbound. A reply to
# nothing seen counts for nothing; a second response to c1 does not change it.
# Inbound 4, responded 3, resolved 2; in 12 h: c1, c3 = 2/4; resolved in
# 24 h: c1 = 1/4; delays 2, 4, 13: p50 4 (the 2nd of 3), p90 13.
cat > "$TMP/sla" <<'EOF'
{"event_id":"c1","ts":"2024-03-01T00:00:00Z","user_id":"a","type":"complaint","platform":"x"}
{"event_id":"r1","ts":"2024-03-01T02:00:00Z","user_id":"brand","type":"response","reply_to":"c1"}
{"event_id":"r1b","ts":"2024-03-01T03:00:00Z","user_id":"brand","type":"response","reply_to":"c1"}
{"event_id":"s1","ts":"2024-03-01T20:00:00Z","user_id":"brand","type":"resolve","reply_to":"c1"}
{"event_id":"c2","ts":"2024-03-01T00:00:00Z","user_id":"b","type":"dm","platform":"facebook"}
{"event_id":"r2","ts":"2024-03-01T13:00:00Z","user_id":"brand","type":"response","reply_to":"c2"}
{"event_id":"s2","ts":"2024-03-02T06:00:00Z","user_id":"brand","type":"resolve","reply_to":"c2"}
{"event_id":"r3","ts":"2024-03-01T05:00:00Z","user_id":"brand","type":"response","reply_to":"c3"}
{"event_id":"c3","ts":"2024-03-01T01:00:00Z","user_id":"c","type":"complaint","platform":"x"}
{"event_id":"m1","ts":"2024-03-01T00:00:00Z","user_id":"d","type":"mention","sentiment":-0.5,"platform":"x"}
{"event_id":"m2","ts":"2024-03-01T00:00:00Z","user_id":"e","type":"mention","sentiment":0.5,"platform":"x"}
{"event_id":"r9","ts":"2024-03-01T00:00:00Z","user_id":"brand","type":"response","reply_to":"zz"}
EOF
$RUN "$A" --report sla "$TMP/sla" |
	grep -qx '{"inbound":4,"responded":3,"resolved":2,"responded_within_12h":0.5,"resolved_within_24h":0.25,"response_p50_hours":4,"response_p90_hours":13,"unanswered":1}'
# the limits are options; a breakdown takes the inbound message's platform
$RUN "$A" --report sla --respond-within 1h --resolve-within 2d -g platform --format csv "$TMP/sla" | tr '\n' ' ' |
	grep -qx 'platform,inbound,responded,resolved,responded_within_12h,resolved_within_24h,response_p50_hours,response_p90_hours,unanswered facebook,1,1,1,0,1,13,13,0 x,3,2,1,0,0.3333333333333333,4,4,1 '
printf '{"event_id":"c1","type":"complaint"}\n' > "$TMP/nots"
if $RUN "$A" --report sla "$TMP/nots" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "nots:1: ts missing: the sla report times each message" "$TMP/e"

# ---- listening, by hand ----
# mentions 4, three with a sentiment: mean (0.5 - 0.5 + 1) / 3, positive 2/3,
# negative 1/3; follows 10 (an insights row) + 1, unfollows 3 (net 8);
# refunds 1 of purchases 4: 0.25.
cat > "$TMP/li" <<'EOF'
{"type":"mention","sentiment":0.5}
{"type":"mention","sentiment":-0.5}
{"type":"mention","sentiment":1}
{"type":"mention"}
{"type":"follow","count":10}
{"type":"follow","user_id":"u9"}
{"type":"unfollow","count":3}
{"type":"purchase"}
{"type":"purchase","count":3}
{"type":"refund"}
{"type":"like","sentiment":-1}
EOF
$RUN "$A" --report listening "$TMP/li" |
	grep -qx '{"mentions":4,"sentiment_mean":0.3333333333333333,"positive_share":0.6666666666666666,"negative_share":0.3333333333333333,"follows":11,"unfollows":3,"net_follows":8,"refund_rate":0.25}'
printf '{"type":"unfollow","count":5}\n{"type":"follow"}\n' | $RUN "$A" --report listening | grep -q '"net_follows":-4,'
# --stats: of the 11 records the like is read by no metric of the report
$RUN "$A" --report listening --stats "$TMP/li" 2>&1 > /dev/null | grep -q 'read 11, rejected 0, groups 1, 1 read by no metric of the report,'

# ---- options that go with one report only, and reports take no -a ----
if $RUN "$A" --report roi -a count "$TMP/roi" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "no -a" "$TMP/e"
if $RUN "$A" --report roi --window 7d "$TMP/roi" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q -- "--window goes with --report funnel" "$TMP/e"
if $RUN "$A" --report nope "$TMP/roi" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "is not funnel, engagement, roi, sla, listening, selling, networking or rfm" "$TMP/e"

# ---- generated data against an independent reckoning ----
"$BIN/vchain-gen" --seed 8 --people 1200 | "$BIN/vchain-stage" > "$TMP/ev"	# five months of lives: steps of days and weeks
for g in "" "-g platform" "-g campaign --every month"; do
	for r in funnel engagement roi sla listening; do
		# shellcheck disable=SC2086
		$RUN "$A" --report $r $g "$TMP/ev" > "$TMP/$r.out"
	done
	$RUN "$A" --report funnel --window 1d $g "$TMP/ev" > "$TMP/funnel-w.out"
	$RUN "$A" --report funnel --step-window 2d --window 30d $g "$TMP/ev" > "$TMP/funnel-s.out"
	$RUN "$A" --report funnel --breakdown-by last $g "$TMP/ev" > "$TMP/funnel-l.out"
	$RUN "$A" --report funnel --exclude refund@7 --exclude unsubscribe,unfollow $g "$TMP/ev" > "$TMP/funnel-x.out"
	# shellcheck disable=SC2086
	/usr/bin/python3 reports.py "$TMP" $g
	# and the same bytes whatever the threads (funnel and listening keep their state in parts)
	for j in 1 7; do
		for r in funnel listening; do
			# shellcheck disable=SC2086
			$RUN "$A" -j $j --report $r $g "$TMP/ev" | cmp - "$TMP/$r.out" || { echo "-j $j --report $r $g"; exit 1; }
		done
	done
done
[ "$(grep -c . "$TMP/sla.out")" -ge 2 ]

# the funnel within a window is vchain-stage's journeys within it
"$BIN/vchain-gen" --seed 9 --events 100000 > "$TMP/raw"
"$BIN/vchain-stage" "$TMP/raw" | $RUN "$A" --report funnel --window 1d --format csv | cut -d, -f3 | sed 1d > "$TMP/agg"
"$BIN/vchain-stage" --journeys --window 1d "$TMP/raw" |
	jq -r .stage | sort -n | uniq -c | awk '{ n[$2] = $1 } END { for (k = 7; k >= 1; k--) { s += n[k]; u[k] = s } for (k = 1; k <= 7; k++) print u[k] }' |
	cmp - "$TMP/agg"
