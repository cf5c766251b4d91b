# --format online-retail and ga4: the same simulated people as the
# canonical events, in other systems' shapes; read back by vchain-parse's
# shipped profiles (detected by header and members), they give the same
# revenue (purchases less refunds, to the cent), orders and visits as the
# canonical events of the same seed, and the shapes are deterministic.
set -eu
G="$BIN/vchain-gen"
P="$BIN/vchain-parse"
A="$BIN/vchain-aggregate"
$RUN "$G" --seed 4 --people 20000 > "$TMP/ev"
$RUN "$G" --seed 4 --people 20000 -F online-retail > "$TMP/retail.csv"
$RUN "$G" --seed 4 --people 20000 -F ga4 > "$TMP/ga4.json"
want=$("$A" --report roi "$TMP/ev" | jq -c '[.revenue, .orders]')
[ "$(jq -r '.[1]' <<X
$want
X
)" -ge 300 ]
head -1 "$TMP/retail.csv" | grep -qx 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'
[ "$("$P" "$TMP/retail.csv" | "$A" --report roi | jq -c '[.revenue, .orders]')" = "$want" ]
[ "$("$P" "$TMP/ga4.json" | "$A" --report roi | jq -c '[.revenue, .orders]')" = "$want" ]
[ "$(jq -r 'select(.type == "visit") | .ts' "$TMP/ev" | wc -l)" -eq "$("$P" "$TMP/ga4.json" | jq -r 'select(.type == "visit") | .ts' | wc -l)" ]
# a refund is a C invoice with a negative quantity
grep -q '^C[0-9]*,SKU[0-9]*,ITEM [0-9]*,-' "$TMP/retail.csv"
# the same options, the same bytes
$RUN "$G" --seed 4 --people 20000 -F ga4 | cmp - "$TMP/ga4.json"
