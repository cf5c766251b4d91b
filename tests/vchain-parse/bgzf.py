#!/usr/bin/env python3
"""bgzf.py [--block N] [--no-eof] < in > out.gz - BGZF as the SAM/BAM
specification (section 4.1) defines it, written with zlib alone: members
of at most N bytes of input (bgzip's 0xff00 by default), each a gzip
member whose extra field BC holds its size less one, then the 28-byte
empty EOF member. Independent of vchain: the tests compare vchain's
decoding of these files with the bytes that went in."""
import struct
import sys
import zlib

EOF_MEMBER = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def member(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    cdata = c.compress(data) + c.flush()
    size = 18 + len(cdata) + 8
    assert size <= 65536, "a member over 64 KiB: use a smaller --block"
    head = struct.pack("<BBBBIBBHBBHH", 0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, ord("B"), ord("C"), 2, size - 1)
    return head + cdata + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))


def main():
    block, eof = 0xFF00, True
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--block":
            block = int(args.pop(0))
        elif a == "--no-eof":
            eof = False
        else:
            sys.exit("usage: bgzf.py [--block N] [--no-eof] < in > out")
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    for i in range(0, len(data), block):
        out.write(member(data[i:i + block]))
    if eof:
        out.write(EOF_MEMBER)


main()
