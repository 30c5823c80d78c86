#!/usr/bin/env bash
# The science products as a user makes them (issue 5): simulate a small acquisition, `ecm
# run`, `ecm stats` (table, /stats, CSV) and `ecm report` (PNGs + HTML). Every PNG must
# be a real figure (png_check: size, colours, drawn area) and be linked from index.html;
# `ecm design` flags the result and answers planned parameters with its exit codes;
# a flat image must fail png_check; a file that is not a result must give one line, exit 1.
#   check_report.sh ECM PNG_CHECK WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 png_check=$2 dir=$3
mpi="${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"

$mpi "$ecm" simulate "$dir/acq.h5" --truth "$dir/truth.h5" --scan 16,16 --cycles 600 --detector 32,32 \
  --k-pixel-size 0.04 --tau 2.5 --time-step 0.125 --dtype uint8 --domain-size 3 --sigma-ln-tau 0.7 > "$dir/simulate.log" 2>&1 ||
  { cat "$dir/simulate.log"; fail "simulate"; }
$mpi "$ecm" run "$dir/acq.h5" -o "$dir/tau.h5" --kr-range 0.3,0.55 --n-kr 3 --n-kphi 24 > "$dir/run.log" 2>&1 ||
  { cat "$dir/run.log"; fail "run"; }
$mpi "$ecm" stats "$dir/tau.h5" --csv "$dir/stats" > "$dir/stats.log" 2>&1 || { cat "$dir/stats.log"; fail "stats"; }
cat "$dir/stats.log"
grep -q "ensemble tau" "$dir/stats.log" || fail "stats printed no table"
[ "$(wc -l < "$dir/stats_kr.csv")" -eq 4 ] || fail "stats_kr.csv should have a header and 3 k_r rows"
[ "$(wc -l < "$dir/stats_maps.csv")" -eq 73 ] || fail "stats_maps.csv should have a header and 3 x 24 rows"
h5ls -r "$dir/tau.h5" | grep -q "^/stats/k_r/ensemble_tau_s" || fail "/stats/k_r/ensemble_tau_s missing"

# Design rules on the result: a verdict exit code (0 reliable, 4 marginal, 3 unreliable), the flags.
$mpi "$ecm" design "$dir/tau.h5" > "$dir/design.log" 2>&1
code=$?
cat "$dir/design.log"
case $code in 0|3|4) ;; *) fail "ecm design OUT.h5 exited $code";; esac
h5ls "$dir/tau.h5/design" | grep -q "reliability_flags *Dataset {16, 16, 3, 24}" || fail "/design/reliability_flags missing"
grep -q "verdict:" "$dir/design.log" || fail "no verdict printed"
# Planned mode: the paper's rules before an experiment.
"$ecm" design --scan 100,100 --frame-rate 10000 --tau 40 --diffracted-current 2e6 --ring-pixels 100 > /dev/null ||
  fail "a plan meeting every rule did not exit 0"
"$ecm" design --scan 100,100 --frame-rate 10000 --tau 5 --diffracted-current 2e6 --ring-pixels 100 > /dev/null
[ $? -eq 3 ] || fail "a plan at tau/5 did not exit 3"
"$ecm" design --scan 100,100 --frame-rate 10000 --tau 40 --ring-pixels 100 > "$dir/design_bad.log" 2>&1 &&
  fail "a plan without a current succeeded"
grep -q "error: give --diffracted-current" "$dir/design_bad.log" || { cat "$dir/design_bad.log"; fail "unclear message"; }

$mpi "$ecm" report "$dir/tau.h5" -o "$dir/report" > "$dir/report.log" 2>&1 || { cat "$dir/report.log"; fail "report"; }
grep -q "Experiment-design rules" "$dir/report/index.html" || fail "the design verdict is not on the page"
cat "$dir/report.log"
for fig in tau_maps tau_vs_kphi histograms tau_vs_kr xi_vs_tau; do
  [ -f "$dir/report/$fig.png" ] || fail "$fig.png missing"
  grep -q "src=\"$fig.png\"" "$dir/report/index.html" || fail "$fig.png not on the page"
