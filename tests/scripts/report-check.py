#!/usr/bin/env python3
"""report-check.py PAGE EXPECTED_DIR: every number of a vchain-report page
(report.md, or report.html as a browser's DOM) equals the filters' own
output in EXPECTED_DIR, as shown: a number printed with k decimals is its
value rounded to k decimals, a percentage is the fraction times 100, money
carries its currency. The expected files were written by the test running
the filters itself; the new people per period are computed here, from the
staged events, with Python's own calendar."""
import datetime
import html.parser
import json
import os
import re
import sys

page, exp = sys.argv[1], sys.argv[2]
checked = 0
errors = []


def load(name):
    p = os.path.join(exp, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


# ---- the page's tables: {caption: (head, rows)}, and the headline {label: value} ----
class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.headline = {}, {}
        self.cur = None
        self.cell = None
        self.kpi = None
        self.span = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.cur = {"id": a.get("id"), "caption": "", "head": [], "rows": []}
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.cur is not None:
            self.row = []
        elif tag in ("td", "th") and self.cur is not None:
            self.cell = ""
        elif tag == "div" and "kpi" in a.get("class", ""):
            self.kpi = {}
        elif tag == "span" and self.kpi is not None:
            self.span = a.get("class")
            self.kpi[self.span] = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.cur is not None:
            self.tables[self.cur["caption"]] = (self.cur["head"], self.cur["rows"])
            self.cur = None
        elif tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append((tag, self.cell.strip()))
            self.cell = None
        elif tag == "tr" and self.cur is not None:
            if all(t == "th" for t, _ in self.row):
                self.cur["head"] = [c for _, c in self.row]
            else:
                self.cur["rows"].append([c for _, c in self.row])
        elif tag == "span":
            self.span = None
        elif tag == "div" and self.kpi is not None:
            self.headline[self.kpi.get("l", "").strip()] = self.kpi.get("v", "").strip()
            self.kpi = None

    def handle_data(self, data):
        if self.in_caption and self.cur is not None:
            self.cur["caption"] += data
        elif self.cell is not None:
            self.cell += data
        elif self.span is not None:
            self.kpi[self.span] += data


def md_tables(text):
    tables, headline = {}, {}
    lines = text.split("\n")
    caption = None
    i = 0
    while i < len(lines):
        l = lines[i]
        m = re.match(r"^\*\*(.*)\*\*$", l)
        if m:
            caption = m.group(1)
        if l.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", lines[i])[1:-1]])
                i += 1
            head, rows = block[0], block[2:]
            if caption is None and not headline and not tables:
                headline = dict(zip(head, rows[0]))
            else:
                tables[caption] = (head, rows)
            caption = None
            continue
        i += 1
    return tables, headline


with open(page) as f:
    text = f.read()
if page.endswith(".md"):
    tables, headline = md_tables(text)
else:
    d = Dom()
    d.feed(text)
    tables, headline = d.tables, d.headline

# ---- a shown value against the filter's ----
NUM = re.compile(r"^(-?[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?)(%|×| h| [A-Z]{3})?$")


def check(where, shown, want, kind, cur=None):
    """kind: int, num, pct, money, hours, times, text"""
    global checked
    checked += 1
    if kind == "text":
        if shown != ("–" if want is None else str(want)):
            errors.append(f"{where}: shows {shown!r}, the filter says {want!r}")
        return
    if want is None:
        if shown != "–":
            errors.append(f"{where}: shows {shown!r} for null")
        return
    m = NUM.match(shown)
    if not m:
        errors.append(f"{where}: {shown!r} is not a number as the page writes them")
        return
    digits, suffix = m.group(1).replace(",", ""), m.group(2)
    dec = len(digits.split(".")[1]) if "." in digits else 0
    v = float(digits)
    w = float(want) * (100 if kind == "pct" else 1)
    want_suffix = {"pct": "%", "times": "×", "hours": " h", "money": (" " + cur) if cur else None}.get(kind)
    if suffix != want_suffix:
        errors.append(f"{where}: {shown!r} should end in {want_suffix!r}")
    if kind == "int" and dec != 0:
        errors.append(f"{where}: {shown!r} should be a whole number")
    if kind == "money" and dec != 2:
        errors.append(f"{where}: {shown!r} should have cents")
    if abs(v - w) > 0.5 * 10 ** -dec * (1 + 1e-9) + 1e-12 * abs(w):
        errors.append(f"{where}: shows {shown!r}, the filter says {want!r}")


def table(caption_start, must=True):
    for c, t in tables.items():
        if c and c.startswith(caption_start):
            return t
    if must:
        errors.append(f"no table '{caption_start}...'")
    return None


def check_rows(name, t, cols, records, key=None):
    """cols: [(head, kind, field or function)]; rows matched by position, or
    by the text of column `key` against the records' field of that name"""
    head, rows = t
    if key is None and len(rows) != len(records):
        errors.append(f"{name}: {len(rows)} rows, the filter has {len(records)}")
    for ri, row in enumerate(rows):
        if key is not None:
            kcol, kfield = key
            rec = [r for r in records if kfield(r) == row[head.index(kcol)]]
            if len(rec) != 1:
                errors.append(f"{name}: row {row[head.index(kcol)]!r} is not one of the filter's")
                continue
            rec = rec[0]
        else:
            if ri >= len(records):
                break
            rec = records[ri]
        for h, kind, f, *cur in cols:
            if h not in head:
                errors.append(f"{name}: no column {h!r} (has {head})")
                continue
            want = f(rec) if callable(f) else rec.get(f)
            check(f"{name} row {ri + 1} {h!r}", row[head.index(h)], want, kind, cur[0] if cur else None)


funnel = load("funnel.ndjson")
engagement = load("engagement.ndjson")
roi = load("roi.ndjson")
sla = load("sla.ndjson")
listening = load("listening.ndjson")
attribution = load("attribution.ndjson")
advocates = load("advocates.ndjson")
adv_sum = load("advocates-summary.ndjson")
rev_period = load("revenue-by-period.ndjson")
types_period = load("types-by-period.ndjson")
pipeline = load("pipeline.ndjson")[0]
currencies = [r["currency"] for r in roi]
cur = currencies[0] if len(currencies) == 1 else None

# ---- the headline ----
hl = {k.split(" (")[0]: v for k, v in headline.items()}
check("headline people reached", hl.get("people reached", "?"), funnel[0]["users"], "int")
check("headline customers", hl.get("customers", "?"), adv_sum[0]["customers"], "int")
check("headline advocates", hl.get("advocates", "?"), adv_sum[0]["advocates"], "int")
k = adv_sum[0]["k_factor"]
check("headline k-factor", hl.get("k-factor", "?"), k, "num")
if k is not None and not re.match(r"^[0-9]+\.[0-9]{2}$", hl.get("k-factor", "")):
    errors.append("headline k-factor: two decimals")
check("headline answered within 12 h", hl.get("answered within 12 h", "?"),
      sla[0]["responded_within_12h"] if sla else None, "pct")
if roi:
    top = max(roi, key=lambda r: r["orders"]) if len(roi) > 1 else roi[0]
    check("headline revenue", hl.get("revenue", "?"), top["revenue"], "money", top["currency"])

# ---- the sections ----
check_rows("funnel", table("People by the furthest stage"), [
    ("stage", "int", "stage"), ("name", "text", "stage_name"), ("people", "int", "users"),
    ("step conversion", "pct", "step_conversion"), ("overall conversion", "pct", "overall_conversion"),
    ("drop-off", "int", "drop_off"), ("median time from the stage before", "hours", "ttc_p50_hours"),
    ("90th percentile", "hours", "ttc_p90_hours")], funnel)
if engagement:
    check_rows("engagement", table("Impressions, engagements"), [
        ("platform", "text", lambda r: r["platform"] or "(none)"), ("impressions", "int", "impressions"),
        ("engagements", "int", "engagements"), ("followers", "int", "followers"),
        ("engagement rate", "pct", "engagement_rate"), ("per follower", "pct", "engagement_rate_followers"),
        ("sources' median", "pct", "benchmark"), ("against the median", "times", "vs_benchmark")], engagement)
if attribution:
    share = {(r["model"], r["channel"]): r for r in attribution}
    channels = {r["channel"] for r in attribution}
    t = table("Share of the conversions by channel")
    if t:
        head, rows = t
        if {r[0] for r in rows} != channels:
            errors.append(f"attribution: channels {sorted(r[0] for r in rows)}, the filter's {sorted(channels)}")
        models = [h.replace(" ", "_").replace("-", "_") for h in head[1:]]
        if set(models) != {r["model"] for r in attribution}:
            errors.append(f"attribution: models {models}")
        for row in rows:
            for m, cell in zip(models, row[1:]):
                check(f"attribution {row[0]} {m}", cell, share.get((m, row[0]), {}).get("share", 0), "pct")
    recs = [{"channel": c, **{f"{m}_{k}": share.get((m, c), {}).get(k) for m in ("markov", "last")
                               for k in ("conversions", "value", "spend", "roas", "cost_per_conversion")}}
            for c in channels]
    cols = [("channel", "text", "channel"), ("conversions (markov)", "num", "markov_conversions"),
            ("value (markov)", "money", "markov_value", cur), ("conversions (last)", "num", "last_conversions"),
            ("value (last)", "money", "last_value", cur)]
    if os.path.exists(os.path.join(exp, "spend-key")):
        cols += [("spend", "money", "markov_spend", cur), ("ROAS (markov)", "times", "markov_roas"),
                 ("cost per conversion (markov)", "money", "markov_cost_per_conversion", cur)]
    check_rows("attribution value", table("Value credited by channel"), cols, recs,
               key=("channel", lambda r: r["channel"]))

# periods: revenue and orders from roi --every, visits from the type counts,
# new people from the staged events here
every = open(os.path.join(exp, "every")).read().strip()


def bucket(ts):
    d = datetime.datetime.strptime(ts[:10], "%Y-%m-%d").date()
    if every == "week":
        d -= datetime.timedelta(days=d.weekday())
    elif every == "month":
        d = d.replace(day=1)
    return d.isoformat()[:7] if every == "month" else d.isoformat()


brand = open(os.path.join(exp, "brand")).read().strip()
first, staged_people = {}, set()
with open(os.path.join(exp, "staged")) as f:
    for l in f:
        r = json.loads(l)
        u = r.get("user_id")
        if u is None or u == brand:
            continue
        if r.get("stage") is not None:
            staged_people.add(u)
        if "ts" in r and (u not in first or r["ts"] < first[u]):
            first[u] = r["ts"]
new_people = {}
for u in staged_people:
    b = bucket(first[u])
    new_people[b] = new_people.get(b, 0) + 1
if sum(new_people.values()) != funnel[0]["users"]:
    errors.append(f"new people add up to {sum(new_people.values())}, the funnel reached {funnel[0]['users']}")
periods = {}
main = max(roi, key=lambda r: r["orders"])["currency"] if roi else None
for r in rev_period:
    if r["currency"] != main:
        continue
    periods.setdefault(r[every], {})["revenue"] = r["revenue"]
    periods[r[every]]["orders"] = r["orders"]
for r in types_period:
    if r["type"] == "visit":
        periods.setdefault(r[every], {})["visits"] = r["count"]
for b, n in new_people.items():
    periods.setdefault(b, {})["new_people"] = n
precs = [{"period": b, "revenue": p.get("revenue", 0), "orders": p.get("orders", 0),
          "visits": p.get("visits", 0), "new_people": p.get("new_people", 0)} for b, p in sorted(periods.items())]
t = table("Per " + every, must=False) or table("The last 12 of", must=True)
if t:
    check_rows("periods", t, [("revenue", "money", "revenue", main), ("orders", "int", "orders"),
                              ("visits", "int", "visits"), ("new people", "int", "new_people")],
               precs, key=(every, lambda r: r["period"]))
    if len(t[1]) != min(12, len(precs)):
        errors.append(f"periods: {len(t[1])} rows of {len(precs)}")
    elif [r[0] for r in t[1]] != [r["period"] for r in precs[-12:]]:
        errors.append("periods: not the last ones, in order")
if roi:
    check_rows("roi", table("Revenue (purchases less refunds)"), [
        ("currency", "text", lambda r: r["currency"] or "(none)"),
        ("orders", "int", "orders"), ("customers", "int", "customers"), ("repeat rate", "pct", "repeat_rate")], roi)
    head, rows = table("Revenue (purchases less refunds)")
    for row, r in zip(rows, roi):
        for h, f in (("revenue", "revenue"), ("order value", "aov"), ("revenue per customer", "ltv")):
            check(f"roi {r['currency']} {h}", row[head.index(h)], r[f], "money", r["currency"])
spend_key = os.path.join(exp, "spend-key")
if os.path.exists(spend_key):
    key = open(spend_key).read().strip()
    check_rows("roi by spend", table("Return on spend by " + key), [
        (key, "text", lambda r: r[key] or "(none)"), ("spend", "money", "spend", cur), ("revenue", "money", "revenue", cur),
        ("new customers", "int", "new_customers"), ("cost per new customer", "money", "cac", cur),
        ("ROAS", "times", "roas")], load("roi-by-" + key + ".ndjson"))
if sla:
    check_rows("sla", table("Answers and resolutions"), [
        ("inbound", "int", "inbound"), ("answered", "int", "responded"), ("resolved", "int", "resolved"),
        ("answered within 12 h", "pct", "responded_within_12h"), ("resolved within 24 h", "pct", "resolved_within_24h"),
        ("median answer", "hours", "response_p50_hours"), ("90th percentile", "hours", "response_p90_hours"),
        ("unanswered", "int", "unanswered")], sla)
if listening:
    check_rows("listening", table("Mentions, follows and refunds"), [
        ("mentions", "int", "mentions"), ("mean sentiment", "num", "sentiment_mean"),
        ("positive", "pct", "positive_share"), ("negative", "pct", "negative_share"), ("follows", "int", "follows"),
        ("unfollows", "int", "unfollows"), ("net follows", "int", "net_follows"), ("refund rate", "pct", "refund_rate")],
        listening)
# selling: the last 12 periods, and the 10 campaigns with the most purchases
sp = load("selling-periods.ndjson")
if sp:
    t = table("Leads and purchases")
    if t:
        check_rows("selling", t, [
            ("leads", "int", "leads"), ("growth", "pct", "lead_growth"), ("visits", "int", "visits"),
            ("visitors", "int", "visitors"), ("purchases", "int", "purchases"),
            ("per visit", "pct", "purchases_per_visit"), ("per visitor", "pct", "purchases_per_visitor")],
            sp, key=(every, lambda r: r[every]))
        if [r[0] for r in t[1]] != [r[every] for r in sp[-12:]]:
            errors.append("selling: not the last 12 periods, in order")
    offers = sorted([r for r in load("selling-campaigns.ndjson") if r["purchases"] > 0 or r["visits"] > 0],
                    key=lambda r: (-r["purchases"], r["campaign"] or ""))[:10]
    if offers:
        t = table("Offer conversion by campaign")
        if t:
            check_rows("offers", t, [
                ("campaign", "text", lambda r: r["campaign"] or "(none)"), ("visits", "int", "visits"),
                ("visitors", "int", "visitors"), ("purchases", "int", "purchases"),
                ("per visit", "pct", "purchases_per_visit"), ("per visitor", "pct", "purchases_per_visitor"),
                ("revenue", "money", "revenue", cur)], offers)
# rfm: the customers of each segment, counted here from the rfm report's lines
rfm = load("rfm.ndjson")
if rfm:
    seg = {}
    for r in rfm:
        s = seg.setdefault(r["segment"], {"segment": r["segment"], "count": 0, "money": 0.0, "days": 0, "orders": 0})
        s["count"] += 1
        s["money"] += float(r["monetary"])
        s["days"] += r["recency_days"]
        s["orders"] += r["frequency"]
    n = len(rfm)
    recs = [dict(s, share=s["count"] / n, days=s["days"] / s["count"], orders=s["orders"] / s["count"])
            for s in seg.values()]
    if len({r["currency"] for r in rfm}) == 1:
        check_rows("rfm", table("Customers by RFM segment"), [
            ("segment", "text", "segment"), ("customers", "int", "count"), ("share", "pct", "share"),
            ("money", "money", "money", rfm[0]["currency"]), ("mean days since", "num", "days"),
            ("mean orders", "num", "orders")], recs, key=("segment", lambda r: r["segment"]))
        t = table("Customers by RFM segment", must=False)
        if t and [int(r[1].replace(",", "")) for r in t[1]] != sorted((r["count"] for r in recs), reverse=True):
            errors.append("rfm: segments not by customers, most first")
# networking: each period's summary, and the 10 domains with the most visits
npd = [r for r in load("networking-periods.ndjson") if r["kind"] == "summary"]
if npd:
    check_rows("networking", table("Referrals and earned media"), [
        ("referred visits", "int", "visits"), ("visitors", "int", "visitors"), ("domains", "int", "domains"),
        ("new domains", "int", "new_domains"), ("earned mentions", "int", "earned_mentions"),
        ("mean sentiment", "num", "earned_sentiment_mean"), ("reach", "int", "earned_reach")],
        npd, key=(every, lambda r: r[every]))
doms = [r for r in load("networking.ndjson") if r["kind"] == "domain"]
if doms:
    check_rows("domains", table("The referring domains with the most visits"), [
        ("domain", "text", "referrer_domain"), ("visits", "int", "visits"), ("visitors", "int", "visitors"),
        ("first seen", "text", "first_seen")], doms[:10])
check_rows("advocates summary", table("The viral loop"), [
    ("customers", "int", "customers"), ("advocates", "int", "advocates"), ("advocate share", "pct", "advocate_share"),
    ("referred people", "int", "referred_people"), ("referred customers", "int", "referred_customers"),
    ("referred revenue", "money", "referred_revenue", cur), ("k-factor", "num", "k_factor"),
    ("referred per advocate", "num", "referred_per_advocate")], adv_sum)
if advocates:
    check_rows("advocates", table("The top advocates"), [
        ("rank", "int", "rank"), ("user", "text", "user_id"), ("score", "num", "score"), ("shares", "int", "shares"),
        ("mentions", "int", "mentions"), ("tags", "int", "tags"), ("reviews", "int", "reviews"),
        ("referrals", "int", "referrals"), ("referred customers", "int", "referred_customers"),
        ("referred revenue", "money", "referred_revenue", cur), ("tier", "text", "tier")], advocates)
check_rows("data", table("Records through the pipeline"), [
    ("records read", "int", "read"), ("written", "int", "written"), ("events", "int", "events"),
    ("left out", "int", "left_out"), ("rejected", "int", "rejected"), ("duplicates", "int", "duplicates"),
    ("staged", "int", "staged")], [pipeline])

for e in errors[:40]:
    print(f"{page}: {e}")
if errors:
    print(f"{page}: {len(errors)} mismatches in {checked} values")
    sys.exit(1)
print(f"{page}: {checked} values equal the filters' output")
