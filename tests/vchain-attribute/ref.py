#!/usr/bin/env python3
"""An independent attribution in plain Python, for the tests of vchain-attribute.

  ref.py events FILE [--by F,F] [--lookback SEC] [--half-life SEC] [--transform T]
      -> credits (one JSON line per conversion, model, channel), then the paths
  ref.py paths FILE            -> ChannelAttribution's path table (CSV) read
  ...  then  --markov K        -> {"p_conv":..., "re": {channel: ...}} exactly (Fractions)
             --shapley         -> {channel: value} by brute force over all orderings
             --shapley-sets    -> the same by the coalition formula (for many channels)
             --heuristic       -> {model: {channel: [units, value]}} per path row

Written from the definitions in the issue and fractribution's / Anderl et
al.'s papers, not from the C code: exact rationals where C uses long
doubles, Python's json for parsing, dicts for people.
"""
import csv
import itertools
import json
import math
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 60
UNIT = 10 ** 9
STAGES = {}
for line in open(sys.path[0] + "/../../schemas/stages.tsv"):
    if line.startswith("#") or not line.strip():
        continue
    t, s = line.split()
    STAGES[t] = None if s == "-" else int(s)

DIRECT = "(direct)"


def is_direct(ch):
    return ch in ("(direct)", "web") or ch.startswith("(direct)/")


def transform(path, tf):
    """path: [(ts, ch)]"""
    if tf in ("none", "unique"):
        return list(path)
    if tf == "exposure":
        out = []
        for p in path:
            if not out or out[-1][1] != p[1]:
                out.append(p)
        return out
    firsts, counts = [], {}
    for p in path:
        if p[1] not in counts:
            firsts.append(p)
            counts[p[1]] = 0
        counts[p[1]] += 1
    if tf == "first":
        return firsts
    return [(ts, "%s(%d)" % (ch, counts[ch])) for ts, ch in firsts]


def weights(model, path, conv_ts, half_life, pos):
    n = len(path)
    w = [Fraction(0)] * n
    if model == "first":
        w[0] = Fraction(1)
    elif model == "last":
        w[-1] = Fraction(1)
    elif model == "last_non_direct":
        k = n - 1
        while k > 0 and is_direct(path[k][1]):
            k -= 1
        w[k if not is_direct(path[k][1]) else n - 1] = Fraction(1)
    elif model == "linear":
        w = [Fraction(1, n)] * n
    elif model == "position":
        if n == 1:
            w = [Fraction(1)]
        elif n == 2:
            w = [Fraction(1, 2)] * 2
        else:
            tot = sum(pos)
            w = [pos[1] / tot / (n - 2)] * n
            w[0], w[-1] = pos[0] / tot, pos[2] / tot
    elif model == "time_decay":
        ws = [Decimal(2) ** (-Decimal(max(0, conv_ts - ts)) / Decimal(half_life)) for ts, _ in path]
        s = sum(ws)
        w = [Fraction(x / s) for x in ws]
    return w


