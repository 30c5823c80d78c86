# Helpers for the CLI tests of issue 14's contract, sourced by check_*.sh: a command on 2
# ranks must give a non-zero exit on every rank within seconds, exactly one "error:" line
# naming the problem, and leave the folder as it was.
#   Needs: $ecm, $logs (a folder for the logs); MPIEXEC, MPIEXEC_FLAGS from ctest.
# KEEP_GOING=1 (to see every case fail against an old build): count the failures and go on;
# the script's last line then exits non-zero (finish).
failures=0
fail() {
  echo "FAIL: $*"
  [ -n "${KEEP_GOING:-}" ] || exit 1
  failures=$((failures + 1))
  return 1
}
finish() {
  [ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
  echo "$*"
}
mpi() { ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$@"; }

# small_acquisition: simulates data.h5 (+ truth.h5) in the current folder: a 4 x 4 scan of 40
# cycles on a 32 x 32 uint8 detector, the tests' common input. Sets $sim (its options), $grid
# (a k grid that fits it) and $opts ($grid, no progress bar).
small_acquisition() {
  sim=(--scan 4,4 --cycles 40 --detector 32,32 --k-pixel-size 0.04 --tau 2.5 --time-step 0.125 --dtype uint8)
  mpi "$ecm" simulate data.h5 --truth truth.h5 "${sim[@]}" > "$logs/simulate.log" 2>&1 ||
    { cat "$logs/simulate.log"; fail "simulate"; }
  grid=(--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8)
  opts=("${grid[@]}" --progress none)
}

# Every name in the current folder with its type, link target and, for files, content.
snapshot() {
  find . -printf '%p %y %l\n' | sort
  find . -type f -exec sha256sum {} + | sort
}

# The same without reading the files, for a folder of many large inputs (the bad-input
# corpus): each name's type, link target, size, inode, and modification and change times in
# ns (a write to a file changes its change time, which no program can set back). Folders by
# name only: a file made and removed again changes its folder's times.
snapshot_stat() {
  find . \( -type d -printf '%p d\n' \) -o -printf '%p %y %l %s %i %T@ %C@\n' | sort
}

# run_ranks NAME LIMIT_S ECM-ARGS...: runs `ecm ARGS` on 2 ranks, each recording its own
# exit status in $logs/NAME.rc.RANK; stdout/stderr in $logs/NAME.out/.err, the wall time in
# $elapsed_ms, mpiexec's status in $job_rc. Past LIMIT_S the job is stopped (SIGTERM,
# SIGKILL 5 s later; $job_rc 124 or 137): a hang leaves the ranks without a status.
run_ranks() {
  local name=$1 limit=$2
  shift 2
  rm -f "$logs/$name".rc.*
  local start=$(date +%s%N)
  timeout -k 5 "$limit" ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 \
    bash -c '"$@"; echo $? > "$0.rc.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"' "$logs/$name" "$ecm" "$@" \
    > "$logs/$name.out" 2> "$logs/$name.err"
  job_rc=$?
  elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

# every_rank_failed NAME [killed-ok]: each rank finished with a non-zero status. With
# killed-ok, a rank may also have been killed by the job's abort (MPI_Abort: no status of
# its own, mpiexec's non-zero), but not by the time limit (a hang).
every_rank_failed() {
  local name=$1 killed_ok=${2:-} rank
  [ "$job_rc" -ne 124 ] && [ "$job_rc" -ne 137 ] || { cat "$logs/$name.err"; fail "$name: still running at the time limit (a hang)"; }
  for rank in 0 1; do
    if [ ! -f "$logs/$name.rc.$rank" ]; then
      [ -n "$killed_ok" ] && [ "$job_rc" -ne 0 ] && continue
      cat "$logs/$name.err"
      fail "$name: rank $rank did not finish"
    fi
    [ "$(cat "$logs/$name.rc.$rank")" -ne 0 ] || { cat "$logs/$name.err"; fail "$name: rank $rank exited 0"; }
  done
}

# one_error_line NAME REGEX: exactly one "error:" line on stderr, matching REGEX (grep -E).
one_error_line() {
  local name=$1 regex=$2
  [ "$(grep -c 'error:' "$logs/$name.err")" -eq 1 ] || { cat "$logs/$name.err"; fail "$name: not exactly one error line"; }
  grep 'error:' "$logs/$name.err" | grep -Eq -- "$regex" ||
    { cat "$logs/$name.err"; fail "$name: the error line does not match /$regex/"; }
}

# refused NAME LIMIT_S REGEX ECM-ARGS...: `ecm ARGS` on 2 ranks fails on every rank within
# LIMIT_S seconds with one error line matching REGEX, and the current folder is unchanged.
refused() {
  local name=$1 limit=$2 regex=$3
  shift 3
  local before after
  before=$(snapshot)
  run_ranks "$name" "$limit" "$@"
  every_rank_failed "$name"
  one_error_line "$name" "$regex"
  after=$(snapshot)
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "$name: the folder changed"; }
  echo "$name: refused in $elapsed_ms ms, nothing changed: $(grep 'error:' "$logs/$name.err" | head -3)"
}
