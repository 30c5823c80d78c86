#!/usr/bin/env bash
# A checkpoint may only ever continue the very run that made it (issue 14). Each CASE
# reproduces one way the old code mixed, lost or passed off results, on 2 ranks, on a copy of
# the 8 x 8 x 2000-cycle test acquisition (8 tiles with --memory-budget 120M, slowed down by
# --throttle so that things happen mid-run), and checks the contract: a refusal is one
# "error:" line and a non-zero exit on every rank, and changes no file; a run that goes
# through gives the same datasets as an uninterrupted run.
#
#   input_replaced_before_resume  (class 4) the input is replaced by another acquisition of
#       the same size and modification time between an interrupted run and --resume
#   input_changed_during_run      (classes 4, 9) the input is overwritten in place, or cut
#       short, while the run reads it
#   input_replaced_during_run     (class 4) another file is renamed onto the input mid-run
#   input_moved_during_run        (class 10) the input is moved away mid-run
#   concurrent_output             (class 5) a second run with the same -o
#   concurrent_output_other_commands  (class 5) `ecm ttcf` and `ecm convert` with the -o of a
#       running run, or over the checkpoint of an interrupted one: they wrote OUT.h5.partial
#       under the running run and both claimed success; they take the same lock now
#   resume_finished_other         (class 6) --resume of a finished output made with other
#       options or from other data
#   resume_lost_tile              (class 7) a tile the ledger lists but the file lacks, and
#       the fill value of /fit_status
#   corrupt_checkpoint            (class 14) a damaged ledger, damaged tile data
#   rerun_discards_checkpoint     (class 14) a run without --resume says it discards one
#
#   check_checkpoint_safety.sh ECM INPUT.h5 WORKDIR CASE
# Environment: MPIEXEC, MPIEXEC_FLAGS (as the other CLI tests).
set -uo pipefail
ecm=$1 source_input=$2 case=$4
dir=$3/checkpoint_$case
fail() { echo "FAIL ($case): $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
dir=$(cd "$dir" && pwd)
in=$dir/data.h5 out=$dir/out.h5 ref=$dir/ref.h5
cp "$source_input" "$in" || fail "cannot copy the input"
opts=(--memory-budget 120M --progress none)
mpi() { ${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$@"; }

# ranks NAME ECM-ARGS...: runs `ecm ARGS` on 2 ranks; each rank writes its exit status to
# NAME.rc.RANK (and exits 0 itself, so that mpiexec aborts no rank); stdout/stderr to NAME.out/.err.
ranks() {
  local name=$1
  shift
  rm -f "$dir/$name".rc.*
  mpi bash -c '"$@"; echo $? > "$0.rc.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"' "$dir/$name" "$ecm" "$@" \
    > "$dir/$name.out" 2> "$dir/$name.err"
}
# rank_status NAME: "S0 S1", the exit status of each rank.
rank_status() { echo "$(cat "$dir/$1.rc.0" 2> /dev/null || echo none) $(cat "$dir/$1.rc.1" 2> /dev/null || echo none)"; }
# succeeded NAME: every rank exited 0.
succeeded() { [ "$(rank_status "$1")" = "0 0" ] || { cat "$dir/$1.err"; fail "$1: exit status $(rank_status "$1")"; }; }
# refused_with NAME MESSAGE: every rank failed, one error line, with MESSAGE.
refused_with() {
  local name=$1 message=$2 rank
  for rank in 0 1; do
    [ -f "$dir/$name.rc.$rank" ] || { cat "$dir/$name.err"; fail "$name: rank $rank did not finish"; }
    [ "$(cat "$dir/$name.rc.$rank")" -ne 0 ] || { cat "$dir/$name.err"; fail "$name: rank $rank exited 0"; }
  done
  [ "$(grep -c 'error:' "$dir/$name.err")" -eq 1 ] || { cat "$dir/$name.err"; fail "$name: not exactly one error line"; }
  grep -Fq -- "$message" "$dir/$name.err" || { cat "$dir/$name.err"; fail "$name: the message is not \"$message\""; }
  echo "$name: $(grep 'error:' "$dir/$name.err")"
}
# Names and contents of the files in the folder (not the logs).
snapshot() { (cd "$dir" && find . -type f ! -name '*.rc.*' ! -name '*.out' ! -name '*.err' ! -name '*.log' \
                 -exec sha256sum {} + | sort); }
# refused NAME MESSAGE ECM-ARGS...: refused on every rank, and not a file changed.
refused() {
  local name=$1 message=$2 before after
  shift 2
  before=$(snapshot)
  ranks "$name" "$@"
  refused_with "$name" "$message"
  after=$(snapshot)
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "$name: files changed"; }
}

make_reference() {
  ranks reference run "$in" -o "$ref" "${opts[@]}"
  succeeded reference
}
same_as_reference() {
  for d in tau tau_err beta contrast baseline chi2_red fit_status mean_intensity registration/drift_yx; do
    h5diff -q "$ref" "$1" "/$d" "/$d" || fail "/$d of $1 differs from the uninterrupted run"
  done
}
no_leftovers() {
  [ ! -e "$out.partial" ] && [ ! -e "$out.partial.tiles" ] || { ls -la "$dir"; fail "partial files left behind"; }
}
done_tiles() { grep -c '^done ' "$out.partial.tiles"; }

throttle=0.6  # seconds added to each tile
# start_throttled NAME N [ARGS...]: a slowed run writing $out in the background (job $job);
# returns once N tiles are recorded in its ledger.
start_throttled() {
  local name=$1 n=$2
  shift 2
  ranks "$name" run "$in" -o "$out" "${opts[@]}" --throttle "$throttle" "$@" &
  job=$!
  for _ in $(seq 1 400); do
    [ -f "$out.partial.tiles" ] && [ "$(done_tiles)" -ge "$n" ] && return 0
    sleep 0.05
  done
  fail "$name: no $n tiles recorded in time"
}
# interrupted: a run stopped by SIGTERM after 2 tiles; its checkpoint stays.
interrupted() {
  start_throttled interrupted 2
  pkill -TERM -f "^$ecm run $in -o $out"
  wait "$job"
  [ "$(rank_status interrupted)" = "75 75" ] || { cat "$dir/interrupted.err"; fail "SIGTERM: status $(rank_status interrupted)"; }
  [ -f "$out.partial" ] && [ -f "$out.partial.tiles" ] || fail "SIGTERM must keep the checkpoint"
  echo "interrupted with $(done_tiles) of 8 tiles done"
}
# make_other FILE: another acquisition of the same size and modification time as $in: every
# cycle's frames moved by one scan position.
make_other() {
  cp "$in" "$1" || fail "cannot copy"
  /usr/bin/python3 - "$1" << 'EOF' || fail "cannot write the other acquisition"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    frames = f["frames"]
    for t0 in range(0, frames.shape[0], 250):
        frames[t0:t0 + 250] = np.roll(frames[t0:t0 + 250], 1, axis=1)
EOF
  touch -r "$in" "$1"
  [ "$(stat -c %s "$in")" = "$(stat -c %s "$1")" ] || fail "the other acquisition has another size"
}
# other_in_place: $dir/other.h5 renamed onto $in, the original kept as $dir/original.h5;
# original_back: the reverse.
other_in_place() { mv "$in" "$dir/original.h5" && mv "$dir/other.h5" "$in" || fail "cannot rename the other acquisition onto the input"; }
original_back() { mv "$in" "$dir/other.h5" && mv "$dir/original.h5" "$in" || fail "cannot put the original input back"; }

case $case in
input_replaced_before_resume)
  make_reference
  interrupted
  make_other "$dir/other.h5"
  other_in_place
  refused resume_other_input "cannot resume: the input is not what the interrupted run read (the frames of '$in'" \
    run "$in" -o "$out" "${opts[@]}" --resume
  # The right file back: the checkpoint is good.
  original_back
  done_before=$(done_tiles)
  ranks resume run "$in" -o "$out" "${opts[@]}" --resume
  succeeded resume
  grep -q "resumed *$done_before of 8 tiles" "$dir/resume.out" || fail "the resume did not use the checkpoint"
  same_as_reference "$out"
  no_leftovers
  echo "input replaced (same size and time) before --resume: refused; with the original back: identical"
  ;;

input_changed_during_run)
  offset=$(/usr/bin/python3 -c "import h5py; print(h5py.File('$in', 'r')['frames'].id.get_offset())")
  # Overwritten in place, in frames no probe reads: only the file's own size and time tell.
  start_throttled overwritten 2
  /usr/bin/python3 -c "
