#!/usr/bin/env bash
# scripts/check-packages.sh must notice a package the build needs that
# setup.sh does not list: remove libcli11-dev (header-only, nothing else pulls
# it in) from a copy of setup.sh and expect a failure that names it.
set -euo pipefail
build="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
sed 's/\blibcli11-dev\b//' "$root/scripts/setup.sh" > "$tmp/setup.sh"
if bash "$tmp/setup.sh" --print-packages | grep -qx libcli11-dev; then
  echo "selftest: could not remove libcli11-dev from the copy"; exit 1
fi
if out="$("$root/scripts/check-packages.sh" --build "$build" --setup "$tmp/setup.sh")"; then
  echo "$out"; echo "selftest: check-packages passed although libcli11-dev was not listed"; exit 1
fi
echo "$out"
grep -q 'libcli11-dev' <<<"$out" || { echo "selftest: the failure did not name libcli11-dev"; exit 1; }
echo "selftest: check-packages named the missing package"
