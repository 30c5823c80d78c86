#!/usr/bin/env bash
# NaN, Inf and absurd numbers in the input (issue 14, classes 2 and 9), every case on 2 ranks.
#   Class 2: one NaN pixel in float32 frames, NaN in --gain or --dark, a NaN beam_center_yx
#   attribute, and `ecm ttcf` on each, crashed both ranks (or, today, stopped the run on a
#   misleading "VDF images" line, or put a NaN into a bin unannounced). A NaN or Inf frame
#   value is now read as 0 counts and counted in an "input note" line; a NaN reference pixel
#   is masked and counted; a NaN beam centre attribute is ignored (the centre is found from
#   the frames, as without one) and said so. The same through the camera formats that carry
#   floats (EMPAD, float MRC).
#   Class 9: results silently wrong with exit 0: --scan-shape 2.5,1.6 ran as 2x1, a k pixel
#   size of Inf or 1e6 masked everything, --min-counts nan fitted nothing, a time step of
#   1e-300 s gave tau = 0 marked converged; all-NaN, all-zero, saturated, gain-0 input gave
#   0 % valid fits with exit 0; gain Inf and a full mask likewise. Numbers are refused where
#   options are parsed (naming the option) or the file's calibration is read (naming the
#   attribute and the file); a run with no valid tau exits 65 with one line saying why.
# Every case checks each rank's exit status, the error lines, and which files exist after.
#   check_nonfinite_input.sh ECM WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 dir=$2
fail() { echo "FAIL: $*"; exit 1; }
# A case that fails is reported and counted, and the others still run: all of them say what
# today's code does (the exit status is 1 if any failed).
failed=0
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
rm -rf "$dir" && mkdir -p "$dir/files" "$dir/logs" || fail "cannot create $dir"
logs=$(cd "$dir/logs" && pwd)
cd "$dir/files" || fail "cannot enter $dir/files"
mpi() { ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$@"; }
py() { /usr/bin/python3 - "$@" || fail "python: $*"; }

sim=(--scan 4,4 --cycles 64 --detector 48,48 --k-pixel-size 0.026 --tau 5 --time-step 0.25 --seed 3)
mpi "$ecm" simulate f32.h5 --truth truth.h5 "${sim[@]}" --dtype float32 > "$logs/sim.log" 2>&1 ||
  { cat "$logs/sim.log"; fail "simulate float32"; }
mpi "$ecm" simulate u16.h5 --truth truth16.h5 "${sim[@]}" > "$logs/sim16.log" 2>&1 ||
  { cat "$logs/sim16.log"; fail "simulate uint16"; }
mpi "$ecm" simulate stream.h5 --truth truths.h5 "${sim[@]}" --layout stream > "$logs/sims.log" 2>&1 ||
  { cat "$logs/sims.log"; fail "simulate stream"; }
# A drifting sample with texture: the drift is measured and applied (the shifted read path).
mpi "$ecm" simulate drift.h5 --truth drift_truth.h5 --scan 16,16 --cycles 64 --detector 32,32 --k-pixel-size 0.04 \
  --tau 2.5 --time-step 0.125 --dtype float32 --thickness-contrast 0.2 --drift 3,-2 > "$logs/simd.log" 2>&1 ||
  { cat "$logs/simd.log"; fail "simulate drift"; }
mpi "$ecm" simulate cam.raw --truth cam_truth.h5 --format empad --scan 3,2 --cycles 64 --detector 128,128 \
  --k-pixel-size 0.01 --tau 1.0 --time-step 0.125 --dtype float32 > "$logs/sime.log" 2>&1 ||
  { cat "$logs/sime.log"; fail "simulate empad"; }
mpi "$ecm" simulate cam.mrc --truth mrc_truth.h5 --format mrc --scan 3,2 --cycles 64 --detector 48,48 \
  --k-pixel-size 0.026 --tau 5 --time-step 0.25 --dtype float32 > "$logs/simm.log" 2>&1 ||
  { cat "$logs/simm.log"; fail "simulate mrc"; }

# The edited inputs (the pixel (10, 30) lies in the strip, cycle 3 is one registration skips).
py <<'PY'
import shutil, h5py, numpy as np
def edited(name, src="f32.h5"):
    shutil.copy(src, name)
    return h5py.File(name, "r+")
with edited("nan_one.h5") as f: f["frames"][3, 1, 2, 10, 30] = np.nan
with edited("nan_first.h5") as f: f["frames"][0, 0, 0, 10, 30] = np.nan      # a frame registration reads
with edited("nan_pixel.h5") as f: f["frames"][:, :, :, 10, 30] = np.inf      # a dead pixel, every frame
with edited("center_nan.h5") as f: f["frames"].attrs["beam_center_yx"] = np.array([np.nan, 23.5])
with edited("k_inf.h5") as f: f["frames"].attrs["k_pixel_size_inv_angstrom"] = np.inf
with edited("dt_tiny.h5") as f: f["frames"].attrs["time_step_s"] = 1e-300
with edited("all_nan.h5") as f: f["frames"][...] = np.nan
with edited("all_zero.h5") as f: f["frames"][...] = 0
with edited("saturated.h5", "u16.h5") as f: f["frames"][...] = 65535
# Finite float values so large that a bin's sum overflows a float: +Inf bins, and (signs
# alternating by cycle) series holding +Inf and -Inf, whose mean is NaN (class 15).
with edited("huge.h5") as f: f["frames"][...] = np.float32(3e38)
with edited("huge_mixed.h5") as f:
    a = np.full(f["frames"].shape, 3e38, "f4"); a[1::2] *= -1; f["frames"][...] = a
with edited("no_shape.h5", "stream.h5") as f: del f["frames"].attrs["scan_shape"]
with edited("drift_nan.h5", "drift.h5") as f: f["frames"][:, :, :, 8, 20] = np.nan
with h5py.File("refs.h5", "w") as f:
    one = np.ones((48, 48), "f4"); one[10, 30] = np.nan; f["gain_nan"] = one
    zero = np.zeros((48, 48), "f4"); zero[10, 30] = -np.inf; f["dark_inf"] = zero
    f["gain_zero"] = np.zeros((48, 48), "f4")
    f["gain_inf"] = np.full((48, 48), np.inf, "f4")
    f["mask_all"] = np.ones((48, 48), "u1")
# Camera files: one NaN pixel in every EMPAD frame (128 x 130 float32, 2 metadata rows), one
# NaN value in a float MRC (mode 2, header 1024 bytes + its extended header).
a = np.memmap("cam.raw", dtype="<f4", mode="r+").reshape(-1, 130, 128); a[:, 40, 90] = np.nan; a.flush()
ext = int(np.frombuffer(open("cam.mrc", "rb").read(96)[92:96], "<i4")[0])
m = np.memmap("cam.mrc", dtype="<f4", mode="r+", offset=1024 + ext).reshape(-1, 48, 48); m[7, 10, 30] = np.nan; m.flush()
PY

# ran NAME CODE OUTPUT ECM-ARGS...: every rank exits CODE; the printer's stdout and stderr
# are in $logs/NAME.out and .err. OUTPUT ("-" for none) must exist afterwards iff CODE is 0
# or 65 (a run with no valid tau keeps its file: its /fit_status says why).
ran() {
  local name=$1 code=$2 output=$3
  shift 3
  rm -f "$logs/$name".rc.*
  [ "$output" = - ] || rm -f "$output" "$output.partial" "$output.partial.tiles"
  mpi bash -c '"$@"; echo $? > "$0.rc.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"' "$logs/$name" "$ecm" "$@" \
    > "$logs/$name.out" 2> "$logs/$name.err"
  local show="cat $logs/$name.out $logs/$name.err"
  for rank in 0 1; do
    [ -f "$logs/$name.rc.$rank" ] || { $show; bad "$name: rank $rank did not finish"; return 1; }
    [ "$(cat "$logs/$name.rc.$rank")" -eq "$code" ] ||
      { $show; bad "$name: rank $rank exited $(cat "$logs/$name.rc.$rank"), not $code"; return 1; }
  done
  if [ "$output" != - ]; then
    if [ "$code" -eq 0 ] || [ "$code" -eq 65 ]; then
      [ -f "$output" ] || { $show; bad "$name: no $output"; return 1; }
    else
      [ ! -e "$output" ] || { $show; bad "$name: $output left behind"; return 1; }
    fi
    [ ! -e "$output.partial" ] && [ ! -e "$output.partial.tiles" ] || { $show; bad "$name: partial files left behind"; return 1; }
  fi
}
# works NAME NOTE ECM-ARGS...: exit 0 on every rank, no error line, NOTE in the summary.
works() {
  local name=$1 note=$2
  shift 2
  ran "$name" 0 "${4:-}" "$@" || return 1  # ECM-ARGS are "run|ttcf IN -o OUT ...": OUT is the 4th
  [ "$(grep -c 'error:' "$logs/$name.err")" -eq 0 ] || { cat "$logs/$name.err"; bad "$name: an error line"; return 1; }
  grep -Fq -- "$note" "$logs/$name.out" || { cat "$logs/$name.out"; bad "$name: no line \"$note\""; return 1; }
  echo "$name: exit 0, $(grep -F -- "$note" "$logs/$name.out" | head -1 | sed 's/^ *//')"
}
# refused NAME CODE MESSAGE ECM-ARGS...: exit CODE on every rank, exactly one error line, with MESSAGE.
refused() {
  local name=$1 code=$2 message=$3
  shift 3
  ran "$name" "$code" "${4:-}" "$@" || return 1
  [ "$(grep -c 'error:' "$logs/$name.err")" -eq 1 ] || { cat "$logs/$name.err"; bad "$name: not exactly one error line"; return 1; }
  grep -Fq -- "$message" "$logs/$name.err" || { cat "$logs/$name.err"; bad "$name: the message is not \"$message\""; return 1; }
  echo "$name: exit $code, $(grep 'error:' "$logs/$name.err")"
}
# finite_bins OUT: every converged tau is a positive finite number and no bin's mean count is NaN.
finite_bins() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    ok = f["fit_status"][()] == 0
    tau, mean = f["tau"][()], f["mean_intensity"][()]
    assert ok.any(), "no converged fit"
    assert np.all(np.isfinite(tau[ok]) & (tau[ok] > 0)), "a converged tau that is not a positive number"
    assert np.all(np.isfinite(mean)), f"{np.count_nonzero(~np.isfinite(mean))} bins with a NaN mean count"
PY
}

