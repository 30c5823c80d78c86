#!/usr/bin/env bash
# Strong and weak scaling of `ecm run` (issue 4), with a CSV and a PNG plot.
#   strong: the end_to_end.sh dataset (16x16 scan, 1000 cycles, 48x48 uint16, 1.18 GB) on
#           1, 2, ... ranks; efficiency T1 / (n Tn);
#   weak:   16 x (8 n) positions on n ranks (0.59 GB per rank), efficiency T1 / Tn.
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

for n in $ranks; do
  for i in $(seq 1 "$repeat"); do one_run strong "$n" "$i" "$out/acquisition.h5"; done
  weak=$out/weak_$n.h5
  [ -f "$weak" ] || $mpi -n 2 "$ecm" simulate "$weak" --truth "$out/weak_${n}_truth.h5" --scan "16,$((8 * n))" \
    --cycles 1000 --detector 48,48 > /dev/null
  for i in $(seq 1 "$repeat"); do one_run weak "$n" "$i" "$weak"; done
done

# Medians and efficiencies.
summary=$out/scaling_summary.csv
awk -F, 'NR > 1 { key = $1 "," $2; v[key] = v[key] " " $4 }
  END { for (k in v) print k "," v[k] }' "$csv" | sort -t, -k1,1 -k2,2n |
  while IFS=, read -r kind n list; do
    med=$(echo $list | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    echo "$kind,$n,$med"
  done > "$summary.tmp"
awk -F, '
  { t[$1, $2] = $3; if (!($1 in first)) { first[$1] = $2 }; row[NR] = $0 }
  END {
    print "kind,ranks,median_wall_s,efficiency"
    for (i = 1; i <= NR; i++) {
      split(row[i], f, ",")
      base = t[f[1], first[f[1]]]
      eff = (f[1] == "strong") ? base / (f[2] * f[3]) * first[f[1]] : base / f[3]
      printf "%s,%s,%s,%.3f\n", f[1], f[2], f[3], eff
    }
  }' "$summary.tmp" > "$summary"
rm -f "$summary.tmp"
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
gnuplot <<GP
set terminal pngcairo size 900,400 font ",10"
set output "$out/scaling.png"
set multiplot layout 1,2 title "ecm run scaling ($(nproc)-core machine, $(date -u +%Y-%m-%d))"
set xlabel "MPI ranks"; set grid; set key top left
set ylabel "speed-up (1.18 GB, warm cache)"
set xrange [0.5:*]; set yrange [0:*]
plot "$out/scaling_strong.dat" using 2:(column(3) > 0 ? 0 : 0) notitle with points pt -1, \
     x title "ideal" dt 2 lc rgb "gray", \
     "< awk 'NR == 1 { t1 = \$3 } { print \$2, t1 / \$3, \$4 }' $out/scaling_strong.dat" using 1:2 title "strong scaling" with linespoints pt 7 lw 2
set ylabel "efficiency T1 / Tn (0.59 GB per rank)"
set yrange [0:1.1]
plot 1 title "ideal" dt 2 lc rgb "gray", \
     "$out/scaling_weak.dat" using 2:4 title "weak scaling" with linespoints pt 7 lw 2
unset multiplot
GP
echo "plot: $out/scaling.png"
