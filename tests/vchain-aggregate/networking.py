"""An independent reckoning of vchain-aggregate --report networking,
written from the issue's definitions and the man page, in plain Python
(json, urllib, decimal, zoneinfo), and compared with the filter's output,
rows and their order.

usage: networking.py EVENTS OUTPUT [--every day|week|month] [--tz ZONE] [-g FIELD]
                     [--own-domain D,D] [--media-followers N]

A referring domain: the host of a visit's referrer (urllib's hostname of
a URL, else the text before the first / ? # or :port), lower-cased,
trailing dots and a leading "www." taken off; own domains and their
subdomains left out. Per group: a summary row (referred visits, distinct
visitors, domains, new domains, earned mentions by accounts with at least
N followers, their mean sentiment and summed followers), then a row per
domain, most visits first, then by name: visits, visitors, the date of its
first visit in any period of the same -g value, and whether that is in
this period.
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

events, output = sys.argv[1:3]
args = sys.argv[3:]
every = group = None
own = []
media = 10000
tz = timezone.utc
while args:
    if args[0] == "--every":
        every = args[1]
    elif args[0] == "--tz":
        tz = ZoneInfo(args[1])
    elif args[0] == "-g":
        group = args[1]
    elif args[0] == "--own-domain":
        own = args[1].split(",")
    elif args[0] == "--media-followers":
        media = int(args[1])
    args = args[2:]


def domain(ref):
    if "://" in ref or ref.startswith("//"):
        h = urlsplit(ref).hostname or ""
    else:
        h = ""
        for i, c in enumerate(ref):
            if c in "/?# ":
                break
            if c == ":":
                if i + 1 < len(ref) and ref[i + 1] != "/" and not ref[i + 1].isdigit():
                    return None
                break
            h += c
        h = h.lower()
    h = h.rstrip(".")
    if h.startswith("www.") and len(h) > 4:
        h = h[4:]
    return h or None


def is_own(d):
    return any(d == o or d.endswith("." + o) for o in own)


def bucket(t):
    lt = t.astimezone(tz)
    if every == "day":
        return lt.date().isoformat()
    if every == "week":
        return (lt.date() - timedelta(days=lt.weekday())).isoformat()
    if every == "month":
        return f"{lt.year:04d}-{lt.month:02d}"
    return None


groups = {}
for line in open(events, encoding="utf-8"):
    e = json.loads(line)
    typ = e.get("type")
    earned = typ == "mention" and e.get("followers") is not None and e["followers"] >= media
    referral = typ == "visit" and isinstance(e.get("referrer"), str)
    if not (earned or referral):
        continue
    t = datetime.fromisoformat(e["ts"].replace("Z", "+00:00"))
    k = (bucket(t), e.get(group) if group else None)
    g = groups.setdefault(k, {"doms": {}, "mentions": 0, "sent": [], "reach": 0})
    if referral:
        d = domain(e["referrer"])
        if d:
            x = g["doms"].setdefault(d, {"visits": 0, "who": set(), "first": None})
            x["visits"] += 1
            if e.get("user_id") is not None:
                x["who"].add(e["user_id"])
            if x["first"] is None or t < x["first"]:
                x["first"] = t
    if earned:
        g["mentions"] += weight if (weight := e.get("count", 1)) is not None else 0
        if e.get("sentiment") is not None:
            g["sent"].append(Decimal(str(e["sentiment"])))
        g["reach"] += e["followers"]

first = {}
for (b, gv), g in groups.items():
    for d, x in g["doms"].items():
        if (gv, d) not in first or x["first"] < first[(gv, d)]:
            first[(gv, d)] = x["first"]

want = []
for k in sorted(groups, key=lambda k: (k[0] or "", "" if k[1] is None else str(k[1]))):
    g = groups[k]
    doms = {d: x for d, x in g["doms"].items() if not is_own(d)}
    who = set().union(*[x["who"] for x in doms.values()]) if doms else set()
    key = {}
    if every:
        key[every] = k[0]
    if group:
        key[group] = k[1]
    want.append(dict(key, kind="summary", referrer_domain=None, visits=sum(x["visits"] for x in doms.values()),
                     visitors=len(who), first_seen=None, new=None, domains=len(doms),
                     new_domains=sum(1 for d, x in doms.items() if first[(k[1], d)] == x["first"]),
                     earned_mentions=g["mentions"],
                     earned_sentiment_mean=float(sum(g["sent"]) / len(g["sent"])) if g["sent"] else None,
                     earned_reach=g["reach"]))
    for d in sorted(doms, key=lambda d: (-doms[d]["visits"], d.encode())):
        x = doms[d]
        f = first[(k[1], d)]
        want.append(dict(key, kind="domain", referrer_domain=d, visits=x["visits"], visitors=len(x["who"]),
                         first_seen=f.astimezone(tz).date().isoformat(), new=f == x["first"], domains=None,
                         new_domains=None, earned_mentions=None, earned_sentiment_mean=None, earned_reach=None))

got = [json.loads(line) for line in open(output, encoding="utf-8")]
if len(got) != len(want):
    sys.exit(f"{len(got)} rows, the reckoning {len(want)}")
for i, (o, w) in enumerate(zip(got, want)):
    for f, v in w.items():
        ok = (o.get(f) == v if not isinstance(v, float)
              else o.get(f) is not None and abs(o[f] - v) <= 1e-12 * max(1, abs(v)))
        if not ok:
            sys.exit(f"row {i + 1} ({o.get('kind')} {o.get('referrer_domain')}): {f} is {o.get(f)!r}, "
                     f"the reckoning {v!r}")
print(f"networking: {len(got)} rows agree ({sum(1 for w in want if w['kind'] == 'domain')} domain rows, "
      f"{sum(1 for w in want if w['kind'] == 'domain' and not w['new'])} not new)")
