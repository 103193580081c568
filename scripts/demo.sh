#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is missing, build, run `eqnca demo`.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
cd "$repo"
exec "${EQNCA_BUILD_DIR:-$repo/build}/eqnca" demo "$@"
