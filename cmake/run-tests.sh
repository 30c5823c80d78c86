#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, MPI at 1-3 ranks, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/setup-debian.sh
bash cmake/build.sh
cd "${ECM_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 -j 2
