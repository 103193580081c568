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
    # Another install (a second script, a parallel build) may hold dpkg's lock: wait for it.
    $sudo_cmd apt-get -o DPkg::Lock::Timeout=900 update -q
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get -o DPkg::Lock::Timeout=900 install -y -q \
      --no-install-recommends "${missing[@]}"
  fi
}