opts=(--progress none)
printf 'min-counts = nan\n' > nan.ini

# --- Class 2: NaN and Inf become masked values or pixels, counted and reported -----------
works run_nan_one "NaN or Inf in 1 frame value (1 detector pixel: y 10, x 30), read as 0 counts" \
  run nan_one.h5 -o out.h5 "${opts[@]}"
finite_bins out.h5 || bad "run_nan_one: NaN in the result"
works run_nan_registration_frame "NaN or Inf in 1 frame value (1 detector pixel: y 10, x 30)" \
  run nan_first.h5 -o out.h5 "${opts[@]}"
finite_bins out.h5 || bad "run_nan_registration_frame: NaN in the result"
works run_dead_pixel "NaN or Inf in 1024 frame values (1 detector pixel: y 10, x 30)" \
  run nan_pixel.h5 -o out.h5 "${opts[@]}"
works run_dead_pixel_no_register "NaN or Inf in 1024 frame values" \
  run nan_pixel.h5 -o out.h5 --no-register --no-center-track "${opts[@]}"
# With the drift applied each tile counts only its own positions of the boxes it reads.
works run_drift_dead_pixel "NaN or Inf in at least " run drift_nan.h5 -o out.h5 --kr-range 0.3,0.55 "${opts[@]}"
grep -q "drift .*; applied" "$logs/run_drift_dead_pixel.out" || { cat "$logs/run_drift_dead_pixel.out"; bad "run_drift_dead_pixel: the drift was not applied"; }
grep -Fq "(1 detector pixel: y 8, x 20)" "$logs/run_drift_dead_pixel.out" || bad "run_drift_dead_pixel: not the pixel (8, 20)"
finite_bins out.h5 || bad "run_drift_dead_pixel: NaN in the result"
works run_gain_nan "gain reference: 1 pixel NaN or Inf, masked" \
  run f32.h5 -o out.h5 --gain refs.h5:/gain_nan "${opts[@]}"
