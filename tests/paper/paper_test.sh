#!/usr/bin/env bash
# The essay end to end on the quick budget: paper/make.sh --quick into BUILD/paper_quick (runs
# cached there, so a rerun only redraws), then check_essay.py (every figure exists, every number
# matches the logs), the HTML rendering, and that an altered number is caught.
#   bash tests/paper/paper_test.sh BUILD_DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: paper_test.sh BUILD_DIR}" && pwd)
out=$build/paper_quick
EQNCA=$build/eqnca bash "$repo/paper/make.sh" --quick --out "$out"
/usr/bin/python3 "$repo/tests/paper/check_essay.py" "$out"
/usr/bin/python3 "$repo/tests/paper/check_essay.py" "$out" --alter
if command -v pandoc >/dev/null; then
  grep -q "data:image/png;base64" "$out/essay.html" || { echo "essay.html does not embed its figures" >&2; exit 1; }
fi
