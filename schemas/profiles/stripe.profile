# Stripe Dashboard "Payments" export (unified_payments.csv, or a column
# subset of it re-saved through a spreadsheet: ';', CRLF). Amount is in the
# presentment currency (Currency, lower case); Converted Amount in the
# account's currency is carried. Failed payments are left out.
about     Stripe payments: each paid payment a purchase in its own currency
detect    Created date (UTC),Amount,Currency,Converted Amount,Customer ID
ts        = Created date (UTC)
type      = Status | map Paid=purchase,Refunded=refund,*=purchase
skip      Status Failed
revenue   = Amount
currency  = Currency
user_id   = Customer ID
order_id  = Invoice Number
platform  = "web"
