#!/usr/bin/env bash
# check_config_file.sh ECM INPUT DIR: options given in an INI file (--config) take effect,
# and the run records the resolved configuration in its output: ecm::AnalysisOptions::to_ini(),
# every analysis option, which `ecm run --config` reads back to the same configuration.
set -euo pipefail
ecm=$1 input=$2 dir=$3
cat > "$dir/run.ini" <<'INI'
# ecm run options: keys are the long option names
kr-range = 0.1,0.3
n-kr = 2
n-kphi = 24
normalization = standard
INI
rm -f "$dir/config_out.h5"
# The input is a small file of uncorrelated counts: no fit converges, which `ecm run` reports
# with exit 65 and still writes its result (README, exit codes). The options are what counts here.
code=0
"$ecm" run "$input" --config "$dir/run.ini" -o "$dir/config_out.h5" || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 65 ] || { echo "FAIL: ecm run exited $code"; exit 1; }
described=$("$ecm" inspect "$dir/config_out.h5")
echo "$described"
echo "$described" | grep -q "hypercube 2 x 2 x 2 x 24" || { echo "FAIL: INI grid not applied"; exit 1; }
grep -a -q "normalization = standard" "$dir/config_out.h5" || { echo "FAIL: resolved configuration not stored"; exit 1; }

# The stored configuration is an INI file of every option: run again from it alone (other
# non-default values on the command line the first time, typed the way to_ini does not write
# them: 0.10 for 0.1, 3e-2, yes, 256M as 0.25G), and the second output stores the same text.
configuration() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, h5py
value = h5py.File(sys.argv[1], "r").attrs["configuration"]
sys.stdout.write(value.decode() if isinstance(value, bytes) else value)
PY
}
rm -f "$dir/config_out.h5" "$dir/config_again.h5"
code=0
"$ecm" run "$input" --config "$dir/run.ini" -o "$dir/config_out.h5" --beta-min 0.10 --min-counts 3e-2 --save-g2 \
  --no-center-track --memory-budget 0.25G --ellipse off || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 65 ] || { echo "FAIL: ecm run with options exited $code"; exit 1; }
configuration "$dir/config_out.h5" > "$dir/stored.ini"
for line in "beta-min = 0.1" "min-counts = 0.03" "save-g2 = true" "no-center-track = true" "memory-budget = 256M" \
            "ellipse = off" "n-kphi = 24" "# time-step ="; do
  grep -q -x -- "$line" "$dir/stored.ini" || { cat "$dir/stored.ini"; echo "FAIL: '$line' not in the stored configuration"; exit 1; }
done
code=0
"$ecm" run "$input" --config "$dir/stored.ini" -o "$dir/config_again.h5" || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 65 ] || { echo "FAIL: ecm run --config of the stored configuration exited $code"; exit 1; }
configuration "$dir/config_again.h5" | cmp -s - "$dir/stored.ini" ||
  { echo "FAIL: the configuration read back from --config is not the one stored"; exit 1; }
echo "the stored configuration ($(grep -c ' = ' "$dir/stored.ini") options) reads back through --config unchanged"
rm -f "$dir/config_out.h5" "$dir/config_again.h5" "$dir/stored.ini"
