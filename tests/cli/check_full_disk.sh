#!/usr/bin/env bash
# Issue 14, class 3 (with class 15's message): a full disk at file creation hung the job
# (rank 0 in H5Fclose while unwinding, rank 1 in a collective H5Dwrite), as did a disk that
# filled mid-run or at the commit; the one line said only "writing dataset '/beta' failed".
# On small tmpfs file systems, on 2 ranks:
#   1. a disk too small for the output: every command refuses at once, one line, nothing left;
#   2. the disk filled by another process while `ecm run` computes: the output's space was
#      reserved when it was created, so the run completes;
#   3. without that reservation (ECM_TEST_NO_SPACE_RESERVATION=1, as on a file system without
#      fallocate) HDF5 meets the full disk at creation, mid-run or at the commit, whichever
#      the size: every rank still stops within seconds, with one line naming the file and
#      "No space left on device", and leaves nothing but a complete checkpoint.
#   check_full_disk.sh ECM WORKDIR
# Needs root (it mounts tmpfs file systems): exits 77 (skipped) otherwise.
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "check_full_disk: skipped: mounting a tmpfs needs root"; exit 77; }
rm -rf "$dir" && mkdir -p "$dir/files" "$dir/logs" "$dir/disk" || { echo "FAIL: cannot create $dir"; exit 1; }
logs=$(cd "$dir/logs" && pwd)
disk=$(cd "$dir/disk" && pwd)
source "$here/contract_helpers.sh"
trap 'umount "$disk" 2> /dev/null' EXIT
mount_disk() {
  umount "$disk" 2> /dev/null
  mount -t tmpfs -o "size=$1" tmpfs "$disk" ||
    { echo "check_full_disk: skipped: cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)"; exit 77; }
}
cd "$dir/files" || fail "cannot enter $dir/files"

small_acquisition

# 1. Too small for any output (the result is ~32 kB, the frames ~660 kB): refused before
#    anything is written.
mount_disk 16k
too_small() {
  local name=$1 written=$2
  shift 2
  run_ranks "$name" 30 "$@"
  every_rank_failed "$name"
  one_error_line "$name" "not enough space for '$disk/$written': it needs about .* MB, the file system of '$disk' has"
  [ -z "$(ls -A "$disk")" ] || { ls -la "$disk"; fail "$name: files left on the disk"; }
  [ "$elapsed_ms" -lt 15000 ] || fail "$name: took $elapsed_ms ms"
  echo "$name: refused in $elapsed_ms ms: $(grep 'error:' "$logs/$name.err")"
}
too_small run_full_at_creation out.h5.partial run data.h5 -o "$disk/out.h5" "${opts[@]}"
too_small ttcf_full_at_creation ttcf.h5.partial ttcf data.h5 -o "$disk/ttcf.h5" "${grid[@]}"
too_small convert_full_at_creation conv.h5.partial convert data.h5 -o "$disk/conv.h5"
too_small simulate_full_at_creation sim.h5 simulate "$disk/sim.h5" --truth truth2.h5 "${sim[@]}"
[ ! -e truth2.h5 ] || fail "simulate_full_at_creation: the truth file was left"

# 2. Another process fills the disk while the run computes (each rank sleeps 3 s after its
#    tile): the space reserved at creation carries the tiles and the commit.
mount_disk 4m
rm -f "$logs"/filled_mid_run.rc.*
mpi bash -c '"$@"; echo $? > "$0.rc.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"' "$logs/filled_mid_run" "$ecm" \
  run data.h5 -o "$disk/out.h5" "${opts[@]}" --throttle 3 > "$logs/filled_mid_run.out" 2> "$logs/filled_mid_run.err" &
job=$!
# Once the output holds its reserved space (64 kB and more) and the tile ledger exists (its
# appends fit in its first block).
reserved() {
  [ -e "$disk/out.h5.partial.tiles" ] && [ -e "$disk/out.h5.partial" ] &&
    [ "$(( $(stat -c %b "$disk/out.h5.partial") * 512 ))" -ge 65536 ]
}
for _ in $(seq 200); do reserved && break; sleep 0.05; done
reserved || fail "filled_mid_run: no partial output with its space after 10 s"
dd if=/dev/zero of="$disk/filler" bs=4k 2> /dev/null  # until the disk is full
[ "$(df --output=avail "$disk" | tail -1)" -lt 8 ] || fail "filled_mid_run: the disk could not be filled"
wait "$job"
for rank in 0 1; do
  [ "$(cat "$logs/filled_mid_run.rc.$rank" 2> /dev/null)" = 0 ] ||
    { cat "$logs/filled_mid_run.err"; fail "filled_mid_run: rank $rank did not complete"; }
done
"$ecm" inspect "$disk/out.h5" > "$logs/filled_mid_run.inspect" 2>&1 ||
  { cat "$logs/filled_mid_run.inspect"; fail "filled_mid_run: the output is not a readable result"; }
grep -q "hypercube 4 x 4 x 2 x 8" "$logs/filled_mid_run.inspect" || fail "filled_mid_run: not the expected result"
echo "filled_mid_run: the disk filled during the run, the run completed: $disk/out.h5"

# 3. The safety net: no reservation, every size from 'nothing fits' to 'the commit fails'.
export ECM_TEST_NO_SPACE_RESERVATION=1
sizes_failed=0
for size in 4k 8k 12k 16k 20k 24k 28k 32k; do
  mount_disk "$size"
  name=no_reservation_$size
  run_ranks "$name" 40 run data.h5 -o "$disk/out.h5" "${opts[@]}"
  if [ "$(cat "$logs/$name.rc.0" 2> /dev/null)" = 0 ] && [ "$(cat "$logs/$name.rc.1" 2> /dev/null)" = 0 ]; then
    "$ecm" inspect "$disk/out.h5" > /dev/null 2>&1 || fail "$name: exit 0 without a readable result"
    echo "$name: fits, completed in $elapsed_ms ms"
    continue
  fi
  sizes_failed=$((sizes_failed + 1))
  every_rank_failed "$name" killed-ok  # the watchdog aborts the job when HDF5 cannot finish
  # (The tile ledger, written with POSIX calls, says "disk full?" in its own words.)
  one_error_line "$name" "'$disk/out.h5.partial(.tiles)?'.* (No space left on device|\\(disk full\\?\\))"
  [ "$elapsed_ms" -lt 20000 ] || fail "$name: took $elapsed_ms ms"
  left=$(ls -A "$disk" | tr '\n' ' ')
  # Nothing is left, or the checkpoint of a run whose tiles are all saved (the commit failed).
  [ -z "$left" ] || [ "$left" = "out.h5.partial out.h5.partial.tiles " ] || fail "$name: left $left"
  echo "$name: stopped in $elapsed_ms ms${left:+ (checkpoint kept: $left)}: $(grep 'error:' "$logs/$name.err")"
done
[ "$sizes_failed" -gt 0 ] || fail "no size was too small: the test no longer reaches a full disk"
finish "a full disk never hangs the job"
