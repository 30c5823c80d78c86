#!/usr/bin/env bash
# `ecm design` as a script uses it (issue 5): the exit status is the verdict (0 reliable,
# 4 marginal, 3 unreliable, 1 bad input with one error line), in planned mode and on results
# of two tiny simulations, 0.1 e/px (unreliable: counts) and 2 e/px at tau/40 (reliable),
# with /design/reliability_flags shaped like /fit_status and re-written on a second call.
#   check_design.sh ECM WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 dir=$2
mpi="${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"

# expect CODE LOG ARGS...: `ecm design ARGS` on 2 ranks must exit CODE.
expect() {
  local want=$1 log=$2
  shift 2
  $mpi "$ecm" design "$@" > "$log" 2>&1
  local code=$?
  [ "$code" -eq "$want" ] || { cat "$log"; fail "ecm design $* exited $code, expected $want"; }
}
# One error line naming the problem (only the printing rank speaks).
one_error() {
  grep -q -- "$2" "$1" || { cat "$1"; fail "message does not name the problem: $2"; }
  [ "$(grep -c 'error:' "$1")" -eq 1 ] || { cat "$1"; fail "not exactly one error line"; }
}

# Planned: 100 x 100 at 10 000 fps is a 1 s time step; 2e6 e/s over 100 ring pixels 2 e/px.
plan="--scan 100,100 --frame-rate 10000 --diffracted-current 2e6 --ring-pixels 100"
expect 0 "$dir/plan_pass.log" $plan --tau 40 --kphi-bin 0.04 --convergence 0.05
grep -q "verdict: reliable" "$dir/plan_pass.log" || fail "no reliable verdict printed"
grep -q "to pass both: run at 5000 .. 20000 fps" "$dir/plan_pass.log" || { cat "$dir/plan_pass.log"; fail "window"; }
expect 4 "$dir/plan_marginal.log" $plan --tau 15        # 0.067 tau
expect 3 "$dir/plan_tau5.log" $plan --tau 5             # tau / 5
grep -q "time sampling (Eq. 4).*FAIL (4x the limit)" "$dir/plan_tau5.log" || { cat "$dir/plan_tau5.log"; fail "how far off"; }
expect 3 "$dir/plan_bin.log" $plan --tau 40 --kphi-bin 0.06 --convergence 0.05
# 0.1 e/px and no frame rate passing both: the largest scan that would (0.05*40*1000 = 2000, 44 x 44).
expect 3 "$dir/plan_dose.log" --scan 100,100 --frame-rate 10000 --diffracted-current 1e5 --ring-pixels 100 --tau 40
grep -q "scan at most 2000 positions (44 x 44) at 1000 fps" "$dir/plan_dose.log" || { cat "$dir/plan_dose.log"; fail "remedy"; }
# 2 pA with 1 % scattered into the ring = 1.248e5 e/s: 0.62 e/px at 2000 fps over 100 pixels.
expect 3 "$dir/plan_pa.log" --scan 10,10 --frame-rate 2000 --tau 40 --ring-pixels 100 --probe-current 2 \
  --scattered-fraction 0.01
grep -q "124830 e/s" "$dir/plan_pa.log" || { cat "$dir/plan_pa.log"; fail "pA to e/s"; }

expect 1 "$dir/bad1.log" --scan 100,100 --frame-rate 10000 --tau 40 --ring-pixels 100
one_error "$dir/bad1.log" "give --diffracted-current"
expect 1 "$dir/bad2.log" --scan 100 --frame-rate 10000 --diffracted-current 2e6 --ring-pixels 100 --tau 40
one_error "$dir/bad2.log" "--scan expects two numbers"
expect 1 "$dir/bad3.log" $plan --tau -1
one_error "$dir/bad3.log" "--tau is -1 s: the expected relaxation time must be a finite number in .1e-09, 1e+09. s"
expect 1 "$dir/bad4.log" $plan --tau 40 --no-such-option
one_error "$dir/bad4.log" "unrecognised option"
# Absurd numbers that passed "> 0" and gave "reliable" (issue 14, class 15): each is refused,
# naming the option and its range.
absurd() {  # absurd NAME MESSAGE ARGS...
  local name=$1 message=$2
  shift 2
  expect 1 "$dir/absurd_$name.log" "$@"
  one_error "$dir/absurd_$name.log" "$message"
}
absurd tau_huge "--tau is 1e+300 s: the expected relaxation time must be a finite number in .1e-09, 1e+09. s" $plan --tau 1e300
absurd ring_pixels_tiny "--ring-pixels is 1e-300 pixels: the detector pixels in the first ring must be a finite number in .1, 1e+09. pixels" \
  --scan 100,100 --frame-rate 10000 --diffracted-current 2e6 --ring-pixels 1e-300 --tau 40
absurd current_huge "the diffracted current (--diffracted-current, or --probe-current x --scattered-fraction) is 1e+300 e/s" \
  --scan 100,100 --frame-rate 10000 --diffracted-current 1e300 --ring-pixels 100 --tau 40
absurd kphi_bin_tiny "--kphi-bin is 1e-300 1/A: the k_phi bin width must be a finite number in .1e-06, 10. 1/A" \
  $plan --tau 40 --kphi-bin 1e-300 --convergence 0.05
