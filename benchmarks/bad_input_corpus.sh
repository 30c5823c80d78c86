#!/usr/bin/env bash
# The whole bad-input corpus of issue 14 (tests/corpus: every command, every input format the
# project reads, camera formats included), each case on 2 ranks against the contract, with a
# summary table per command and format: cases, passed, crashes, hangs, files destroyed,
# silently wrong, files left, unclear messages, good inputs refused, known and open findings.
#   benchmarks/bad_input_corpus.sh [ECM] [WORKDIR]
# ECM: the ecm binary (default: $ECM, else build/drivers/ecm). Writes docs/bad_input_corpus.csv
# (one line per case) and the table into docs/bad_input_corpus.md between its markers.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ecm=${1:-${ECM:-$root/build/drivers/ecm}}
work=${2:-$(mktemp -d /tmp/ecm_corpus.XXXXXX)}
[ -x "$ecm" ] || { echo "no ecm at $ecm (give it as the first argument or ECM)"; exit 1; }
# What Open MPI needs as root or with more ranks than cores (cmake/mpiexec.sh does the same).
export MPIEXEC=${MPIEXEC:-mpiexec}
if [ -z "${MPIEXEC_FLAGS+x}" ]; then
  MPIEXEC_FLAGS=""
  if mpiexec --version 2>&1 | grep -q "Open MPI\|OpenRTE"; then
    MPIEXEC_FLAGS="--oversubscribe"
    [ "$(id -u)" -ne 0 ] || MPIEXEC_FLAGS="$MPIEXEC_FLAGS --allow-run-as-root"
  fi
  export MPIEXEC_FLAGS
fi
# Beside the work folder, which run_corpus.py empties first.
table=$work.summary.md log=$work.log
start=$(date +%s)
/usr/bin/python3 "$root/tests/corpus/run_corpus.py" --ecm "$ecm" --subset all --work "$work" \
  --csv "$root/docs/bad_input_corpus.csv" --summary "$table" | tee "$log"
status=${PIPESTATUS[0]}
seconds=$(( $(date +%s) - start ))
doc=$root/docs/bad_input_corpus.md
if [ -f "$doc" ] && grep -q "<!-- CORPUS-TABLE -->" "$doc"; then
  /usr/bin/python3 - "$doc" "$table" "$(tail -1 "$log") in ${seconds} s" <<'PY'
import re, sys
doc, table, line = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
text = open(doc).read()
new = f"<!-- CORPUS-TABLE -->\n{table}\n{line}\n<!-- /CORPUS-TABLE -->"
open(doc, "w").write(re.sub(r"<!-- CORPUS-TABLE -->.*<!-- /CORPUS-TABLE -->", lambda m: new, text, flags=re.S))
PY
  echo "table written into $doc"
fi
echo "work folder: $work"
exit "$status"
