#!/usr/bin/env bash
# Issue 14, class 14: a signal to mpiexec gave exit status 1 and no message. mpiexec turns
# SIGTERM and SIGINT into SIGTERM to every rank and kills them one second later: `ecm
# simulate` died silently leaving its half-written output and the truth file, and `ecm run`'s
# clean stop (which finishes the tile in progress) was cut short before it said anything.
# Now a stopped command says so in one line, and removes what it had not finished; `ecm run`
# says at once that its stop has begun, and keeps its checkpoint for --resume.
#   check_stop_signals.sh ECM WORKDIR
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir/files" "$dir/logs" || { echo "FAIL: cannot create $dir"; exit 1; }
logs=$(cd "$dir/logs" && pwd)
source "$here/contract_helpers.sh"
cd "$dir/files" || fail "cannot enter $dir/files"

# stop NAME SIGNAL FILE ECM-ARGS...: starts `ecm ARGS` on 2 ranks, sends SIGNAL to mpiexec
# as soon as FILE exists, and waits for the job (at most 30 s).
stop() {
  local name=$1 sig=$2 file=$3
  shift 3
  ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$ecm" "$@" > "$logs/$name.out" 2> "$logs/$name.err" &
  local job=$!  # mpiexec itself, not a subshell: the signal goes to it
  for _ in $(seq 300); do [ -e "$file" ] && break; sleep 0.1; done
  [ -e "$file" ] || { kill -KILL "$job"; cat "$logs/$name.err"; fail "$name: no $file after 30 s"; }
  kill "-$sig" "$job"
  for _ in $(seq 300); do kill -0 "$job" 2> /dev/null || break; sleep 0.1; done
  kill -0 "$job" 2> /dev/null && { kill -KILL "$job"; fail "$name: still running 30 s after SIG$sig"; }
  wait "$job"
  echo "$name: mpiexec exited with $? after SIG$sig; stderr: $(grep -v '^--\|^$' "$logs/$name.err" | head -3 | tr '\n' '|')"
}

big=(--scan 8,8 --cycles 400 --detector 64,64 --dtype uint8)  # 100 MB: seconds after the file appears
for sig in TERM INT; do
  stop "simulate_sig$sig" "$sig" sim.h5 simulate sim.h5 --truth sim_truth.h5 "${big[@]}"
  grep -q "^ecm simulate: stopped by SIGTERM$" "$logs/simulate_sig$sig.err" ||
    fail "simulate_sig$sig: no line saying that it was stopped"
  [ "$(grep -c 'ecm simulate' "$logs/simulate_sig$sig.err")" -eq 1 ] || fail "simulate_sig$sig: not exactly one line"
  ! grep -q "ecm simulate: wrote" "$logs/simulate_sig$sig.out" || fail "simulate_sig$sig: finished before the signal"
  [ ! -e sim.h5 ] && [ ! -e sim_truth.h5 ] || { ls -la; fail "simulate_sig$sig: the unfinished files were left"; }
done

small_acquisition
# Each rank sleeps 8 s after its tile: longer than mpiexec waits before SIGKILL.
stop run_sigTERM TERM out.h5.partial.tiles run data.h5 -o out.h5 --kr-range 0.3,0.55 --n-kr 2 --n-kphi 8 \
  --progress none --throttle 8
grep -q "^ecm run: stop requested by a signal: saving the tiles in progress" "$logs/run_sigTERM.err" ||
  fail "run_sigTERM: no line saying that the run is stopping"
[ ! -e out.h5 ] || fail "run_sigTERM: an output out.h5 although the run was stopped"
[ -e out.h5.partial ] && [ -e out.h5.partial.tiles ] || fail "run_sigTERM: the checkpoint for --resume is gone"
finish "every stopped command said so"
