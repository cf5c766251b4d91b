# Facebook page post metrics (UCI "Facebook metrics", Moro, Rita & Vala
# 2016): one row of lifetime metrics per post of 2014, ';'-separated, and in
# common copies without a header line: the columns are named here. The
# export has no date, only the post's month and hour: ts is the month's
# first day at that hour, in 2014 (the data set's year). Each metric becomes
# an insights event of the post with count; a blank is no value.
about     Facebook post metrics (headerless): impressions, comments, likes, shares as insights events
header    Page total likes,Type,Category,Post Month,Post Weekday,Post Hour,Paid,Lifetime Post Total Reach,Lifetime Post Total Impressions,Lifetime Engaged Users,Lifetime Post Consumers,Lifetime Post Consumptions,Lifetime Post Impressions by people who have liked your Page,Lifetime Post reach by people who like your Page,Lifetime People who have liked your Page and engaged with your post,comment,like,share,Total Interactions
ts-format %Y-%m-%d %H:%M
ts        = "2014-" + Post Month + "-01 " + Post Hour + ":00"
platform  = "facebook"
carry     none
unpivot   Lifetime Post Total Impressions=impression,comment=comment,like=like,share=share
