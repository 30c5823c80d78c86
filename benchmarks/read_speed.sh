#!/usr/bin/env bash
# Read speed of every input layout against `dd` on the same file (issue 12: >= 80 % of dd,
# warm page cache, one rank). Writes docs/read_speed.csv; the table in docs/performance.md
# comes from it.
#   bash benchmarks/read_speed.sh [BUILD_DIR] [MB]    (default build, 512 MB per file)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mb=${2:-512}
work=$(mktemp -d /tmp/ecm_read_speed.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=docs/read_speed.csv
bench=$build/benchmarks/bench_read
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_read)"; exit 1; }

echo "layout,frame,file_MB,dd_GBps,ecm_GBps,ecm_over_dd,ecm_library_GBps,read_path" > "$out"
for det in 64 256; do
rm -f "$work"/*
# The layouts: HDF5 with one frame per chunk (5-D and 3-D, how most writers store frames),
# contiguous, chunks of whole rows, and compressed chunks (through the library, for scale).
/usr/bin/python3 - "$work" "$mb" "$det" <<'PY'
import sys, numpy as np, h5py
work, mb = sys.argv[1], int(sys.argv[2])
det = int(sys.argv[3]) if len(sys.argv) > 3 else 64
frames = mb * 2**20 // (det * det * 2)
ny = nx = 16
t = frames // (ny * nx)
rng = np.random.default_rng(1)
block = rng.poisson(3, size=(ny * nx, det, det)).astype(np.uint16)
def fill(ds, five):
    for i in range(t):
        ds[i] = block.reshape(ny, nx, det, det) if five else block
    ds.attrs["scan_shape"] = [ny, nx]
layouts = {
    "h5_5d_frame_chunks": dict(shape=(t, ny, nx, det, det), chunks=(1, 1, 1, det, det)),
    "h5_3d_frame_chunks": dict(shape=(t * ny * nx, det, det), chunks=(1, det, det)),
    "h5_5d_contiguous": dict(shape=(t, ny, nx, det, det), chunks=None),
    "h5_5d_row_chunks": dict(shape=(t, ny, nx, det, det), chunks=(1, 1, nx, det, det)),
}
for name, kw in layouts.items():
    with h5py.File(f"{work}/{name}.h5", "w") as f:
        ds = f.create_dataset("frames", dtype="u2", **kw)
        if ds.ndim == 5:
            fill(ds, True)
        else:
            for i in range(t):
                ds[i * ny * nx:(i + 1) * ny * nx] = block
            ds.attrs["scan_shape"] = [ny, nx]
PY

for f in "$work"/*.h5; do
  name=$(basename "$f" .h5)
  cat "$f" > /dev/null  # warm the page cache
  dd_s=$(/usr/bin/python3 - "$f" <<'PY'
import sys, subprocess, time
best = 1e9
for _ in range(3):
    t = time.perf_counter(); subprocess.run(["dd", f"if={sys.argv[1]}", "of=/dev/null", "bs=16M"], stderr=subprocess.DEVNULL, check=True)
    best = min(best, time.perf_counter() - t)
print(best)
PY
)
  line=$("$bench" "$f" --tile 0 --cycles-per-block 16)
  lib=$("$bench" "$f" --tile 0 --cycles-per-block 16 --library --repeat 1)
  bytes=$(echo "$line" | cut -f3); secs=$(echo "$line" | cut -f4); path=$(echo "$line" | cut -f6 | sed 's/.*, //')
  size=$(stat -c %s "$f")
  /usr/bin/python3 - "$name" "${det}x${det}" "$size" "$dd_s" "$bytes" "$secs" "$(echo "$lib" | cut -f4)" "$path" >> "$out" <<'PY'
import sys
name, frame, size, dd_s, nbytes, secs, lib_s, path = sys.argv[1:]
dd = int(size) / float(dd_s) / 1e9; ecm = float(nbytes) / float(secs) / 1e9; lib = float(nbytes) / float(lib_s) / 1e9
print(f"{name},{frame},{int(size)/1e6:.0f},{dd:.2f},{ecm:.2f},{ecm/dd:.2f},{lib:.3f},{path}")
PY
done
done
column -s, -t "$out"
