#!/usr/bin/env bash
# A chunked input (issue 4): the test acquisition repacked with chunks of 8 cycles x 2 x 8
# positions x one frame. `ecm run` must give the contiguous file's result, with tiles and
# blocks of cycles made of whole chunks, so that every chunk is fetched once: the bytes the
# libraries read (rchar) over the bytes asked for stay at 1 (metadata aside). Then the same for
# a 3-D frame stream chunked in runs of frames: 3 scan rows per chunk (2 ranks, tiles of whole
# chunk rows, one read per cycle) and one cycle per chunk (1 rank, one tile: one read per block).
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

# fetched_ok LOG: the libraries fetched at most 1.01 x what the analysis asked for.
fetched_ok() {
  local f
  f=$(echo "$1" | sed -n "s/.*the libraries fetched \([0-9.]*\) x the analysis' request.*/\1/p")
  awk -v f="$f" 'BEGIN { exit !(f != "" && f + 0 <= 1.01) }' || { echo "$1"; echo "FAIL: fetched $f x the request"; exit 1; }
  echo "$f"
}
stream=$dir/stream.h5
rm -f "$stream" "$dir"/stream_*
$mpi "$ecm" simulate "$stream" --truth "$dir/stream_truth.h5" --layout stream --scan 12,8 --cycles 300 \
  --detector 32,32 --k-pixel-size 0.04 --dtype uint8 --seed 5 > /dev/null
run_args=(--kr-range 0.40,0.52 --n-kr 1 --n-kphi 16 --progress none)
$mpi "$ecm" run "$stream" -o "$dir/stream_ref_tau.h5" "${run_args[@]}" > /dev/null
for spec in "24 2" "96 1"; do  # frames per chunk, ranks
  read -r frames ranks <<< "$spec"
  h5repack -l "/frames:CHUNK=${frames}x32x32" "$stream" "$dir/stream_chunked.h5"
  log=$(${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n "$ranks" "$ecm" run "$dir/stream_chunked.h5" \
    -o "$dir/stream_chunked_tau.h5" "${run_args[@]}")
  for d in tau fit_status beta; do
    h5diff -q "$dir/stream_ref_tau.h5" "$dir/stream_chunked_tau.h5" "/$d" "/$d" ||
      { echo "FAIL: frame stream in chunks of $frames: /$d differs"; exit 1; }
  done
  echo "frame stream, chunks of $frames frames on $ranks rank(s): same result, $(fetched_ok "$log") x fetched"
done
rm -f "$stream" "$dir/stream_chunked.h5"
