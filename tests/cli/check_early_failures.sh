#!/usr/bin/env bash
# Issue 14, classes 10, 12, 13 and 15: what can be known before the first frame is read
# fails at once, nothing hangs, nothing reads out of bounds, messages name the file.
#   class 10: -o DIR, -o "", -o /, -o FIFO, a missing directory computed everything
#             and failed at the final rename (leaving .partial and .tiles, in / for -o /);
#             ttcf --positions of 80 kB failed after the compute on the 64 kB attribute limit;
#   class 12: inspect (and stats, design, report) indexed /tau with /fit_status's length;
#   class 13: --kokkos-threads=abc aborted (uncaught std::invalid_argument), a FIFO as any
#             input blocked for ever, --n-lags 2000000000 took 105 s;
#   class 15: "dataset '/x' not found in /" did not name the file.
# Each case runs on 2 ranks: a non-zero exit on every rank within the time limit, exactly
# one error line with the expected message, the folder unchanged (contract_helpers.sh).
#   check_early_failures.sh ECM WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests); PYTHON with h5py.
set -uo pipefail
ecm=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
rm -rf "$dir" && mkdir -p "$dir/files" "$dir/logs" || { echo "FAIL: cannot create $dir"; exit 1; }
logs=$(cd "$dir/logs" && pwd)
source "$here/contract_helpers.sh"
cd "$dir/files" || fail "cannot enter $dir/files"

small_acquisition
mpi "$ecm" run data.h5 -o result.h5 "${opts[@]}" > "$logs/result.log" 2>&1 || { cat "$logs/result.log"; fail "run"; }
mkdir adir

# Class 10: outputs that cannot be written, refused before any frame is read.
root_partials_before=$(ls -a / | grep -c '^\.partial')
refused run_output_directory 30 "the output 'adir' is a directory" run data.h5 -o adir "${opts[@]}"
refused run_output_empty 30 "the output file name is empty" run data.h5 -o "" "${opts[@]}"
refused run_output_root 30 "the output '/' is a directory" run data.h5 -o / "${opts[@]}"
[ "$(ls -a / | grep -c '^\.partial')" -eq "$root_partials_before" ] || fail "run -o / left .partial files in /"
# (Not /dev/null: without this check the final rename replaced it with the result.)
mkfifo out_fifo.h5 || fail "mkfifo"
refused run_output_fifo 30 "the output 'out_fifo.h5' is a FIFO; an output must be a regular file" \
  run data.h5 -o out_fifo.h5 "${opts[@]}"
refused run_output_missing_dir 30 "the directory 'nodir' does not exist" run data.h5 -o nodir/out.h5 "${opts[@]}"
refused ttcf_output_directory 30 "the output 'adir' is a directory" ttcf data.h5 -o adir "${grid[@]}"
refused convert_output_directory 30 "the output 'adir' is a directory" convert data.h5 -o adir
refused simulate_output_directory 30 "the output 'adir' is a directory" simulate adir --truth t.h5 "${sim[@]}"
positions=$(for i in $(seq 0 19999); do printf '%d,%d;' $((i % 4)) $((i / 4 % 4)); done)
refused ttcf_positions_80kB 30 "the command line is [0-9]+ bytes, more than the 65000 an HDF5 attribute" \
  ttcf data.h5 -o ttcf.h5 "${grid[@]}" --positions "${positions%;}"

# Class 13: option handling.
refused kokkos_threads_abc 30 "'--kokkos-threads=abc': --kokkos-threads expects a non-negative integer" \
  run data.h5 -o k.h5 "${opts[@]}" --kokkos-threads=abc
mkfifo fifo.h5 || fail "mkfifo"
fifo="'fifo.h5' is a FIFO, not a regular file"
refused fifo_run_input 30 "$fifo" run fifo.h5 -o f.h5 "${opts[@]}"
refused fifo_ttcf_input 30 "$fifo" ttcf fifo.h5 -o f.h5 "${grid[@]}"
refused fifo_convert_input 30 "$fifo" convert fifo.h5 -o f.h5
refused fifo_inspect 30 "$fifo" inspect fifo.h5
refused fifo_stats 30 "$fifo" stats fifo.h5
refused fifo_config 30 "$fifo" run data.h5 -o f.h5 --config fifo.h5
refused fifo_dark 30 "$fifo" run data.h5 -o f.h5 "${opts[@]}" --dark fifo.h5:/dark
refused fifo_drift_file 30 "$fifo" run data.h5 -o f.h5 "${opts[@]}" --drift-file fifo.h5
run_ranks n_lags_2e9 30 run data.h5 -o lags.h5 "${opts[@]}" --n-lags 2000000000
for rank in 0 1; do
  [ "$(cat "$logs/n_lags_2e9.rc.$rank" 2> /dev/null)" = 0 ] || { cat "$logs/n_lags_2e9.err"; fail "n_lags_2e9: rank $rank"; }
done
grep -q "input note      --n-lags 2000000000: 40 cycles have 19 distinct lags" "$logs/n_lags_2e9.out" ||
  { cat "$logs/n_lags_2e9.out"; fail "n_lags_2e9: no note on the lag bins"; }
echo "n_lags_2e9: done in $elapsed_ms ms: $(grep 'n-lags' "$logs/n_lags_2e9.out")"
rm -f lags.h5

# Class 15: a dataset that is not there is named with its file.
refused dark_dataset_missing 30 "dataset '/nope' not found in 'truth.h5'" run data.h5 -o d.h5 "${opts[@]}" \
  --dark truth.h5:/nope

# Class 12: result files whose shapes disagree.
cp result.h5 tau_smaller.h5 && cp result.h5 drift_1d.h5 && cp result.h5 peaks_empty.h5 && cp result.h5 axis_2d.h5 ||
  fail "copies of the result"
"$python" - << 'PY' || fail "editing the result files with h5py"
import h5py, numpy as np
with h5py.File("tau_smaller.h5", "r+") as f:
    del f["tau"]; f["tau"] = np.ones((2, 2, 2, 8), "f4")
with h5py.File("drift_1d.h5", "r+") as f:
    del f["registration/drift_yx"]; f["registration/drift_yx"] = np.zeros(3)
with h5py.File("peaks_empty.h5", "r+") as f:
    if "registration/blocks/peak_quality" in f: del f["registration/blocks/peak_quality"]
    f["registration/blocks/peak_quality"] = np.zeros(0)
with h5py.File("axis_2d.h5", "r+") as f:
    k = f["axes/k_phi"][...]; del f["axes/k_phi"]; f["axes/k_phi"] = k.reshape(2, 4)
PY
shapes="'tau_smaller.h5': /fit_status is 4 x 4 x 2 x 8 but /tau is 2 x 2 x 2 x 8"
refused inspect_tau_smaller 30 "$shapes" inspect tau_smaller.h5
refused stats_tau_smaller 30 "$shapes" stats tau_smaller.h5
refused design_tau_smaller 30 "$shapes" design tau_smaller.h5
refused report_tau_smaller 30 "$shapes" report tau_smaller.h5 -o report
refused inspect_drift_1d 30 "'drift_1d.h5': /registration/drift_yx is 3, not a table of 2 columns" inspect drift_1d.h5
refused inspect_peaks_empty 30 "/registration/blocks/peak_quality is 0, not a list with at least 1 row" \
  inspect peaks_empty.h5
refused stats_axis_2d 30 "'axis_2d.h5': /axes/k_phi is 2 x 4, not a list" stats axis_2d.h5
finish "every early failure refused in time, with one line"
