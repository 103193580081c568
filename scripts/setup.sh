#!/usr/bin/env bash
# Installs the Debian 12 packages eqnca needs (when missing) and builds it into build/.
# Idempotent: a second run installs nothing and rebuilds only what changed. Sourced by
# scripts/demo.sh and scripts/test.sh; run alone to just build.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${EQNCA_BUILD_DIR:-$repo/build}
packages=(
  build-essential cmake ccache pkg-config
  libtorch-dev libopenblas0-pthread    # LibTorch 1.13 (CPU) with OpenBLAS, not the reference BLAS
  libeigen3-dev libfmt-dev libcli11-dev libhdf5-dev libpng-dev libgtest-dev
  libgif-dev nlohmann-json3-dev        # GIF output (giflib), --json output (nlohmann-json)
  libtomlplusplus-dev                  # strict TOML config files (toml++)
  python3 python3-h5py                 # reading run logs back in tests
  python3-matplotlib pandoc bc         # paper/make.sh: figures, the HTML essay, its time estimate
  chromium                             # WebPageTest: the exported page in headless Chromium (WebGL2)
)

# shellcheck source=scripts/packages.sh
source "$repo/scripts/packages.sh"
install_missing "${packages[@]}"

# LibTorch picks its BLAS through the alternatives system: make sure OpenBLAS is the one.
if command -v update-alternatives >/dev/null; then
  lib=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -n 1 || true)
  if [ -n "$lib" ]; then
    ${sudo_cmd:-} update-alternatives --set libblas.so.3-x86_64-linux-gnu "$lib" >/dev/null 2>&1 || true
  fi
fi

jobs=${EQNCA_JOBS:-$(nproc)}
mkdir -p "$build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "eqnca setup: cmake configure failed" >&2; exit 1; }
cmake --build "$build" -j "$jobs"