import os
with open('$in', 'r+b') as f:
    f.seek($offset + 100_000_000)
    f.write(os.urandom(1_000_000))"
  wait "$job"
  refused_with overwritten "the input '$in' changed while the run read it"
  [ ! -e "$out" ] || fail "a result was committed from a changed input"
  no_leftovers
  # Cut short: the tiles still to read fail; the message says why.
  cp "$source_input" "$in"
  start_throttled truncated 2
  truncate -s 150000000 "$in"
  wait "$job"
  refused_with truncated "the input '$in' changed while the run read it"
  [ ! -e "$out" ] || fail "a result was committed from a truncated input"
  no_leftovers
  echo "input overwritten or truncated mid-run: refused, nothing left"
  ;;

input_replaced_during_run)
  make_reference
  make_other "$dir/other.h5"
  start_throttled replaced 2
  other_in_place
  wait "$job"
  refused_with replaced "the input '$in' was replaced by another file during the run"
  [ ! -e "$out" ] || fail "a result was committed for an input replaced mid-run"
  [ -f "$out.partial" ] && [ -f "$out.partial.tiles" ] || fail "the checkpoint of the file read must stay"
  original_back
  ranks resume run "$in" -o "$out" "${opts[@]}" --resume
  succeeded resume
  same_as_reference "$out"
  no_leftovers
  echo "input replaced mid-run: refused, checkpoint kept; with the original back, --resume: identical"
  ;;

