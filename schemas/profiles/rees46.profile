# REES46 "eCommerce behavior data from multi category store" (Kaggle,
# Open CDP): product views, carts and purchases of a web shop. A cart is an
# intent on the site: a click. The price is revenue on purchases only; every
# row keeps it as price.
about     REES46 eCommerce clickstream: views, carts (clicks) and purchases
detect    event_time,event_type,product_id,category_id,price,user_id,user_session
ts        = event_time
type      = event_type | map cart=click,remove_from_cart=click
platform  = "web"
user_id   = user_id
revenue   = price | when type=purchase
