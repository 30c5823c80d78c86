#!/usr/bin/env bash
# `ecm ttcf` as a user runs it (issue 5): simulate a small acquisition, compute the two-time
# correlation on 2 ranks with two chosen positions, check the output schema (docs/ttcf.md),
# draw it with `ecm report --ttcf`; then a position outside the scan must give one line, a
# non-zero exit and no output file.
#   check_ttcf.sh ECM PNG_CHECK WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 png_check=$2 dir=$3
here=$(cd "$(dirname "$0")" && pwd)
mpi="${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"

$mpi "$ecm" simulate "$dir/acq.h5" --truth "$dir/truth.h5" --scan 4,4 --cycles 400 --detector 32,32 \
  --k-pixel-size 0.04 --tau 2.5 --time-step 0.125 --dtype uint8 --sigma-ln-tau 0 --sectors 1 > "$dir/simulate.log" 2>&1 ||
  { cat "$dir/simulate.log"; fail "simulate"; }
strip="--kr-range 0.3,0.55 --n-kr 3 --n-kphi 24"
$mpi "$ecm" ttcf "$dir/acq.h5" -o "$dir/ttcf.h5" $strip --positions "1,1; 2,3" > "$dir/ttcf.log" 2>&1 ||
  { cat "$dir/ttcf.log"; fail "ttcf"; }
cat "$dir/ttcf.log"
grep -q "ecm ttcf: wrote $dir/ttcf.h5" "$dir/ttcf.log" || fail "no summary printed"
[ "$(grep -c 'ecm ttcf: wrote' "$dir/ttcf.log")" -eq 1 ] || fail "the summary should be printed once (rank 0)"
[ -e "$dir/ttcf.h5.partial" ] && fail "TTCF.h5.partial left behind"
listing=$(h5ls -r "$dir/ttcf.h5") || fail "h5ls cannot read the output"
echo "$listing"
for expected in "/ttcf/G_mean Dataset {400, 400}" "/ttcf/G_positions Dataset {2, 400, 400}" \
                "/ttcf/positions_yx Dataset {2, 2}" "/ttcf/elapsed_s Dataset {10}" "/ttcf/band_width_s Dataset {10}" \
                "/ttcf/band_profile Dataset {10, 400}"; do
  echo "$listing" | tr -s ' ' | grep -Fxq "$expected" || fail "missing or wrong: $expected"
done
for attr in time_step_s positions_averaged aging_slope aging_slope_err aging_detected verdict; do
  h5dump -a "/ttcf/$attr" "$dir/ttcf.h5" > /dev/null 2>&1 || fail "attribute /ttcf/$attr missing"
done
h5dump -A 0 -d /ttcf/positions_yx "$dir/ttcf.h5" | tr -d ' \n' | grep -q "(0,0):1,1,(1,0):2,3" || fail "positions_yx wrong"
# Every band width measured (a 20-tau run: finite is what is checked here; tests/mpi/test_ttcf.cpp
# measures the accuracy).
widths=$(h5dump -A 0 -d /ttcf/band_width_s "$dir/ttcf.h5" | sed -n '/DATA {/,/}/p')
echo "$widths"
echo "$widths" | grep -qi nan && fail "a band width is NaN"

# The report draws it beside the tau maps.
$mpi "$ecm" run "$dir/acq.h5" -o "$dir/tau.h5" $strip > "$dir/run.log" 2>&1 || { cat "$dir/run.log"; fail "run"; }
$mpi "$ecm" report "$dir/tau.h5" -o "$dir/report" --ttcf "$dir/ttcf.h5" > "$dir/report.log" 2>&1 ||
  { cat "$dir/report.log"; fail "report --ttcf"; }
[ -f "$dir/report/ttcf.png" ] || fail "ttcf.png missing"
"$png_check" "$dir/report/ttcf.png" || fail "ttcf.png is empty or broken"

# A position listed again is computed once, in the order first given, with a note (issue 14,
# class 15: 8000 positions with repeats made a 400 MB output of copies).
$mpi "$ecm" ttcf "$dir/acq.h5" -o "$dir/dup.h5" $strip --positions "2,3; 1,1; 2,3; 1,1; 2,3" > "$dir/dup.log" 2>&1 ||
  { cat "$dir/dup.log"; fail "ttcf with repeated positions"; }
grep -Fq "note            --positions listed 3 position(s) again: each is computed and written once, in the order first given (2 distinct)" \
  "$dir/dup.log" || { cat "$dir/dup.log"; fail "no note on the repeated positions"; }
h5ls "$dir/dup.h5/ttcf" | tr -s ' ' | grep -Fxq "G_positions Dataset {2, 400, 400}" ||
  { h5ls "$dir/dup.h5/ttcf"; fail "repeated positions written more than once"; }
h5dump -A 0 -d /ttcf/positions_yx "$dir/dup.h5" | tr -d ' \n' | grep -q "(0,0):2,3,(1,0):1,1" ||
  fail "positions_yx of repeated positions: not each once in the order first given"

# Wrong input: a position outside the 4x4 scan.
"$here/expect_failure.sh" "$dir/bad.h5" "--positions: scan position 4,1 is outside the 4x4 scan" 2 -- \
  "$ecm" ttcf "$dir/acq.h5" -o "$dir/bad.h5" $strip --positions "0,0;4,1" || fail "bad position"
"$here/expect_failure.sh" "$dir/bad.h5" "--positions expects" 2 -- \
  "$ecm" ttcf "$dir/acq.h5" -o "$dir/bad.h5" --positions "1;2" || fail "malformed positions"
echo "PASS"