input_moved_during_run)
  make_reference
  start_throttled moved 2
  mv "$in" "$dir/moved.h5"
  wait "$job"
  succeeded moved
  grep -q "note: the input '$in' was moved or deleted during the run" "$dir/moved.err" ||
    { cat "$dir/moved.err"; fail "no note about the input moved away"; }
  same_as_reference "$out"
  no_leftovers
  echo "input moved away mid-run: completed from the file as read, with a note"
  ;;

concurrent_output)
  make_reference
  throttle=1.5  # the first run must outlive both attempts of the second
  start_throttled first 1
  # Another run with other options onto the same -o, fresh and resuming: both must stop.
  ranks second run "$in" -o "$out" "${opts[@]}" --normalization standard
  refused_with second "another ecm run is writing '$out'"
  ranks second_resume run "$in" -o "$out" "${opts[@]}" --normalization standard --resume
  refused_with second_resume "another ecm run is writing '$out'"
  wait "$job"
  succeeded first
  same_as_reference "$out"
  no_leftovers
  echo "a second run onto the output of a running one: refused; the first run's result intact"
  ;;

concurrent_output_other_commands)
  make_reference
  throttle=1.5  # the run must outlive both attempts
  start_throttled first 1
  # ttcf and convert onto the output of a running run: both must stop before they write.
  ranks second_ttcf ttcf "$in" -o "$out"
  refused_with second_ttcf "another ecm run is writing '$out'"
  ranks second_convert convert "$in" -o "$out"
  refused_with second_convert "another ecm run is writing '$out'"
  wait "$job"
  succeeded first
  same_as_reference "$out"
  no_leftovers
  # Over an interrupted run's checkpoint they stop too, and leave it to --resume.
  rm -f "$out"
  throttle=0.6
  interrupted
  refused ttcf_over_checkpoint "'$out.partial.tiles' holds the checkpoint of an unfinished ecm run, which ecm ttcf" \
    ttcf "$in" -o "$out"
  refused convert_over_checkpoint "'$out.partial.tiles' holds the checkpoint of an unfinished ecm run, which ecm convert" \
    convert "$in" -o "$out"
  ranks resume run "$in" -o "$out" "${opts[@]}" --resume
  succeeded resume
  same_as_reference "$out"
  no_leftovers
  echo "ttcf and convert onto a running run's output, or over its checkpoint: refused; the run's result intact"
  ;;

resume_finished_other)
  ranks finished run "$in" -o "$out" "${opts[@]}"
  succeeded finished
  refused finished_other_options "cannot resume: '$out' is complete, but was made with another input or other options" \
    run "$in" -o "$out" "${opts[@]}" --normalization standard --resume
  make_other "$dir/other.h5"
  other_in_place
  refused finished_other_data "cannot resume: '$out' is complete, but was made from other data" \
    run "$in" -o "$out" "${opts[@]}" --resume
  original_back
  before=$(snapshot)
  ranks same run "$in" -o "$out" "${opts[@]}" --resume
  succeeded same
  grep -q "complete already" "$dir/same.out" || fail "--resume of the same finished run"
  [ "$before" = "$(snapshot)" ] || fail "--resume of a complete run changed files"
  no_leftovers
  echo "--resume of a finished output: refused for other options or data, nothing to do for the same"
  ;;

resume_lost_tile)
  make_reference
  interrupted
  done_before=$(done_tiles)
  # The first recorded tile's data never reached the file (a write lost before the ledger's
  # fsync): its region reads as each dataset's fill value, as in a file never written there.
  /usr/bin/python3 - "$out" << 'EOF' || fail "cannot edit the partial output"
import sys, h5py
ledger = open(sys.argv[1] + ".partial.tiles").read().split("\n")
n = int([l for l in ledger if l.startswith("tiles ")][0].split()[1])
plan_at = ledger.index([l for l in ledger if l.startswith("tiles ")][0]) + 1
plan = [tuple(map(int, l.split())) for l in ledger[plan_at:plan_at + n]]
first_done = int([l for l in ledger if l.startswith("done ")][0].split()[1])
y0, x0, ny, nx = plan[first_done]
with h5py.File(sys.argv[1] + ".partial", "r+") as f:
    for name in ["tau", "tau_err", "beta", "beta_err", "contrast", "contrast_err", "baseline", "chi2_red",
                 "mean_intensity", "fit_status"]:
        ds = f[name]
        ds[y0:y0 + ny, x0:x0 + nx] = ds.fillvalue
