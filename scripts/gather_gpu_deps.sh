#!/usr/bin/env bash
# gather_gpu_deps.sh — download, on a Debian 12 machine, the .deb files that eqnca's build
# needs besides LibTorch, so that scripts/build_on_gpu.sh can build eqnca on a GPU machine
# that has no internet and no apt (it unpacks them with `dpkg -x` into a private prefix).
#
# Usage:  scripts/gather_gpu_deps.sh [--minimal] [DIR]        (DIR defaults to .deb/ in the repo)
#
# What is fetched and why (worked out with `apt-cache depends` and `objdump -p` on Debian 12):
#   headers / CMake configs  libeigen3-dev (Eigen3Config), libcli11-dev (CLI11Config),
#                            libfmt-dev (fmt-config), libpng-dev + zlib1g-dev (FindPNG, FindZLIB),
#                            libgif-dev (FindGIF finds gif_lib.h and libgif.so), nlohmann-json3-dev
#                            (header-only; nlohmann_jsonConfig.cmake),
#                            libhdf5-dev (FindHDF5 finds .../hdf5/serial/libhdf5{,_cpp}.so, hdf5.h,
#                            H5Cpp.h), hdf5-helpers (h5cc/h5c++ wrappers, patched but not needed),
#                            googletest (GoogleTest sources: build_on_gpu.sh compiles them with the
#                            GPU machine's compiler and LibTorch's _GLIBCXX_USE_CXX11_ABI).
#   their shared libraries   libfmt9, libhdf5-103-1, libhdf5-cpp-103-1, libpng16-16, zlib1g, libgif7,
#                            libsz2 + libaec0 (libhdf5_serial.so.103 NEEDs libsz.so.2),
#                            libcurl4 + libssl3 (it also NEEDs libcurl.so.4 and libcrypto.so.3)
#                            and, unless --minimal, the rest of libcurl4's runtime closure
#                            (nghttp2, ssh2, krb5, ldap, gnutls, ...), for GPU hosts without them.
#   left out on purpose      libc6, libgcc-s1, libstdc++6, gcc-12-base (the host's own must be used),
#                            libhdf5-dev's Fortran/high-level/MPI parts, libjpeg-dev, libaec-dev,
#                            libssl-dev, libcurl4-openssl-dev: only needed for static HDF5 links.
# The Debian 12 libraries need glibc >= 2.34 and libstdc++ with GLIBCXX_3.4.29 (GCC >= 11) on the
# GPU host; build_on_gpu.sh checks both before it configures anything.
set -euo pipefail

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }

minimal=0
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minimal) minimal=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "gather_gpu_deps.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) [[ -z "$dir" ]] || { echo "gather_gpu_deps.sh: only one DIR, got '$dir' and '$1'" >&2; exit 2; }
       dir="$1" ;;
  esac
  shift
done
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${dir:-$repo_root/.deb}"

for tool in apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "gather_gpu_deps.sh: '$tool' not found: run this on Debian 12" >&2; exit 1; }
done
if [[ -r /etc/os-release ]] && ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "gather_gpu_deps.sh: warning: this is not Debian 12 (bookworm); sonames below may not exist" >&2
fi

dev_packages=(libeigen3-dev libcli11-dev libfmt-dev libpng-dev zlib1g-dev libgif-dev nlohmann-json3-dev libtomlplusplus-dev libhdf5-dev
              hdf5-helpers googletest)
runtime_packages=(libfmt9 libhdf5-103-1 libhdf5-cpp-103-1 libpng16-16 zlib1g libgif7 libsz2 libaec0 libcurl4 libssl3)
# Every host has these (and must keep its own): never ship them.
base_packages=" libc6 libgcc-s1 libstdc++6 gcc-12-base debconf libcrypt1 "

packages=("${dev_packages[@]}" "${runtime_packages[@]}")
if [[ $minimal -eq 0 ]]; then
  # Runtime closure of libcurl4 (Depends and Pre-Depends, recursively), minus the base set.
  while read -r pkg; do
    [[ "$base_packages" == *" $pkg "* ]] || packages+=("$pkg")
  done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
             --no-replaces --no-enhances libcurl4 libssl3 | grep -v '^[ <]' | sort -u)
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)

missing=()
for pkg in "${packages[@]}"; do
  candidate="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  [[ -n "$candidate" && "$candidate" != "(none)" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "gather_gpu_deps.sh: no installable candidate for: ${missing[*]}" >&2
  echo "  run 'apt-get update' first (as root), on Debian 12 with its main repository enabled" >&2
  exit 1
fi

mkdir -p "$dir"
rm -f "$dir"/*.deb "$dir/MANIFEST.txt"
echo "gather_gpu_deps.sh: downloading ${#packages[@]} packages into $dir"
# As root, apt-get download warns that it cannot drop to the _apt user; that is harmless.
(cd "$dir" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "${packages[@]}")

{
  # shellcheck source=/dev/null
  echo "# .deb files for scripts/build_on_gpu.sh, gathered $(date -u +%Y-%m-%dT%H:%MZ) on $(. /etc/os-release && echo "$PRETTY_NAME") $(uname -m)"
  for deb in "$dir"/*.deb; do
    printf '%s %s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" "$(stat -c %s "$deb")"
  done
} > "$dir/MANIFEST.txt"

debs=("$dir"/*.deb)
count=${#debs[@]}
total=$(cat "${debs[@]}" | wc -c)
printf 'gather_gpu_deps.sh: %d .deb files, %.1f MiB in %s\n' "$count" "$(awk -v t="$total" 'BEGIN {print t / 1048576}')" "$dir"
if [[ $total -gt $((50 * 1024 * 1024)) ]]; then
  echo "gather_gpu_deps.sh: error: more than 50 MiB: try --minimal" >&2
  exit 1
fi
echo "next: copy $dir and the repository to the GPU machine, then run scripts/build_on_gpu.sh there"
