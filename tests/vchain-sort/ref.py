#!/usr/bin/env python3
"""ref.py [-k FIELDS] [--missing first|last|error] [FILE...] - the order
vchain-sort should give, worked out independently: Python's json and a
stable sorted() over the lines of the inputs, read whole. A field named ts
compares as an instant (RFC 3339, any offset and fraction, parsed here by
hand: datetime stops at microseconds), numbers by value, strings by their
UTF-8 bytes; numbers before strings. Records without a key field: first,
last or an error; the default key is ts then event_id (absent first)."""
import argparse
import calendar
import json
import re
import sys

TS = re.compile(r'(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?$')


def instant(s):
    m = TS.match(s)
    if not m:
        raise ValueError('not a timestamp: ' + s)
    y, mo, d, h, mi, se = (int(g) for g in m.groups()[:6])
    sec = calendar.timegm((y, mo, d, h, mi, se, 0, 0, 0))
    frac, zone = m.group(7) or '', m.group(8) or 'Z'
    if zone != 'Z':
        sign = -1 if zone[0] == '-' else 1
        z = zone[1:].replace(':', '')
        sec -= sign * (int(z[:2]) * 3600 + int(z[2:]) * 60)
    return (sec, int((frac + '0' * 9)[:9]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-k')
    ap.add_argument('--missing', default='error')
    ap.add_argument('files', nargs='*')
    a = ap.parse_args()
    fields = a.k.split(',') if a.k else ['ts', 'event_id']
    optional = set() if a.k else {'event_id'}
    lines = []
    for f in a.files or ['/dev/stdin']:
        with open(f, 'rb') as fh:
            lines += fh.read().splitlines(keepends=True)

    def key(i):
        rec = json.loads(lines[i])
        k = []
        for f in fields:
            v = rec.get(f)
            if v is None:
                if f not in optional and a.missing == 'error':
                    sys.exit('record %d: no %s' % (i + 1, f))
                k.append((9,) if f not in optional and a.missing == 'last' else (0,))
            elif f == 'ts':
                k.append((1, instant(v)))
            elif isinstance(v, bool) or not isinstance(v, (int, float, str)):
                sys.exit('record %d: %s is neither a number nor a string' % (i + 1, f))
            elif isinstance(v, str):
                k.append((3, v.encode('utf-8')))
            else:
                k.append((2, float(v)))
        return (k, i)

    out = sys.stdout.buffer
    for i in sorted(range(len(lines)), key=key):
        out.write(lines[i])


main()
