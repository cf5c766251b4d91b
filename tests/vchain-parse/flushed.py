#!/usr/bin/env python3
"""flushed.py [--every N] [--first N] [--kind full|sync|mixed] < in > out.gz -
one gzip member of the input, written with zlib alone, deflate flushed
after the first N bytes and then after every N bytes: a full flush (what
pigz --independent writes: the 00 00 ff ff of an empty stored block, and
nothing after it refers back), a sync flush (the same bytes, but the
window goes on) or the two in turn. Independent of vchain: the tests
compare vchain's decoding of these files with the bytes that went in."""
import sys
import zlib

KINDS = {"full": [zlib.Z_FULL_FLUSH], "sync": [zlib.Z_SYNC_FLUSH], "mixed": [zlib.Z_FULL_FLUSH, zlib.Z_SYNC_FLUSH]}


def main():
    every, first, kind = 65536, None, "full"
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--every":
            every = int(args.pop(0))
        elif a == "--first":
            first = int(args.pop(0))
        elif a == "--kind":
            kind = args.pop(0)
        else:
            sys.exit(__doc__)
    data = sys.stdin.buffer.read()
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    out, at, k = [], 0, 0
    step = every if first is None else first
    while True:
        out.append(c.compress(data[at:at + step]))
        at += step
        if at >= len(data):
            break
        out.append(c.flush(KINDS[kind][k % len(KINDS[kind])]))
        k += 1
        step = every
    out.append(c.flush(zlib.Z_FINISH))
    sys.stdout.buffer.write(b"".join(out))


main()
