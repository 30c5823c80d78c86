#!/usr/bin/env bash
# End-to-end benchmark: simulate an acquisition of at least 1 GB, then time `ecm run` on
# 1 and 2 ranks. Prints each run's summary (stages, MB/s per rank, peak memory) and a CSV
# line per run into $OUT_DIR/end_to_end.csv. Numbers are recorded in docs/performance.md.
#
#   benchmarks/end_to_end.sh [BUILD_DIR] [OUT_DIR]
# Environment: SCAN (default 16,16), CYCLES (1000), DETECTOR (48,48), RANKS ("1 2"),
#              BUDGET (memory budget per rank, default 2G), SIM_ARGS (more `ecm simulate`
#              options, e.g. "--drift 3,-2 --drift-walk 1 --thickness-contrast 0.15"),
#              RUN_ARGS (more `ecm run` options). Each rank count runs twice: with
#              registration (the default) and with --no-register --no-center-track, so the
#              CSV shows what registration costs. DROP_CACHE=0: leave the page cache warm.
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
      --scan "$scan" --cycles "$cycles" --detector "$det" ${SIM_ARGS:-}
fi
ls -l "$out/acquisition.h5"
echo "ranks,registration,wall_s,raw_MB,MB_per_s_per_rank,register_s,read_s,polar_s,g2_s,fit_s,write_s,peak_MiB" > "$out/end_to_end.csv"
for n in ${RANKS:-1 2}; do
  for reg in on off; do
    extra=""
    [ "$reg" = off ] && extra="--no-register --no-center-track"
    # Drop the page cache where allowed so that reading is measured from disk, not memory.
    # DROP_CACHE=0 keeps the file in memory instead (compute-only comparisons).
    if [ "${DROP_CACHE:-1}" = 1 ]; then sync; (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null || true; fi
    log=$out/run_np${n}_reg_$reg.log
    $mpi -n "$n" "$ecm" run "$out/acquisition.h5" -o "$out/tau_np${n}_reg_$reg.h5" --memory-budget "${BUDGET:-2G}" \
      ${RUN_ARGS:-} $extra | tee "$log"
    awk -v n="$n" -v reg="$reg" '
      /wall time/   { wall = $3 }
      /throughput/  { per = $5; mb = $9; gsub(/\(/, "", mb) }
      /stages, s/   { for (i = 3; i <= NF; i++) t[$i] = $(i + 1) }
      /peak memory/ { peak = $3 }
      END { printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", n, reg, wall, mb, per,
                   t["register"] + t["register_read"] + t["register_wait"], t["read"], t["polar"], t["g2"], t["fit"],
                   t["write"], peak }
    ' "$log" >> "$out/end_to_end.csv"
  done
done
cat "$out/end_to_end.csv"
