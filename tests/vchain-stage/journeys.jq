# Journeys from the stream of stages.jq: one record per person, sorted by
# user_id; with $window (seconds, 0 for none) only stages first reached
# within that time of the person's first event count.
["awareness","consideration","engagement","audience","education","sale","advocacy"] as $names
| map(select(.u != null and .s != null)) | group_by(.u)[]
| (map(.ts) | min) as $first
| (if $window > 0 then ($first | fromdateiso8601) + $window else 1e18 end) as $h
| . as $ev
| [range(1; 8) as $k | $ev | map(select(.s == $k) | .ts) | min
   | if . != null and (fromdateiso8601 <= $h) then . else null end] as $at
| ([range(0; 7) | select($at[.] != null) | . + 1] | max // 0) as $stage
| {user_id: .[0].u, stage: $stage, stage_name: $names[$stage - 1], first_ts: $first,
   last_ts: (map(.ts) | max), events: length}
  + ([range(0; 7) | {("ts_" + $names[.]): $at[.]}] | add)
  + {platforms: (map(.p) | unique | length), first_platform: (sort_by(.ts) | .[0].p)}
