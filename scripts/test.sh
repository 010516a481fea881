#!/usr/bin/env bash
# Run every test (lit, GoogleTest, end-to-end training, Keras conformance).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KCC_DATA="${KCC_DATA:-$root/../shared/datasets}"
cmake --build --preset release
ctest --test-dir "$root/build/release" --output-on-failure "$@"
