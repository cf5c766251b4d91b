# Google Analytics 4's BigQuery export (events_YYYYMMDD tables, one JSON
# object per event). ts from event_timestamp (microseconds; event_date is in
# the property's zone), the person is user_pseudo_id, UTM source, medium,
# campaign and term from the session's event_params (traffic_source is the
# user's first touch, not this event's). A purchase's revenue is
# ecommerce.purchase_revenue; GA4 sends a purchase more than once, so its
# event_id is its transaction: vchain-dedupe keeps one. Event names the
# vocabulary has no word for are interactions on the site: clicks.
# session_start repeats the page_view that opens a session: left out.
about     GA4 BigQuery export: page views as visits, purchases by transaction, params for UTM
detect    event_timestamp,event_name,event_params,user_pseudo_id
ts        = event_timestamp
user_id   = user_pseudo_id
platform  = "web"
skip      event_name session_start
type      = event_name | map page_view=visit,purchase=purchase,refund=refund,generate_lead=lead,sign_up=signup,form_submit=lead,view_item=view,view_item_list=view,view_promotion=view,form_visibility=view,scroll=view,*=click
event_id  = "ga4-transaction-" + ecommerce.transaction_id | when type=purchase
revenue   = ecommerce.purchase_revenue | when type=purchase/refund
currency  = params.currency
order_id  = ecommerce.transaction_id
source    = params.source
medium    = params.medium
campaign  = params.campaign
term      = params.term
url       = params.page_location
referrer  = params.page_referrer
