# The value-chain rules of BRIEF.md and issue 4, written again in jq, as an
# independent check of vchain-stage: each event's stage in input order
# (a customer is someone with a purchase earlier in the stream).
def base: {"impression":1,"view":1,"like":2,"follow":2,"comment":3,"share":3,"mention":3,
  "tag":3,"dm":3,"complaint":3,"review":3,"referral":3,"subscribe":4,"signup":4,"lead":4,
  "visit":5,"click":5,"purchase":6,"refund":6}[.type];
def act: if .type == "referral" then true
  elif .type == "review" then (.rating // 0) >= 4
  elif .type == "mention" then (.sentiment != null and .sentiment >= 0.25)
  elif .type == "share" or .type == "tag" then (.sentiment == null or .sentiment >= 0.25)
  else false end;
foreach inputs as $e ({cust: {}};
  ($e | base) as $b
  | .s = (if $e.user_id != null and ($e | act) and .cust[$e.user_id] then 7 else $b end)
  | .e = $e
  | if $e.user_id != null and $e.type == "purchase" then .cust[$e.user_id] = true else . end;
  {u: .e.user_id, ts: .e.ts, p: .e.platform, s: .s})
