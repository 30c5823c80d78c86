#!/usr/bin/env bash
# Fault injection at length (issue 14): tests/cli/check_fault_injection.sh with RUNS random
# kills (default 100) instead of the test suite's 20, then a table of what the faults left
# and what --resume did with it, per kind of fault. Any run not resumed to the
# uninterrupted result stops it with FAIL and the seed that repeats the sequence.
#   benchmarks/fault_injection.sh [RUNS] [BUILD_DIR] [OUT_DIR]
# Environment: ECM_FAULT_SEED (as the test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-100}
build=$(cd "${2:-$here/../build}" && pwd)
out=${3:-$here/../build/bench}
mkdir -p "$out"
log=$out/fault_injection.log
flags="--oversubscribe"
[ "$(id -u)" -ne 0 ] || flags+=" --allow-run-as-root"
MPIEXEC=${MPIEXEC:-mpiexec} MPIEXEC_FLAGS=${MPIEXEC_FLAGS:-$flags} \
  bash "$here/../tests/cli/check_fault_injection.sh" "$build/drivers/ecm" "$out/fault_injection" "$runs" | tee "$log"
# One row per fault: its kind, what it left (nothing, a checkpoint, the finished output) and
# what --resume did.
csv=$out/fault_injection.csv
echo "fault,left,resume" > "$csv"
sed -n 's/^run[0-9]*: \(.*\) at [0-9]* ms: mpiexec [0-9]*, left \(.*\); --resume: \(.*\), identical$/\1|\2|\3/p' "$log" |
  awk -F'|' '{ left = $2 ~ /partial/ ? "checkpoint" : $2 ~ /out.h5/ ? "finished output" : "nothing"
               resume = $3 ~ /of/ ? "continued" : $3; printf "%s,%s,%s\n", $1, left, resume }' >> "$csv"
echo
echo "| fault | left | --resume | runs |"
echo "|---|---|---|---|"
tail -n +2 "$csv" | sort | uniq -c | awk '{ n = $1; $1 = ""; split(substr($0, 2), f, ","); printf "| %s | %s | %s | %d |\n", f[1], f[2], f[3], n }'
