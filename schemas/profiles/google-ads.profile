# Google Ads "Campaign report" with the Day segment, downloaded as CSV from
# the Ads interface: two title lines (the report's name, its date range)
# before the header; numbers with thousands separators in quotes
# ("25,881", "1,238.88"); percentages ("77.77%"); " --" where there is no
# value; "Total: ..." rows at the end. Each row is a day's cost of one
# campaign: a spend table for vchain-aggregate --report roi --spend (the
# campaign is the key; name campaigns as your UTM campaign tags do). The
# other columns (Impr., Clicks, CTR, ...) are carried as written. A report
# without the Day segment is not detected: copy this profile without the
# date line and the skip rule on Day.
about       Google Ads campaign report: each day's cost of a campaign, as a spend table
makes       spend
title-lines 2
detect      Day,Campaign,Currency code,Cost
skip        Day Total:
date        = Day
campaign    = Campaign
spend       = Cost | number
currency    = Currency code
