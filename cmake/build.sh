#!/usr/bin/env bash
# Configures and builds ecm into ./build (or $ECM_BUILD_DIR) with all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ECM_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${ECM_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
