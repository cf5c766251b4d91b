# X (Twitter) Analytics, the "Tweets" export (tweet_activity_metrics_*.csv):
# one row of metrics per tweet. Each metric becomes an insights event of the
# tweet (no user_id) with count: impressions, likes, retweets (shares),
# replies (comments), url clicks, follows, media views. "-" (the promoted
# columns of an unpaid account) is no value.
about     X Analytics tweet activity: each tweet's metrics as insights events with count
detect    Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,retweets,replies,likes
ts        = time
platform  = "x"
post_id   = Tweet id
carry     none
unpivot   impressions=impression,likes=like,retweets=share,replies=comment,url clicks=click,follows=follow,media views=view
