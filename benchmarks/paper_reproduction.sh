#!/usr/bin/env bash
# Paper-reproduction benchmark (issue 5): simulated sweeps that reproduce the trends of
# Huang & Voyles Figs. 4b, 4c and 5b, with `ecm design`'s verdict on every point.
#   dose: electrons/px/frame at the ring 0.05 .. 5 at time step tau/40      (Fig. 4b: tau low below ~1)
#   time: time step tau/40 .. tau/2.5 at 2 e/px, duration 80 tau each       (Fig. 4c: diverges above ~tau/20)
#   bin:  k_phi bin / k_c 0.25 .. 4 at 2 e/px and tau/40, tau varying every 0.38 k_c (Fig. 5b: high above 1)
# Each point: `ecm simulate` (10 x 10 scan, 32 x 32 detector, median tau 2.5 s, sigma ln tau
# 0.6), `ecm run` on one k_r ring bin around the peak (0.40-0.52 1/A), `ecm stats` for the
# ensemble tau twice: valid fits only (ecm's answer) and with failed fits as tau = 0 (the
# authors' notebooks' convention, --failures-as-zero), and `ecm design OUT.h5` for the
# verdict. Writes paper_reproduction.csv and paper_reproduction.png (gnuplot) into OUT_DIR.
#   benchmarks/paper_reproduction.sh [BUILD_DIR] [OUT_DIR]      RANKS=2 by default
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/../build/bench_paper}
ecm=$build/drivers/ecm
mpi="bash $here/../cmake/mpiexec.sh -n ${RANKS:-2}"
mkdir -p "$out"
csv=$out/paper_reproduction.csv
echo "sweep,value,tau_over_true,std_over_true,valid_fraction,counts_per_px,time_step_over_tau,bin_over_kc,design_verdict,design_exit,tau_failures_as_zero_over_true" > "$csv"
tau=2.5 kc=0.08 k=0.46

# point SWEEP VALUE DOSE TIME_STEP N_KPHI N_SECTORS CYCLES
point() {
  local sweep=$1 value=$2 dose=$3 dt=$4 nphi=$5 nsec=$6 cycles=$7 tag="$1_$2"
  $mpi "$ecm" simulate "$out/$tag.h5" --truth "$out/${tag}_truth.h5" --scan 10,10 --cycles "$cycles" --detector 32,32 \
    --k-pixel-size 0.04 --dtype uint8 --tau "$tau" --sigma-ln-tau 0.6 --domain-size 2 --time-step "$dt" \
    --dose "$dose" --sectors "$nsec" --seed 3 > /dev/null
  $mpi "$ecm" run "$out/$tag.h5" -o "$out/${tag}_tau.h5" --kr-range 0.40,0.52 --n-kr 1 --n-kphi "$nphi" \
    --progress none > /dev/null
  $mpi "$ecm" stats "$out/${tag}_tau.h5" --csv "$out/${tag}_zero" --failures-as-zero > /dev/null
  zero=$(awk -F, -v t="$tau" 'NR == 2 { printf "%.4f", $3 / t }' "$out/${tag}_zero_kr.csv")
  $mpi "$ecm" stats "$out/${tag}_tau.h5" --csv "$out/${tag}_stats" > /dev/null
  set +e
  $mpi "$ecm" design "$out/${tag}_tau.h5" > "$out/${tag}_design.log" 2>&1
  code=$?
  set -e
  verdict=$(awk -F': *' '/^ *verdict/ { print $2; exit }' "$out/${tag}_design.log")
  rm -f "$out/$tag.h5"  # keep the results, not the frames
  awk -F, -v s="$sweep" -v v="$value" -v t="$tau" -v d="$dose" -v dt="$dt" -v n="$nphi" -v kc="$kc" -v k="$k" \
      -v verdict="$verdict" -v code="$code" -v zero="$zero" 'NR == 2 {
        printf "%s,%s,%.4f,%.4f,%.4f,%.3f,%.4f,%.3f,%s,%s,%s\n", s, v, $3 / t, $4 / t, $6, $2, dt / t,
               k * 2 * 3.14159265 / n / kc, verdict, code, zero }' "$out/${tag}_stats_kr.csv" >> "$csv"
  tail -1 "$csv"
}

# tau/40, so that only the counts rule is at stake.
for dose in 0.05 0.1 0.2 0.5 1 2 5; do point dose "$dose" "$dose" 0.0625 48 24 3200; done
# Fixed duration (80 tau), as when the authors changed the time step of one recording.
for ratio in 40 20 10 5 2.5; do
  point time "$ratio" 2 "$(awk -v t=$tau -v r=$ratio 'BEGIN { print t / r }')" 48 24 "$(awk -v r=$ratio 'BEGIN { print 80 * r }')"
done
# k_phi bins of 0.25 .. 4 k_c at k = 0.46 1/A: n_kphi = 2 pi k / (ratio k_c).
for n in 144 72 48 36 24 18 12 9; do point bin "$n" 2 0.0625 "$n" 96 3200; done

gnuplot <<GP
set terminal pngcairo size 1500,460 enhanced font ',11'
set output '$out/paper_reproduction.png'
set datafile separator ','
set multiplot layout 1,3
set grid
set ylabel 'ensemble {/Symbol t} / true median'
set yrange [0:*]
set key top left
set logscale x
set xlabel 'electrons per pixel at the ring (per frame)'
set title 'dose (cf. Fig. 4b), time step {/Symbol t}/40'
plot '$csv' using (strcol(1) eq 'dose' ? \$6 : NaN):3:4 with yerrorlines pt 7 lw 2 title 'ecm (valid fits)', \\
     '' using (strcol(1) eq 'dose' ? \$6 : NaN):11 with linespoints pt 6 lw 2 title 'failed fits as 0 (authors)', \\
     1 dt 2 lc rgb 'black' title 'truth'
set xlabel 'time step / {/Symbol t}'
set title 'time step (cf. Fig. 4c), 2 e/px'
plot '$csv' using (strcol(1) eq 'time' ? \$7 : NaN):3:4 with yerrorlines pt 7 lw 2 title 'measured', 1 dt 2 lc rgb 'black' title 'truth'
set xlabel 'k_{/Symbol f} bin / k_c'
set title 'k_{/Symbol f} bin (cf. Fig. 5b), 2 e/px'
plot '$csv' using (strcol(1) eq 'bin' ? \$8 : NaN):3:4 with yerrorlines pt 7 lw 2 title 'measured', 1 dt 2 lc rgb 'black' title 'truth'
unset multiplot
GP
echo "wrote $csv and $out/paper_reproduction.png"
