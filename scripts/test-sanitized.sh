#!/usr/bin/env bash
# The sanitizer stage of scripts/test.sh (issue #11): builds the `fuzz`
# preset (clang-19, ASan+UBSan, libFuzzer) for the parts that read untrusted
# bytes (the Keras JSON frontend, the model.bin loader, krun, the dataset
# readers, the output writer), runs their unit tests and krun's end-to-end
# and hostile-input checks under the sanitizers, then fuzzes both readers,
# seeded with the reference models.
#
#   scripts/test-sanitized.sh [--fuzz-seconds N]   (default 60 per target)
#
# The compiler side (MLIR passes, codegen) is not rebuilt sanitized: built
# with ASan against Debian's uninstrumented MLIR it takes ~36 min on 2 cores.
# kcc from build/release compiles the models the sanitized krun runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=60
while (($#)); do
  case "$1" in
    --fuzz-seconds) seconds="$2"; shift 2 ;;
    *) echo "test-sanitized: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
cd "$root"
release="$root/build/release/bin"
fuzz="$root/build/fuzz"
[[ -x "$release/kcc" ]] || { echo "test-sanitized: build the release preset first (scripts/setup.sh)" >&2; exit 2; }
export KCC_DATA="${KCC_DATA:-$root/../shared/datasets}"
# MLIR's inlined allocator code poisons memory that Debian's uninstrumented
# MLIR libraries do not know about (a false use-after-poison); see
# ../shared/notes/toolchain.md.
export ASAN_OPTIONS="allow_user_poisoning=0:detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# Instrumented, the LSTM's per-step parallel regions are slow enough that
# libgomp's spinning waiters starve the working thread on two cores (bAbI:
# 1.6 s passive, minutes spinning); sleeping waiters cost nothing here.
export OMP_WAIT_POLICY=passive

step() { echo "== test-sanitized: $* ($(date +%T))"; }
step "build (fuzz preset: clang-19, address+undefined, libFuzzer)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target krun kcc_data_tests kcc_support_tests kcc_frontend_tests \
  kcc_fuzz_keras_json kcc_fuzz_model_file

step "the sanitizer build uses only packages scripts/setup.sh installs"
scripts/check-packages.sh --build "$fuzz"

step "unit tests: Keras JSON frontend, dataset readers, output writer"
"$fuzz/bin/kcc_frontend_tests" --gtest_brief=1
"$fuzz/bin/kcc_data_tests" --gtest_brief=1
"$fuzz/bin/kcc_support_tests" --gtest_brief=1

step "krun's lit tests (errors, hostile input, damaged files) with the sanitized krun"
KCC_LIT_TOOLS_DIR="$fuzz/bin" python3 /usr/lib/llvm-19/build/utils/lit/lit.py -q \
  build/release/test/lit/runtime build/release/test/lit/regressions/krun-foreign-file-bytes.test

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
step "krun under the sanitizers: brief training"
python3 test/e2e/train_briefly.py --kcc "$release/kcc" --krun "$fuzz/bin/krun" --model models/mnist_mlp.json \
  --steps 100 --min-test-accuracy 0.8 --max-loss-ratio 0.9 --work "$work/e2e-mlp"
python3 test/e2e/train_briefly.py --kcc "$release/kcc" --krun "$fuzz/bin/krun" --model models/babi_rnn.json \
  --steps 20 --min-test-accuracy 0.05 --max-loss-ratio 1.0 --work "$work/e2e-babi"

step "fuzzing, ${seconds}s per target"
mkdir -p "$work/json" "$work/model"
for f in models/*.json models/keras3/*.json test/lit/frontend/Inputs/*.json; do
  cp "$f" "$work/json/$(tr / _ <<<"$f")"
done
for m in models/*.json; do
  name="$(basename "$m" .json)"
  "$release/kcc" "$m" -o "$work/$name.bin" 2>/dev/null
  # The fuzzer's input is the Flatbuffers part; the harness adds the trailer.
  head -c -16 "$work/$name.bin" > "$work/model/$name"
done
run_fuzzer() { # name corpus extra-flags...
  local target="$1" corpus="$2"; shift 2
  local log="$work/$target.log"
  # A fixed seed: CI replays the same mutations (as far as its time allows),
  # so it fails on a regression, not on the luck of a draw; long runs
  # (docs/fuzzing.md) draw their own seeds.
  if ! "$fuzz/bin/$target" "$corpus" -seed="${KCC_FUZZ_SEED:-1}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$work/" "$@" > "$log" 2>&1; then
    tail -60 "$log"
    echo "test-sanitized: $target found a failure; the input is in $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head -1)" >&2
    cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$root/build/fuzz/" 2>/dev/null || true
    exit 1
  fi
  echo "$target: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
  grep -E '^stat::number_of_executed_units' "$log" || true
}
step "inputs the fuzzers once found (fuzz/regressions), then fuzzing"
for target in keras-json:kcc_fuzz_keras_json model-file:kcc_fuzz_model_file; do
  "$fuzz/bin/${target#*:}" fuzz/regressions/"${target%%:*}"-* > "$work/regressions.log" 2>&1 ||
    { tail -40 "$work/regressions.log"; echo "test-sanitized: a fuzz regression input fails again" >&2; exit 1; }
done
cp fuzz/regressions/keras-json-* "$work/json/"
cp fuzz/regressions/model-file-* "$work/model/"
run_fuzzer kcc_fuzz_keras_json "$work/json" -dict=fuzz/keras-json.dict -max_len=65536 -timeout=20
run_fuzzer kcc_fuzz_model_file "$work/model" -max_len=1048576 -timeout=20
step "passed"
