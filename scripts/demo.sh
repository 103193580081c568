#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is missing, build, run `eqnca demo`.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
cd "$repo"
# libgomp (LibTorch's OpenMP) keeps a worker spinning after each parallel region unless told
# otherwise, and on 2 cores it takes the fused step's second thread's core: at the demo's shape
# PASSIVE trains growing 14% and c4 5% faster (bench/RESULTS.md, 2026-12-06). libgomp reads the
# variable once, when it loads, so it is set here rather than by eqnca. A value you set is kept.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
exec "${EQNCA_BUILD_DIR:-$repo/build}/eqnca" demo "$@"
