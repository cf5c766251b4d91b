"""An independent reckoning of vchain-aggregate --report selling, written
from the issue's definitions and the man page, in plain Python (json,
decimal, zoneinfo), and compared with the filter's output.

usage: selling.py EVENTS OUTPUT [--every day|week|month|hour] [--tz ZONE] [-g FIELD]

Per group (the --every bucket in the zone, then the -g field): leads
(subscribe, signup, lead; weighted by count, 1 when absent), visits (the
same weighting), distinct visitors (user_ids of visits), purchases
(distinct order_ids, plus each purchase without one), revenue (exact);
leads_prev the leads of the same key in the period before (0 when it has
no row), lead_growth (leads - prev) / prev (null when prev is 0);
purchases per visit and per visitor (null over 0).
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

events, output = sys.argv[1:3]
args = sys.argv[3:]
every = group = None
tz = timezone.utc
while args:
    if args[0] == "--every":
        every = args[1]
    elif args[0] == "--tz":
        tz = ZoneInfo(args[1])
    elif args[0] == "-g":
        group = args[1]
    args = args[2:]


def bucket(t):
    """the label of the period holding instant t, and of the period before"""
    lt = t.astimezone(tz)
    if every == "day":
        d = lt.date()
        return d.isoformat(), (d - timedelta(days=1)).isoformat()
    if every == "week":
        d = lt.date() - timedelta(days=lt.weekday())
        return d.isoformat(), (d - timedelta(days=7)).isoformat()
    if every == "month":
        y, m = lt.year, lt.month
        return f"{y:04d}-{m:02d}", (f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}")
    if every == "hour":
        def label(x):
            x = x.astimezone(tz).replace(minute=0, second=0, microsecond=0)
            if tz is timezone.utc:
                return x.strftime("%Y-%m-%dT%H:00:00Z")
            off = x.utcoffset()
            s = int(off.total_seconds())
            sign = "-" if s < 0 else "+"
            s = abs(s)
            return x.strftime("%Y-%m-%dT%H:00:00") + f"{sign}{s // 3600:02d}:{s // 60 % 60:02d}"
        start = t.replace(minute=0, second=0, microsecond=0)  # zones here have whole-hour offsets
        return label(t), label(start - timedelta(hours=1))
    return None, None


def weight(e):
    c = e.get("count", 1) if "count" in e else 1
    return 0 if c is None else int(c)


groups = {}
for line in open(events, encoding="utf-8"):
    e = json.loads(line)
    typ = e.get("type")
    if typ not in ("subscribe", "signup", "lead", "visit", "purchase"):
        continue
    b, before = bucket(datetime.fromisoformat(e["ts"].replace("Z", "+00:00"))) if every else (None, None)
    k = (b, e.get(group) if group else None)
    g = groups.setdefault(k, {"leads": 0, "visits": 0, "visitors": set(), "orders": set(), "noid": 0,
                              "revenue": Decimal(0), "before": (before, k[1])})
    if typ == "visit":
        g["visits"] += weight(e)
        if e.get("user_id") is not None:
            g["visitors"].add(e["user_id"])
    elif typ == "purchase":
        if e.get("order_id") is not None:
            g["orders"].add(e["order_id"])
        else:
            g["noid"] += 1
        if e.get("revenue") is not None:
            g["revenue"] += Decimal(str(e["revenue"]))
    else:
        g["leads"] += weight(e)


def ratio(a, b):
    return None if b == 0 else a / b


got = {}
for line in open(output, encoding="utf-8"):
    o = json.loads(line, parse_float=Decimal)
    got[(o.get(every) if every else None, o.get(group) if group else None)] = o
if set(got) != set(groups):
    sys.exit(f"groups differ: only in output {sorted(set(got) - set(groups), key=str)[:5]}, "
             f"only in the reckoning {sorted(set(groups) - set(got), key=str)[:5]}")
growths = 0
for k, g in groups.items():
    o = got[k]
    purchases = len(g["orders"]) + g["noid"]
    prev = groups[g["before"]]["leads"] if every and g["before"] in groups else 0
    want = {"leads": g["leads"], "leads_prev": prev if every else None,
            "lead_growth": ratio(g["leads"] - prev, prev), "visits": g["visits"],
            "visitors": len(g["visitors"]), "purchases": purchases,
            "purchases_per_visit": ratio(purchases, g["visits"]),
            "purchases_per_visitor": ratio(purchases, len(g["visitors"])), "revenue": g["revenue"]}
    growths += want["lead_growth"] is not None
    for f, v in want.items():
        w = o[f]
        if isinstance(v, float) or (f == "lead_growth" and v is not None):
            ok = w is not None and abs(float(w) - v) <= 1e-12 * max(1, abs(v))
        elif f == "revenue":
            ok = Decimal(w) == v
        else:
            ok = w == v
        if not ok:
            sys.exit(f"{k}: {f} is {w!r}, the reckoning {v!r}")
print(f"selling: {len(groups)} groups agree ({growths} with a growth)")
