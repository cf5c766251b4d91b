# An independent vchain-rank-advocates over canonical events, in jq: the
# documented rules written again from the man page, one person at a time,
# with the score summed term by term (the filter rescales a running sum).
# Input: the events in order (jq -n 'inputs'). Output: one object with
# "rows" (every ranked customer, unsorted) and "summary".
def num: if type == "string" then (tonumber? // null) elif type == "number" then . else null end;
def praise:
	(.sentiment | num) as $s | (.rating | num) as $r
	| if .type == "referral" then true
	  elif .type == "review" then ($r != null and $r >= 4)
	  elif .type == "mention" then ($s != null and $s >= 0.25)
	  elif .type == "share" or .type == "tag" then ($s == null or $s >= 0.25)
	  else false end;
def detract:
	(.sentiment | num) as $s | (.rating | num) as $r
	| (.type == "review" and $r != null and $r <= 2) or (.type == "mention" and $s != null and $s < 0);
def weight: {share: 3, mention: 2, tag: 2, review: 4, referral: 5}[.];
def uid: if . == null or . == "" then null else tostring end;

reduce inputs as $e ({p: {}, latest: null};
	($e.user_id | uid) as $u
	| ($e.ts | fromdateiso8601? // null) as $t
	| .latest = (if $t != null and (.latest == null or $t > .latest) then $t else .latest end)
	| if $u == null then . else
		(if $e.type == "purchase" then .p[$u].bought = true | .p[$u].rev += ($e.revenue // 0 | num)
		 elif $e.type == "refund" then .p[$u].rev -= ($e.revenue // 0 | num)
		 else . end)
		| (if ($e | praise) and .p[$u].bought then .p[$u].acts += [[$e.type, $t]]
		   elif ($e | detract) and .p[$u].bought then .p[$u].det += 1
		   else . end)
		| (($e.followers | num) as $f | if $f != null and $f >= 0 and ($t >= (.p[$u].ft // -1e18))
			then .p[$u].f = ($f | floor) | .p[$u].ft = $t else . end)
		| (($e.referred_by | uid) as $a | if $a != null and $a != $u then .p[$a].refs[$u] = true else . end)
	end)
| .latest as $asof | .p as $p
| [$p | to_entries[] | select(.value.bought)] as $customers
| ($customers | map(.value as $v | .key as $k
	| ($v.refs // {} | keys) as $r
	| ($r | map(select($p[.].bought))) as $rc
	| {user_id: $k,
	   acts: ($v.acts // [] | length), det: ($v.det // 0),
	   referred_people: ($r | length), referred_customers: ($rc | length),
	   referred_revenue: ($rc | map($p[.].rev) | add // 0),
	   score: ((1 + (if $v.f == null then 0 else ($v.f + 1 | log10) end))
			* ($v.acts // [] | map((.[0] | weight) * pow(0.5; ($asof - .[1]) / (90 * 86400))) | add // 0)
		   + 10 * ($rc | length) - 3 * ($v.det // 0))}
	| select(.acts + .det > 0 or .referred_people > 0))) as $rows
| ([$customers[] | .key as $k | .value.refs // {} | keys[] ] | unique) as $referred
| {rows: $rows,
   summary: {customers: ($customers | length),
	     advocates: ([$customers[] | select((.value.acts // []) | length > 0)] | length),
	     referred_people: ($referred | length),
	     referred_customers: ([$referred[] | select($p[.].bought)] | length),
	     referred_revenue: ([$referred[] | select($p[.].bought) | $p[.].rev] | add // 0)}}
