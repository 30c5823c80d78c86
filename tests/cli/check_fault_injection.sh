#!/usr/bin/env bash
# Issue 14, fault injection: `ecm run` on 2 ranks killed at a random moment, RUNS times, each
# time by one of
#   SIGKILL to mpiexec          (a node or the launcher lost: the ranks lose their daemon),
#   SIGKILL to one rank         (a rank's node lost, the OOM killer),
#   SIGTERM to mpiexec          (a batch system's time limit: ranks save their tile, exit 75),
# in turn, then resumed once with --resume, uninterrupted. The resumed result must hold every
# dataset and attribute of one uninterrupted run bit for bit (except the provenance that
# differs between any two runs, listed at `provenance`), and no .partial or ledger may be
# left. A moment may fall before the ranks start, before the checkpoint exists, during the
# commit or after the run finished: each must still end in the same file.
#   check_fault_injection.sh ECM WORKDIR [RUNS]
# Environment: ECM_FAULT_SEED (default: from the clock; printed, to repeat a failing
# sequence), MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 dir=$2 runs=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir/logs" || { echo "FAIL: cannot create $dir"; exit 1; }
dir=$(cd "$dir" && pwd)
logs=$dir/logs
source "$here/contract_helpers.sh"
cd "$dir" || fail "cannot enter $dir"

seed=${ECM_FAULT_SEED:-$(( $(date +%s%N) / 1000 % 32768 ))}
RANDOM=$seed
echo "seed $seed (ECM_FAULT_SEED=$seed repeats this sequence of moments)"

# 40 cycles of an 8x8 scan, 2.6 MB: the budget gives 8 tiles, each slowed by the throttle
# so that the run lasts a few seconds and a moment can fall in any of its stages.
mpi "$ecm" simulate data.h5 --truth truth.h5 --scan 8,8 --cycles 40 --detector 32,32 --k-pixel-size 0.04 \
  --tau 2.5 --time-step 0.125 --dtype uint8 > "$logs/simulate.log" 2>&1 || { cat "$logs/simulate.log"; fail "simulate"; }
opts=(--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8 --memory-budget 82650K --progress none --throttle 0.3)
# Every run writes out.h5 (the output path is part of the run's fingerprint); the
# reference is moved aside.
run_args=(run data.h5 -o out.h5 "${opts[@]}")
rank_pattern="^$ecm run data.h5 -o out.h5 "

# Root attributes that record one run rather than its results: its clock (start_time,
# end_time), its memory (peak_rss_max_bytes), how the work fell to ranks and runs
# (tiles_per_rank under the dynamic schedule, tiles_from_earlier_runs) and what it read
# (bytes_read_analysis, bytes_fetched_over_requested: a resumed run reads only the tiles
# left), and its command line (command_line, configuration: --resume). The options that
# decide the results are still compared through run_fingerprint; /timing/stage_seconds
# holds wall times (its shape is compared).
provenance=(start_time end_time peak_rss_max_bytes tiles_per_rank tiles_from_earlier_runs bytes_read_analysis
            bytes_fetched_over_requested command_line configuration)
same_as_reference() {
  local ignore=() a
  for a in "${provenance[@]}"; do ignore+=(--ignore-attribute "$a"); done
  /usr/bin/python3 "$here/same_results.py" ref.h5 out.h5 "${ignore[@]}" --ignore-values /timing/stage_seconds \
    > "$logs/$1.diff" || { cat "$logs/$1.diff"; fail "$1: the resumed result differs from the uninterrupted one"; }
}

run_ranks reference 120 "${run_args[@]}"
[ "$job_rc" -eq 0 ] || { cat "$logs/reference.err"; fail "the uninterrupted run failed"; }
mv out.h5 ref.h5
tiles=$(sed -n 's/.* rank(s), \([0-9]*\) tile(s).*/\1/p' "$logs/reference.out")
[ "${tiles:-0}" -ge 4 ] || fail "the input splits into ${tiles:-no} tiles, too few to stop between them"
window_ms=$((elapsed_ms + 500))  # up to just after the run's end
echo "uninterrupted: $tiles tiles in $elapsed_ms ms; moments drawn from 0-$window_ms ms"

