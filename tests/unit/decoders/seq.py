#!/usr/bin/env python3
"""Independent decoder of Norpix StreamPix .seq files for the [source-seq] tests.

Written from the header layout and the sample bytes, not from the C++ reader, so that the
reader's frames can be checked against a second reading. Usage:

  seq.py plain FILE FRAME...            frames of one .seq
  seq.py celeritas TOP BOTTOM FRAME...  frames stitched from a Celeritas top and bottom half
  seq.py mrc FILE                       the first image of an MRC reference (float32 values)
  seq.py badpixels XML NY NX            flat indices of bad pixels of the NY x NX image

Frames print as "frame F ts SECONDS MS US" then "pixels V V V ..." (row-major).
"""
import struct
import sys
import xml.etree.ElementTree as ET

import numpy as np


def header(path):
    raw = open(path, "rb").read(1024)
    assert struct.unpack_from("<I", raw, 0)[0] == 0xFEED, path
    version = struct.unpack_from("<i", raw, 28)[0]
    w, h, depth, _real, size = struct.unpack_from("<5I", raw, 548)
    count = struct.unpack_from("<I", raw, 572)[0]
    stride = struct.unpack_from("<I", raw, 580)[0]
    offset = 8192 if version >= 5 else 1024
    dtype = {8: "<u1", 16: "<u2", 32: "<u4"}[depth]
    return dict(version=version, w=w, h=h, depth=depth, size=size, count=count, stride=stride, offset=offset,
                dtype=dtype)


def record(path, hd, i):
    with open(path, "rb") as f:
        f.seek(hd["offset"] + i * hd["stride"])
        rec = f.read(hd["size"] + 8)
    img = np.frombuffer(rec[: hd["size"]], hd["dtype"]).reshape(hd["h"], hd["w"])
    s, ms = struct.unpack_from("<iH", rec, hd["size"])
    us = struct.unpack_from("<H", rec, hd["size"] + 6)[0] if hd["version"] >= 5 else 0
    return img, (s, ms, us)


def show(f, img, ts):
    print("frame %d ts %d %d %d" % (f, ts[0], ts[1], ts[2]))
    print("pixels " + " ".join(str(int(v)) for v in img.ravel()))


def main(argv):
    mode = argv[1]
    if mode == "plain":
        hd = header(argv[2])
        print("header %d %d %d %d %d %d" % (hd["version"], hd["w"], hd["h"], hd["depth"], hd["count"], hd["stride"]))
        for f in map(int, argv[3:]):
            img, ts = record(argv[2], hd, f)
            show(f, img, ts)
    elif mode == "celeritas":
        top, bottom = header(argv[2]), header(argv[3])
        print("header %d %d %d %d %d %d" % (top["version"], top["w"], 2 * top["h"], top["depth"], top["count"],
                                            top["stride"]))
        for f in map(int, argv[4:]):
            t, ts = record(argv[2], top, f)
            b, _ = record(argv[3], bottom, f)
            # Both halves start at the sensor's middle row: the top one is stored upside down.
            show(f, np.vstack([t[::-1], b]), ts)
    elif mode == "mrc":
        raw = open(argv[2], "rb").read()
        nx, ny, _nz, m = struct.unpack_from("<4i", raw, 0)
        ext = struct.unpack_from("<i", raw, 92)[0]
        assert m == 2, "mode %d" % m
        v = np.frombuffer(raw, "<f4", nx * ny, 1024 + ext)
        print("mrc %d %d" % (ny, nx))
        print("values " + " ".join(repr(float(x)) for x in v))
    elif mode == "badpixels":
        ny, nx = int(argv[3]), int(argv[4])
        root = ET.parse(argv[2]).getroot()
        info = {e.tag: e.get("Value") for e in root.iter() if e.get("Value") is not None}
        oy, ox = int(float(info.get("ImageOffsetY", 0))), int(float(info.get("ImageOffsetX", 0)))
        bad = np.zeros((ny, nx), bool)

        def span(v, n, o):
            if v is None:
                return o, o + n - 1
            a, _, b = v.partition("-")
            return int(a), int(b or a)

        for d in root.iter("Defect"):
            r0, r1 = span(d.get("Row", d.get("Rows")), ny, oy)
            c0, c1 = span(d.get("Column", d.get("Columns")), nx, ox)
            for r in range(max(r0, oy), min(r1, oy + ny - 1) + 1):
                for c in range(max(c0, ox), min(c1, ox + nx - 1) + 1):
                    bad[r - oy, c - ox] = True
        print("bad " + " ".join(str(i) for i in np.flatnonzero(bad)))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