finite_bins out.h5 || bad "run_gain_nan: NaN in the result"
works run_dark_inf "dark reference: 1 pixel NaN or Inf, masked" \
  run u16.h5 -o out.h5 --dark refs.h5:/dark_inf "${opts[@]}"
works run_center_nan "attribute 'beam_center_yx' of '/frames' in center_nan.h5 is nan,23.5: ignored" \
  run center_nan.h5 -o out.h5 "${opts[@]}"
grep -q "beam centre .*found" "$logs/run_center_nan.out" || { cat "$logs/run_center_nan.out"; bad "run_center_nan: the centre was not found"; }
works ttcf_nan_one "NaN or Inf in 1 frame value (1 detector pixel: y 10, x 30)" ttcf nan_one.h5 -o out.h5
works ttcf_nan_registration_frame "NaN or Inf in 1 frame value" ttcf nan_first.h5 -o out.h5
works ttcf_gain_nan "gain reference: 1 pixel NaN or Inf, masked" ttcf f32.h5 -o out.h5 --gain refs.h5:/gain_nan
works ttcf_dark_inf "dark reference: 1 pixel NaN or Inf, masked" ttcf u16.h5 -o out.h5 --dark refs.h5:/dark_inf
works ttcf_center_nan "beam_center_yx' of '/frames' in center_nan.h5 is nan,23.5: ignored" ttcf center_nan.h5 -o out.h5
works empad_nan_pixel "NaN or Inf in 384 frame values (1 detector pixel: y 40, x 90)" \
  run cam.raw -o out.h5 --k-pixel-size 0.01 --time-step 0.125 "${opts[@]}"
