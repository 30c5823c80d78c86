#!/usr/bin/env bash
# Strong and weak scaling of `ecm run` (issue 4), with a CSV and a PNG plot.
#   strong: the end_to_end.sh dataset (16x16 scan, 1000 cycles, 48x48 uint16, 1.18 GB) on
#           1, 2, ... ranks; efficiency T1 / (n Tn);
#   weak:   16 x (8 n) positions on n ranks (0.59 GB per rank), efficiency T1 / Tn;
#   independent: n separate 1-rank runs of the weak 1-rank dataset at once, one per core
#           (no MPI between them): what this machine gives n jobs at that moment, the
#           ceiling of weak scaling here. On a VM whose cores are shared with other guests
#           this is below 1 by itself (docs/scaling.md).
# Times are `ecm run`'s own wall time (setup to commit; not mpiexec's start-up), median of
# REPEAT runs (default 3), page cache warm unless DROP_CACHE=1 (one VM disk does not scale
# with ranks; reading is modelled separately in docs/scaling.md).
#   benchmarks/scaling.sh [BUILD_DIR] [OUT_DIR]        RANKS="1 2" by default
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/../build/bench}
ecm=$build/drivers/ecm
mpi="bash $here/../cmake/mpiexec.sh"
ranks=${RANKS:-1 2} repeat=${REPEAT:-3}
mkdir -p "$out"
[ -f "$out/acquisition.h5" ] || RANKS=1 bash "$here/end_to_end.sh" "$build" "$out" > /dev/null
csv=$out/scaling.csv
echo "kind,ranks,run,wall_s,raw_MB,read_s,kernels_s,wait_s" > "$csv"

