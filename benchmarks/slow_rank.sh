#!/usr/bin/env bash
# Dynamic against static scheduling with one slow rank (issue 4): the benchmark dataset of
# end_to_end.sh on RANKS ranks (default 2), `--memory-budget 120M` (16 tiles), the last
# rank slowed by `--throttle THROTTLE` seconds per tile (default 0.3: about 3x slower
# than the others here). Each schedule runs REPEAT times (default 3) with a warm page
# cache; prints a CSV (schedule,run,wall_s,tiles_per_rank) into $OUT_DIR/slow_rank.csv and
# the median speed-up.
#   benchmarks/slow_rank.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/../build/bench}
ecm=$build/drivers/ecm
mpi="bash $here/../cmake/mpiexec.sh"
ranks=${RANKS:-2} throttle=${THROTTLE:-0.3} repeat=${REPEAT:-3}
[ -f "$out/acquisition.h5" ] || RANKS=1 bash "$here/end_to_end.sh" "$build" "$out" > /dev/null
csv=$out/slow_rank.csv
echo "schedule,run,wall_s,tiles_per_rank" > "$csv"
for i in $(seq 1 "$repeat"); do
  for schedule in static dynamic; do
    log=$out/slow_rank_${schedule}_$i.log
    $mpi -n "$ranks" "$ecm" run "$out/acquisition.h5" -o "$out/slow_rank_$schedule.h5" --memory-budget 120M \
      --schedule "$schedule" --throttle "$throttle" --throttle-rank $((ranks - 1)) > "$log"
    awk -v s="$schedule" -v i="$i" '/wall time/ { w = $3 } /tiles per rank/ { $1 = $2 = $3 = ""; t = $0; gsub(/^ +| +$/, "", t); gsub(/ +/, "/", t) }
      END { printf "%s,%s,%s,%s\n", s, i, w, t }' "$log" >> "$csv"
  done
done
cat "$csv"
median() { grep "^$1," "$csv" | cut -d, -f3 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
s=$(median static) d=$(median dynamic)
awk -v s="$s" -v d="$d" 'BEGIN { printf "median wall: static %.2f s, dynamic %.2f s: dynamic finishes %.0f %% sooner\n", s, d, 100 * (1 - d / s) }'
