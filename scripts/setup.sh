#!/usr/bin/env bash
# Set up a Debian 12 machine for kcc and build it: installs the system
# packages the build and the tests need (only those missing, so a second run
# is quick), then configures and builds the `release` preset into
# build/release. Run from anywhere; needs root or sudo for apt-get.
#
#   scripts/setup.sh                   install + build
#   scripts/setup.sh --no-build        install only
#   scripts/setup.sh --print-packages  list the packages, one a line
#
# This list is the only way packages reach a machine: scripts/check-packages.sh
# (a ctest test, so in CI) fails naming any package the build uses beyond it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=1
case "${1:-}" in
  "") ;;
  --no-build) build=0 ;;
  --print-packages) build=-1 ;;
  *) echo "setup: unknown argument '$1' (--no-build, --print-packages)" >&2; exit 2 ;;
esac

packages=(
  # compiler side: MLIR/LLVM 19 (lit, FileCheck come with llvm-19-tools)
  libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools
  # libraries: oneDNN 2.6 (v2 API), JSON, model.bin, command lines, zlib, tests
  libdnnl-dev rapidjson-dev libflatbuffers-dev flatbuffers-compiler libcli11-dev
  zlib1g-dev libgtest-dev
  # Keras weights (.weights.h5, .keras archives) and numpy .npz archives
  libhdf5-dev libzip-dev
  # data-parallel training across processes (mpirun, the MPI collective plugin)
  libopenmpi-dev openmpi-bin
  # GTest's CMake config reads GMock's targets when present: list it so every
  # machine configures from the same files
  libgmock-dev
  # build tools
  cmake ninja-build g++ lld git
  # the sanitizer build and the libFuzzer targets (scripts/test-sanitized.sh);
  # libomp-19-dev only for omp.h: clang builds link GNU libgomp, as oneDNN does
  clang-19 libclang-rt-19-dev libomp-19-dev
  # the Keras conformance tests create a virtual environment
  python3 python3-venv python3-yaml
)

if ((build < 0)); then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

if ((build)); then
  cd "$root"
  cmake --preset release >/dev/null
  cmake --build --preset release
  echo "setup: built build/release/bin/{kcc,krun,kcc-opt}"
fi