one_run() {  # kind ranks run input
  [ "${DROP_CACHE:-0}" = 1 ] && { sync; (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null || true; }
  $mpi -n "$2" "$ecm" run "$4" -o "$out/scaling_tau.h5" --progress none |
    awk -v k="$1" -v n="$2" -v i="$3" '
      /wall time/  { w = $3 }
      /throughput/ { mb = $9; gsub(/\(/, "", mb) }
      /stages, s/  { for (j = 3; j <= NF; j++) t[$j] = $(j + 1) }
      END { printf "%s,%s,%s,%s,%s,%s,%s,%s\n", k, n, i, w, mb, t["read"] + t["register_read"],
                   t["polar"] + t["g2"] + t["fit"] + t["download"] + t["register"], t["wait"] }' >> "$csv"
}

# n copies of the 1-rank weak run at once, copy i on core i (as mpiexec binds rank i);
# the row's wall is the slowest copy's.
independent_run() {  # ranks run
  local pids=() i
  for i in $(seq 0 $(($1 - 1))); do
    taskset -c "$((i % $(nproc)))" "$ecm" run "$out/weak_1.h5" -o "$out/independent_$i.h5" --progress none \
      > "$out/independent_$i.log" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$out"/independent_*.log | awk -v n="$1" -v i="$2" '
    /wall time/  { if ($3 > w) w = $3 }
    /throughput/ { x = $9; gsub(/\(/, "", x); mb += x }
    /stages, s/  { for (j = 3; j <= NF; j++) t[$j] += $(j + 1) / n }
    END { printf "independent,%s,%s,%s,%s,%s,%s,%s\n", n, i, w, mb, t["read"] + t["register_read"],
                 t["polar"] + t["g2"] + t["fit"] + t["download"] + t["register"], t["wait"] }' >> "$csv"
  rm -f "$out"/independent_*.log "$out"/independent_*.h5
}

for n in $ranks; do
  weak=$out/weak_$n.h5
  [ -f "$weak" ] || $mpi -n 2 "$ecm" simulate "$weak" --truth "$out/weak_${n}_truth.h5" --scan "16,$((8 * n))" \
    --cycles 1000 --detector 48,48 > /dev/null
done
# Repeats outermost: every configuration runs once per pass, so a VM whose speed drifts over
# minutes (this one does, docs/scaling.md) slows all of them alike instead of one rank count.
for i in $(seq 1 "$repeat"); do
  for n in $ranks; do
    one_run strong "$n" "$i" "$out/acquisition.h5"
    one_run weak "$n" "$i" "$out/weak_$n.h5"
    [ "$n" -gt 1 ] && independent_run "$n" "$i"
  done
done

# Medians and efficiencies. `efficiency` compares the medians of the walls; `paired_efficiency`
# is the median over passes of each pass's own efficiency (its runs minutes apart, not tens
# of minutes), the steadier number on a VM whose speed drifts; `paired_min`/`paired_max` its
# spread.
summary=$out/scaling_summary.csv
{
echo "kind,ranks,median_wall_s,efficiency,paired_efficiency,paired_min,paired_max"
awk -F, '
  function median(list,   n, a, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR > 1 { t[$1, $2, $3] = $4; walls[$1 "," $2] = walls[$1 "," $2] " " $4; runs[$3] = 1
           if (!($1 in base) || $2 + 0 < base[$1] + 0) base[$1] = $2 }
  END {
    for (key in walls) {
      split(key, f, ",")
      k = f[1]; n = f[2]; bk = (k == "independent") ? "weak" : k; b = base[bk]
      m = median(walls[key]); mb = median(walls[bk "," b])
      eff = (k == "strong") ? mb * b / (n * m) : mb / m
      list = ""; lo = 1e9; hi = 0
      for (i in runs)
        if ((k, n, i) in t && (bk, b, i) in t) {
          e = (k == "strong") ? t[k, b, i] * b / (n * t[k, n, i]) : t[bk, b, i] / t[k, n, i]
          list = list " " e; if (e < lo) lo = e; if (e > hi) hi = e
        }
      printf "%s,%s,%s,%.3f,%.3f,%.3f,%.3f\n", k, n, m, eff, median(list), lo, hi
    }
  }' "$csv" | sort -t, -k1,1 -k2,2n
} > "$summary"
cat "$csv"
echo
cat "$summary"

# The plot (gnuplot from Debian: installed here if missing).
if ! command -v gnuplot > /dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gnuplot-nox
fi
grep '^strong' "$summary" | tr , ' ' > "$out/scaling_strong.dat"
grep '^weak' "$summary" | tr , ' ' > "$out/scaling_weak.dat"
{ grep '^weak,1,' "$summary"; grep '^independent' "$summary"; } | tr , ' ' > "$out/scaling_independent.dat"
gnuplot <<GP
set terminal pngcairo size 900,400 font ",10"
set output "$out/scaling.png"
set multiplot layout 1,2 title "ecm run scaling ($(nproc)-core machine, $(date -u +%Y-%m-%d))"
set xlabel "MPI ranks"; set grid; set key top left
set ylabel "speed-up (1.18 GB, warm cache)"
set xrange [0.5:$(echo $ranks | tr " " "\n" | sort -n | tail -1).5]; set yrange [0:*]
plot "$out/scaling_strong.dat" using 2:(column(3) > 0 ? 0 : 0) notitle with points pt -1, \
     x title "ideal" dt 2 lc rgb "gray", \
     "< awk 'NR == 1 { t1 = \$3 } { print \$2, t1 / \$3, \$4 }' $out/scaling_strong.dat" using 1:2 title "strong scaling" with linespoints pt 7 lw 2
set ylabel "efficiency T1 / Tn (0.59 GB per rank)"
set yrange [0:1.4]
set key bottom right
plot 1 title "ideal" dt 2 lc rgb "gray", \
     "$out/scaling_weak.dat" using 2:5 title "weak scaling (median of passes, range)" with linespoints pt 7 lw 2 lc 1, \
     "$out/scaling_weak.dat" using 2:5:6:7 notitle with yerrorbars pt 7 lc 1, \
     "$out/scaling_independent.dat" using 2:5 title "n independent 1-rank runs (ceiling)" with linespoints pt 6 dt 3 lc 2, \
     "$out/scaling_independent.dat" using 2:5:6:7 notitle with yerrorbars pt 6 lc 2
unset multiplot
GP
echo "plot: $out/scaling.png"
