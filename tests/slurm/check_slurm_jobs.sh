#!/usr/bin/env bash
# The job scripts in slurm/, submitted with sbatch to a one-node SLURM cluster started on
# this machine (local_cluster.sh), checked against a plain `ecm run` (issue 4):
#   1. ecm-run-cpu.sbatch on one dataset;
#   2. ecm-archive.sbatch over a manifest of two datasets as a job array, every task with a
#      1-minute time limit and SIGUSR1 45 s before it; task 2 is slowed (--throttle) so that
#      it runs into its limit, saves its tiles, requeues itself and finishes with --resume;
#   3. the same array again: finished outputs are left alone.
#   check_slurm_jobs.sh ECM INPUT.h5 SOURCE_DIR WORKDIR
# Exit 77 (skipped) when SLURM is not installed or not root.
set -uo pipefail
ecm=$1 input=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
trap 'bash "$src/tests/slurm/local_cluster.sh" stop "$work/cluster"' EXIT
conf=$(bash "$src/tests/slurm/local_cluster.sh" start "$work/cluster")
status=$?
[ $status -eq 77 ] && { echo "$conf"; exit 77; }
[ $status -eq 0 ] || { echo "$conf"; exit 1; }
export SLURM_CONF=$conf
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }
mpi="${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2"
budget=120M  # 8 tiles of the test acquisition: 4 rounds on 2 ranks
$mpi "$ecm" run "$input" -o "$work/ref.h5" --memory-budget $budget --progress none > /dev/null || fail "reference run"
same_as_reference() {
  for d in tau beta contrast fit_status mean_intensity; do
    h5diff -q "$work/ref.h5" "$1" "/$d" "/$d" || fail "/$d of $1 differs from a plain ecm run"
  done
}
# Options for this 2-CPU cluster; the scripts' own #SBATCH lines ask for a real node.
local_opts=(--ntasks=2 --ntasks-per-node=2 --mem-per-cpu=1G --export="ALL,ECM=$ecm,ECM_MEMORY_BUDGET=$budget")
released=""  # requeued jobs whose hold was shortened (wait_for_jobs)
wait_for_jobs() {  # until squeue lists none for 3 polls in a row, at most $1 s
  # A job that requeues itself is briefly listed by no one between its end and its
  # requeue (seen on a loaded 2-core machine): one empty poll is not the end.
  local empty=0
  local queue
  for _ in $(seq 1 "$1"); do
    # squeue that fails (a busy controller) tells nothing: not an empty queue.
    if queue=$(squeue -h 2>/dev/null) && [ -z "$queue" ]; then
      empty=$((empty + 1))
      [ "$empty" -ge 3 ] && return 0
    else
      empty=0
    fi
    # SLURM holds a requeued job for 2 minutes (reason BeginTime); shorten that to 20 s so
    # the test does not wait long (a real cluster just starts it 2 minutes later). Not to 0:
    # relaunched within a second of its kill, slurmd refused the job ("Job N already killed,
    # do not launch batch job") and it ended with exit 1, its output never written.
    # Once per requeue: the hold shows the same reason until it ends.
    for id in $(squeue -h -t PD -o "%i %r" | awk '$2 == "BeginTime" { print $1 }'); do
      case " $released " in *" $id "*) continue ;; esac
      scontrol update JobId="$id" StartTime=now+20 > /dev/null 2>&1 && released="$released $id"
    done
    sleep 1
  done
  squeue; fail "jobs still queued after $1 s"
}

# 1. One dataset.
sbatch "${local_opts[@]}" --time=5 -o "$work/single.log" "$src/slurm/ecm-run-cpu.sbatch" "$input" "$work/single.h5" \
  > /dev/null || fail "sbatch ecm-run-cpu.sbatch"
wait_for_jobs 120
same_as_reference "$work/single.h5"
echo "ecm-run-cpu.sbatch: output identical to a plain run"

# 2. An archive of two datasets; task 2 hits its time limit.
cat > "$work/manifest.txt" <<MANIFEST
# input                output                 options
$input  $work/archive_1.h5
$input  $work/archive_2.h5  --throttle 8
MANIFEST
sbatch "${local_opts[@]}" --array=1-2 --time=1 --signal=USR1@45 -o "$work/archive_%a.log" \
  "$src/slurm/ecm-archive.sbatch" "$work/manifest.txt" > /dev/null || fail "sbatch ecm-archive.sbatch"
wait_for_jobs 400
# The requeued task may still be on its way back to the queue: its output is the sign.
for _ in $(seq 1 60); do [ -f "$work/archive_2.h5" ] && break; sleep 2; wait_for_jobs 400; done
same_as_reference "$work/archive_1.h5"
same_as_reference "$work/archive_2.h5"
grep -q "requeueing" "$work/archive_2.log" || fail "task 2 was not stopped by its time limit and requeued"
restarts=$(grep -c "requeueing" "$work/archive_2.log")
grep -q "resumed" "$work/archive_2.log" || fail "task 2 did not resume from its saved tiles"
echo "ecm-archive.sbatch: both outputs identical to a plain run; task 2 requeued $restarts time(s) at its limit"

# 3. Resubmitting the archive redoes nothing.
before=$(stat -c %Y "$work/archive_1.h5" "$work/archive_2.h5")
sbatch "${local_opts[@]}" --array=1-2 --time=1 -o "$work/again_%a.log" "$src/slurm/ecm-archive.sbatch" \
  "$work/manifest.txt" > /dev/null || fail "sbatch again"
wait_for_jobs 120
grep -q "complete already" "$work/again_1.log" && grep -q "complete already" "$work/again_2.log" ||
  fail "a finished dataset was not skipped"
[ "$(stat -c %Y "$work/archive_1.h5" "$work/archive_2.h5")" = "$before" ] || fail "finished outputs were rewritten"
echo "ecm-archive.sbatch again: finished datasets skipped"
