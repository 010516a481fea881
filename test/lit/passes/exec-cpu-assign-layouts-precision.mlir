// RUN: not kcc-opt --exec-cpu-assign-layouts=precision=f16 %s 2>&1 | FileCheck %s
// RUN: not kcc %models/mnist_mlp.json --precision f16 -o %t.bin 2>&1 | FileCheck %s --check-prefix=KCC
// RUN: not kcc %models/mnist_mlp.json --precision bf16 --target cuda -o %t.bin 2>&1 | FileCheck %s --check-prefix=CUDA

// CHECK: error: unknown precision 'f16' (f32 or bf16)
// KCC: unknown --precision 'f16' (f32 or bf16)
// CUDA: --precision bf16 is implemented for --target cpu only
module {
}
