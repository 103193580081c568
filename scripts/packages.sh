#!/usr/bin/env bash
# Sourced by scripts/setup.sh and scripts/fuzz.sh: install_missing PACKAGE... installs the Debian
# packages that are not installed yet (apt-get, through sudo unless root); sets sudo_cmd.
install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "eqnca: installing ${missing[*]}"
    $sudo_cmd apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}
