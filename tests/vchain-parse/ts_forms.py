"""Timestamps in the forms exports write them, with the instant each means
worked out by Python's own parsers (datetime, email.utils), not by vchain.

python3 ts_forms.py OUT_DIR writes OUT_DIR/NAME.ndjson (events whose ts is
in form NAME), OUT_DIR/NAME.want (the canonical ts of each, in order) and
OUT_DIR/NAME.fmt (a --ts-format to pass, or nothing) for each form.
"""
import datetime as dt
import email.utils
import json
import os
import random
import sys

UTC = dt.timezone.utc
out = sys.argv[1]
rnd = random.Random(20191001)


def canonical(d):
    """RFC 3339 UTC as vchain writes it: Z, the fraction without trailing zeros."""
    d = d.astimezone(UTC)
    s = d.strftime("%Y-%m-%dT%H:%M:%S")
    if d.microsecond:
        s += ("." + "%06d" % d.microsecond).rstrip("0")
    return s + "Z"


def instants(n, whole_minutes=False, micro=False):
    for _ in range(n):
        d = dt.datetime(1990, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=rnd.randrange(0, 40 * 365 * 86400))
        if whole_minutes:
            d = d.replace(second=0)
        if micro:
            d = d.replace(microsecond=rnd.randrange(0, 1000000))
        yield d


def offset():
    return dt.timezone(dt.timedelta(minutes=rnd.choice([0, 60, -300, 330, -480, 600, 345])))


forms = {}
# "2019-10-01 00:00:00 UTC" (REES46), and GMT
forms["utc-suffix"] = [(d.strftime("%Y-%m-%d %H:%M:%S") + rnd.choice([" UTC", " GMT", "UTC"]),
                        dt.datetime.strptime(d.strftime("%Y-%m-%d %H:%M:%S"), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC))
                       for d in instants(200)]
# RFC 2822 / 1123: email.utils writes them and parses them back
rows = []
for d in instants(200):
    local = d.astimezone(offset())
    s = email.utils.format_datetime(local, usegmt=False) if rnd.random() < 0.5 else \
        email.utils.format_datetime(d, usegmt=True)
    if rnd.random() < 0.3:
        s = s.split(", ", 1)[1]	# the day's name is optional
    rows.append((s, email.utils.parsedate_to_datetime(s)))
forms["rfc2822"] = rows
# ISO 8601 basic
rows = []
for d in instants(200):
    local = d.astimezone(offset())
    z = local.strftime("%z") if local.utcoffset() else "Z"
    s = local.strftime("%Y%m%dT%H%M%S") + z
    rows.append((s, dt.datetime.strptime(s.replace("Z", "+0000"), "%Y%m%dT%H%M%S%z")))
forms["iso-basic"] = rows
# minutes without seconds, with an offset
rows = []
for d in instants(200, whole_minutes=True):
    local = d.astimezone(offset())
    s = local.strftime("%Y-%m-%d %H:%M ") + local.strftime("%z")
    rows.append((s, dt.datetime.strptime(s, "%Y-%m-%d %H:%M %z")))
forms["minutes-offset"] = rows
# epoch micro- and nanoseconds (as numbers)
rows = []
for d in instants(200, micro=True):
    us = int((d - dt.datetime(1970, 1, 1, tzinfo=UTC)) / dt.timedelta(microseconds=1))
    want = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=us)
    rows.append((us if rnd.random() < 0.5 else us * 1000, want))
forms["epoch-us-ns"] = rows
# day/month orders no parser should guess: --ts-format
fmts = {"us-slash": "%m/%d/%Y %H:%M", "de-dots": "%d.%m.%Y %H:%M", "ampm": "%d %b %Y %I:%M:%S %p"}
for name, fmt in fmts.items():
    rows = []
    for d in instants(200, whole_minutes="%S" not in fmt):
        s = d.strftime(fmt)
        if name == "us-slash":	# as UCI writes it: no leading zeros
            s = "%d/%d/%d %d:%02d" % (d.month, d.day, d.year, d.hour, d.minute)
        rows.append((s, dt.datetime.strptime(s, fmt).replace(tzinfo=UTC)))
    forms[name] = rows

for name, rows in forms.items():
    with open(os.path.join(out, name + ".ndjson"), "w") as f:
        for s, _ in rows:
            f.write(json.dumps({"ts": s, "type": "view", "platform": "web"}) + "\n")
    with open(os.path.join(out, name + ".want"), "w") as f:
        for _, d in rows:
            f.write(canonical(d) + "\n")
    with open(os.path.join(out, name + ".fmt"), "w") as f:
        f.write(fmts.get(name, ""))
