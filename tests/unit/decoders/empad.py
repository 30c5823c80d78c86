#!/usr/bin/env python3
"""Independent EMPAD decoder and file maker for the [source-empad] tests.

Written from the EMPAD layout (records of 130 rows x 128 columns of little-endian float32,
rows 128 and 129 metadata) and the sample xmls (read with ElementTree), not from the C++
reader. Usage:

  empad.py read XML FRAME...          "raw NAME frames N scan NY NX", then for each frame
                                      "frame F" and its 128 x 128 values row-major on one line
  empad.py fill RAW NFRAMES FRAME...  a .raw of NFRAMES records (sparse zeros) with the listed
                                      frames holding value(); metadata rows hold 1e30
  empad.py write DIR NAME NY NX CYCLES
                                      DIR/NAME.xml in the 0.5x software's layout naming
                                      DIR/scan_xNX_yNY.raw, and that .raw, every frame filled
"""
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np

RECORD = 128 * 130 * 4


def value(f):
    """Frame f: 128 x 130 float32, the 2 metadata rows 1e30 (a reader must drop them)."""
    y, x = np.mgrid[0:130, 0:128]
    v = ((f * 7919 + y * 131 + x) % 100003) * 0.37 - 500.0
    v[128:, :] = 1e30
    return v.astype("<f4")


def scan_of(root):
    if root.find("pix_x") is not None:
        return int(root.find("pix_y").text), int(root.find("pix_x").text)
    if root.findtext("type") == "series":
        return 1, 1
    for sp in root.findall("scan_parameters"):
        if sp.get("mode") == "acquire":
            return int(sp.findtext("scan_resolution_y")), int(sp.findtext("scan_resolution_x"))
    return 0, 0


def main():
    cmd = sys.argv[1]
    if cmd == "read":
        xml, frames = sys.argv[2], [int(v) for v in sys.argv[3:]]
        root = ET.parse(xml).getroot()
        name = root.find("raw_file").get("filename")
        raw = os.path.join(os.path.dirname(xml), name)
        n = os.path.getsize(raw) // RECORD
        ny, nx = scan_of(root)
        print(f"raw {name} frames {n} scan {ny} {nx}")
        with open(raw, "rb") as f:
            for i in frames:
                f.seek(i * RECORD)
                rec = np.frombuffer(f.read(RECORD), "<f4").reshape(130, 128)
                print(f"frame {i}")
                print(" ".join(repr(float(v)) for v in rec[:128].ravel()))
    elif cmd == "fill":
        raw, n, frames = sys.argv[2], int(sys.argv[3]), [int(v) for v in sys.argv[4:]]
        with open(raw, "wb") as f:
            f.truncate(n * RECORD)
            for i in frames:
                f.seek(i * RECORD)
                f.write(value(i).tobytes())
    elif cmd == "write":
        d, name, ny, nx, cycles = sys.argv[2], sys.argv[3], *map(int, sys.argv[4:7])
        raw = f"scan_x{nx}_y{ny}.raw"
        with open(os.path.join(d, name + ".xml"), "w") as f:
            f.write(f'<root name="{name}"><software_version>0.51 211118</software_version><type>scan</type>'
                    f"<pix_x>{nx}</pix_x><pix_y>{ny}</pix_y><raw_file filename=\"{raw}\"/>"
                    "<exposure_time>1</exposure_time></root>")
        with open(os.path.join(d, raw), "wb") as f:
            for i in range(ny * nx * cycles):
                f.write(value(i).tobytes())
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
