#!/usr/bin/env bash
# Guard for "works here, fails on a fresh machine": every file the configured
# build uses from Debian (what configure read, headers the compiler read,
# libraries it linked or the binaries load, programs the build and the tests
# run) must belong to
# a package that a fresh Debian 12 machine gets from scripts/setup.sh: the
# packages it lists, what apt installs with them (no recommends), or the base
# system (Essential/required). Any other package is named and the check fails.
#
#   scripts/check-packages.sh [--build DIR] [--setup FILE]
#
# The closure is what apt itself would install on an empty system
# (`apt-get -s` against an empty package status), so a package that is only
# *recommended* (ocl-icd-opencl-dev by libdnnl-dev) does not count.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/release"
setup="$root/scripts/setup.sh"
while (($#)); do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --setup) setup="$2"; shift 2 ;;
    *) echo "check-packages: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for tool in dpkg dpkg-query apt-get ninja; do
  command -v "$tool" >/dev/null || { echo "check-packages: needs $tool (a Debian system with ninja-build)" >&2; exit 2; }
done
[[ -f "$build/CMakeCache.txt" && -f "$build/build.ninja" ]] ||
  { echo "check-packages: $build is not a configured Ninja build (run scripts/setup.sh)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# ---- 1. Files the build used ---------------------------------------------------
{
  # what configure read (package configs, find modules), the programs build
  # rules run and the libraries link lines name (static MLIR archives too)
  grep -o -h -E '/usr/[^ :;"$'"'"']+' "$build/build.ninja"
  # headers every object was compiled against
  ninja -C "$build" -t deps 2>/dev/null | sed -n -E 's/^ +(\/usr\/.*)$/\1/p'
  # programs and paths the tests run with
  find "$build" \( -name CTestTestfile.cmake -o -name 'lit.site.cfg.py' \) -print0 |
    xargs -0 -r grep -o -h -E '/usr/[^ :;"$'"'"']+' || true
  # shared libraries the built programs and libraries load
  find "$build/bin" "$build/lib" -maxdepth 1 -type f \( -perm -u+x -o -name '*.so*' \) 2>/dev/null |
    while read -r f; do ldd "$f" 2>/dev/null | sed -n -E 's/.*=> (\/[^ ]+) .*/\1/p'; done
} | grep -v -E '^/usr/local/' | sort -u > "$work/files"

# Resolve symlinks too (/usr/bin/c++ -> g++-12); with merged /usr, dpkg may
# know a file under /lib rather than /usr/lib.
while read -r f; do
  [[ -e "$f" ]] || continue
  echo "$f"; real="$(readlink -f "$f")"; echo "$real"
  for p in "$f" "$real"; do
    case "$p" in /usr/lib/*|/usr/bin/*|/usr/sbin/*) echo "${p#/usr}" ;; esac
  done
done < "$work/files" | sort -u > "$work/paths"

# file -> owning package ("pkg[:arch][, pkg2]: /path"; directories may list several)
{ xargs -r -d '\n' dpkg -S < "$work/paths" 2>/dev/null || true; } |
  sed -E 's/^([^:]+(:[a-z0-9]+)?(, [^:]+(:[a-z0-9]+)?)*): (.*)$/\1\t\5/' |
  awk -F'\t' '{n=split($1, ps, ", "); for (i=1;i<=n;i++) {sub(/:.*/, "", ps[i]); print ps[i] "\t" $2}}' |
  sort -u > "$work/owners"
# a directory owned by several packages (/usr/include) tells nothing: keep files only
awk -F'\t' '{ if (system("test -d \"" $2 "\"") != 0) print }' "$work/owners" > "$work/file-owners"

# ---- 2. What a fresh machine has after setup.sh --------------------------------
mapfile -t listed < <(bash "$setup" --print-packages)
: > "$work/empty-status"
apt-get install -s --no-install-recommends -o Dir::State::status="$work/empty-status" "${listed[@]}" \
  > "$work/sim" 2>&1 || { echo "check-packages: apt-get could not resolve setup.sh's packages:" >&2; tail -5 "$work/sim" >&2; exit 1; }
{
  printf '%s\n' "${listed[@]}"
  awk '$1 == "Inst" {print $2}' "$work/sim"
  dpkg-query -W -f='${Package} ${Priority} ${Essential}\n' | awk '$2 == "required" || $3 == "yes" {print $1}'
} | sort -u > "$work/fresh"

# ---- 3. Verdict ------------------------------------------------------------------
missing="$(cut -f1 "$work/file-owners" | sort -u | comm -23 - "$work/fresh")"
used=$(cut -f1 "$work/file-owners" | sort -u | wc -l)
if [[ -n "$missing" ]]; then
  echo "check-packages: the build uses Debian packages that scripts/setup.sh does not install:"
  for p in $missing; do
    echo "  $p   (e.g. $(awk -F'\t' -v p="$p" '$1 == p {print $2; exit}' "$work/file-owners"))"
  done
  echo "Add them to the packages list in scripts/setup.sh, or stop using them."
  exit 1
fi
echo "check-packages: all $used Debian packages the build uses come with scripts/setup.sh"
