"""An independent reckoning of vchain-aggregate's five reports, from the
definitions in the issue and BRIEF.md, in plain Python (json, decimal).

usage: reports.py DIR [-g FIELD] [--every month]
Reads DIR/ev (staged events) and compares with DIR/<report>.out and
DIR/funnel-w.out (--window 1d); exits non-zero at the first difference.
"""
import json
import math
import sys
from datetime import datetime
from decimal import Decimal

STAGES = ["awareness", "consideration", "engagement", "audience", "education", "sale", "advocacy"]
BENCH = {"facebook": 0.0009, "instagram": 0.0122, "x": 0.00045}

d = sys.argv[1]
args = sys.argv[2:]
group = None
every = None
while args:
    if args[0] == "-g":
        group = args[1]
    elif args[0] == "--every":
        every = args[1]
    args = args[2:]


def ms(ts):
    t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return round(t.timestamp() * 1000)


def key(e):
    k = []
    if every:
        k.append(e["ts"][:7])  # month
    if group:
        k.append(e.get(group))
    return tuple(k)


def keycols(k):
    cols = {}
    i = 0
    if every:
        cols[every] = k[0]
        i = 1
    if group:
        cols[group] = k[i]
    return cols


def sortkey(k):
    return tuple((v is not None, v if v is not None else "") for v in k)  # null first


events = [json.loads(line, parse_float=Decimal) for line in open(d + "/ev")]


def weight(e):
    return int(e.get("count", 1))


def ratio(a, b):
    return None if b == 0 else a / b


def same(name, want, got_path):
    got = [json.loads(line, parse_float=Decimal) for line in open(got_path)]
    if len(got) != len(want):
        sys.exit("%s: %d rows, the reckoning has %d" % (name, len(got), len(want)))
    for i, (w, g) in enumerate(zip(want, got)):
        if list(w) != list(g):
            sys.exit("%s row %d: fields %s, want %s" % (name, i + 1, list(g), list(w)))
        for f in w:
            a, b = w[f], g[f]
            if isinstance(a, float) and b is not None:
                if not math.isclose(a, float(b), rel_tol=1e-12, abs_tol=1e-15):
                    sys.exit("%s row %d %s: %s, want %r" % (name, i + 1, f, b, a))
            elif a != b or (a is None) != (b is None):
                sys.exit("%s row %d %s: %r, want %r" % (name, i + 1, f, b, a))


# ---- funnel: each person's earliest time at each stage, per group ----
# A step's time to convert (the ttc): from reaching the stage before
# to reaching this one, a stage "reached" when it or a later one was (a person
# entering at stage 3 reached 1 and 2 then too), within the window; with a
# step window a person stops at the first step that took longer. p50 and p90:
# the value at index floor(p * n) of the sorted n, the last for p * n = n.
def pct(vals, p):
    vals = sorted(vals)
    return None if not vals else vals[min(int(p * len(vals)), len(vals) - 1)]


