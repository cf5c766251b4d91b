# vchain-report.jq - the report's model, from the results of the filters
# (one object: each result's records by name, and .meta). Every number is
# formatted here once; vchain-report-html.jq and vchain-report-md.jq only
# lay the model out. A section: id, title, sentence, chart (or null),
# tables: [{id, caption, head, align ("l"/"r" a column), rows}].

include "vchain-format";

def table($id; $caption; $cols; $rows):	# cols: [[head, align], ...]
	{id: $id, caption: $caption, head: ($cols | map(.[0])), align: ($cols | map(.[1])), rows: $rows};
def section($id; $title; $sentence; $chart; $tables):
	{id: $id, title: $title, sentence: $sentence,
	 chart: (if $chart and (.meta.charts | index([$chart])) then $chart else null end), tables: $tables};

. as $d
| (.meta.every) as $every
# the currency: the one the purchases name, when they name one
| ([.roi[] | .currency] | if length == 1 then .[0] else null end) as $cur
| (.funnel | map({key: (.stage | tostring), value: .}) | from_entries) as $stage
| (.advocates_summary[0] // {}) as $adv
| (.sla[0] // null) as $sla
| (.listening[0] // null) as $lis
| (.pipeline[0] // {}) as $pipe
| (.roi | map(select(.revenue != null))) as $roi
| {
  title: .meta.title,
  inputs: .meta.inputs,
  headline: [
    {label: "people reached", value: ($stage["1"].users // 0 | int)},
    {label: "customers", value: ($adv.customers // 0 | int)},
    # several currencies: the one with the most orders, and how many others
    (if ($roi | length) <= 1 then {label: "revenue", value: ($roi[0] // {revenue: 0} | .currency as $c | .revenue | money($c))}
     else ($roi | max_by(.orders)) as $r
       | {label: "revenue (\($roi | length - 1) more currencies below)", value: ($r.revenue | money($r.currency))} end),
    {label: "advocates", value: ($adv.advocates // 0 | int)},
    {label: "k-factor", value: ($adv.k_factor | if . == null then dash else fixed(2) end)},
    {label: "answered within 12 h", value: ($sla.responded_within_12h | pct)}
  ],
  sections: [
    # ---- the funnel ----
    (if (.funnel | length) > 0 then
      ([.funnel[] | select(.stage > 1)] | max_by(.drop_off / ([$stage[(.stage - 1 | tostring)].users, 1] | max))) as $worst
      | section("funnel"; "The funnel";
        "Of \($stage["1"].users | int) people reached, \($stage["6"].users | int) (\($stage["6"].overall_conversion | pct)) reached the sale stage (a purchase or a refund) and \($stage["7"].users | int) (\($stage["7"].overall_conversion | pct)) advocacy. The biggest loss is from \($stage[($worst.stage - 1 | tostring)].stage_name) to \($worst.stage_name): \((1 - $worst.step_conversion) | pct) did not go on. Above each bar: its people; between bars: the step conversion.";
        "funnel";
        [table("t-funnel"; "People by the furthest stage they reached"; [["stage", "r"], ["name", "l"], ["people", "r"], ["step conversion", "r"], ["overall conversion", "r"], ["drop-off", "r"], ["median time from the stage before", "r"], ["90th percentile", "r"]];
          [.funnel[] | [(.stage | tostring), .stage_name, (.users | int), (.step_conversion | pct), (.overall_conversion | pct), (.drop_off | int), (.ttc_p50_hours | hours), (.ttc_p90_hours | hours)]])])
    else empty end),
    # ---- engagement ----
    (if (.engagement | length) > 0 then
      ([.engagement[] | select(.engagement_rate != null)] | max_by(.engagement_rate)) as $top
      | section("engagement"; "Engagement by platform";
        (if $top then "Engagements (likes, comments, shares) per impression on each platform (bars), against the median engagement rate per post the source articles give (black lines, where they give one). \($top.platform) has the highest rate, \($top.engagement_rate | pct)."
         else "No platform has impressions, so no engagement rate." end);
        "engagement";
        [table("t-engagement"; "Impressions, engagements and rates by platform"; [["platform", "l"], ["impressions", "r"], ["engagements", "r"], ["followers", "r"], ["engagement rate", "r"], ["per follower", "r"], ["sources' median", "r"], ["against the median", "r"]];
          [.engagement[] | [.platform // "(none)", (.impressions | int), (.engagements | int), (.followers | int), (.engagement_rate | pct), (.engagement_rate_followers | pct), (.benchmark | pct), (.vs_benchmark | times)]])])
    else empty end),
    # ---- attribution ----
    (if (.attribution | length) > 0 then
      (.attribution | map(select(.model == "markov"))) as $mk
      | (.attribution | map(select(.model == "last"))) as $last
      | (if ($mk | length) > 0 then $mk[0] else null end) as $best
      | (.attribution | map(.model) | unique) as $models
      | (["first", "last", "last_non_direct", "linear", "time_decay", "position", "markov", "shapley"] | map(select(. as $m | $models | index([$m])))) as $ms
      | (.attribution as $at | $at | map(select(.model == "linear")) + $at | map(.channel)
         | reduce .[] as $c ([]; if index([$c]) then . else . + [$c] end)) as $channels
      | (.attribution | map({key: "\(.model) \(.channel)", value: .}) | from_entries) as $a
      | section("attribution"; "Which channels drove the sales";
        (if $best then "Under the Markov model, which credits a channel with what the conversions would lose without it, \($best.channel) drives \($best.share | pct) of the \([$mk[].conversions] | add | int) conversions\(if ($last | length) > 0 then (($last | map(select(.channel == $best.channel)) | .[0].share) as $l | "; the last touch gives it \($l // 0 | pct)") else "" end). Each bar is a channel's share of the conversions under one model."
         else "Each bar is a channel's share of the conversions under one model." end);
        "attribution";
        [table("t-attribution"; "Share of the conversions by channel and model"; [["channel", "l"], ($ms[] | [gsub("_"; " ") | sub("non direct"; "non-direct"), "r"])];
          [$channels[] as $c | [$c, ($ms[] as $m | $a["\($m) \($c)"].share // 0 | pct)]]),
         table("t-attribution-value"; "Value credited by channel (the Markov and last-touch models)"; [["channel", "l"], ["conversions (markov)", "r"], ["value (markov)", "r"], ["conversions (last)", "r"], ["value (last)", "r"]]
           + (if .meta.spend_key != "" then [["spend", "r"], ["ROAS (markov)", "r"], ["cost per conversion (markov)", "r"]] else [] end);
          [$channels[] as $c | [$c, ($a["markov \($c)"].conversions | count), ($a["markov \($c)"].value | money($cur)), ($a["last \($c)"].conversions | count), ($a["last \($c)"].value | money($cur))]
            + (if $d.meta.spend_key != "" then [($a["markov \($c)"].spend | money($cur)), ($a["markov \($c)"].roas | times), ($a["markov \($c)"].cost_per_conversion | money($cur))] else [] end)])])
    else empty end),
    # ---- over time ----
    (if (.periods | length) > 0 then
      (.periods | max_by(.revenue)) as $best
      | (.periods | length) as $n
      | section("periods"; "Revenue and new people per \($every)";
        "Revenue per \($every) (bars, left axis) with the people first seen and the site visits (lines, right axis, broken where \($every)s have no data). The best \($every) for revenue began \($best.period), with \($best.revenue | money($best.currency)) from \($best.orders | int) orders.";
        "periods";
        [table("t-periods"; (if $n > 12 then "The last 12 of \($n) \($every)s with data (all in periods.csv)" else "Per \($every)" end)
            + (if ($roi | length) > 1 then "; revenue in \($best.currency), the currency with the most orders" else "" end); [[$every, "l"], ["revenue", "r"], ["orders", "r"], ["visits", "r"], ["new people", "r"]];
          [.periods[-12:][] | [.period, (.currency as $c | .revenue | money($c)), (.orders | int), (.visits | int), (.new_people | int)]])])
    else empty end),
    # ---- money ----
    (if ($roi | length) > 0 or (.meta.spend_key != "") then
      section("roi"; "Revenue and customers";
        (if ($roi | length) > 0 then ($roi[0]) as $r | "\($r.customers | int) customers placed \($r.orders | int) orders worth \($r.revenue | money($r.currency)), refunds taken off: \($r.aov | money($r.currency)) an order; \($r.repeat_rate | pct) of the customers ordered again." else "No purchases in the input." end);
        null;
        [table("t-roi"; "Revenue (purchases less refunds) per currency"; [["currency", "l"], ["revenue", "r"], ["orders", "r"], ["customers", "r"], ["order value", "r"], ["repeat rate", "r"], ["revenue per customer", "r"]];
          [$roi[] | .currency as $c | [$c // "(none)", (.revenue | money($c)), (.orders | int), (.customers | int), (.aov | money($c)), (.repeat_rate | pct), (.ltv | money($c))]])]
        + (if .meta.spend_key != "" then ($d["roi_by_" + .meta.spend_key] // []) as $rk | [table("t-roi-spend"; "Return on spend by \(.meta.spend_key)"; [[.meta.spend_key, "l"], ["spend", "r"], ["revenue", "r"], ["new customers", "r"], ["cost per new customer", "r"], ["ROAS", "r"]];
          [$rk[] | [(.[$d.meta.spend_key] // "(none)"), (.spend | money($cur)), (.revenue | money($cur)), (.new_customers | int), (.cac | money($cur)), (.roas | times)]])] else [] end))
    else empty end),
    # ---- selling: leads per period, offers per campaign ----
    (if (.selling_periods | length) > 0 then
      (.selling_periods) as $sp | ($sp[-1]) as $last | ($sp | length) as $n
      | ([.selling_campaigns[] | select(.purchases > 0 or .visits > 0)] | sort_by(-.purchases, .campaign // "")) as $offers
      | section("selling"; "Selling: leads and offers";
        "\([$sp[].leads] | add | int) leads (subscriptions, signups and leads) in all; the last \($every) with data, \($last[$every]), brought \($last.leads | int)\(if $last.lead_growth != null then " (\($last.lead_growth | pct) against the \($every) before)" else "" end). \(if ($offers | length) > 0 then "The offer with the most purchases, \($offers[0].campaign // "(no campaign)"), made \($offers[0].purchases | int) from \($offers[0].visits | int) visits." else "No campaign had visits or purchases." end)";
        null;
        [table("t-selling"; (if $n > 12 then "Leads and purchases: the last 12 of \($n) \($every)s with data" else "Leads and purchases per \($every)" end);
            [[$every, "l"], ["leads", "r"], ["growth", "r"], ["visits", "r"], ["visitors", "r"], ["purchases", "r"], ["per visit", "r"], ["per visitor", "r"]];
          [$sp[-12:][] | [.[$every], (.leads | int), (.lead_growth | pct), (.visits | int), (.visitors | int), (.purchases | int), (.purchases_per_visit | pct), (.purchases_per_visitor | pct)]]),
         (if ($offers | length) > 0 then table("t-offers"; "Offer conversion by campaign (the \([$offers | length, 10] | min) with the most purchases)";
            [["campaign", "l"], ["visits", "r"], ["visitors", "r"], ["purchases", "r"], ["per visit", "r"], ["per visitor", "r"], ["revenue", "r"]];
          [$offers[:10][] | [(.campaign // "(none)"), (.visits | int), (.visitors | int), (.purchases | int), (.purchases_per_visit | pct), (.purchases_per_visitor | pct), (.revenue | money($cur))]]) else empty end)])
    else empty end),
    # ---- customers by RFM segment ----
    (if (.rfm_segments | length) > 0 then
      ([.rfm_segments[].count] | add) as $nc
      | (.rfm_segments | sort_by(-.count, .currency // "", .segment)) as $segs
      | section("rfm"; "Customers by recency, frequency and money";
        "\($nc | int) customers, each scored 1 to 5 on how recently they bought, how often and for how much (quintiles; ties share a score). The largest segment is \($segs[0].segment): \($segs[0].count | int) customers (\($segs[0].count / $nc | pct)). Segments follow schemas/rfm-segments.tsv; each customer's scores are in rfm.csv.";
        null;
        [table("t-rfm"; "Customers by RFM segment"; [["segment", "l"]] + (if ([$segs[].currency] | unique | length) > 1 then [["currency", "l"]] else [] end) + [["customers", "r"], ["share", "r"], ["money", "r"], ["mean days since", "r"], ["mean orders", "r"]];
          ([$segs[].currency] | unique | length > 1) as $many
          | [$segs[] | [.segment] + (if $many then [.currency // "(none)"] else [] end) + [(.count | int), (.count / $nc | pct), (.currency as $c | .monetary_sum | money($c)), (.recency_days_mean | fixed(1)), (.frequency_mean | fixed(2))]])])
    else empty end),
    # ---- customer care ----
    (if $sla then
      section("sla"; "Customer care: time to answer";
        "Of \($sla.inbound | int) complaints, messages and negative mentions, \($sla.responded | int) were answered, \($sla.responded_within_12h | pct) within 12 hours, and \($sla.resolved_within_24h | pct) were resolved within 24 hours. Half the answers took \($sla.response_p50_hours | hours) or less; \($sla.unanswered | int) are unanswered.";
        "response-times";
        [table("t-sla"; "Answers and resolutions"; [["inbound", "r"], ["answered", "r"], ["resolved", "r"], ["answered within 12 h", "r"], ["resolved within 24 h", "r"], ["median answer", "r"], ["90th percentile", "r"], ["unanswered", "r"]];
          [[($sla.inbound | int), ($sla.responded | int), ($sla.resolved | int), ($sla.responded_within_12h | pct), ($sla.resolved_within_24h | pct), ($sla.response_p50_hours | hours), ($sla.response_p90_hours | hours), ($sla.unanswered | int)]])])
    else empty end),
    # ---- listening ----
    (if $lis then
      section("listening"; "Listening";
        "\($lis.mentions | int) mentions\(if $lis.sentiment_mean != null then " with a mean sentiment of \($lis.sentiment_mean | fixed(2)) (from -1 to 1), \($lis.positive_share | pct) of them positive" else ", none with a sentiment" end); \($lis.net_follows | int) follows net of unfollows.";
        null;
        [table("t-listening"; "Mentions, follows and refunds"; [["mentions", "r"], ["mean sentiment", "r"], ["positive", "r"], ["negative", "r"], ["follows", "r"], ["unfollows", "r"], ["net follows", "r"], ["refund rate", "r"]];
          [[($lis.mentions | int), ($lis.sentiment_mean | fixed(2)), ($lis.positive_share | pct), ($lis.negative_share | pct), ($lis.follows | int), ($lis.unfollows | int), ($lis.net_follows | int), ($lis.refund_rate | pct)]])])
    else empty end),
    # ---- networking: referring domains and earned media ----
    (if (.networking | length) > 0 then
      (.networking | map(select(.kind == "summary")) | .[0]) as $all
      | (.networking | map(select(.kind == "domain"))) as $doms
      | (.networking_periods) as $np | ($np | length) as $n
      | section("networking"; "Networking: who sends visitors, who talks about us";
        "\($all.domains | int) referring domains sent \($all.visits | int) visits from \($all.visitors | int) people\(if ($doms | length) > 0 then "; the most from \($doms[0].referrer_domain) (\($doms[0].visits | int))" else "" end). Earned media, mentions by accounts with \($d.meta.media | int) followers or more: \($all.earned_mentions | int)\(if $all.earned_sentiment_mean != null then ", with a mean sentiment of \($all.earned_sentiment_mean | fixed(2)) and a reach of \($all.earned_reach | int) followers" else "" end).";
        null;
        [table("t-networking"; (if $n > 12 then "Referrals and earned media: the last 12 of \($n) \($every)s with data" else "Referrals and earned media per \($every)" end);
            [[$every, "l"], ["referred visits", "r"], ["visitors", "r"], ["domains", "r"], ["new domains", "r"], ["earned mentions", "r"], ["mean sentiment", "r"], ["reach", "r"]];
          [$np[-12:][] | [.[$every], (.visits | int), (.visitors | int), (.domains | int), (.new_domains | int), (.earned_mentions | int), (.earned_sentiment_mean | fixed(2)), (.earned_reach | int)]]),
         (if ($doms | length) > 0 then table("t-domains"; "The referring domains with the most visits (\([$doms | length, 10] | min) of \($doms | length))";
            [["domain", "l"], ["visits", "r"], ["visitors", "r"], ["first seen", "l"]];
          [$doms[:10][] | [.referrer_domain, (.visits | int), (.visitors | int), (.first_seen // dash)]]) else empty end)])
    else empty end),
    # ---- advocates ----
    (if ($adv | length) > 0 then
      section("advocates"; "Advocates";
        "\($adv.advocates | int) of \($adv.customers | int) customers (\($adv.advocate_share | pct)) became advocates. They brought in \($adv.referred_people | int) people, of whom \($adv.referred_customers | int) bought: a k-factor (referred people per customer) of \($adv.k_factor | if . == null then dash else fixed(2) end).\(if ($d.advocates | length) > 0 then " The chart shows what the top \($d.advocates | length) produced." else "" end)";
        "advocates";
        [table("t-advocates-summary"; "The viral loop"; [["customers", "r"], ["advocates", "r"], ["advocate share", "r"], ["referred people", "r"], ["referred customers", "r"], ["referred revenue", "r"], ["k-factor", "r"], ["referred per advocate", "r"]];
          [[($adv.customers | int), ($adv.advocates | int), ($adv.advocate_share | pct), ($adv.referred_people | int), ($adv.referred_customers | int), ($adv.referred_revenue | money($cur)), ($adv.k_factor | if . == null then dash else fixed(2) end), ($adv.referred_per_advocate | num)]]),
         (if ($d.advocates | length) > 0 then table("t-advocates"; "The top advocates, by score"; [["rank", "r"], ["user", "l"], ["score", "r"], ["shares", "r"], ["mentions", "r"], ["tags", "r"], ["reviews", "r"], ["referrals", "r"], ["referred customers", "r"], ["referred revenue", "r"], ["tier", "l"]];
          [$d.advocates[] | [(.rank | int), .user_id, (.score | fixed(1)), (.shares | int), (.mentions | int), (.tags | int), (.reviews | int), (.referrals | int), (.referred_customers | int), (.referred_revenue | money($cur)), (.tier // dash)]]) else empty end)])
    else empty end),
    # ---- the data ----
    section("data"; "The data";
      "\($pipe.read | int) records read: \($pipe.written | int) written\(if $pipe.events != $pipe.written then " as \($pipe.events | int) events" else "" end), \($pipe.left_out | int) left out by rule (assets, bots, errors, a profile's skip rules), \($pipe.rejected | int) rejected; \($pipe.duplicates | int) duplicate events removed; \($pipe.staged | int) events reached the reports.";
      null;
      [table("t-data"; "Records through the pipeline"; [["records read", "r"], ["written", "r"], ["events", "r"], ["left out", "r"], ["rejected", "r"], ["duplicates", "r"], ["staged", "r"]];
        [[($pipe.read | int), ($pipe.written | int), ($pipe.events | int), ($pipe.left_out | int), ($pipe.rejected | int), ($pipe.duplicates | int), ($pipe.staged | int)]])])
  ]
}
