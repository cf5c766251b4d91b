# vchain-aggregate --report networking: referring domains and earned media
# worked by hand (a domain with and without www. and in capitals, a port,
# an app referrer, the brand's own domain and its subdomain, a visit
# without user_id, a domain new one day and seen again the next, a visit
# whose day differs in Berlin, mentions at the followers threshold), then
# generated data against an independent reckoning in Python
# (networking.py), -j 1 and 3, and --partial/--merge over shardings.
set -eu
A="$BIN/vchain-aggregate"

v() { printf '{"ts":"%s","user_id":"%s","type":"visit","referrer":"%s"}\n' "$@"; }
m() { printf '{"ts":"%s","user_id":"%s","type":"mention","followers":%s,"sentiment":%s}\n' "$@"; }
{
	v 2024-03-30T12:00:00Z u1 "https://www.Example.com/a"
	v 2024-03-30T12:01:00Z u2 "https://example.com/b?x=1"
	v 2024-03-30T12:02:00Z u1 "http://news.site.org:8080/story"
	v 2024-03-30T12:03:00Z u3 "https://shop.brand.com/cart"
	v 2024-03-30T12:04:00Z u4 "https://brand.com/"
	v 2024-03-30T12:05:00Z u6 "android-app://com.google.android.gm/"
	printf '%s\n' '{"ts":"2024-03-30T12:06:00Z","user_id":"u5","type":"visit"}'
	m 2024-03-30T13:00:00Z acct1 10000 0.5
	m 2024-03-30T13:01:00Z acct2 9999 -1
	m 2024-03-30T13:02:00Z acct3 250000 -0.1
	v 2024-03-31T12:00:00Z u7 "https://EXAMPLE.com./x"
	v 2024-03-31T12:01:00Z u8 "https://blog.example.net/p"
	v 2024-03-31T12:02:00Z u8 "https://blog.example.net/p"
	printf '%s\n' '{"ts":"2024-03-31T12:03:00Z","type":"visit","referrer":"https://t.co/abc"}'
	v 2024-03-31T22:30:00Z u9 "https://late.example.org/"
} > "$TMP/n"
# 30 March, brand.com and shop.brand.com left out: example.com (u1, u2: www.
# folded) 2 visits 2 visitors, com.google.android.gm 1, news.site.org 1 (the
# port dropped); referred visitors u1 u2 u6: 3 (u1 once); 3 domains, all new.
# Earned: acct1 (10000, at the threshold) and acct3: 2 mentions, mean
# (0.5 - 0.1) / 2 = 0.2, reach 260000; acct2 (9999) is not earned media.
# 31 March: blog.example.net 2 visits 1 visitor, example.com (capitals and a
# trailing dot) 1, first seen on the 30th: not new; late.example.org, t.co
# (no user_id: 0 visitors); 5 visits, visitors u7 u8 u9: 3; 4 domains, 3 new.
cat > "$TMP/x" <<'EOF'
day,kind,referrer_domain,visits,visitors,first_seen,new,domains,new_domains,earned_mentions,earned_sentiment_mean,earned_reach
2024-03-30,summary,,4,3,,,3,3,2,0.2,260000
2024-03-30,domain,example.com,2,2,2024-03-30,true,,,,,
2024-03-30,domain,com.google.android.gm,1,1,2024-03-30,true,,,,,
2024-03-30,domain,news.site.org,1,1,2024-03-30,true,,,,,
2024-03-31,summary,,5,3,,,4,3,0,,0
2024-03-31,domain,blog.example.net,2,1,2024-03-31,true,,,,,
2024-03-31,domain,example.com,1,1,2024-03-30,false,,,,,
2024-03-31,domain,late.example.org,1,1,2024-03-31,true,,,,,
2024-03-31,domain,t.co,1,0,2024-03-31,true,,,,,
EOF
$RUN "$A" --report networking --every day --own-domain brand.com --format csv "$TMP/n" > "$TMP/o"
diff "$TMP/x" "$TMP/o"
# without --own-domain the brand's domains are referrers like any other
$RUN "$A" --report networking --every day --format csv "$TMP/n" | sed -n 2p | grep -qx '2024-03-30,summary,,6,5,,,5,5,2,0.2,260000'
# --media-followers 9999: acct2 is earned media too: 3, mean (0.5 - 1 - 0.1) / 3 = -0.2, reach 269999
$RUN "$A" --report networking --every day --own-domain brand.com --media-followers 9999 --format csv "$TMP/n" |
	sed -n 2p | cut -d, -f10-12 | grep -qx '3,-0.2,269999'
# in Berlin, 22:30Z on 31 March is 00:30 on 1 April: late.example.org moves to a day of its own
$RUN "$A" --report networking --every day --tz Europe/Berlin --own-domain brand.com --format csv "$TMP/n" |
	cut -d, -f1-7 | tail -n 2 | tr '\n' ' ' |
	grep -qx '2024-04-01,summary,,1,1,, 2024-04-01,domain,late.example.org,1,1,2024-04-01,true '
# a referrer with JSON-escaped slashes (PHP's json_encode writes them) and
# one with a port but no scheme are example.com; a mailto: is no referral
printf '%s\n' '{"ts":"2024-03-30T12:00:00Z","user_id":"e1","type":"visit","referrer":"https:\/\/www.Example.com\/a"}' \
	'{"ts":"2024-03-30T12:00:00Z","user_id":"e2","type":"visit","referrer":"Example.COM:443/page"}' \
	'{"ts":"2024-03-30T12:00:00Z","user_id":"e3","type":"visit","referrer":"mailto:x@y.z"}' > "$TMP/esc"
$RUN "$A" --report networking --format csv "$TMP/esc" | cut -d, -f1-4,7 | tr '\n' ' ' |
	grep -qx 'kind,referrer_domain,visits,visitors,domains summary,,2,2,1 domain,example.com,2,2, '
# what is not a domain as the report writes them is refused
if "$A" --report networking --own-domain www.brand.com "$TMP/n" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q -- "--own-domain: 'www.brand.com' is not a domain" "$TMP/e"
if "$A" --report funnel --own-domain brand.com "$TMP/n" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q -- "--own-domain goes with --report networking" "$TMP/e"

# ---- generated data: the independent reckoning ----
"$BIN/vchain-gen" --seed 5 --people 9000 > "$TMP/ev"
for opts in "" "--every week" "--every day -g campaign" "--every month -g platform --own-domain instagram.com,t.co" \
	"--every day --tz Asia/Tokyo --media-followers 1000"; do
	# shellcheck disable=SC2086
	$RUN "$A" --report networking $opts "$TMP/ev" > "$TMP/o"
	# shellcheck disable=SC2086
	python3 networking.py "$TMP/ev" "$TMP/o" $opts
done
$RUN "$A" --report networking --every day -j 1 "$TMP/ev" > "$TMP/one"
$RUN "$A" --report networking --every day -j 3 "$TMP/ev" | cmp - "$TMP/one"

# ---- --partial per shard, --merge: one pass's bytes (--own-domain at the merge) ----
. ./shards.inc
for opts in "--every day" "--every week -g platform --media-followers 1000"; do
	# shellcheck disable=SC2086
	$RUN "$A" --report networking $opts --own-domain tiktok.com "$TMP/ev" > "$TMP/one"
	merges_equal "$TMP/one" "$TMP/ev" "--report networking $opts" "--own-domain tiktok.com" 2 3 7
done
if "$A" --merge --media-followers 10 "$TMP/p1" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q -- "--media-followers picks records: give it with --partial" "$TMP/e"
