#!/usr/bin/env bash
# cmake --install into a temporary prefix; the installed eqnca, run from an empty folder with
# the source tree hidden from it (EQNCA_SOURCE_DIR unset), trains one iteration on its default
# target and records the installed copy of it; the sweep report script is installed beside the
# data. Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/eqnca"
test -f "$tmp/prefix/share/eqnca/data/lizard.png"
test -f "$tmp/prefix/share/eqnca/scripts/sweep_figures.py"  # eqnca sweep report looks here first
mkdir "$tmp/work" && cd "$tmp/work"
env -u EQNCA_SOURCE_DIR -u EQNCA_DATA_DIR "$tmp/prefix/bin/eqnca" train --iterations 1 --target-size 9 --pad 2 \
  --pool-size 2 --batch 1 --steps-min 2 --steps-max 2 --threads 1 --out run >/dev/null 2>&1
grep -q "^target = \"$tmp/prefix/share/eqnca/data/lizard.png\"$" run/config.toml || {
  echo "installed eqnca did not train on its installed data: $(grep '^target' run/config.toml)"
  exit 1
}
echo "installed eqnca found $(grep '^target' run/config.toml)"
