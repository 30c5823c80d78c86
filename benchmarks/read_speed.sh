#!/usr/bin/env bash
# Read speed of every input layout against `dd` on the same file (issue 12: >= 80 % of dd,
# warm page cache, one rank): HDF5 layouts (one frame per chunk 5-D and 3-D, contiguous,
# chunks of whole scan rows; also read through H5Dread for comparison) and the camera
# formats `ecm simulate --format` writes. Frames of 64 x 64 and 256 x 256 pixels (EMPAD:
# 128 x 128 float32). The whole scan is read cycle block by cycle block, as the engine does.
# Writes docs/read_speed.csv.
#   bash benchmarks/read_speed.sh [BUILD_DIR] [MB]    (default build, 512 MB per file)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mb=${2:-512}
work=$(mktemp -d /tmp/ecm_read_speed.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=docs/read_speed.csv
bench=$build/benchmarks/bench_read
ecm=$build/drivers/ecm
[ -x "$bench" ] && [ -x "$ecm" ] || { echo "build $bench and $ecm first"; exit 1; }

# measure FILE NAME FRAME LIBRARY(yes|no) [bench_read options]: one CSV row.
measure() {
  local f=$1 name=$2 frame=$3 library=$4; shift 4
  cat "$f" > /dev/null  # warm the page cache
  local dd_s line lib_s=nan
  dd_s=$(/usr/bin/python3 - "$f" <<'PY'
import sys, subprocess, time
best = 1e9
for _ in range(5):
    t = time.perf_counter(); subprocess.run(["dd", f"if={sys.argv[1]}", "of=/dev/null", "bs=16M"], stderr=subprocess.DEVNULL, check=True)
    best = min(best, time.perf_counter() - t)
print(best)
PY
)
  line=$("$bench" "$f" --tile 0 --cycles-per-block 16 --repeat 5 "$@")
  [ "$library" = yes ] && lib_s=$("$bench" "$f" --tile 0 --cycles-per-block 16 --library --repeat 1 "$@" | cut -f4)
  /usr/bin/python3 - "$name" "$frame" "$(stat -c %s "$f")" "$dd_s" "$(echo "$line" | cut -f3)" "$(echo "$line" | cut -f4)" \
    "$lib_s" "$(echo "$line" | cut -f6 | sed 's/.*, //; s/,/;/g')" >> "$out" <<'PY'
import sys
name, frame, size, dd_s, nbytes, secs, lib_s, path = sys.argv[1:]
# dd reads the whole file (headers, padding); ecm the frames: the goal compares the times.
dd = int(size) / float(dd_s) / 1e9; ecm = float(nbytes) / float(secs) / 1e9
lib = "" if lib_s == "nan" else f"{float(nbytes) / float(lib_s) / 1e9:.3f}"
print(f"{name},{frame},{int(size)/1e6:.0f},{float(nbytes)/1e6:.0f},{dd:.2f},{ecm:.2f},{float(dd_s)/float(secs):.2f},{lib},{path}")
PY
}

echo "layout,frame,file_MB,frames_MB,dd_GBps,ecm_GBps,dd_time_over_ecm_time,h5dread_GBps,read_path" > "$out"
for det in 64 256; do
  rm -rf "${work:?}"/*
  /usr/bin/python3 - "$work" "$mb" "$det" <<'PY'
import sys, numpy as np, h5py
work, mb, det = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ny = nx = 16
t = max(4, mb * 2**20 // (det * det * 2) // (ny * nx))
block = np.random.default_rng(1).poisson(3, size=(ny * nx, det, det)).astype(np.uint16)
layouts = {
    "h5_5d_frame_chunks": ((t, ny, nx, det, det), (1, 1, 1, det, det)),
    "h5_3d_frame_chunks": ((t * ny * nx, det, det), (1, det, det)),
    "h5_5d_contiguous": ((t, ny, nx, det, det), None),
    "h5_5d_row_chunks": ((t, ny, nx, det, det), (1, 1, nx, det, det)),
}
for name, (shape, chunks) in layouts.items():
    with h5py.File(f"{work}/{name}.h5", "w") as f:
        ds = f.create_dataset("frames", shape=shape, dtype="u2", chunks=chunks)
        for i in range(t):
            if ds.ndim == 5: ds[i] = block.reshape(ny, nx, det, det)
            else: ds[i * ny * nx:(i + 1) * ny * nx] = block
        ds.attrs["scan_shape"] = [ny, nx]
PY
  for f in "$work"/*.h5; do measure "$f" "$(basename "$f" .h5)" "${det}x${det}" yes; done
  # Camera formats, as ecm simulate writes them (recording order, the cameras' headers).
  cycles=$(( mb * 1048576 / (det * det * 2) / 256 ))
  for fmt in mib seq mrc; do
    ext=.$fmt; [ "$fmt" = mrc ] && ext=_movie.mrc
    "$ecm" simulate "$work/cam$ext" --truth "$work/cam_truth.h5" --format "$fmt" --scan 16,16 --cycles "$cycles" \
      --detector "$det,$det" --k-pixel-size 0.01 > /dev/null
    measure "$work/cam$ext" "$fmt" "${det}x${det}" no --scan-shape 16,16
    rm -f "$work"/cam*
  done
done
cycles=$(( mb * 1048576 / (128 * 130 * 4) / 256 ))
"$ecm" simulate "$work/e.xml" --truth "$work/e_truth.h5" --format empad --scan 16,16 --cycles "$cycles" \
  --detector 128,128 --dtype float32 --k-pixel-size 0.01 > /dev/null
measure "$work/e.raw" empad 128x128 no
column -s, -t "$out"
