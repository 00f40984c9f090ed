#!/usr/bin/env bash
# Runs every test against the real things: installs and starts what is missing (dockerd with runsc),
# builds the test images (cached by content hash), then runs the whole solution's tests.
# Ends with one line: "N passed, N failed[, N skipped]".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/engine.sh

smcp_test_services

results=$(mktemp -d)
set +e
dotnet test SMCP.sln -c Release --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/output.log"
status=${PIPESTATUS[0]}
set -e

python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(trx).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
line = f"{passed} passed, {failed} failed"
print(line + (f", {skipped} skipped" if skipped else ""))
PY
exit "$status"