def split(total, ws):
    """Largest remainder: floors, then a unit each to the largest fractions (ties: the earlier)."""
    s = sum(ws)
    q = [total * x / s for x in ws]
    parts = [math.floor(x) for x in q]
    left = total - sum(parts)
    order = sorted(range(len(ws)), key=lambda i: (-(q[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def by_channel(path, w):
    chans, acc = [], {}
    for (ts, ch), x in zip(path, w):
        if ch not in acc:
            chans.append(ch)
            acc[ch] = Fraction(0)
        acc[ch] += x
    return chans, [acc[c] for c in chans]


def money_split(value, ws):
    v = Decimal(value)
    scale = max(2, -v.as_tuple().exponent)
    units = int((abs(v) * (Decimal(10) ** scale)).to_integral_value())
    parts = split(units, ws)
    sign = -1 if v < 0 else 1
    return [Decimal(sign * p).scaleb(-scale) for p in parts]


def units_text(u):
    whole, frac = divmod(u, UNIT)
    return str(whole) if not frac else ("%d.%09d" % (whole, frac)).rstrip("0")


def ms(ts):
    from datetime import datetime
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


MODELS = ["first", "last", "last_non_direct", "linear", "time_decay", "position"]


def events(path, by, lookback, half_life, tf, pos):
    people = {}
    paths = {}
    out = []

    def add_path(p, conv, value, null):
        key = tuple(ch for _, ch in p)
        row = paths.setdefault(key, [0, Decimal(0), 0])
        row[0] += conv
        row[1] += value
        row[2] += null

    def give_up(pp):
        pend = pp["t"][pp["pending"]:]
        if pend:
            add_path(transform(pend, tf), 0, Decimal(0), 1)
        pp["t"], pp["pending"] = [], 0

    for line in open(path):
        e = json.loads(line, parse_float=Decimal)
        ts = ms(e["ts"])
        t = e["type"]
        kind = "conv" if t == "purchase" else ("touch" if STAGES.get(t) in (1, 2, 3, 4, 5) else None)
        if kind is None:
            continue
        user = e.get("user_id")
        if user in (None, "") and kind == "touch":
            continue
        pp = None
        if user not in (None, ""):
            pp = people.get(user)
            if pp is None:
                pp = people[user] = {"t": [], "pending": 0, "last": ts}
            elif ts - pp["last"] > lookback:
                give_up(pp)
            pp["last"] = max(pp["last"], ts)
            # touches older than the window before this event leave it
            keep = [x for x in pp["t"] if x[0] >= ts - lookback]
            gone = len(pp["t"]) - len(keep)
            pp["pending"] = max(0, pp["pending"] - gone)
            pp["t"] = keep
        if kind == "touch":
            ch = "/".join(str(e[f]) if e.get(f) not in (None, "") else "(none)" for f in by)
            pp["t"].append((ts, ch))
            continue
        value = Decimal(str(e["revenue"])) if e.get("revenue") is not None else Decimal(1)
        touches = list(pp["t"]) if pp else []
        if pp:
            pp["pending"] = len(pp["t"])
        p = transform(touches, tf)
        if not p:
            p = [(ts, DIRECT)]
        add_path(p, 1, value, 0)
        for m in MODELS:
            chans, w = by_channel(p, weights(m, p, ts, half_life, pos))
            units = split(UNIT, w)
            vals = money_split(value, w)
            for c, u, v in zip(chans, units, vals):
                if not u and not v:
                    continue
                out.append({"conversion_id": e.get("event_id"), "user_id": user, "ts": e["ts"], "model": m,
                            "channel": c, "credit": units_text(u), "value": str(v)})
    for pp in people.values():
        give_up(pp)
    return out, paths


def read_paths(path):
    text = open(path).read()
    delim = ";" if ";" in text.splitlines()[0] else ","
    paths = {}
    for row in csv.DictReader(text.splitlines(), delimiter=delim):
        if int(row["total_conversions"]) == 0 and int(row.get("total_null") or "0") == 0:
            continue  # a path nobody took
        key = tuple(c.strip() for c in row["path"].split(">"))
        r = paths.setdefault(key, [0, Decimal(0), 0])
        r[0] += int(row["total_conversions"])
        r[1] += Decimal(row.get("total_conversion_value") or "0")
        r[2] += int(row.get("total_null") or "0")
    return paths


def solve(states, moves, removed):
    """x[s] = sum_t P(s,t) x[t] + P(s,conv), removed states 0: Gauss-Jordan on Fractions."""
    idx = {s: i for i, s in enumerate(states)}
    n = len(states)
    a = [[Fraction(0)] * (n + 1) for _ in range(n)]
    for s in states:
        i = idx[s]
        a[i][i] = Fraction(1)
        if s in removed:
            continue
        out = sum(moves[s].values())
        for t, c in moves[s].items():
            if t == "(conversion)":
                a[i][n] += Fraction(c, out)
            elif t != "(null)":
                a[i][idx[t]] -= Fraction(c, out)
    for j in range(n):
        piv = next(i for i in range(j, n) if a[i][j] != 0)
        a[j], a[piv] = a[piv], a[j]
        for i in range(n):
            if i != j and a[i][j] != 0:
                f = a[i][j] / a[j][j]
                a[i] = [x - f * y for x, y in zip(a[i], a[j])]
    return a[0][n] / a[0][0]


def markov(paths, k):
    moves = {}
    start = ("(start)",)
    for key, (conv, value, null) in paths.items():
        prev = start
        for i in range(len(key)):
            s = key[max(0, i + 1 - k):i + 1]
            moves.setdefault(prev, {}).setdefault(s, 0)
            moves[prev][s] += conv + null
            prev = s
        moves.setdefault(prev, {})
        for t, c in (("(conversion)", conv), ("(null)", null)):
            if c:
                moves[prev][t] = moves[prev].get(t, 0) + c
    states = [start] + sorted(s for s in moves if s != start)
    for s in list(moves):
        for t in moves[s]:
            if t not in ("(conversion)", "(null)") and t not in moves:
                moves[t] = {}
    states = [start] + sorted(s for s in moves if s != start)
    base = solve(states, moves, set())
    chans = sorted({c for key in paths for c in key})
    re = {}
    for c in chans:
        p = solve(states, moves, {s for s in states if c in s and s != start})
        re[c] = 1 - p / base
    return base, re


def coalition_values(paths):
    conv, tot = {}, {}
    for key, (c, v, n) in paths.items():
        s = frozenset(key)
        conv[s] = conv.get(s, 0) + c
        tot[s] = tot.get(s, 0) + c + n
    return {s: Fraction(conv[s], tot[s]) for s in tot if tot[s]}


def shapley_brute(paths):
    v = coalition_values(paths)
    chans = sorted({c for key in paths for c in key})
    phi = {c: Fraction(0) for c in chans}
    perms = 0
    for order in itertools.permutations(chans):
        perms += 1
        have = frozenset()
        for c in order:
            gain = v.get(have | {c}, Fraction(0)) - v.get(have, Fraction(0))
            phi[c] += max(gain, Fraction(0))
            have = have | {c}
    return {c: x / perms for c, x in phi.items()}


def shapley_sets(paths):
    v = coalition_values(paths)
    chans = sorted({c for key in paths for c in key})
    n = len(chans)
    phi = {}
    for c in chans:
        others = [x for x in chans if x != c]
        total = Fraction(0)
        for m in range(n):
            w = Fraction(math.factorial(m) * math.factorial(n - m - 1), math.factorial(n))
            for s in itertools.combinations(others, m):
                s = frozenset(s)
                gain = v.get(s | {c}, Fraction(0)) - v.get(s, Fraction(0))
                if gain > 0:
                    total += w * gain
        phi[c] = total
    return phi


def heuristic(paths, pos):
    res = {}
    for m in ("first", "last", "last_non_direct", "linear", "position"):
        acc = res.setdefault(m, {})
        for key, (conv, value, null) in paths.items():
            if not conv:
                continue
            p = [(0, c) for c in key]
            chans, w = by_channel(p, weights(m, p, 0, 1, pos))
            units = split(UNIT * conv, w)
            vals = money_split(value, w)
            for c, u, v in zip(chans, units, vals):
                a = acc.setdefault(c, [0, Decimal(0)])
                a[0] += u
                a[1] += v
    return {m: {c: [units_text(u), str(v)] for c, (u, v) in acc.items()} for m, acc in res.items()}


def main(argv):
    mode, path = argv[1], argv[2]
    opts = dict(by="platform", lookback=30 * 86400, half_life=7 * 86400, transform="none")
    rest = argv[3:]
    actions = []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in ("--by", "--lookback", "--half-life", "--transform", "--markov"):
            if a == "--markov":
                actions.append(("markov", int(rest[i + 1])))
            else:
                opts[a[2:].replace("-", "_")] = rest[i + 1]
            i += 2
        else:
            actions.append((a[2:], None))
            i += 1
    pos = [Fraction("0.4"), Fraction("0.2"), Fraction("0.4")]
    if mode == "events":
        out, paths = events(path, opts["by"].split(","), int(opts["lookback"]) * 1000,
                            int(opts["half_life"]) * 1000, opts["transform"], pos)
    else:
        out, paths = None, read_paths(path)
    if not actions:
        for r in out:
            print('{"conversion_id":%s,"user_id":%s,"ts":%s,"model":"%s","channel":%s,"credit":%s,"value":%s}' % (
                json.dumps(r["conversion_id"]), json.dumps(r["user_id"]), json.dumps(r["ts"]), r["model"],
                json.dumps(r["channel"]), r["credit"], r["value"]))
        for key in sorted(paths):
            c, v, n = paths[key]
            print("%s;%d;%s;%d" % (" > ".join(key), c, v, n))
    for act, arg in actions:
        if act == "markov":
            base, re = markov(paths, arg)
            print(json.dumps({"p_conv": float(base), "re": {c: float(x) for c, x in re.items()}}))
        elif act == "shapley":
            print(json.dumps({c: float(x) for c, x in shapley_brute(paths).items()}))
        elif act == "shapley-sets":
            print(json.dumps({c: float(x) for c, x in shapley_sets(paths).items()}))
        elif act == "heuristic":
            print(json.dumps(heuristic(paths, pos)))


if __name__ == "__main__":
    main(sys.argv)
