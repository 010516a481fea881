// REQUIRES: cpu-bf16
// RUN: kcc-opt --split-input-file --exec-cpu-assign-layouts=precision=bf16 %s | FileCheck %s

// With bf16 a convolution reads bf16 copies of its input and weight (one
// reorder converts type and layout at once), writes f32, and the weight
// itself stays f32 and plain (the optimizer updates it).
// CHECK-LABEL: func.func @train_step
// CHECK: %[[W:.*]] = exec.alloc {{{.*}}name = "conv.kernel"} : <3x3x32x64xf32>
// CHECK: %[[X:.*]] = exec.alloc {{{.*}}name = "x:x"} : <8x26x26x32xf32>
// CHECK: exec.reorder ins(%[[X]] : !exec.buffer<8x26x26x32xf32>) outs(%[[XB:.*]] : !exec.buffer<8x26x26x32xbf16, "aBcd16b">)
// CHECK: exec.reorder ins(%[[W]] : !exec.buffer<3x3x32x64xf32>) outs(%[[WB:.*]] : !exec.buffer<3x3x32x64xbf16, "ABcd{{.*}}2b">)
// CHECK: exec.conv2d ins(%[[XB]], %[[WB]] : {{.*}}) outs(%{{.*}} : !exec.buffer<8x24x24x64xf32, "aBcd16b">)
module {
  func.func @train_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "conv.kernel"} : !exec.buffer<3x3x32x64xf32>
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<8x26x26x32xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x24x24x64xf32>
    exec.conv2d ins(%x, %w : !exec.buffer<8x26x26x32xf32>, !exec.buffer<3x3x32x64xf32>) outs(%y : !exec.buffer<8x24x24x64xf32>) {batch = 8 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 32 : i64, in_height = 26 : i64, in_width = 26 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 64 : i64, out_height = 24 : i64, out_width = 24 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %p = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x24x24x64xf32>
    exec.reorder ins(%y : !exec.buffer<8x24x24x64xf32>) outs(%p : !exec.buffer<8x24x24x64xf32>)
    return
  }
}

// -----

// A one-channel input has no native bf16 convolution in oneDNN (only a
// slow gemm fallback), so that convolution stays f32. A matmul reads bf16
// copies of both operands and the f32 bias as it is.
// CHECK-LABEL: func.func @train_step
// CHECK: exec.conv2d ins(%{{.*}}, %{{.*}} : !exec.buffer<8x28x28x1xf32{{.*}}>, !exec.buffer<3x3x1x32xf32{{.*}}>)
// CHECK: exec.reorder ins(%[[A:.*]] : !exec.buffer<8x64xf32>) outs(%[[AB:.*]] : !exec.buffer<8x64xbf16>)
// CHECK: exec.reorder ins(%[[B:.*]] : !exec.buffer<64x10xf32>) outs(%[[BB:.*]] : !exec.buffer<64x10xbf16>)
// CHECK: exec.matmul ins(%[[AB]], %[[BB]], %{{.*}} : !exec.buffer<8x64xbf16>, !exec.buffer<64x10xbf16>, !exec.buffer<10xf32>) outs(%{{.*}} : !exec.buffer<8x10xf32>)
module {
  func.func @train_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "c.kernel"} : !exec.buffer<3x3x1x32xf32>
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<8x28x28x1xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x26x26x32xf32>
    exec.conv2d ins(%x, %w : !exec.buffer<8x28x28x1xf32>, !exec.buffer<3x3x1x32xf32>) outs(%y : !exec.buffer<8x26x26x32xf32>) {batch = 8 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 28 : i64, in_width = 28 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 32 : i64, out_height = 26 : i64, out_width = 26 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %a = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x64xf32>
    %b = exec.alloc {kind = #exec.kind<weight>, name = "d.kernel"} : !exec.buffer<64x10xf32>
    %bias = exec.alloc {kind = #exec.kind<weight>, name = "d.bias"} : !exec.buffer<10xf32>
    %o = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x10xf32>
    exec.matmul ins(%a, %b, %bias : !exec.buffer<8x64xf32>, !exec.buffer<64x10xf32>, !exec.buffer<10xf32>) outs(%o : !exec.buffer<8x10xf32>) {m = 8 : i64, n = 10 : i64, k = 64 : i64}
    return
  }
}