EOF
  ranks resume run "$in" -o "$out" "${opts[@]}" --resume
  succeeded resume
  grep -q "1 tile(s) the ledger lists as done do not hold their recorded results" "$dir/resume.err" ||
    { cat "$dir/resume.err"; fail "no note about the lost tile"; }
  grep -q "resumed *$((done_before - 1)) of 8 tiles" "$dir/resume.out" || fail "the lost tile was not computed again"
  same_as_reference "$out"
  no_leftovers
  # What a partial output holds where no tile was written yet: status 8, not_computed.
  interrupted
  /usr/bin/python3 - "$out" << 'EOF' || fail "positions not computed do not read as not_computed"
import sys, h5py, numpy as np
ledger = open(sys.argv[1] + ".partial.tiles").read().split("\n")
at = [i for i, l in enumerate(ledger) if l.startswith("tiles ")][0]
plan = [tuple(map(int, l.split())) for l in ledger[at + 1:at + 1 + int(ledger[at].split()[1])]]
done = {int(l.split()[1]) for l in ledger if l.startswith("done ")}
with h5py.File(sys.argv[1] + ".partial", "r") as f:
    status = f["fit_status"]
    assert status.fillvalue == 8, f"fill value {status.fillvalue}"
    for i, (y0, x0, ny, nx) in enumerate(plan):
        s = status[y0:y0 + ny, x0:x0 + nx]
        assert (s == 8).all() != (i in done), f"tile {i}: done {i in done}, statuses {np.unique(s)}"
EOF
  echo "a recorded tile missing from the file: computed again, identical; unwritten positions read as status 8"
  ;;

corrupt_checkpoint)
  make_reference
  interrupted
  cp "$out.partial.tiles" "$dir/ledger.saved" && cp "$out.partial" "$dir/partial.saved"
  restore() { cp "$dir/ledger.saved" "$out.partial.tiles" && cp "$dir/partial.saved" "$out.partial"; }
  # A tile plan with a gap (a tile line lost): positions no tile would ever compute.
  /usr/bin/python3 - "$out.partial.tiles" << 'EOF' || fail "cannot edit the ledger"
import sys
lines = open(sys.argv[1]).read().split("\n")
at = [i for i, l in enumerate(lines) if l.startswith("tiles ")][0]
n = int(lines[at].split()[1])
lines[at] = f"tiles {n - 1}"
done = [l for l in lines if l.startswith("done ") and int(l.split()[1]) < n - 1]
lines = lines[:at + n] + done + [""]
open(sys.argv[1], "w").write("\n".join(lines))
EOF
  refused plan_gap "is damaged" run "$in" -o "$out" "${opts[@]}" --resume
  restore
  # A done line made garbage.
  sed -i '0,/^done /s/^done \([0-9]*\) .*/done \1 not-a-checksum/' "$out.partial.tiles"
  refused garbled_record "is damaged" run "$in" -o "$out" "${opts[@]}" --resume
  restore
  # Tile data damaged after it was recorded: one tau of the first recorded tile overwritten.
  /usr/bin/python3 - "$out" << 'EOF' || fail "cannot edit the partial output"
import sys, h5py
lines = open(sys.argv[1] + ".partial.tiles").read().split("\n")
at = [i for i, l in enumerate(lines) if l.startswith("tiles ")][0]
first_done = int([l for l in lines if l.startswith("done ")][0].split()[1])
y0, x0 = map(int, lines[at + 1 + first_done].split()[:2])
with h5py.File(sys.argv[1] + ".partial", "r+") as f:
    f["tau"][y0, x0, 0, 0] = 1.0
    f["fit_status"][y0, x0, 0, 0] = 0
EOF
  done_before=$(done_tiles)
  ranks resume run "$in" -o "$out" "${opts[@]}" --resume
  succeeded resume
  grep -q "do not hold their recorded results" "$dir/resume.err" || { cat "$dir/resume.err"; fail "no note"; }
  same_as_reference "$out"
  no_leftovers
  echo "damaged ledger: refused, nothing changed; damaged tile data: computed again, identical"
  ;;

rerun_discards_checkpoint)
  make_reference
  interrupted
  done_before=$(done_tiles)
  ranks rerun run "$in" -o "$out" "${opts[@]}"
  succeeded rerun
  grep -q "note: starting afresh without --resume: the checkpoint in '$out.partial' ($done_before of 8 tiles done) is discarded" \
    "$dir/rerun.err" || { cat "$dir/rerun.err"; fail "the discarded checkpoint was not mentioned"; }
  same_as_reference "$out"
  no_leftovers
  echo "a run without --resume over a checkpoint: says it discards it"
  ;;

*) fail "unknown case" ;;
esac
rm -rf "$dir"