works mrc_nan_value "NaN or Inf in 1 frame value (1 detector pixel: y 10, x 30)" \
  run cam.mrc -o out.h5 --scan-shape 3,2 --k-pixel-size 0.026 --time-step 0.25 "${opts[@]}"
works ttcf_empad_nan_pixel "NaN or Inf in 384 frame values" ttcf cam.raw -o out.h5 --k-pixel-size 0.01 --time-step 0.125

# --- Class 9: numbers refused where they are read, naming the option or the attribute ----
refused scan_shape_fraction 1 "ecm run: error: --scan-shape expects two whole numbers >= 1 as A,B (got '2.5,1.6')" \
  run no_shape.h5 -o out.h5 --scan-shape 2.5,1.6 "${opts[@]}"
refused ttcf_scan_shape_fraction 1 "--scan-shape expects two whole numbers" ttcf no_shape.h5 -o out.h5 --scan-shape 2.5,1.6
refused k_pixel_inf 1 "ecm run: error: --k-pixel-size must be a finite number (got inf)" \
  run f32.h5 -o out.h5 --k-pixel-size inf "${opts[@]}"
refused k_pixel_huge 1 "--k-pixel-size is 1e+06 1/A: the detector pixel size in k must be a finite number in [1e-06, 1] 1/A" \
  run f32.h5 -o out.h5 --k-pixel-size 1e6 "${opts[@]}"
refused k_pixel_attribute_inf 1 "attribute 'k_pixel_size_inv_angstrom' of '/frames' in k_inf.h5 is inf 1/A: the detector pixel size in k must be a finite number in [1e-06, 1] 1/A; give --k-pixel-size" \
  run k_inf.h5 -o out.h5 "${opts[@]}"
refused ttcf_k_pixel_attribute_inf 1 "attribute 'k_pixel_size_inv_angstrom' of '/frames' in k_inf.h5 is inf" \
  ttcf k_inf.h5 -o out.h5
refused min_counts_nan 1 "ecm run: error: --min-counts must be a finite number (got nan)" \
  run f32.h5 -o out.h5 --min-counts nan "${opts[@]}"
refused min_counts_nan_config 1 "--min-counts must be a finite number (got nan)" \
  run f32.h5 -o out.h5 --config nan.ini "${opts[@]}"
refused time_step_tiny 1 "ecm run: error: --time-step is 1e-300 s: the time between scan cycles must be a finite number in [1e-09, 1e+09] s" \
  run f32.h5 -o out.h5 --time-step 1e-300 "${opts[@]}"
refused time_step_attribute_tiny 1 "attribute 'time_step_s' of '/frames' in dt_tiny.h5 is 1e-300 s: the time between scan cycles must be a finite number in [1e-09, 1e+09] s; give --time-step" \
  run dt_tiny.h5 -o out.h5 "${opts[@]}"
