#!/usr/bin/env bash
# Fuzzes every input parser with libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer
# (issue 14): the camera readers (.mib, .seq, .mrc), the text companions (Merlin .hdr,
# DE-Server _info.txt, EMPAD and DE XML), the HDF5 source (layout, attributes, the chunk
# index ecm reads from the file itself) and the simulator's INI. Seeds are the real camera
# files in ../shared/testdata/real and tiny files `ecm simulate --format` writes. Each target
# runs SECONDS (default 600); results go to docs/fuzzing.csv, inputs that crash to
# tests/fuzz/regressions/<target>/ (replayed by the unit tests). Triage them by hand: an input that
# crashes inside HDF5 or its filters, not in ecm, goes to tests/fuzz/upstream/ instead (the replay
# would crash), one per place.
#   bash benchmarks/fuzz.sh [SECONDS] [TARGET...]      (needs ./build/drivers/ecm: cmake/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mib mib_hdr seq mrc de_info empad_xml de_config hdf5 sim_ini)
ecm=${ECM:-build/drivers/ecm}
[ -x "$ecm" ] || { echo "build ecm first (bash cmake/build.sh)"; exit 1; }
if ! command -v clang++ > /dev/null; then
  [ "$(id -u)" = 0 ] || { echo "fuzzing needs clang: apt-get install clang"; exit 1; }
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang > /dev/null
fi
fuzz_build=${ECM_FUZZ_BUILD:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECM_FUZZ=ON \
  -DECM_BUILD_TESTS=OFF -DECM_BUILD_BENCHMARKS=OFF > /dev/null
cmake --build "$fuzz_build" -j "$(nproc)" --target $(printf "fuzz_%s " "${targets[@]}") > /dev/null

work=$(mktemp -d /tmp/ecm_fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
real=../shared/testdata/real
seeds=$work/seeds
mkdir -p "$seeds"/{mib,mib_hdr,seq,mrc,de_info,empad_xml,de_config,hdf5,sim_ini}
# Tiny camera files of each format: 2 x 2 scan, 3 cycles, 16 x 16 frames.
tiny=(--scan 2,2 --cycles 3 --detector 16,16 --k-pixel-size 0.05)
"$ecm" simulate "$work/s.mib" --truth "$work/t.h5" --format mib "${tiny[@]}" > /dev/null
cp "$work/s.mib" "$seeds/mib/sim.mib"
cp "$work/s.hdr" "$seeds/mib_hdr/sim.hdr"
"$ecm" simulate "$work/s.seq" --truth "$work/t.h5" --format seq "${tiny[@]}" > /dev/null
cp "$work/s.seq" "$seeds/seq/sim.seq"
"$ecm" simulate "$work/s_movie.mrc" --truth "$work/t.h5" --format mrc "${tiny[@]}" > /dev/null
cp "$work/s_movie.mrc" "$seeds/mrc/sim.mrc"
cp "$work/s_info.txt" "$seeds/de_info/sim_info.txt"
"$ecm" simulate "$work/e.xml" --truth "$work/t.h5" --format empad --scan 2,2 --cycles 2 --dtype float32 \
  --detector 128,128 --k-pixel-size 0.01 > /dev/null
cp "$work/e.xml" "$seeds/empad_xml/sim.xml"
"$ecm" simulate "$work/c.h5" --truth "$work/t.h5" "${tiny[@]}" > /dev/null
cp "$work/c.h5" "$seeds/hdf5/canonical.h5"
"$ecm" simulate "$work/p.h5" --truth "$work/t.h5" --layout stream "${tiny[@]}" > /dev/null
/usr/bin/python3 - "$work/p.h5" "$seeds/hdf5/chunked.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2], "w") as b:
    src = a["frames"]
    d = b.create_dataset("frames", data=src[...], chunks=(1,) + src.shape[1:])
    for k, v in src.attrs.items(): d.attrs[k] = v
PY
"$ecm" simulate "$work/x_master.h5" --truth "$work/t.h5" --format nexus "${tiny[@]}" > /dev/null
cp "$work/x_data_000001.h5" "$seeds/hdf5/nexus_data.h5"
"$ecm" simulate --help 2>/dev/null | grep -q -- "--config" || true
printf "scan = 2,2\ncycles = 3\ndetector = 16,16\ntau = 2.5\n" > "$seeds/sim_ini/small.ini"
cp "$real"/merlin/*.hdr "$seeds/mib_hdr/"
cp "$real"/merlin/Single_1_Frame_CounterDepth_12_Rows_256.mib "$seeds/mib/"
cp "$real"/de_server_mrc/20241021_00405_movie.mrc "$seeds/mrc/"
cp "$real"/de_server_mrc/20241021_00405_info.txt "$seeds/de_info/"
cp "$real"/empad/*.xml "$seeds/empad_xml/"
cp "$real"/de/*/*.Config.Metadata.xml "$seeds/de_config/"
cp "$real"/emd/*.h5 "$real"/arina/test_00_data_000001.h5 "$real"/hspy/*.hspy "$seeds/hdf5/"
# The fixed companions of the text targets.
export ECM_FUZZ_MOVIE=$work/s_movie.mrc
export ECM_FUZZ_EMPAD_RAW=$(ls "$work"/e*.raw | head -1)

# Leaks are not findings here (MPI's own at exit), and an allocation that cannot be met returns
# null as in production (HDF5 asks for absurd sizes read from damaged metadata and then fails
# cleanly); a std::bad_alloc out of ecm's code is still a finding (fuzz_input.cpp).
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
csv=docs/fuzzing.csv
[ -f "$csv" ] || echo "target,seconds,code_built_from,executions,exec_per_s,coverage_edges,features,corpus,findings" > "$csv"
code=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
git diff --quiet HEAD -- src include tests/fuzz 2> /dev/null || code="$code+changes"
for t in "${targets[@]}"; do
  corpus=$work/corpus_$t artifacts=$work/artifacts_$t
  mkdir -p "$corpus" "$artifacts"
  log=$work/$t.log
  # Keep going after a finding (-fork with -ignore_crashes) so one bug does not end the run.
  "$fuzz_build/tests/fuzz/fuzz_$t" "$corpus" "$seeds/$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$artifacts/" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
    -ignore_ooms=1 > "$log" 2>&1 || true
  stats=$(grep -E "^#[0-9]+" "$log" | tail -1)
  execs=$(echo "$stats" | sed -E 's/^#([0-9]+).*/\1/')
  cov=$(echo "$stats" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
  ft=$(echo "$stats" | sed -nE 's/.*ft: ([0-9]+).*/\1/p')
  corp=$(ls "$corpus" | wc -l)
  crashes=$(ls "$artifacts" | grep -cE "^(crash|timeout|oom|leak)-" || true)
  if [ "$crashes" -gt 0 ]; then
    mkdir -p "tests/fuzz/regressions/$t"
    cp "$artifacts"/* "tests/fuzz/regressions/$t/"
  fi
  echo "$t,$seconds,$code,${execs:-0},$(( ${execs:-0} / seconds )),${cov:-0},${ft:-0},$corp,$crashes" | tee -a "$csv"
done
