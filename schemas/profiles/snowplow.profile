# Snowplow atomic events as the warehouse loads them (the events table as
# CSV, ~130 atomic columns and JSON context columns). Event time is
# derived_tstamp (UTC); the person is domain_userid (the first-party
# cookie); UTM tags are already parsed into mkt_*. event_name says what
# happened: page views are visits, page pings (time on the page) views,
# unknown self-describing events interactions: clicks. Snowplow delivers at
# least once: the same event_id again is a duplicate for vchain-dedupe.
# The atomic columns are not carried (carry none).
about     Snowplow atomic events (warehouse CSV): page views as visits, mkt_* as UTM
detect    app_id,platform,collector_tstamp,event,event_id,domain_userid,derived_tstamp,event_name
carry     none
event_id  = event_id
ts        = derived_tstamp
user_id   = domain_userid
platform  = "web"
type      = event_name | map page_view=visit,page_ping=view,link_click=click,object_click=click,transaction=purchase,*=click
revenue   = tr_total | when type=purchase
currency  = tr_currency
order_id  = tr_orderid
source    = mkt_source
medium    = mkt_medium
campaign  = mkt_campaign
term      = mkt_term
content   = mkt_content
url       = page_url
referrer  = page_referrer
