#!/usr/bin/env bash
# End-to-end benchmark: simulate an acquisition of at least 1 GB, then time `ecm run` on
# 1 and 2 ranks. Prints each run's summary (stages, MB/s per rank, peak memory) and a CSV
# line per run into $OUT_DIR/end_to_end.csv. Numbers are recorded in docs/performance.md.
#
#   benchmarks/end_to_end.sh [BUILD_DIR] [OUT_DIR]
# Environment: SCAN (default 16,16), CYCLES (1000), DETECTOR (48,48), RANKS ("1 2"),
#              BUDGET (memory budget per rank, default 2G).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/../build/bench}
mkdir -p "$out"
ecm=$build/drivers/ecm
mpi="bash $here/../cmake/mpiexec.sh"
scan=${SCAN:-16,16} cycles=${CYCLES:-1000} det=${DETECTOR:-48,48}
if [ ! -f "$out/acquisition.h5" ]; then
  /usr/bin/time -f "simulate: %e s wall, %M KiB peak RSS (rank 0)" \
    $mpi -n 2 "$ecm" simulate "$out/acquisition.h5" --truth "$out/truth.h5" \
      --scan "$scan" --cycles "$cycles" --detector "$det"
fi
ls -l "$out/acquisition.h5"
echo "ranks,wall_s,raw_MB,MB_per_s_per_rank,read_s,polar_s,g2_s,fit_s,write_s,peak_MiB" > "$out/end_to_end.csv"
for n in ${RANKS:-1 2}; do
  # Drop the page cache where allowed so that reading is measured from disk, not memory.
  sync; (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null || true
  log=$out/run_np$n.log
  $mpi -n "$n" "$ecm" run "$out/acquisition.h5" -o "$out/tau_np$n.h5" --memory-budget "${BUDGET:-2G}" | tee "$log"
  awk -v n="$n" '
    /wall time/   { wall = $3 }
    /throughput/  { per = $5; mb = $9; gsub(/\(/, "", mb) }
    /stages, s/   { for (i = 3; i <= NF; i++) t[$i] = $(i + 1) }
    /peak memory/ { peak = $3 }
    END { printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", n, wall, mb, per, t["read"], t["polar"], t["g2"], t["fit"], t["write"], peak }
  ' "$log" >> "$out/end_to_end.csv"
done
cat "$out/end_to_end.csv"