# Broken down, a person counts in one group only, that of their first staged
# record (or with --breakdown-by last their latest), ties to the group whose key
# sorts first, with the stage times of all their records.
# --exclude rules (types, stage or None): a rule's type done at or before the
# time the person reached the rule's stage (None: any stage after their first,
# the stage they hold) stops them at the stage before it.
def funnel(window_ms, step_ms=None, last=False, rules=()):
    times, touch, excl = {}, {}, {}
    for e in events:
        if e.get("user_id") is None:
            continue
        for i, (types, _) in enumerate(rules):
            if e.get("type") in types:
                x = excl.setdefault(e["user_id"], {})
                x[i] = min(x.get(i, ms(e["ts"])), ms(e["ts"]))
        if e.get("stage") is None:
            continue
        u = e["user_id"]
        p = times.setdefault(u, {})
        t = ms(e["ts"])
        s = int(e["stage"])
        p[s] = min(p.get(s, t), t)
        k = key(e)
        if u not in touch:
            touch[u] = (t, k)
        else:
            bt, bk = touch[u]
            if (t > bt if last else t < bt) or (t == bt and sortkey(k) < sortkey(bk)):
                touch[u] = (t, k)
    people = {}
    for u, (t, k) in touch.items():
        people.setdefault(k, {})[u] = times[u]
    rows = []
    for k in sorted(people, key=sortkey):
        at = [0] * 9
        ttc = {s: [] for s in range(2, 8)}
        for u, st in people[k].items():
            first = min(st.values())
            inwin = {s: t for s, t in st.items() if window_ms is None or t <= first + window_ms}
            top = max(inwin)
            when = {j: min(t for s, t in inwin.items() if s >= j) for j in range(1, top + 1)}
            furthest = top
            for j in range(2, top + 1):
                if step_ms is not None and when[j] - when[j - 1] > step_ms:
                    furthest = j - 1
                    break
            for i, (types, stage) in enumerate(rules):
                x = excl.get(u, {}).get(i)
                if x is None:
                    continue
                for j in ([stage] if stage else range(2, 8)):
                    if j <= furthest and when[j] >= x:
                        furthest = j - 1
                        break
            at[furthest] += 1
            for j in range(2, furthest + 1):
                ttc[j].append(when[j] - when[j - 1])
        users = [sum(at[s:8]) for s in range(9)]
        for s in range(1, 8):
            prev = users[s - 1] if s > 1 else users[1]
            r = keycols(k)
            r.update(stage=s, stage_name=STAGES[s - 1], users=users[s],
                     step_conversion=ratio(users[s], prev), overall_conversion=ratio(users[s], users[1]),
                     drop_off=prev - users[s],
                     ttc_p50_hours=None if s == 1 or not ttc[s] else pct(ttc[s], 0.5) / 3600000,
                     ttc_p90_hours=None if s == 1 or not ttc[s] else pct(ttc[s], 0.9) / 3600000)
            if group or every:
                r["breakdown_by"] = "last" if last else "first"
            rows.append(r)
    return rows


same("funnel", funnel(None), d + "/funnel.out")
same("funnel --window 1d", funnel(86400000), d + "/funnel-w.out")
same("funnel --step-window 2d --window 30d", funnel(30 * 86400000, 2 * 86400000), d + "/funnel-s.out")
same("funnel --breakdown-by last", funnel(None, None, True), d + "/funnel-l.out")
same("funnel --exclude refund@7 --exclude unsubscribe,unfollow",
     funnel(None, rules=(({"refund"}, 7), ({"unsubscribe", "unfollow"}, None))), d + "/funnel-x.out")

# ---- engagement ----
eng = {}
for e in events:
    seen = e["type"] in ("impression", "view")
    engaged = e["type"] in ("like", "comment", "share")
    fol = e.get("followers") is not None and e.get("user_id") is None
    if not (seen or engaged or fol):
        continue
    k = key(e) if group or every else (e.get("platform"),)
    g = eng.setdefault(k, {"seen": 0, "eng": 0, "fol": None, "plat": set()})
    if seen:
        g["seen"] += weight(e)
    if engaged:
        g["eng"] += weight(e)
    if seen or engaged:
        g["plat"].add(e.get("platform"))
    if fol:
        cand = (ms(e["ts"]), int(e["followers"]))
        if g["fol"] is None or cand > g["fol"]:
            g["fol"] = cand
rows = []
for k in sorted(eng, key=sortkey):
    g = eng[k]
    r = keycols(k) if group or every else {"platform": k[0]}
    fol = g["fol"][1] if g["fol"] else None
    rate = ratio(g["eng"], g["seen"])
    plat = next(iter(g["plat"])) if len(g["plat"]) == 1 else None
    bench = BENCH.get(plat)
    r.update(impressions=g["seen"], engagements=g["eng"], followers=fol, engagement_rate=rate,
             engagement_rate_followers=ratio(g["eng"], fol) if fol else None,
             benchmark=Decimal(repr(bench)) if bench else None,
             vs_benchmark=rate / bench if bench and rate is not None else None)
    rows.append(r)
same("engagement", rows, d + "/engagement.out")

