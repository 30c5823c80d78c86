#!/usr/bin/env bash
# A chunked input (issue 4): the test acquisition repacked with chunks of 8 cycles x 2 x 8
# positions x one frame. `ecm run` must give the contiguous file's result, with tiles and
# blocks of cycles made of whole chunks, so that every chunk is fetched once: the bytes the
# libraries read (rchar) over the bytes asked for stay at 1 (metadata aside).
#   check_chunked_input.sh ECM INPUT.h5 WORKDIR    (MPIEXEC, MPIEXEC_FLAGS as the others)
set -euo pipefail
ecm=$1 input=$2 dir=$3
mpi="${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2"
mkdir -p "$dir"
chunked=$dir/chunked_input.h5
rm -f "$chunked" "$dir"/chunked_*tau.h5
h5repack -l /frames:CHUNK=8x2x8x48x48 "$input" "$chunked"
$mpi "$ecm" run "$input" -o "$dir/chunked_ref_tau.h5" --progress none > /dev/null
log=$($mpi "$ecm" run "$chunked" -o "$dir/chunked_tau.h5" --progress none)
echo "$log" | grep -E "tile\(s\)|^  read"
for d in tau fit_status beta; do
  h5diff -q "$dir/chunked_ref_tau.h5" "$dir/chunked_tau.h5" "/$d" "/$d" || { echo "FAIL: /$d differs"; exit 1; }
done
fetched=$(echo "$log" | sed -n "s/.*the libraries fetched \([0-9.]*\) x the analysis' request.*/\1/p")
awk -v f="$fetched" 'BEGIN { exit !(f != "" && f + 0 <= 1.01) }' || { echo "FAIL: fetched $fetched x the request"; exit 1; }
rm -f "$chunked"
echo "chunked input: same result, $fetched x the requested bytes fetched"