# wait_for_job PID NAME: waits up to 30 s for mpiexec, then for every rank, to end; mpiexec's
# status in $job_rc. Its stderr is the shell's "Killed" notice for mpiexec: called 2> /dev/null.
wait_for_job() {
  local job=$1 name=$2
  for _ in $(seq 300); do kill -0 "$job" || break; sleep 0.1; done
  kill -0 "$job" && { kill -KILL "$job"; fail "$name: mpiexec still running 30 s after the fault"; }
  wait "$job"
  job_rc=$?
  for _ in $(seq 300); do pgrep -f "$rank_pattern" > /dev/null || return 0; sleep 0.1; done
  pgrep -af "$rank_pattern"
  fail "$name: ranks still running 30 s after the fault"
}

# A kill between the commit's rename of out.h5.partial to out.h5 and the removal of the
# ledger (microseconds, which random moments rarely hit) leaves out.h5 and a ledger: made here
# with the ledger of an interrupted run put back beside the finished output.
${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$ecm" "${run_args[@]}" > "$logs/commit.out" 2> "$logs/commit.err" &
job=$!
for _ in $(seq 300); do [ -e out.h5.partial.tiles ] && grep -q '^done ' out.h5.partial.tiles && break; sleep 0.05; done
pids=($(pgrep -f "$rank_pattern"))
kill -KILL "${pids[0]}"
wait_for_job "$job" commit 2> /dev/null
cp out.h5.partial.tiles ledger.saved || fail "commit: no checkpoint to save"
run_ranks commit.finish 120 "${run_args[@]}" --resume
[ "$job_rc" -eq 0 ] || { cat "$logs/commit.finish.err"; fail "commit: --resume failed"; }
mv ledger.saved out.h5.partial.tiles
run_ranks commit.resume 120 "${run_args[@]}" --resume
[ "$job_rc" -eq 0 ] && grep -q "complete already" "$logs/commit.resume.out" ||
  { cat "$logs/commit.resume.err"; fail "commit: --resume of a committed output whose ledger was left failed"; }
[ ! -e out.h5.partial.tiles ] || fail "commit: the ledger of the finished run was left"
same_as_reference commit
rm -f out.h5
echo "killed between the commit's rename and the ledger's removal: --resume finds the output complete"

kinds=("SIGKILL to mpiexec" "SIGKILL to one rank" "SIGTERM to mpiexec")
for i in $(seq "$runs"); do
  name=run$i kind=$(( (i - 1) % 3 ))
  at_ms=$(( (RANDOM * 32768 + RANDOM) % window_ms ))
  rm -f "$logs/$name".*
  ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$ecm" "${run_args[@]}" > "$logs/$name.out" 2> "$logs/$name.err" &
  job=$!  # mpiexec itself, not a subshell: the signal goes to it
  sleep "$((at_ms / 1000)).$(printf %03d $((at_ms % 1000)))"
  case $kind in  # 2> /dev/null: the shell's "Killed" notice, if mpiexec dies at once
  0) kill -KILL "$job" ;;
  1) pids=($(pgrep -f "$rank_pattern"))  # none yet (still starting) or none left: no fault
     [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[RANDOM % ${#pids[@]}]}" ;;
  2) kill -TERM "$job" ;;
  esac 2> /dev/null
  wait_for_job "$job" "$name" 2> /dev/null
  left=$(ls out.h5* 2> /dev/null | tr '\n' ' ')
  [ -e out.h5.partial.tiles ] && left+="($(grep -c '^done ' out.h5.partial.tiles) tiles recorded)"
  state="mpiexec $job_rc, left ${left:-nothing}"
  # A killed run leaves its checkpoint or its finished output, never an unfinished out.h5.
  if [ -e out.h5 ] && [ -e out.h5.partial ]; then fail "$name: both out.h5 and out.h5.partial after the fault"; fi

  run_ranks "$name.resume" 120 "${run_args[@]}" --resume
  [ "$job_rc" -eq 0 ] && [ "$(cat "$logs/$name.resume.rc.0" "$logs/$name.resume.rc.1" 2> /dev/null)" = "0"$'\n'"0" ] ||
    { cat "$logs/$name.err" "$logs/$name.resume.err"; fail "$name: --resume after $state failed"; }
  [ ! -e out.h5.partial ] && [ ! -e out.h5.partial.tiles ] || { ls -la; fail "$name: partial files left after --resume"; }
  same_as_reference "$name"
  resumed=$(sed -n 's/.*resumed *\([0-9]* of [0-9]*\) tiles.*/\1/p' "$logs/$name.resume.out")
  grep -q "complete already" "$logs/$name.resume.out" && resumed="complete already"
  echo "$name: ${kinds[$kind]} at $at_ms ms: $state; --resume: ${resumed:-started afresh}, identical"
  rm -f out.h5
done
finish "$runs runs killed at random moments, each resumed to the uninterrupted result (seed $seed)"
