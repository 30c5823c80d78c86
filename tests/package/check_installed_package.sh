#!/usr/bin/env bash
# check_installed_package.sh CMAKE BUILD_DIR CONSUMER_SRC ECM WORK CXX
# Installs the build into WORK/prefix, builds the consumer against that prefix alone (not the
# build tree), and runs it on 2 ranks on a small simulated acquisition: its /tau and
# /fit_status must equal those of `ecm run` with the same options, bit for bit.
set -uo pipefail
cmake_cmd=$1 build=$2 consumer=$3 ecm=$4 work=$5 cxx=$6
logs=$work/logs
rm -rf "$work" && mkdir -p "$logs" && cd "$work" || exit 1
source "$(dirname "$(readlink -f "$0")")/../cli/contract_helpers.sh"

"$cmake_cmd" --install "$build" --prefix "$work/prefix" > "$logs/install.log" 2>&1 ||
  { cat "$logs/install.log"; fail "cmake --install"; }
# Only the public API is installed; an implementation header there is a packaging bug.
public=$(cd "$work/prefix/include" && find . -name '*.hpp' | sort | tr '\n' ' ')
echo "installed headers: $public"
[ -z "$(find "$work/prefix/include/ecm" -path '*/engine/*' -o -path '*/kernels/*' -o -path '*/io/*')" ] ||
  fail "implementation headers installed: $public"
[ -f "$work/prefix/lib/cmake/ecm/ecmConfig.cmake" ] || [ -n "$(find "$work/prefix" -name ecmConfig.cmake)" ] ||
  fail "no ecmConfig.cmake installed"

# The consumer sees the installed prefix and the system, not the build tree.
"$cmake_cmd" -S "$consumer" -B "$work/consumer" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$logs/configure.log" 2>&1 || { cat "$logs/configure.log"; fail "configure the consumer with find_package(ecm)"; }
"$cmake_cmd" --build "$work/consumer" > "$logs/build.log" 2>&1 || { cat "$logs/build.log"; fail "build the consumer"; }
# (WORK itself lies inside the build tree: only other paths of it count.)
grep "$build" "$work/consumer/CMakeCache.txt" | grep -q -v "$work" &&
  fail "the consumer's configuration refers to the build tree $build"

small_acquisition
mpi "$ecm" run data.h5 -o cli.h5 "${opts[@]}" > "$logs/cli.log" 2>&1 || { cat "$logs/cli.log"; fail "ecm run"; }
mpi "$work/consumer/ecm_consumer" data.h5 api.h5 > "$logs/consumer.log" 2>&1 ||
  { cat "$logs/consumer.log"; fail "the consumer's run"; }
cat "$logs/consumer.log"
# The installed ecm runs from the prefix too (its RPATH finds the installed libecm).
"$work/prefix/bin/ecm" --help > "$logs/installed_ecm.log" 2>&1 || { cat "$logs/installed_ecm.log"; fail "installed ecm"; }
libecm=$(ldd "$work/prefix/bin/ecm" | awk '/libecm/ {print $3}')
[[ "$(readlink -f "$libecm")" == "$work/prefix/"* ]] || fail "installed ecm uses $libecm, not the installed libecm"
/usr/bin/python3 - cli.h5 api.h5 > "$logs/compare.log" 2>&1 <<'PY' || { cat "$logs/compare.log"; fail "the consumer's results differ from the CLI's"; }
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    for name in ("tau", "tau_err", "beta", "contrast", "fit_status"):
        x, y = a[name][()], b[name][()]
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name + " differs"
    assert (a["fit_status"][()] == 0).any(), "no valid tau to compare"
PY
finish "package_install: installed, found by find_package(ecm), same tau as the CLI"
