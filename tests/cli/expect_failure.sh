#!/usr/bin/env bash
# expect_failure.sh OUTPUT REGEX NRANKS -- COMMAND...
# Runs COMMAND under mpiexec with NRANKS ranks and checks what a user must see on bad
# input: a non-zero exit, exactly one "error:" line matching REGEX, and no OUTPUT file
# (nor OUTPUT.partial) left behind. ctest's TIMEOUT bounds the time ("within seconds").
set -u
output=$1 regex=$2 nranks=$3
shift 4
rm -f "$output" "$output.partial"
stderr_file=$(mktemp)
start=$(date +%s%N)
"${MPIEXEC:-mpiexec}" -n "$nranks" ${MPIEXEC_FLAGS:-} "$@" >/dev/null 2>"$stderr_file"
code=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
errors=$(grep -c "error:" "$stderr_file")
echo "exit code $code after ${elapsed_ms} ms; stderr:"
cat "$stderr_file"
fail=0
[ "$code" -ne 0 ] || { echo "FAIL: exit code 0 on bad input"; fail=1; }
[ "$errors" -eq 1 ] || { echo "FAIL: expected exactly one error line, got $errors"; fail=1; }
grep -Eq -e "$regex" "$stderr_file" || { echo "FAIL: message does not match /$regex/"; fail=1; }
[ ! -e "$output" ] || { echo "FAIL: output file $output left behind"; fail=1; }
[ ! -e "$output.partial" ] || { echo "FAIL: partial output $output.partial left behind"; fail=1; }
rm -f "$stderr_file"
exit $fail
