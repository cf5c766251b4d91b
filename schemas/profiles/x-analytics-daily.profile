# X (Twitter) Analytics, the "by day" export (daily_tweet_activity_metrics_*.csv):
# the account's totals per day, activity on older tweets included. Each
# metric becomes an insights event of the day (no user_id, no post_id) with
# count: impressions, likes, retweets (shares), replies (comments), url
# clicks, follows, media views. "-" (the promoted columns of an unpaid
# account) is no value. "Tweets published" is the brand's own output, no
# audience action: left out, as every column not named here.
about     X Analytics daily activity: the account's metrics per day as insights events with count
detect    Date,Tweets published,impressions,engagements,retweets,replies,likes
ts        = Date
platform  = "x"
carry     none
unpivot   impressions=impression,likes=like,retweets=share,replies=comment,url clicks=click,follows=follow,media views=view
