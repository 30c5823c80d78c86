#!/usr/bin/env python3
"""Independent MRC decoder and stack maker for the [source-mrc] tests.

Written from the MRC2014 header layout (words of 4 bytes: nx, ny, nz, mode at 0..15, nsymbt
at 92, "MAP " at 208, machine stamp at 212, IMOD stamp/flags at 152/156), not from the C++
reader. Usage:

  mrc.py read FILE FRAME...     header line "nx NX ny NY nz NZ mode M images K", then for each
                                frame "frame F" and its values row-major on one line
  mrc.py write FILE MODE ORDER NX NY NZ [EXT] [imod-unsigned]
                                a stack of NZ images, pixel p of image f from value(); ORDER is
                                "<" or ">"; EXT extended-header bytes (filled with 0x5a)
"""
import struct
import sys

import numpy as np


def header(path):
    raw = open(path, "rb").read(1024)
    order = ">" if raw[212] == 0x11 else "<"
    nx, ny, nz, mode = struct.unpack_from(order + "4i", raw, 0)
    nsymbt = struct.unpack_from(order + "i", raw, 92)[0]
    imod_stamp, imod_flags = struct.unpack_from(order + "2i", raw, 152)
    signed = not (imod_stamp == 1146047817 and not (imod_flags & 1))
    dtype = {0: "i1" if signed else "u1", 1: "i2", 2: "f4", 6: "u2"}[mode]
    return dict(order=order, nx=nx, ny=ny, nz=nz, mode=mode, offset=1024 + nsymbt, dtype=np.dtype(order + dtype))


def value(mode, f, p, signed=True):
    """The synthetic stacks' pixel p of image f, for each mode's range."""
    k = f * 131 + p * 7
    if mode == 0:
        return (k % 256) - 128 if signed else k % 256
    if mode == 1:
        return (k % 65536) - 32768
    if mode == 2:
        return np.float32(k * 0.25 - 1000.5)
    return k % 65536


def write(path, mode, order, nx, ny, nz, ext=0, imod_unsigned=False):
    h = bytearray(1024)
    struct.pack_into(order + "4i", h, 0, nx, ny, nz, mode)
    struct.pack_into(order + "3i", h, 28, nx, ny, nz)
    struct.pack_into(order + "i", h, 92, ext)
    if imod_unsigned:
        struct.pack_into(order + "2i", h, 152, 1146047817, 0)
    h[208:212] = b"MAP "
    h[212:214] = b"\x11\x11" if order == ">" else b"\x44\x44"
    dtype = {0: "u1" if imod_unsigned else "i1", 1: "i2", 2: "f4", 6: "u2"}[mode]
    f = np.arange(nz)[:, None]
    p = np.arange(nx * ny)[None, :]
    data = np.array(value(mode, f, p, not imod_unsigned)).astype(order + dtype)
    with open(path, "wb") as out:
        out.write(bytes(h))
        out.write(b"\x5a" * ext)
        out.write(data.tobytes())


def main():
    cmd = sys.argv[1]
    if cmd == "read":
        path, frames = sys.argv[2], [int(v) for v in sys.argv[3:]]
        h = header(path)
        image = h["nx"] * h["ny"] * h["dtype"].itemsize
        data = open(path, "rb").read()
        images = (len(data) - h["offset"]) // image
        print(f"nx {h['nx']} ny {h['ny']} nz {h['nz']} mode {h['mode']} images {images}")
        for i in frames:
            start = h["offset"] + i * image
            img = np.frombuffer(data[start : start + image], h["dtype"])
            print(f"frame {i}")
            print(" ".join(repr(float(v)) if h["mode"] == 2 else str(int(v)) for v in img))
    elif cmd == "write":
        path, mode, order, nx, ny, nz = sys.argv[2], int(sys.argv[3]), sys.argv[4], *map(int, sys.argv[5:8])
        rest = sys.argv[8:]
        ext = int(rest[0]) if rest and rest[0].isdigit() else 0
        write(path, mode, order, nx, ny, nz, ext, "imod-unsigned" in rest)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
