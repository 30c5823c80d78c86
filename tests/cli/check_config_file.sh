#!/usr/bin/env bash
# check_config_file.sh ECM INPUT DIR: options given in an INI file (--config) take effect,
# and the run records the resolved configuration in its output.
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
rm -f "$dir/config_out.h5"