refused threshold_huge 1 "--threshold must be a count that fits a float (got 1e+300)" run f32.h5 -o out.h5 --threshold 1e300 "${opts[@]}"
refused beam_center_inf 1 "--beam-center expects" run f32.h5 -o out.h5 --beam-center inf,3 "${opts[@]}"
refused gain_inf_everywhere 1 "no unmasked detector pixel lies in the polar strip 0.3-0.6 1/A" \
  run f32.h5 -o out.h5 --gain refs.h5:/gain_inf "${opts[@]}"
refused mask_everything 1 "no unmasked detector pixel lies in the polar strip" \
  run f32.h5 -o out.h5 --mask refs.h5:/mask_all "${opts[@]}"
refused ttcf_mask_everything 1 "no unmasked detector pixel lies in the polar strip" \
  ttcf f32.h5 -o out.h5 --mask refs.h5:/mask_all

# --- Class 9: a run that ends with no valid tau is a failure: exit 65 and why -------------
refused all_nan 65 "ecm run: error: no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (too_few_counts 3072): the strip holds (almost) no counts" \
  run all_nan.h5 -o out.h5 "${opts[@]}"
grep -Fq "NaN or Inf in 2359296 frame values (2304 detector pixels" "$logs/all_nan.err" || bad "all_nan: the error line does not count the NaN values"
refused all_zero 65 "no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (too_few_counts 3072)" \
  run all_zero.h5 -o out.h5 "${opts[@]}"
# --resume of that finished output fails as the run did (it said "complete already", exit 0).
sum_before=$(sha256sum out.h5)
if ran all_zero_resume 65 - run all_zero.h5 -o out.h5 --resume "${opts[@]}"; then
  [ "$(grep -c 'error:' "$logs/all_zero_resume.err")" -eq 1 ] &&
    grep -Fq "ecm run: error: no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (too_few_counts 3072): the strip holds (almost) no counts" \
      "$logs/all_zero_resume.err" || { cat "$logs/all_zero_resume.err"; bad "all_zero_resume: not the run's one error line"; }
  [ "$(sha256sum out.h5)" = "$sum_before" ] || bad "all_zero_resume: the finished output changed"
  echo "all_zero_resume: exit 65, $(grep 'error:' "$logs/all_zero_resume.err")"
fi
refused saturated 65 "no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (no_decay 3072): no g2 curve decays" \
  run saturated.h5 -o out.h5 "${opts[@]}"
refused gain_zero 65 "no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (too_few_counts 3072)" \
  run u16.h5 -o out.h5 --gain refs.h5:/gain_zero "${opts[@]}"
grep -Fq "out.h5 holds each pixel's fit_status" "$logs/gain_zero.err" || bad "gain_zero: the line does not name the output"
grep -Fq "valid fits      0.0 %" "$logs/gain_zero.out" || bad "gain_zero: no summary"
# Class 15: a bin whose series holds NaN or Inf is invalid_input, whether its mean is Inf or
# NaN (a NaN mean was labelled too_few_counts, an Inf one invalid_input).
refused huge_values 65 "no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (invalid_input 3072): the bins' counts or g2 are not finite numbers" \
  run huge.h5 -o out.h5 "${opts[@]}"
refused huge_values_mixed_signs 65 "no valid tau: none of the 3072 (r, k_r, k_phi) fits converged (invalid_input 3072): the bins' counts or g2 are not finite numbers" \
  run huge_mixed.h5 -o out.h5 "${opts[@]}"
refused ttcf_all_nan 1 "no scan position can be used for the two-time correlation" ttcf all_nan.h5 -o out.h5
grep -Fq "NaN or Inf in 2359296 frame values" "$logs/ttcf_all_nan.err" || bad "ttcf_all_nan: the line does not count the NaN values"

# The inputs are as they were made: nothing above wrote into them.
py <<'PY'
import h5py, numpy as np
with h5py.File("nan_one.h5", "r") as f: assert np.isnan(f["frames"][3, 1, 2, 10, 30])
with h5py.File("all_zero.h5", "r") as f: assert not f["frames"][0].any()
PY
[ "$failed" -eq 0 ] || fail "$failed case(s) failed"
echo "every NaN, Inf and absurd number is masked and reported, or refused"
