#!/usr/bin/env python3
"""Independent decoder of Merlin .mib files for the [source-mib] tests (numpy only).

Usage: mib.py FILE.mib FRAME [FRAME ...]

Prints "frames N height H width W", then for each FRAME a line "frame F time_ns T" (T is
"none" when the header has no time) and a line of its H*W pixel values, row-major.

Written from the bytes of real Merlin files, not from the ecm reader: each record is an ASCII
header "MQ1,..." (its length in the third field, NUL padded), then the pixels: U08/U16/U32
big-endian, U01 packed bits (first pixel in the high bit), R64 raw 64-bit big-endian words with
the first pixel in the low bits (1, 8 or 16 bits a pixel for counter depths 1, 6, 12); a raw
quad is a 1024 x 256 strip of chips 0..3, placed as [[3, 2], [rot180(1), rot180(0)]].
"""
import calendar
import os
import sys
import time

import numpy as np


def header_fields(raw, offset):
    first = bytes(raw[offset:offset + 64]).split(b",")
    length = int(first[2])
    text = bytes(raw[offset:offset + length]).split(b"\0")[0].decode("ascii")
    return length, text.split(",")


def to_ns(stamp, sep):
    """'YYYY-MM-DD<sep>hh:mm:ss.fraction[Z]' -> ns since 1970, or None."""
    stamp = stamp.rstrip("Z")
    whole, _, frac = stamp.partition(".")
    try:
        t = time.strptime(whole, "%Y-%m-%d" + sep + "%H:%M:%S")
    except ValueError:
        return None
    return calendar.timegm(t) * 10**9 + int((frac + "000000000")[:9])


def frame_time(fields):
    if "MQ1A" in fields:
        i = fields.index("MQ1A")
        t = to_ns(fields[i + 1], "T")
        if t is not None:
            return t
    return to_ns(fields[9], " ")


def counter_depth(fields, path):
    if "MQ1A" in fields:
        i = fields.index("MQ1A")
        if i + 3 < len(fields) and fields[i + 3].isdigit():
            return int(fields[i + 3])
    hdr = os.path.splitext(path)[0] + ".hdr"
    for line in open(hdr, encoding="ascii", errors="replace").read().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Counter Depth (number)":
            return int(value.strip())
    raise SystemExit("no counter depth")


def main():
    path = sys.argv[1]
    frames = [int(a) for a in sys.argv[2:]]
    raw = np.fromfile(path, dtype=np.uint8)
    hlen, f = header_fields(raw, 0)
    width, height, depth, layout = int(f[4]), int(f[5]), f[6], f[7].strip()
    n = width * height
    bits = None
    if depth == "R64":
        bits = {1: 1, 6: 8, 12: 16}[counter_depth(f, path)]
        data_bytes = n * bits // 8
    else:
        data_bytes = {"U08": n, "U16": 2 * n, "U32": 4 * n, "U01": (n + 7) // 8}[depth]
    stride = hlen + data_bytes
    count = raw.size // stride
    quad = depth == "R64" and layout == "2x2"
    out_h, out_w = (512, 512) if quad else (height, width)
    print("frames %d height %d width %d" % (count, out_h, out_w))
    for fr in frames:
        start = fr * stride
        _, fields = header_fields(raw, start)
        rec = raw[start + hlen:start + stride]
        if depth == "U08":
            img = rec.reshape(height, width)
        elif depth == "U16":
            img = rec.view(">u2").reshape(height, width)
        elif depth == "U32":
            img = rec.view(">u4").reshape(height, width)
        elif depth == "U01":
            img = np.unpackbits(rec)[:n].reshape(height, width)
        else:
            words = rec.view(">u8").astype(np.uint64)
            per = 64 // bits
            shifts = (np.arange(per, dtype=np.uint64) * np.uint64(bits))
            mask = np.uint64((1 << bits) - 1)
            strip = ((words[:, None] >> shifts[None, :]) & mask).reshape(height, width)
            if quad:
                img = np.zeros((512, 512), dtype=np.uint64)
                img[:256, :256] = strip[:, 768:1024]
                img[:256, 256:] = strip[:, 512:768]
                img[256:, :256] = strip[:, 256:512][::-1, ::-1]
                img[256:, 256:] = strip[:, 0:256][::-1, ::-1]
            else:
                img = strip
        t = frame_time(fields)
        print("frame %d time_ns %s" % (fr, "none" if t is None else str(t)))
        print(" ".join(str(int(v)) for v in np.asarray(img).ravel()))


if __name__ == "__main__":
    main()
