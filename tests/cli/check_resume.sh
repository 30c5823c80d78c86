#!/usr/bin/env bash
# Checkpoint and resume (issue 4): `ecm run` killed with SIGKILL (one rank) or stopped with
# SIGTERM (all ranks, as SLURM does at a time limit), then `--resume`, must give the same
# datasets as an uninterrupted run; SIGTERM must exit with status 75 and keep the partial
# output and its tile ledger; --resume of a finished run does nothing.
#   check_resume.sh ECM INPUT.h5 WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 input=$2 dir=$3
mpi="${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2"
opts="--memory-budget 120M"   # 8 tiles: 4 rounds on 2 ranks
mkdir -p "$dir"
rm -f "$dir"/resume_*
fail() { echo "FAIL: $*"; exit 1; }

$mpi "$ecm" run "$input" -o "$dir/resume_ref.h5" $opts > /dev/null || fail "reference run"

same_as_reference() {
  for d in tau tau_err beta contrast baseline chi2_red fit_status mean_intensity registration/drift_yx; do
    h5diff -q "$dir/resume_ref.h5" "$1" "/$d" "/$d" || fail "/$d of $1 differs from the uninterrupted run"
  done
}

# Starts a throttled run of $1 in the background; waits until 2 tiles are recorded done.
start_and_wait() {
  local out=$1
  $mpi "$ecm" run "$input" -o "$out" $opts --throttle 0.6 > "$out.log" 2>&1 &
  job=$!
  for _ in $(seq 1 300); do
    [ -f "$out.partial.tiles" ] && [ "$(grep -c '^done ' "$out.partial.tiles")" -ge 2 ] && return 0
    sleep 0.05
  done
  fail "no tile recorded in time for $out"
}

# 1. SIGKILL of one rank mid-run.
out=$dir/resume_kill.h5
start_and_wait "$out"
rank_pid=$(pgrep -f "^$ecm run $input -o $out" | head -1)
[ -n "$rank_pid" ] || fail "no rank process found"
kill -9 "$rank_pid"
wait "$job" && fail "the killed job exited with status 0"
[ -f "$out" ] && fail "a killed run left a final output"
[ -f "$out.partial" ] && [ -f "$out.partial.tiles" ] || fail "a killed run must keep $out.partial and its ledger"
done_before=$(grep -c '^done ' "$out.partial.tiles")
[ "$done_before" -lt 8 ] || fail "the run finished before it was killed"
$mpi "$ecm" run "$input" -o "$out" $opts --resume > "$out.resume.log" || fail "resume after kill -9"
grep -q "resumed *$done_before of 8 tiles" "$out.resume.log" || fail "resume did not reuse the $done_before recorded tiles"
[ -f "$out.partial" ] || [ -f "$out.partial.tiles" ] && fail "resume left partial files behind"
same_as_reference "$out"
echo "kill -9 of one rank after $done_before of 8 tiles, then --resume: identical"

# 2. SIGTERM to every rank (SLURM at its time limit): status 75, work kept.
out=$dir/resume_term.h5
start_and_wait "$out"
pkill -TERM -f "^$ecm run $input -o $out"
wait "$job"
status=$?
[ "$status" -eq 75 ] || fail "SIGTERM must exit with status 75, got $status"
grep -q "run again with --resume" "$out.log" || fail "SIGTERM message missing"
[ -f "$out.partial" ] && [ -f "$out.partial.tiles" ] || fail "SIGTERM must keep the partial output and its ledger"
done_before=$(grep -c '^done ' "$out.partial.tiles")
# The signal lands in a round of 3 tiles per rank, 2 tiles done: each rank finishes the tile
# it is on and drops the rest of its round (a stop takes one tile, not one round).
[ "$done_before" -le 4 ] || fail "SIGTERM after 2 tiles must stop after each rank's current tile, but $done_before of 8 are done"
$mpi "$ecm" run "$input" -o "$out" $opts --resume > "$out.resume.log" || fail "resume after SIGTERM"
same_as_reference "$out"
echo "SIGTERM after $done_before of 8 tiles (status 75), then --resume: identical"

# 3. --resume of a finished run: nothing to do, the file untouched.
before=$(stat -c %Y "$out")
$mpi "$ecm" run "$input" -o "$out" $opts --resume | grep -q "complete already" || fail "resume of a complete run"
[ "$(stat -c %Y "$out")" = "$before" ] || fail "resume of a complete run touched the file"
echo "resume of a complete run: nothing done"
