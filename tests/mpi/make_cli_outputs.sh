#!/usr/bin/env bash
# The `ecm` CLI's side of the API tests (test_api.cpp, ctest fixture api_cli_outputs): on the
# shared e2e acquisition, with the options test_api.cpp gives the library,
#   DIR/api_cli.h5                          a whole run on 2 ranks;
#   DIR/api_cli_partial.h5.partial(.tiles)  a checkpoint: one rank, slowed by --throttle, stopped
#                                           by SIGTERM (exit 75) once a tile is recorded.
#   make_cli_outputs.sh ECM INPUT.h5 DIR      Environment: MPIEXEC, MPIEXEC_FLAGS (as ctest gives).
set -uo pipefail
ecm=$1 input=$2 dir=$3
fail() { echo "FAIL: $*"; exit 1; }
# Keep in step with api_test_options() in test_api.cpp.
opts=(--progress none --memory-budget 120M --n-kphi 24 --n-lags 40 --min-counts 0.02)
mkdir -p "$dir"
rm -f "$dir"/api_cli*
${MPIEXEC:-mpiexec} ${MPIEXEC_FLAGS:-} -n 2 "$ecm" run "$input" -o "$dir/api_cli.h5" "${opts[@]}" > "$dir/api_cli.log" 2>&1 ||
  { cat "$dir/api_cli.log"; fail "the CLI run"; }

partial=$dir/api_cli_partial.h5
"$ecm" run "$input" -o "$partial" "${opts[@]}" --throttle 1 > "$partial.log" 2>&1 &
job=$!
for _ in $(seq 1 600); do
  [ -f "$partial.partial.tiles" ] && [ "$(grep -c '^done ' "$partial.partial.tiles")" -ge 1 ] && break
  sleep 0.05
done
kill -TERM "$job"
wait "$job"
status=$?
[ "$status" -eq 75 ] || { cat "$partial.log"; fail "the throttled run must stop with status 75 on SIGTERM, got $status"; }
[ -f "$partial.partial" ] && [ -f "$partial.partial.tiles" ] || fail "no checkpoint left in $partial.partial"
done_tiles=$(grep -c '^done ' "$partial.partial.tiles")
total=$(sed -n 's/^tiles //p' "$partial.partial.tiles")
[ "$done_tiles" -lt "$total" ] || fail "the throttled run finished all $total tiles before SIGTERM"
echo "api_cli.h5 written; checkpoint $partial.partial with $done_tiles of $total tiles done"
