#!/usr/bin/env bash
# build_on_gpu.sh — build eqnca with CUDA on a GPU machine that has no internet and no apt.
#
# The machine must have python3 with a CUDA build of PyTorch 2.x (its LibTorch is used), cmake
# >= 3.18, g++ >= 11 and glibc >= 2.34; nvcc is used where present. Every other dependency comes
# from the .deb files that scripts/gather_gpu_deps.sh downloaded on a Debian 12 machine: they are
# unpacked (dpkg -x, or a Python fallback where dpkg is missing) into a private prefix, and CMake
# is pointed at that prefix only. GoogleTest is compiled from its Debian sources here, with
# LibTorch's _GLIBCXX_USE_CXX11_ABI, so that the tests link whichever ABI the wheel uses.
#
# Usage:  scripts/build_on_gpu.sh [options] [-- extra cmake arguments]
#   --debs DIR      the .deb folder                    (default: .deb/ in the repository)
#   --prefix DIR    where to unpack them               (default: /tmp/eqnca-deps)
#   --build DIR     the build folder                   (default: build-cuda/ in the repository)
#   --source DIR    the CMake project to configure     (default: the repository)
#   --python EXE    python with torch                  (default: python3)
#   --torch-prefix DIR   LibTorch's CMake prefix       (default: torch.utils.cmake_prefix_path)
#   --configure-only     stop after cmake configure
#   --test          run ctest after the build
#   --clean         unpack the .deb files and rebuild GoogleTest again
# Afterwards `source PREFIX/env.sh` sets LD_LIBRARY_PATH for programs run by hand (the binaries
# themselves carry an RPATH to the prefix).
set -euo pipefail

die() { echo "build_on_gpu.sh: error: $*" >&2; exit 1; }
note() { echo "build_on_gpu.sh: $*"; }
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
debs="$repo_root/.deb"
prefix="/tmp/eqnca-deps"
build="$repo_root/build-cuda"
source_dir="$repo_root"
python="python3"
torch_prefix=""
configure_only=0
run_tests=0
clean=0
extra_cmake_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --debs) debs="${2:?--debs needs a folder}"; shift ;;
    --prefix) prefix="${2:?--prefix needs a folder}"; shift ;;
    --build) build="${2:?--build needs a folder}"; shift ;;
    --source) source_dir="${2:?--source needs a folder}"; shift ;;
    --python) python="${2:?--python needs an executable}"; shift ;;
    --torch-prefix) torch_prefix="${2:?--torch-prefix needs a folder}"; shift ;;
    --configure-only) configure_only=1 ;;
    --test) run_tests=1 ;;
    --clean) clean=1 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra_cmake_args=("$@"); break ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done
prefix="$(mkdir -p "$prefix" && cd "$prefix" && pwd)"
jobs="$(nproc 2>/dev/null || echo 4)"

# ---- tools -------------------------------------------------------------------------------
for tool in cmake c++ objdump "$python"; do
  command -v "$tool" >/dev/null || die "'$tool' not found on PATH"
done
cmake_version="$(cmake --version | awk 'NR == 1 {print $3}')"
[[ "$(printf '%s\n3.18\n' "$cmake_version" | sort -V | head -1)" == "3.18" ]] \
  || die "cmake $cmake_version is too old: eqnca needs >= 3.18"
