#!/usr/bin/env bash
# Issue 14: the tests again with AddressSanitizer + UndefinedBehaviorSanitizer (ECM_SANITIZE,
# cmake/EcmSanitize.cmake), as CI runs them after cmake/run-tests.sh. Builds into its own
# folder only what the tests below need, then runs
#   - the unit tests (ctest label unit),
#   - the MPI end-to-end tests on 2 ranks (mpi_tests_setup, mpi_tests_np2),
#   - the CLI contract tests (ctest label cli), which run the sanitized `ecm`,
#   - the CI subset of the bad-input corpus, when tests/corpus has its driver.
# Fails when a test fails or when any sanitizer report was written, even by a run whose
# test expected it to fail (a contract test accepts any non-zero exit).
#   bash cmake/run-sanitized-tests.sh
# Environment: ECM_ASAN_BUILD_DIR (default build-asan), ECM_CMAKE_ARGS (added to the
# configuration, e.g. a compiler launcher), ECM_ASAN_CTEST_ARGS (e.g. "-R unit" to run less).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${ECM_ASAN_BUILD_DIR:-build-asan}

# -O1: the sanitizers' own guidance (usable speed, exact stacks); no -DNDEBUG, so the
# assertions of ecm, Eigen and Kokkos are checked too. No benchmarks: nothing here runs them.
cmake -S . -B "$build" -DECM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DECM_BUILD_BENCHMARKS=OFF ${ECM_CMAKE_ARGS:-} > /dev/null
build=$(cd "$build" && pwd)
reports=$build/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"

# Reports go to files (one per process) as well as the test's output, so that none is lost
# in a test that expected a failure. detect_leaks=0: Open MPI and HDF5 keep allocations
# alive until exit by design (MPI_Init's state, plugin registries, the HDF5 free lists), so
# LeakSanitizer would report every process; leaks are not what this run looks for.
# abort_on_error=0 with a distinct exitcode: a finding ends its process with status 86.
export ASAN_OPTIONS="detect_leaks=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan:log_exe_name=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$reports/ubsan:log_exe_name=1"

# The unit tests' ctest cases are discovered by running the executable, under ASan too.
started=$SECONDS
cmake --build "$build" -j "$(nproc)" --target ecm ecm_unit_tests ecm_mpi_tests make_bad_inputs png_check
echo "run-sanitized-tests: built in $((SECONDS - started)) s"
started=$SECONDS

cd "$build"
status=0
# The MPI tests on 2 ranks only: 1 and 3 ranks, and the 4-rank registration, take the same
# code paths and would double the time.
ctest --output-on-failure --timeout 900 -j 2 -L 'unit|cli|mpi' \
  -E '^(mpi_tests_np1|mpi_tests_np3|mpi_registration_ranks_np4)$' ${ECM_ASAN_CTEST_ARGS:-} || status=1
cd "$root"

# The bad-input corpus' CI subset with the sanitized ecm (tests/corpus, issue 14).
if [ -f tests/corpus/run_corpus.sh ]; then
  ECM=$build/drivers/ecm bash tests/corpus/run_corpus.sh --subset ci || status=1
else
  echo "run-sanitized-tests: no tests/corpus/run_corpus.sh, corpus skipped"
fi

echo "run-sanitized-tests: tests ran in $((SECONDS - started)) s"
if compgen -G "$reports/*" > /dev/null; then
  echo "run-sanitized-tests: sanitizer reports (any one fails the run):"
  for f in "$reports"/*; do echo "== $f"; head -60 "$f"; done
  status=1
fi
[ "$status" -eq 0 ] && echo "run-sanitized-tests: clean (ASan + UBSan)"
exit "$status"