# ---- roi ----
roi = {}
first_buy = {}
for e in events:
    if e["type"] not in ("purchase", "refund"):
        continue
    g = roi.setdefault(key(e), {"rev": Decimal(0), "orders": set(), "noid": 0, "cust": {}})
    rev = Decimal(e["revenue"]) if e.get("revenue") is not None else Decimal(0)
    if e["type"] == "refund":
        g["rev"] -= rev
        continue
    g["rev"] += rev
    u = e.get("user_id")
    if e.get("order_id") is not None:
        g["orders"].add(e["order_id"])
        if u is not None:
            g["cust"].setdefault(u, set()).add(e["order_id"])
    else:
        g["noid"] += 1
        if u is not None:
            g["cust"].setdefault(u, set()).add(("no id", id(e)))
    if u is not None:
        g["cust"].setdefault(u, set())
rows = []
for k in sorted(roi, key=sortkey):
    g = roi[k]
    orders = len(g["orders"]) + g["noid"]
    cust = len(g["cust"])
    r = keycols(k)
    x = float(g["rev"])
    r.update(revenue=g["rev"], orders=orders, customers=cust, aov=ratio(x, orders),
             repeat_rate=ratio(sum(1 for o in g["cust"].values() if len(o) >= 2), cust),
             ltv=ratio(x, cust))
    rows.append(r)
same("roi", rows, d + "/roi.out")

# ---- sla ----
inbound = {}
replies = {}
for e in events:
    t = e["type"]
    if t in ("response", "resolve") and e.get("reply_to") is not None:
        rp = replies.setdefault(e["reply_to"], {})
        rp[t] = min(rp.get(t, ms(e["ts"])), ms(e["ts"]))
    elif t in ("complaint", "dm") or (t == "mention" and e.get("sentiment") is not None and e["sentiment"] < 0):
        i = e.get("event_id")
        if i is None or i not in inbound:
            inbound[i if i is not None else object()] = (key(e), ms(e["ts"]))
        else:
            inbound[i] = (inbound[i][0], min(inbound[i][1], ms(e["ts"])))
sla = {}
for i, (k, t) in inbound.items():
    g = sla.setdefault(k, {"n": 0, "resp": [], "res": 0, "r12": 0, "r24": 0})
    g["n"] += 1
    rp = replies.get(i, {}) if isinstance(i, str) else {}
    if "response" in rp:
        g["resp"].append((rp["response"] - t) / 3600000)
        g["r12"] += rp["response"] - t <= 12 * 3600000
    if "resolve" in rp:
        g["res"] += 1
        g["r24"] += rp["resolve"] - t <= 24 * 3600000
rows = []
for k in sorted(sla, key=sortkey):
    g = sla[k]
    d_ = sorted(g["resp"])
    n = len(d_)
    r = keycols(k)
    r.update(inbound=g["n"], responded=n, resolved=g["res"], responded_within_12h=g["r12"] / g["n"],
             resolved_within_24h=g["r24"] / g["n"],
             response_p50_hours=d_[min(int(0.5 * n), n - 1)] if n else None,
             response_p90_hours=d_[min(int(0.9 * n), n - 1)] if n else None,
             unanswered=g["n"] - n)
    rows.append(r)
same("sla", rows, d + "/sla.out")

# ---- listening ----
lis = {}
for e in events:
    t = e["type"]
    if t not in ("mention", "follow", "unfollow", "refund", "purchase"):
        continue
    g = lis.setdefault(key(e), {"m": 0, "s": [], "f": 0, "u": 0, "ref": 0, "pur": 0})
    if t == "mention":
        g["m"] += weight(e)
        if e.get("sentiment") is not None:
            g["s"].append(Decimal(e["sentiment"]))
    elif t == "follow":
        g["f"] += weight(e)
    elif t == "unfollow":
        g["u"] += weight(e)
    elif t == "refund":
        g["ref"] += weight(e)
    else:
        g["pur"] += weight(e)
rows = []
for k in sorted(lis, key=sortkey):
    g = lis[k]
    s = g["s"]
    r = keycols(k)
    r.update(mentions=g["m"], sentiment_mean=float(sum(s)) / len(s) if s else None,
             positive_share=ratio(sum(1 for x in s if x > 0), len(s)),
             negative_share=ratio(sum(1 for x in s if x < 0), len(s)),
             follows=g["f"], unfollows=g["u"], net_follows=g["f"] - g["u"], refund_rate=ratio(g["ref"], g["pur"]))
    rows.append(r)
same("listening", rows, d + "/listening.out")
