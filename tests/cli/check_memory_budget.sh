#!/usr/bin/env bash
# check_memory_budget.sh INPUT OUTPUT BUDGET_MIB NRANKS MIN_TILES -- ecm
# Runs `ecm run` with --memory-budget BUDGET_MIB and checks that the job was split into at
# least MIN_TILES tiles and that the peak resident memory of every rank stayed within the
# budget (the budget includes the runtime's fixed overhead; docs/performance.md), and that
# every frame was read exactly once for the analysis.
set -euo pipefail
input=$1 output=$2 budget=$3 nranks=$4 min_tiles=$5
shift 6
log=$("${MPIEXEC:-mpiexec}" -n "$nranks" ${MPIEXEC_FLAGS:-} "$@" run "$input" -o "$output" --memory-budget "${budget}M")
echo "$log"
tiles=$(echo "$log" | sed -n 's/.*rank(s), \([0-9]*\) tile(s).*/\1/p')
peak=$(echo "$log" | sed -n 's/.*peak memory *\([0-9.]*\) MiB.*/\1/p')
rm -f "$output"
echo "tiles $tiles (need >= $min_tiles), peak $peak MiB (budget $budget MiB)"
[ -n "$tiles" ] && [ "$tiles" -ge "$min_tiles" ] || { echo "FAIL: too few tiles"; exit 1; }
awk -v p="$peak" -v b="$budget" 'BEGIN { exit !(p > 0 && p <= b) }' || { echo "FAIL: peak memory above budget"; exit 1; }
# Streaming reads every frame once for the analysis, however many tiles (issue 4).
read_factor=$(echo "$log" | sed -n 's/^  read *\([0-9.]*\) x the frames for the analysis.*/\1/p')
echo "frames read for the analysis: $read_factor x"
awk -v r="$read_factor" 'BEGIN { exit !(r != "" && r + 0 >= 0.9995 && r + 0 <= 1.0005) }' ||
  { echo "FAIL: frames read $read_factor times, not once"; exit 1; }
