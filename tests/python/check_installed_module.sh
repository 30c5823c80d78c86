#!/usr/bin/env bash
# The module as `cmake --install` leaves it: installed into an empty prefix, imported by the
# interpreter from another folder with only that prefix's site-packages on its path, it loads
# libecm.so from the prefix (the extension's RPATH, not the build tree) and runs an analysis.
#   check_installed_module.sh CMAKE BUILD_DIR PREFIX PYTHON SITE_SUBDIR ECM_EXECUTABLE
set -euo pipefail
cmake=$1 build=$2 prefix=$3 python=$4 site=$5 ecm=$6
rm -rf "$prefix" && mkdir -p "$prefix/work"
"$cmake" --install "$build" --prefix "$prefix" > "$prefix/install.log"
cd "$prefix/work"
"$ecm" simulate data.h5 --truth truth.h5 --scan 2,2 --cycles 24 --detector 32,32 --k-pixel-size 0.04 --tau 2.5 \
  --time-step 0.125 --dtype uint8 > simulate.log
env -i PATH=/usr/bin:/bin HOME="$prefix" PYTHONPATH="$prefix/$site" "$python" - "$prefix" <<'PY'
import os, sys
import ecm
prefix = sys.argv[1]
assert ecm.__file__.startswith(prefix), f"ecm imported from {ecm.__file__}, not from {prefix}"
maps = [line.split()[-1] for line in open("/proc/self/maps") if "libecm.so" in line]
assert maps and all(m.startswith(prefix) for m in maps), f"libecm.so loaded from {set(maps)}"
r = ecm.run("data.h5", "out.h5", kr_range=(0.3, 0.55), n_kr=2, n_kphi=8)
print(f"installed module {ecm.__version__} from {os.path.dirname(ecm.__file__)}: {r}")
PY
