#!/usr/bin/env bash
# Streaming within a memory budget (issue 4): the 1.18 GB benchmark dataset on RANKS ranks
# (default 2) with BUDGET per rank (default 120M), i.e. about 5x more data than the ranks'
# budgets together. Checks, from `ecm run`'s summary: the run completes, the peak resident
# memory of every rank stays within the budget, and the frames are read once for the
# analysis (1.000 x) plus one cycle in 8 for registration.
#   benchmarks/streaming.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/../build/bench}
ecm=$build/drivers/ecm
ranks=${RANKS:-2} budget=${BUDGET:-120M}
[ -f "$out/acquisition.h5" ] || RANKS=1 bash "$here/end_to_end.sh" "$build" "$out" > /dev/null
sync; (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null || true
log=$out/streaming.log
bash "$here/../cmake/mpiexec.sh" -n "$ranks" "$ecm" run "$out/acquisition.h5" -o "$out/streaming_tau.h5" \
  --memory-budget "$budget" --progress lines 2>&1 | tee "$log"
budget_mib=$(numfmt --from=iec "$budget" | awk '{ print $1 / 1048576 }')
awk -v ranks="$ranks" -v budget="$budget_mib" '
  /throughput/  { mb = $9; gsub(/\(/, "", mb) }
  /peak memory/ { peak = $3 }
  /^  read /    { analysis = $2; registration = $9 }
  END {
    ratio = mb / (ranks * budget * 1.048576)
    printf "data %.0f MB = %.1f x (%d ranks x %s MiB); peak RSS %.1f MiB per rank (budget %s MiB): %s\n",
           mb, ratio, ranks, budget, peak, budget, (peak <= budget ? "within" : "OVER");
    printf "frames read: %s x for the analysis, %s x for registration\n", analysis, registration
    exit !(peak <= budget && ratio >= 4 && analysis + 0 <= 1.0005)
  }' "$log"
