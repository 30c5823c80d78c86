#!/usr/bin/env bash
# Limits of the geometry stage (issue 13; docs/registration.md): how low a dose, how small
# a scan and how large a movement the beam centre from the ring (no direct beam) and the
# ellipse measurement take, against the simulator's truth. Each case simulates a 64 x 64
# detector acquisition (0.026 1/A per px: room for the strip to move 10 px), runs `ecm run` on RANKS ranks (default 2) and compares
# /registration with /truth. Writes $OUT_DIR/geometry_limits.csv and prints it.
#   benchmarks/geometry_limits.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/../build/bench/geometry}
ecm=$build/drivers/ecm
mpi="bash $here/../cmake/mpiexec.sh -n ${RANKS:-2}"
mkdir -p "$out"
csv=$out/geometry_limits.csv
echo "case,scan,cycles,dose_e_per_px,centre_drift_px,ellipticity,centre_error_max_px,centre_moved,polar_maps,ellipse_measured,ellipse_error,ellipse_applied" > "$csv"

# case scan cycles dose drift ellipticity
one() {
  local name=$1 scan=$2 cycles=$3 dose=$4 drift=$5 e=$6
  local acq=$out/$name.h5 truth=$out/${name}_truth.h5 res=$out/${name}_tau.h5
  $mpi "$ecm" simulate "$acq" --truth "$truth" --scan "$scan" --cycles "$cycles" --dose "$dose" --direct-beam 0 \
    --center-drift "$drift" --ellipticity "$e,35" --detector 64,64 --seed "${SEED:-1}" > /dev/null
  $mpi "$ecm" run "$acq" -o "$res" --kr-range 0.3,0.55 > "$out/$name.log" 2>&1 || { echo "$name,failed: $(tail -1 "$out/$name.log")" >> "$csv"; return; }
  /usr/bin/python3 - "$res" "$truth" "$name" "$scan" "$cycles" "$dose" "$drift" "$e" >> "$csv" <<'EOF'
import sys, h5py, numpy as np
res, truth, name, scan, cycles, dose, drift, e = sys.argv[1:]
r, t = h5py.File(res, "r"), h5py.File(truth, "r")
c, ct = r["registration/beam_center_yx"][:], t["truth/beam_center_yx"][:]
err = np.hypot(*(c - ct).T).max()
moved = "yes" if np.ptp(c, axis=0).max() > 0 else "no"
maps = r["registration/beam_center_yx"].attrs["polar_maps"]
maps = maps.decode() if isinstance(maps, bytes) else maps
em = r["registration/ellipse_measured"][:]
ap = r["registration/ellipse"].attrs["applied"]
ap = ap.decode() if isinstance(ap, bytes) else ap
print(f"{name},{scan.replace(',', 'x')},{cycles},{dose},{drift.replace(',', ' ')},{e},{err:.3f},{moved},{maps},{em[0]:.4f},{em[0] - float(e):+.4f},{ap}")
EOF
}

for dose in 1.5 0.5 0.2 0.1 0.05; do one "dose_$dose" 4,4 400 "$dose" 1.6,-1.2 0.02; done
for scan in 2,2 1,1; do one "scan_${scan/,/x}" "$scan" 400 1.5 1.6,-1.2 0.02; done
for drift in 0,0 3.2,-2.4 6.4,-4.8; do one "drift_${drift/,/_}" 4,4 400 1.5 "$drift" 0.02; done
for e in 0 0.01 0.03; do one "ellipse_$e" 4,4 400 1.5 0,0 "$e"; done
for e in 0 0.01 0.02; do one "ellipse_${e}_8x8" 8,8 400 1.5 0,0 "$e"; done
column -s, -t "$csv"
