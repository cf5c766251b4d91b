"""An independent reckoning of vchain-aggregate --report rfm, written from
the issue's definitions and the man page, in plain Python (json, decimal,
zoneinfo), and compared with the filter's output.

usage: rfm.py EVENTS OUTPUT SEGMENTS_TSV [--as-of YYYY-MM-DD] [--tz ZONE] [--by FIELD]

Customers: user_ids with a purchase. Recency: calendar days (in the zone)
from the last purchase to the as-of date (default: the date of the latest
ts of any record). Frequency: distinct order_ids, plus each purchase
without one. Monetary: purchases' revenue less refunds', exact. Scores
1 + floor(5 * w / n), w the customers of the same --by value (n of them)
with a strictly worse value; segments from (r, f) in the table.
"""
import json
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

events, output, seg_path = sys.argv[1:4]
args = sys.argv[4:]
as_of = tz = by = None
while args:
    if args[0] == "--as-of":
        as_of = date.fromisoformat(args[1])
    elif args[0] == "--tz":
        tz = ZoneInfo(args[1])
    elif args[0] == "--by":
        by = args[1]
    args = args[2:]


def when(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def local_date(t):
    return t.astimezone(tz).date() if tz else t.astimezone(timezone.utc).date()


segments = {}
for line in open(seg_path, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    r, f, name = line.rstrip("\n").split("\t")
    segments[(int(r), int(f))] = name
assert len(segments) == 25

latest = None
cust = {}
for line in open(events, encoding="utf-8"):
    e = json.loads(line)
    t = when(e["ts"]) if e.get("ts") else None
    if t and (latest is None or t > latest):
        latest = t
    u = e.get("user_id")
    if u is None or e.get("type") not in ("purchase", "refund"):
        continue
    k = (u, e.get(by) if by else None)
    c = cust.setdefault(k, {"last": None, "orders": set(), "noid": 0, "money": Decimal(0), "bought": False})
    rev = Decimal(str(e["revenue"])) if e.get("revenue") is not None else Decimal(0)
    if e["type"] == "purchase":
        c["bought"] = True
        c["money"] += rev
        if c["last"] is None or t > c["last"]:
            c["last"] = t
        if e.get("order_id") is not None:
            c["orders"].add(e["order_id"])
        else:
            c["noid"] += 1
    else:
        c["money"] -= rev
cust = {k: c for k, c in cust.items() if c["bought"]}
day = as_of or local_date(latest)
for c in cust.values():
    c["days"] = (day - local_date(c["last"])).days
    c["freq"] = len(c["orders"]) + c["noid"]


def scores(metric, better):
    """1 + floor(5 * (customers of the cohort strictly worse) / cohort size)"""
    out = {}
    cohorts = {}
    for k, c in cust.items():
        cohorts.setdefault(k[1], []).append(k)
    for members in cohorts.values():
        vals = [cust[k][metric] for k in members]
        for k in members:
            v = cust[k][metric]
            worse = sum(1 for x in vals if (x < v if better == "more" else x > v))
            out[k] = 1 + (5 * worse) // len(members)
    return out


R, F, M = scores("days", "less"), scores("freq", "more"), scores("money", "more")
got = {}
for line in open(output, encoding="utf-8"):
    o = json.loads(line, parse_float=Decimal)
    got[(o["user_id"], o.get(by) if by else None)] = o
if set(got) != set(cust):
    sys.exit(f"customers differ: only in output {sorted(set(got) - set(cust))[:5]}, "
             f"only in the reckoning {sorted(set(cust) - set(got))[:5]}")
for k, c in cust.items():
    o = got[k]
    want = {"last_purchase": c["last"].strftime("%Y-%m-%dT%H:%M:%S") + "Z", "recency_days": c["days"],
            "frequency": c["freq"], "monetary": c["money"], "r": R[k], "f": F[k], "m": M[k],
            "rfm": f"{R[k]}{F[k]}{M[k]}", "segment": segments[(R[k], F[k])], "as_of": day.isoformat()}
    for f, v in want.items():
        if o[f] != v and not (f == "monetary" and Decimal(o[f]) == v):
            sys.exit(f"{k}: {f} is {o[f]!r}, the reckoning {v!r}")
print(f"rfm: {len(cust)} customers agree (as of {day}, "
      f"segments {len(set(segments[(R[k], F[k])] for k in cust))})")
