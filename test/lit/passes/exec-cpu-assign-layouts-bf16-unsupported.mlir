// UNSUPPORTED: cpu-bf16
// RUN: not kcc-opt --exec-cpu-assign-layouts=precision=bf16 %s 2>&1 | FileCheck %s

// On a CPU without native bf16 the request is refused, not emulated.
// CHECK: error: bf16 needs a CPU with AVX512-BF16 or AMX; this one has neither (use f32)
module {
}
