#!/usr/bin/env bash
# No output may destroy an input (issue 14, class 1). `ecm run data.h5 -o data.h5` wrote the
# result over the acquisition and exited 0; so did `./data.h5` against its absolute path,
# `ecm ttcf`, `ecm run r.h5.partial -o r.h5` and an OUT.partial symlink to the input. Files
# are compared by identity, so every spelling, link, the partial file, the tile ledger, a
# camera's companion files, references and --config are covered. Each case runs on 2 ranks
# and must give: a non-zero exit on every rank, one error line with the expected message,
# and the working folder exactly as before (the same names, links and sha256 sums: the
# input untouched, nothing created).
#   check_output_is_input.sh ECM WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir/files" "$dir/logs" || { echo "FAIL: cannot create $dir"; exit 1; }
logs=$(cd "$dir/logs" && pwd)
source "$here/contract_helpers.sh"  # fail, mpi, snapshot, refused
cd "$dir/files" || fail "cannot enter $dir/files"   # relative names, as a user types them

small_acquisition
mpi "$ecm" simulate cam.mib --truth cam_truth.h5 --format mib "${sim[@]}" > "$logs/simulate_mib.log" 2>&1 ||
  { cat "$logs/simulate_mib.log"; fail "simulate --format mib"; }
[ -f cam.hdr ] || fail "simulate --format mib wrote no cam.hdr"
mpi "$ecm" simulate nx_master.h5 --truth nx_truth.h5 --format nexus "${sim[@]}" > "$logs/simulate_nexus.log" 2>&1 ||
  { cat "$logs/simulate_nexus.log"; fail "simulate --format nexus"; }
[ -f nx_data_000001.h5 ] || fail "simulate --format nexus wrote no nx_data_000001.h5"
opts=(--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8)

# The options are good: with another -o the same commands succeed.
mpi "$ecm" run data.h5 -o control.h5 "${opts[@]}" --progress none > "$logs/control_run.log" 2>&1 ||
  { cat "$logs/control_run.log"; fail "run with another -o"; }
mpi "$ecm" ttcf data.h5 -o control_ttcf.h5 "${opts[@]}" > "$logs/control_ttcf.log" 2>&1 ||
  { cat "$logs/control_ttcf.log"; fail "ttcf with another -o"; }
rm -f control.h5 control_ttcf.h5

# Each case: `refused NAME LIMIT_S REGEX ECM-ARGS...` (contract_helpers.sh): every rank fails
# within the limit, one error line matches REGEX (the messages here hold no ERE operators
# but '.', which matches itself too), the folder is unchanged.
limit=60

# The issue's reproductions.
refused run_same_name $limit "ecm run: error: the output 'data.h5' is the input file; choose another -o" \
  run data.h5 -o data.h5 "${opts[@]}"
refused run_relative_absolute $limit "the output '$PWD/data.h5' is the input file './data.h5'; choose another -o" \
  run ./data.h5 -o "$PWD/data.h5" "${opts[@]}"
refused ttcf_same_name $limit "ecm ttcf: error: the output 'data.h5' is the input file; choose another -o" \
  ttcf data.h5 -o data.h5 "${opts[@]}"
cp data.h5 r.h5.partial
refused run_input_is_partial $limit "the output's partial file 'r.h5.partial' is the input file; choose another -o" \
  run r.h5.partial -o r.h5 "${opts[@]}"
refused run_resume_input_is_partial $limit "the output's partial file 'r.h5.partial' is the input file" \
  run r.h5.partial -o r.h5 --resume "${opts[@]}"
rm r.h5.partial
ln -s data.h5 out.h5.partial
refused run_partial_symlink $limit "the output's partial file 'out.h5.partial' is the input file 'data.h5'" \
  run data.h5 -o out.h5 "${opts[@]}"
refused ttcf_partial_symlink $limit "the output's partial file 'out.h5.partial' is the input file 'data.h5'" \
  ttcf data.h5 -o out.h5 "${opts[@]}"
refused convert_partial_symlink $limit "the output's partial file 'out.h5.partial' is the input file 'data.h5'" \
  convert data.h5 -o out.h5
rm out.h5.partial

# The ledger, links, and the files read besides the input.
ln -s "../files/data.h5" out.h5.partial.tiles
refused run_ledger_symlink $limit "the output's tile ledger 'out.h5.partial.tiles' is the input file 'data.h5'" \
  run data.h5 -o out.h5 "${opts[@]}"
rm out.h5.partial.tiles
ln data.h5 hard.h5
refused run_hard_link $limit "the output 'hard.h5' is the input file 'data.h5'" run data.h5 -o hard.h5 "${opts[@]}"
rm hard.h5
refused convert_relative $limit "ecm convert: error: the output './data.h5' is the input file 'data.h5'" \
  convert data.h5 -o ./data.h5
refused convert_companion $limit "the output 'cam.mib' is a file read with the input 'cam.hdr'; choose another -o" \
  convert cam.hdr -o cam.mib
refused run_companion $limit "the output 'cam.hdr' is a file read with the input 'cam.mib'; choose another -o" \
  run cam.mib -o cam.hdr "${opts[@]}"
# The frames of a NeXus master are in the data file HDF5 reaches through an external link.
refused run_nexus_data_file $limit "the output 'nx_data_000001.h5' is '$PWD/nx_data_000001.h5', a file read with the input 'nx_master.h5'" \
  run nx_master.h5 -o nx_data_000001.h5 "${opts[@]}"
cp truth.h5 reference.h5
refused run_reference_file $limit "the output 'reference.h5' is a file read with the input 'data.h5'" \
  run data.h5 --dark reference.h5:/dark -o reference.h5 "${opts[@]}"
refused run_drift_file $limit "the output './reference.h5' is 'reference.h5', a file read with the input 'data.h5'" \
  run data.h5 --drift-file reference.h5 -o ./reference.h5 "${opts[@]}"
printf 'kr-range = 0.3,0.55\n' > run.ini
refused run_config_file $limit "the output './run.ini' is the --config file 'run.ini'" \
  run data.h5 --config run.ini -o ./run.ini
refused simulate_truth_is_output $limit "the --truth file './new.h5' is the output file 'new.h5'" \
  simulate new.h5 --truth ./new.h5 "${sim[@]}"
refused simulate_truth_is_existing_output $limit "the --truth file './data.h5' is the output file 'data.h5'" \
  simulate data.h5 --truth ./data.h5 "${sim[@]}"
echo "every output onto an input refused"
