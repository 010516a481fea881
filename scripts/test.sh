#!/usr/bin/env bash
# Run every test: the sanitizer stage (ASan+UBSan build of the untrusted-input
# readers, libFuzzer runs; scripts/test-sanitized.sh), then ctest (package
# check, lit, GoogleTest, end-to-end training, Keras conformance).
# Arguments go to ctest. KCC_SANITIZED=0 skips the sanitizer stage (quicker
# local runs; CI always runs it); KCC_FUZZ_SECONDS sets its fuzzing time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KCC_DATA="${KCC_DATA:-$root/../shared/datasets}"
cmake --build --preset release
if [[ "${KCC_SANITIZED:-1}" != 0 ]]; then
  "$root/scripts/test-sanitized.sh" --fuzz-seconds "${KCC_FUZZ_SECONDS:-60}"
fi
# Tests in parallel, one per core: most are single-threaded or short, and the
# long ones (conformance shards, corpus, end-to-end) start first.
ctest --test-dir "$root/build/release" --output-on-failure -j "$(nproc)" "$@"