absurd frame_rate_huge "--frame-rate is 1e+300 fps: the detector frame rate must be a finite number in .0.001, 1e+09. fps" \
  --scan 100,100 --frame-rate 1e300 --diffracted-current 2e306 --ring-pixels 1 --tau 1e9
absurd probe_current_huge "--probe-current is 1e+300 pA" \
  --scan 10,10 --frame-rate 2000 --tau 40 --ring-pixels 100 --probe-current 1e300 --scattered-fraction 0.01
absurd contrast_tiny "--contrast is 1e-300: the g2 contrast A must be a finite number in .1e-06, 1." $plan --tau 40 --contrast 1e-300 --cycles 10
"$ecm" design --help | grep -q -- "--ring-pixels" || fail "--help lists no options"

# Measured: the MPI test's acquisitions (6 x 6 scan, tau 2.5 s, 40 cycles per tau over 10 tau).
for case in "low 0.1 3" "good 2 0"; do
  read -r name dose want <<< "$case"
  $mpi "$ecm" simulate "$dir/$name.h5" --truth "$dir/${name}_truth.h5" --scan 6,6 --cycles 400 --detector 32,32 \
    --k-pixel-size 0.04 --tau 2.5 --time-step 0.0625 --dose "$dose" --dtype uint8 --seed 17 > "$dir/$name.sim.log" 2>&1 ||
    { cat "$dir/$name.sim.log"; fail "simulate $name"; }
  $mpi "$ecm" run "$dir/$name.h5" -o "$dir/${name}_tau.h5" --kr-range 0.40,0.52 --n-kr 1 --n-kphi 48 \
    > "$dir/$name.run.log" 2>&1 || { cat "$dir/$name.run.log"; fail "run $name"; }
  expect "$want" "$dir/$name.design.log" "$dir/${name}_tau.h5"
  cat "$dir/$name.design.log"
  h5ls "$dir/${name}_tau.h5/design" | grep -q "reliability_flags *Dataset {6, 6, 1, 48}" ||
    fail "/design/reliability_flags missing or not shaped like /fit_status"
  h5dump -a /design/reliability_flags/meaning "$dir/${name}_tau.h5" | grep -q "no valid tau" || fail "flag bits undocumented"
  h5dump -a /design/verdict "$dir/${name}_tau.h5" > "$dir/$name.verdict.txt" || fail "no verdict attribute"
done
grep -q '"unreliable: counts (Eq. 5) FAIL' "$dir/low.verdict.txt" || { cat "$dir/low.verdict.txt"; fail "low-dose verdict"; }
grep -q '"reliable"' "$dir/good.verdict.txt" || { cat "$dir/good.verdict.txt"; fail "good verdict"; }
# Every valid pixel of the low-dose result carries bit 1 (low counts); flags are 0..31.
h5dump -A 0 -d /design/reliability_flags -y -w 0 "$dir/low_tau.h5" | sed -n '/DATA {/,/}/p' | tr -c '0-9\n' ' ' |
  tr ' ' '\n' | grep -E '^[0-9]+$' > "$dir/low.flags"
[ "$(wc -l < "$dir/low.flags")" -eq 1728 ] || fail "expected 6*6*48 flags, got $(wc -l < "$dir/low.flags")"
awk '$1 % 2 == 0 || $1 > 31 { bad++ } END { exit bad > 0 }' "$dir/low.flags" || fail "a low-dose pixel without the low-counts bit"

# k_c supplied on the command line (0.46 * 2 pi / 48 = 0.060 1/A arcs against 0.03): bit 8 on
# every pixel, the verdict flips, and the second call replaces /design.
expect 3 "$dir/good_kc.log" "$dir/good_tau.h5" --convergence 0.03
grep -q "k_phi bin (Fig. 5).*FAIL" "$dir/good_kc.log" || { cat "$dir/good_kc.log"; fail "bin rule with --convergence"; }
h5dump -a /design/fraction_bin_too_wide "$dir/good_tau.h5" | grep -q "(0): 1$" || fail "not every pixel flagged bin > k_c"
expect 1 "$dir/bad_kc.log" "$dir/good_tau.h5" --convergence -1
one_error "$dir/bad_kc.log" "--convergence is -1 1/A: the probe convergence k_c must be a finite number in .1e-06, 10. 1/A"
# A result whose time step is absurd (1e-300 s passed the time rule everywhere: "reliable").
cp "$dir/good_tau.h5" "$dir/tiny_step.h5" || fail "copy"
/usr/bin/python3 -c "import h5py, sys; h5py.File(sys.argv[1], 'r+').attrs['time_step_s'] = 1e-300" "$dir/tiny_step.h5" ||
  fail "cannot edit time_step_s"
expect 1 "$dir/tiny_step.log" "$dir/tiny_step.h5"
one_error "$dir/tiny_step.log" "attribute 'time_step_s' of $dir/tiny_step.h5 is 1e-300 s: the time between scan cycles must be a finite number in .1e-09, 1e+09. s"
expect 1 "$dir/bad_file.log" "$dir/good.h5"
one_error "$dir/bad_file.log" "not an ecm run result"
echo "PASS"