done
"$png_check" "$dir"/report/*.png || fail "a figure is empty or broken"

# The checker itself must reject a figure with nothing drawn on it.
printf "set terminal pngcairo size 640,480\nset output '%s'\nunset border\nunset tics\nplot [0:1][0:1] -1 notitle\n" \
  "$dir/blank.png" | gnuplot 2> /dev/null
[ -f "$dir/blank.png" ] || fail "gnuplot did not write the blank test image"
"$png_check" "$dir/blank.png" > /dev/null 2>&1 && fail "png_check accepted a blank image"

# Wrong input: one line naming the problem, exit 1, on every rank.
$mpi "$ecm" report "$dir/acq.h5" -o "$dir/bad" > "$dir/bad.log" 2>&1 && fail "report of an input file succeeded"
grep -q "is not an ecm run result" "$dir/bad.log" || { cat "$dir/bad.log"; fail "unclear message"; }
[ "$(grep -c 'error:' "$dir/bad.log")" -eq 1 ] || { cat "$dir/bad.log"; fail "not exactly one error line"; }

# A result without a valid fit (issue 14, class 11): one line, exit 1, nothing created; a
# report already in the folder is left whole. A result where only some k_r have valid fits
# is drawn from those (the I(k) peak has none here).
cp "$dir/tau.h5" "$dir/none.h5" && cp "$dir/tau.h5" "$dir/part.h5"
/usr/bin/python3 - "$dir" <<'PY' || fail "editing the result copies"
import sys, h5py, numpy as np
d = sys.argv[1]
with h5py.File(f"{d}/none.h5", "r+") as f:
    f["tau"][...] = np.nan
    f["fit_status"][...] = 2
with h5py.File(f"{d}/part.h5", "r+") as f:
    peak = int(np.argmax(f["stats/k_r/intensity"][...])) if "stats/k_r/intensity" in f else 1
    tau, st = f["tau"][...], f["fit_status"][...]
    keep = 0 if peak != 0 else 2
    for ir in range(tau.shape[2]):
        if ir != keep:
            tau[:, :, ir, :] = np.nan
            st[:, :, ir, :] = 2
    f["tau"][...], f["fit_status"][...] = tau, st
PY
before=$(cd "$dir" && find report -type f -exec sha256sum {} + | sort | sha256sum)
for out in nothing report; do
  $mpi "$ecm" report "$dir/none.h5" -o "$dir/$out" > "$dir/none.log" 2>&1 && fail "report of a result without a valid fit succeeded"
  [ "$(grep -c "error:" "$dir/none.log")" -eq 1 ] && grep -q "holds no valid tau fit" "$dir/none.log" ||
    { cat "$dir/none.log"; fail "no valid fit: unclear message"; }
done
[ -e "$dir/nothing" ] && fail "a failed report left $dir/nothing"
ls -d "$dir"/*.partial-* > /dev/null 2>&1 && fail "a failed report left a staging folder"
after=$(cd "$dir" && find report -type f -exec sha256sum {} + | sort | sha256sum)
[ "$before" = "$after" ] || fail "a failed report changed the report already in the folder"
$mpi "$ecm" report "$dir/part.h5" -o "$dir/part" > "$dir/part.log" 2>&1 || { cat "$dir/part.log"; fail "report of a partly valid result"; }
for fig in tau_maps tau_vs_kphi histograms tau_vs_kr; do [ -f "$dir/part/$fig.png" ] || fail "partly valid: $fig.png missing"; done
"$png_check" "$dir"/part/tau_maps.png "$dir"/part/histograms.png || fail "partly valid: a figure is empty"
echo "report: no valid fit refused, partly valid result drawn"
echo "PASS"
