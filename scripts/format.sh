#!/usr/bin/env bash
# Formats every tracked C++ file with clang-format (.clang-format at the root), or with --check
# lists the files that differ and fails. Installs Debian's clang-format when it is missing.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
if ! command -v clang-format >/dev/null; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends clang-format
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format check: ${#bad[@]} file(s) differ from clang-format (run scripts/format.sh): ${bad[*]}" >&2
    exit 1
  fi
  echo "format check: ${#files[@]} files formatted"
else
  clang-format --style=file -i "${files[@]}"
fi
