#!/usr/bin/env bash
# Regenerates docs/report-example: a simulated sample with domains and a k-dependent tau,
# analysed by ecm run, ecm stats, ecm ttcf and ecm report (the figures linked from the README).
#   benchmarks/report_example.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
work=${2:-$here/../build/report_example}
ecm=$build/drivers/ecm
mpi="bash $here/../cmake/mpiexec.sh -n 2"
mkdir -p "$work"
# 24 x 24 scan, 2000 cycles at tau/40, 2 e/px, sigma ln tau 0.6, 3 px domains, tau ~ k^-2;
# 40 k_phi bins (0.077 1/A at the peak, k_c = 0.08): the design rules pass at the peak.
$mpi "$ecm" simulate "$work/acq.h5" --truth "$work/truth.h5" --scan 24,24 --cycles 2000 --detector 32,32 \
  --k-pixel-size 0.04 --dtype uint8 --tau 2.5 --time-step 0.0625 --sigma-ln-tau 0.6 --domain-size 3 \
  --kr-exponent -2 --seed 5
$mpi "$ecm" run "$work/acq.h5" -o "$work/tau.h5" --kr-range 0.3,0.6 --n-kr 4 --n-kphi 40 --progress none
$mpi "$ecm" stats "$work/tau.h5"
ttcf_args=()
if $mpi "$ecm" ttcf "$work/acq.h5" -o "$work/ttcf.h5" --kr-range 0.3,0.6 --n-kr 4 --n-kphi 40; then
  ttcf_args=(--ttcf "$work/ttcf.h5")
fi
$mpi "$ecm" design "$work/tau.h5" || true   # exit code says reliable or not; the verdict goes on the page
rm -rf "$here/../docs/report-example"
$mpi "$ecm" report "$work/tau.h5" -o "$here/../docs/report-example" "${ttcf_args[@]}"
# Kept in the repository: the page, the PNGs and the gnuplot scripts; the data files (the TTCF
# matrix alone is 50 MB of text) are remade by this script.
rm -rf "$here/../docs/report-example/data" "$here/../docs/report-example/"*.log
