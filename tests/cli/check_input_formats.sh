#!/usr/bin/env bash
# Every way frames reach `ecm run` gives the same tau as the canonical HDF5 file (issue 12):
# the canonical 3-D stream, the same frames with one HDF5 chunk per frame (positioned reads at
# the chunk index's addresses), a file written by `ecm convert`, a stream with junk, flyback
# and dead frames placed back on the scan by --skip-frames/--flyback/--cycle-frames, and
# every camera format `ecm simulate --format` writes (Merlin, StreamPix, DE-Server MRC, Dectris NeXus, EMPAD) — on 1, 2 and 3 ranks. Identical tau (h5diff: bit for bit).
#   check_input_formats.sh ECM WORKDIR      (MPIEXEC, MPIEXEC_FLAGS as the other CLI tests)
set -uo pipefail
ecm=$1 dir=$2
mpi() { local n=$1; shift; ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n "$n" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"

sim=(--scan 5,4 --cycles 160 --detector 32,32 --k-pixel-size 0.04 --tau 2.5 --time-step 0.125 --seed 11)
mpi 2 "$ecm" simulate "$dir/canon.h5" --truth "$dir/truth.h5" --layout stream "${sim[@]}" > "$dir/sim.log" 2>&1 ||
  { cat "$dir/sim.log"; fail "simulate"; }
center=$(/usr/bin/python3 -c "import h5py; c = h5py.File('$dir/canon.h5')['frames'].attrs['beam_center_yx']; print(f'{c[0]},{c[1]}')")
strip=(--kr-range 0.3,0.55 --n-kr 2 --n-kphi 16 --progress none)
calib=(--k-pixel-size 0.04 --beam-center "$center")
mpi 2 "$ecm" run "$dir/canon.h5" -o "$dir/ref.h5" "${strip[@]}" > "$dir/ref.log" 2>&1 || { cat "$dir/ref.log"; fail "reference run"; }

same() {  # same NAME RESULT: tau, beta and fit status bit for bit as the reference
  for d in tau beta fit_status; do
    h5diff -q "$dir/ref.h5" "$2" "/$d" "/$d" || fail "$1: /$d differs from the canonical file's"
  done
  echo "$1: same tau"
}

# One HDF5 chunk per frame, as most camera writers store frames.
h5repack -l /frames:CHUNK=1x32x32 "$dir/canon.h5" "$dir/frame_chunks.h5" || fail "h5repack"
for n in 1 2 3; do
  log=$(mpi $n "$ecm" run "$dir/frame_chunks.h5" -o "$dir/fc_$n.h5" "${strip[@]}" 2>&1) || { echo "$log"; fail "frame chunks, $n ranks"; }
  echo "$log" | grep -q "positioned reads of chunks" || { echo "$log"; fail "frame chunks were not read at the chunk index's addresses"; }
  same "one chunk per frame, $n ranks" "$dir/fc_$n.h5"
done

# ecm convert on 3 ranks, then run.
mpi 3 "$ecm" convert "$dir/frame_chunks.h5" -o "$dir/converted.h5" > "$dir/convert.log" 2>&1 || { cat "$dir/convert.log"; fail "convert"; }
mpi 2 "$ecm" run "$dir/converted.h5" -o "$dir/conv_tau.h5" "${strip[@]}" > /dev/null 2>&1 || fail "run on the converted file"
same "ecm convert" "$dir/conv_tau.h5"
mpi 1 "$ecm" convert "$dir/converted.h5" -o "$dir/./converted.h5" > "$dir/self.log" 2>&1 && fail "convert onto its input succeeded"
grep -q "is the input file" "$dir/self.log" || { cat "$dir/self.log"; fail "convert onto its input: no clear message"; }

# 3 junk frames first, 1 flyback frame after each scan row, 2 dead frames after each cycle.
/usr/bin/python3 - "$dir" <<'PY' || fail "writing the stream with dead frames"
import sys, h5py, numpy as np
d = sys.argv[1]
src = h5py.File(f"{d}/canon.h5")["frames"]
ny, nx = (int(v) for v in src.attrs["scan_shape"])
f = src[()].reshape(-1, ny, nx, 32, 32)
junk = np.full((32, 32), 60000, np.uint16)
out = [junk] * 3
for cycle in f:
    for row in cycle:
        out += list(row) + [junk]
    out += [junk, junk]
with h5py.File(f"{d}/dead_frames.h5", "w") as g:
    ds = g.create_dataset("frames", data=np.array(out, dtype=src.dtype), chunks=(1, 32, 32))
    for k in ("time_step_s", "convergence_inv_angstrom"):
        ds.attrs[k] = src.attrs[k]
PY
cycle=$((5 * (4 + 1) + 2))
mpi 3 "$ecm" run "$dir/dead_frames.h5" -o "$dir/dead_tau.h5" "${strip[@]}" "${calib[@]}" --scan-shape 5,4 \
  --skip-frames 3 --flyback 1 --cycle-frames $cycle > "$dir/dead.log" 2>&1 || { cat "$dir/dead.log"; fail "dead frames"; }
same "skipped, flyback and dead frames" "$dir/dead_tau.h5"

# Every camera format the simulator writes, same seed: frames in recording order.
for fmt in mib seq mrc nexus empad; do
  ext=.$fmt; [ "$fmt" = mrc ] && ext=_movie.mrc  # a DE-Server movie, with its _info.txt
  [ "$fmt" = nexus ] && ext=_master.h5           # a Dectris master, its data and scan files
  # NeXus records the frame time, not the cycle time: that one is given.
  extra=(); [ "$fmt" = nexus ] && extra=(--time-step 0.125)
  [ "$fmt" = empad ] && continue  # EMPAD frames are 128 x 128 only: below
  out=$(mpi 2 "$ecm" simulate "$dir/cam$ext" --truth "$dir/cam_truth.h5" --format "$fmt" --layout stream "${sim[@]}" 2>&1)
  if echo "$out" | grep -q "cannot write $fmt files yet"; then echo "$fmt: no writer yet"; continue; fi
  [ -f "$dir/cam$ext" ] || { echo "$out"; fail "simulate --format $fmt"; }
  for n in 1 2 3; do
    # The cycle time comes from the file: per-frame timestamps (mib, seq), _info.txt (mrc).
    mpi $n "$ecm" run "$dir/cam$ext" -o "$dir/cam_${fmt}_$n.h5" "${strip[@]}" "${calib[@]}" --scan-shape 5,4 \
      "${extra[@]}" > "$dir/cam.log" 2>&1 || { cat "$dir/cam.log"; fail "run on $fmt, $n ranks"; }
    # The NeXus data are the camera's bitshuffle/LZ4 chunks, read through the library's filters.
    if [ "$fmt" = nexus ] && ! grep -q "compressed or filtered chunks" "$dir/cam.log"; then
      cat "$dir/cam.log"; fail "the NeXus data were not read as compressed chunks"
    fi
    same "$fmt, $n ranks" "$dir/cam_${fmt}_$n.h5"
  done
  rm -f "$dir"/cam*
done
# EMPAD frames are 128 x 128 float32: its own small acquisition against its canonical twin.
esim=(--scan 3,2 --cycles 64 --detector 128,128 --k-pixel-size 0.01 --tau 1.0 --time-step 0.125 --seed 12 --dtype float32)
estrip=(--kr-range 0.3,0.55 --n-kr 1 --n-kphi 16 --progress none)
mpi 2 "$ecm" simulate "$dir/e_canon.h5" --truth "$dir/e_truth.h5" --layout stream "${esim[@]}" > /dev/null 2>&1 || fail "simulate 128x128"
mpi 2 "$ecm" simulate "$dir/e.xml" --truth "$dir/e_truth2.h5" --format empad "${esim[@]}" > "$dir/e.log" 2>&1 ||
  { cat "$dir/e.log"; fail "simulate --format empad"; }
ecenter=$(/usr/bin/python3 -c "import h5py; c = h5py.File('$dir/e_canon.h5')['frames'].attrs['beam_center_yx']; print(f'{c[0]},{c[1]}')")
mpi 2 "$ecm" run "$dir/e_canon.h5" -o "$dir/e_ref.h5" "${estrip[@]}" > /dev/null 2>&1 || fail "run on the 128x128 canonical file"
for n in 1 3; do
  mpi $n "$ecm" run "$dir/e.xml" -o "$dir/e_$n.h5" "${estrip[@]}" --k-pixel-size 0.01 --beam-center "$ecenter" \
    --time-step 0.125 > "$dir/e.log" 2>&1 || { cat "$dir/e.log"; fail "run on empad, $n ranks"; }
  for d in tau beta fit_status; do
    h5diff -q "$dir/e_ref.h5" "$dir/e_$n.h5" "/$d" "/$d" || fail "empad, $n ranks: /$d differs from the canonical file's"
  done
  echo "empad, $n ranks: same tau"
done

echo "all inputs give the canonical file's tau"
rm -rf "$dir"
