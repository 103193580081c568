#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is missing, build, run every test.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
cd "${EQNCA_BUILD_DIR:-$repo/build}"
ctest --output-on-failure -j "${EQNCA_TEST_JOBS:-2}" --timeout 1200
