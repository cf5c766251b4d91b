# UCI "Online Retail" (Chen, Sain & Guo 2012): one row per invoice line of a
# UK online shop. A line's value is Quantity x UnitPrice, exact; a negative
# value (a C-invoice, a cancellation) is a refund of that amount. CustomerID
# is written as 17850.0 and is empty for guest checkouts. InvoiceDate is UK
# local time without a zone (UTC in winter; add --tz Europe/London for summer).
about     UCI Online Retail invoice lines: purchases, and C-invoices as refunds
detect    InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
ts        = InvoiceDate
user_id   = CustomerID | int
platform  = "web"
type      = Quantity * UnitPrice | sign -=refund,*=purchase
revenue   = Quantity * UnitPrice | abs
currency  = "GBP"
order_id  = InvoiceNo