shopt -s nullglob
deb_files=("$debs"/*.deb)
shopt -u nullglob
[[ ${#deb_files[@]} -gt 0 ]] \
  || die "no .deb files in '$debs': run scripts/gather_gpu_deps.sh on Debian 12 and copy the folder here"

# ---- unpack ------------------------------------------------------------------------------
unpack_deb() {  # unpack_deb FILE DEST: dpkg -x where dpkg exists, else ar + tar in Python
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$1" "$2"
  else
    "$python" - "$1" "$2" <<'PY'
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
data = open(deb, "rb").read()
if data[:8] != b"!<arch>\n":
    sys.exit(f"{deb}: not a .deb (ar) archive")
pos = 8
while pos + 60 <= len(data):
    header = data[pos:pos + 60]
    name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58])
    body = data[pos + 60:pos + 60 + size]
    pos += 60 + size + (size & 1)
    if name.startswith("data.tar"):
        if name.endswith(".zst"):
            sys.exit(f"{deb}: zstd-compressed data, which Python cannot read: install dpkg or zstd")
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as archive:
            if hasattr(tarfile, "fully_trusted_filter"):
                archive.extractall(dest, filter="fully_trusted")
            else:
                archive.extractall(dest)
        break
else:
    sys.exit(f"{deb}: no data.tar member")
PY
  fi
}

stamp="$prefix/.unpacked"
deb_list="$(for deb in "${deb_files[@]}"; do basename "$deb"; done | sort | tr '\n' ' ')"
if [[ $clean -eq 1 || ! -f "$stamp" || "$(cat "$stamp")" != "$deb_list" ]]; then
  note "unpacking ${#deb_files[@]} .deb files into $prefix"
  find "$prefix" -mindepth 1 -delete
  for deb in "${deb_files[@]}"; do
    unpack_deb "$deb" "$prefix" || die "cannot unpack $deb"
  done
  # Absolute symlinks (e.g. usr/lib/<triplet>/libz.so -> /lib/<triplet>/libz.so.1.2.13) must
  # point into the prefix, not at the host's files.
  while IFS= read -r link; do
    ln -sfn "$prefix$(readlink "$link")" "$link"
  done < <(find "$prefix" -type l -lname '/*')
  # pkg-config files and the h5cc/h5c++ wrappers hard-code /usr.
  for file in "$prefix"/usr/lib/*/pkgconfig/*.pc "$prefix"/usr/share/pkgconfig/*.pc \
              "$prefix"/usr/bin/h5cc "$prefix"/usr/bin/h5c++; do
    [[ -f "$file" ]] && sed -i -e "s|=/usr|=$prefix/usr|g" -e "s|-I/usr/|-I$prefix/usr/|g" \
                              -e "s|-L/usr/|-L$prefix/usr/|g" -e "s|^prefix=\"/usr\"|prefix=\"$prefix/usr\"|" "$file"
  done
  echo "$deb_list" > "$stamp"
else
  note "reusing $prefix (same .deb files; --clean to unpack again)"
fi

triplet_dirs=("$prefix"/usr/lib/*-linux-gnu)
[[ -d "${triplet_dirs[0]}" ]] || die "no usr/lib/<triplet> in $prefix: are these Debian .deb files?"
triplet="$(basename "${triplet_dirs[0]}")"
[[ "$triplet" == "$(uname -m)-linux-gnu" ]] \
  || die "the .deb files are for $triplet but this machine is $(uname -m)"
libdir="$prefix/usr/lib/$triplet"
libdirs="$libdir:$prefix/lib/$triplet:$libdir/hdf5/serial"
hdf5_root="$libdir/hdf5/serial"
for needed in "$prefix/usr/include/eigen3/Eigen/Core" "$libdir/cmake/fmt/fmt-config.cmake" \
              "$hdf5_root/libhdf5.so" "$hdf5_root/libhdf5_cpp.so" "$prefix/usr/include/hdf5/serial/H5Cpp.h" \
              "$libdir/libpng16.so" "$prefix/usr/include/zlib.h" "$libdir/libgif.so" "$libdir/libgif.so.7" \
              "$prefix/usr/include/gif_lib.h" "$prefix/usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake" \
              "$prefix/usr/src/googletest/CMakeLists.txt"; do
  [[ -e "$needed" ]] || die "missing $needed after unpacking: gather the .deb files again"
done

# ---- can this host run Debian 12's libraries? --------------------------------------------
newest_version() {  # newest_version REGEX DIR...: newest symbol version the ELF files need
  local regex="$1"; shift
  find "$@" -name '*.so*' -type f -print0 2>/dev/null | xargs -0 -r objdump -T 2>/dev/null \
    | grep -oE "$regex" | sort -V | tail -1 || true
}
need_glibc="$(newest_version 'GLIBC_[0-9.]+[0-9]' "$prefix/usr/lib" "$prefix/lib" | sed 's/GLIBC_//')"
have_glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)"
if [[ -n "$have_glibc" && -n "$need_glibc" \
      && "$(printf '%s\n%s\n' "$need_glibc" "$have_glibc" | sort -V | tail -1)" != "$have_glibc" ]]; then
  die "the unpacked Debian 12 libraries need glibc >= $need_glibc, this machine has $have_glibc"
fi
need_glibcxx="$(newest_version 'GLIBCXX_3\.4\.[0-9]+' "$prefix/usr/lib")"
host_libstdcxx="$(c++ -print-file-name=libstdc++.so.6)"
if [[ -n "$need_glibcxx" && -f "$host_libstdcxx" ]] && ! grep -qa "$need_glibcxx" "$host_libstdcxx"; then
  die "the unpacked libraries need $need_glibcxx but $host_libstdcxx lacks it: use g++ >= 11 (CXX=...)"
fi

# ---- LibTorch ------------------------------------------------------------------------------
torch_err="$(mktemp)"
torch_info="$("$python" -c 'import torch; print(torch.__version__, torch.utils.cmake_prefix_path, int(torch._C._GLIBCXX_USE_CXX11_ABI), torch.version.cuda)' 2>"$torch_err")" \
  || die "'$python' cannot import torch: $(cat "$torch_err")"
rm -f "$torch_err"
read -r torch_version torch_cmake_prefix cxx11_abi torch_cuda <<< "$torch_info"
torch_prefix="${torch_prefix:-$torch_cmake_prefix}"
note "PyTorch $torch_version (CUDA $torch_cuda), CMake prefix $torch_prefix, _GLIBCXX_USE_CXX11_ABI=$cxx11_abi"
[[ "$torch_cuda" != "None" ]] || note "warning: this PyTorch has no CUDA: the build will be CPU-only"
cxx_flags_arg=()
if [[ "$cxx11_abi" == "0" ]]; then
  # Debian's libfmt.so / libhdf5_cpp.so use the C++11 std::string ABI: fmt is then compiled
  # header-only, so no std::string crosses into libfmt.so. HDF5's C++ API cannot be fixed so.
  cxx_flags_arg=(-DCMAKE_CXX_FLAGS="-DFMT_HEADER_ONLY=1 ${CXXFLAGS:-}")
  note "warning: LibTorch uses the pre-C++11 ABI: fmt is made header-only (-DFMT_HEADER_ONLY=1);"
  note "         calls into HDF5's C++ API that pass std::string will not link (use HDF5's C API)"
fi

# ---- GoogleTest from source, with the host compiler and LibTorch's ABI ---------------------
gtest_prefix="$prefix/gtest-abi$cxx11_abi"
if [[ ! -f "$gtest_prefix/lib/cmake/GTest/GTestConfig.cmake" ]]; then
  note "building GoogleTest into $gtest_prefix"
  cmake -S "$prefix/usr/src/googletest" -B "$prefix/gtest-build-abi$cxx11_abi" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$gtest_prefix" -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
        -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$cxx11_abi" >/dev/null \
    || die "configuring GoogleTest from $prefix/usr/src/googletest failed"
  cmake --build "$prefix/gtest-build-abi$cxx11_abi" -j "$jobs" >/dev/null || die "building GoogleTest failed"
  cmake --install "$prefix/gtest-build-abi$cxx11_abi" >/dev/null || die "installing GoogleTest failed"
fi

# ---- CUDA ---------------------------------------------------------------------------------
cuda_args=()
if nvcc_path="$(command -v nvcc)"; then
  cuda_root="$(dirname "$(dirname "$(readlink -f "$nvcc_path")")")"
  cuda_args+=(-DCMAKE_CUDA_COMPILER="$nvcc_path" -DCUDAToolkit_ROOT="$cuda_root" -DCUDA_TOOLKIT_ROOT_DIR="$cuda_root")
elif [[ "$torch_cuda" != "None" ]]; then
  note "warning: nvcc not on PATH: LibTorch's CMake config may not find the CUDA toolkit"
fi
if [[ -z "${TORCH_CUDA_ARCH_LIST:-}" ]] && command -v nvidia-smi >/dev/null; then
  arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | sort -u | paste -sd ';' || true)"
  [[ -n "$arch" ]] && export TORCH_CUDA_ARCH_LIST="$arch"
fi
# CUDA >= 12 toolkits lack libnvToolsExt, which LibTorch's CMake config (<= 2.4, and later
# ones without nvtx3) insists on: stand in for it with the header-only NVTX 3 target.
shim="$prefix/eqnca-gpu-shim.cmake"
cat > "$shim" <<'CMAKE'
# Written by scripts/build_on_gpu.sh and loaded with CMAKE_PROJECT_INCLUDE.
include_guard(GLOBAL)
find_package(CUDAToolkit QUIET)
if(CUDAToolkit_FOUND AND NOT TARGET CUDA::nvToolsExt)
  add_library(CUDA::nvToolsExt INTERFACE IMPORTED)
  if(TARGET CUDA::nvtx3)
    target_link_libraries(CUDA::nvToolsExt INTERFACE CUDA::nvtx3)
  else()
    target_include_directories(CUDA::nvToolsExt INTERFACE ${CUDAToolkit_INCLUDE_DIRS})
  endif()
  message(STATUS "build_on_gpu.sh: CUDA::nvToolsExt stands in for the missing libnvToolsExt")
endif()
CMAKE

# ---- configure, build, test -----------------------------------------------------------------
export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cat > "$prefix/env.sh" <<ENV
# source this to run programs linked against $prefix
export LD_LIBRARY_PATH="$libdirs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
ENV
rpath="${libdirs//:/;}"
note "configuring $source_dir into $build"
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix/usr;$torch_prefix" \
  -DCMAKE_LIBRARY_PATH="$libdir;$prefix/lib/$triplet" \
  -DCMAKE_INCLUDE_PATH="$prefix/usr/include" \
  -DEigen3_DIR="$prefix/usr/share/eigen3/cmake" \
  -Dfmt_DIR="$libdir/cmake/fmt" \
  -DCLI11_DIR="$prefix/usr/share/cmake/CLI11" \
  -Dnlohmann_json_DIR="$prefix/usr/share/cmake/nlohmann_json" \
  -DGIF_INCLUDE_DIR="$prefix/usr/include" -DGIF_LIBRARY="$libdir/libgif.so" \
  -DGTest_DIR="$gtest_prefix/lib/cmake/GTest" \
  -DHDF5_ROOT="$hdf5_root" \
  -DZLIB_ROOT="$prefix/usr" \
  -DCMAKE_BUILD_RPATH="$rpath" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--disable-new-dtags" \
  -DCMAKE_PROJECT_INCLUDE="$shim" \
  ${cxx_flags_arg[@]+"${cxx_flags_arg[@]}"} ${cuda_args[@]+"${cuda_args[@]}"} ${extra_cmake_args[@]+"${extra_cmake_args[@]}"} \
  || die "cmake configure failed (see above)"

# Every dependency but LibTorch must come from the prefix, not from the host.
for key in Eigen3_DIR fmt_DIR CLI11_DIR nlohmann_json_DIR GTest_DIR HDF5_hdf5_LIBRARY_RELEASE \
           HDF5_hdf5_cpp_LIBRARY_RELEASE HDF5_C_INCLUDE_DIR HDF5_CXX_INCLUDE_DIR PNG_LIBRARY_RELEASE \
           PNG_PNG_INCLUDE_DIR ZLIB_LIBRARY_RELEASE ZLIB_INCLUDE_DIR GIF_LIBRARY GIF_INCLUDE_DIR; do
  value="$(sed -n "s|^$key:[A-Z]*=||p" "$build/CMakeCache.txt")"
  [[ -z "$value" || "$value" == *-NOTFOUND ]] && continue
  [[ "$value" == "$prefix"* ]] || note "warning: $key=$value is not from $prefix"
done

if [[ $configure_only -eq 1 ]]; then
  note "configured (--configure-only); build with: cmake --build $build -j $jobs"
  exit 0
fi
note "building with $jobs jobs"
cmake --build "$build" -j "$jobs" || die "build failed (see above)"
if [[ $run_tests -eq 1 ]]; then
  (cd "$build" && ctest --output-on-failure -j "$jobs") || die "tests failed"
fi
note "done: $build (for programs run by hand: source $prefix/env.sh)"
