// RUN: kcc-opt --split-input-file --exec-cpu-assign-layouts %s | FileCheck %s

// A convolution between two others gets channel-blocked activations
// (nChw16c on AVX-512, nChw8c on AVX2) and a blocked filter; the plain model
// input is reordered in, the elementwise kernel follows its blocked operand,
// and the view (a Flatten) reads a plain copy made by an explicit reorder.
// CHECK-LABEL: func.func @train_step
// CHECK: %[[W:.*]] = exec.alloc {{{.*}}name = "conv.kernel"{{.*}}} : <3x3x32x64xf32, "[[WTAG:AB[a-z0-9]+]]">
// CHECK: %[[X:.*]] = exec.alloc {{{.*}}name = "x:x"} : <8x26x26x32xf32>{{$}}
// CHECK: %[[XB:.*]] = exec.alloc {{{.*}}} : <8x26x26x32xf32, "[[ATAG:aBcd(8|16)b]]">
// CHECK: exec.reorder ins(%[[X]] : !exec.buffer<8x26x26x32xf32>) outs(%[[XB]] : !exec.buffer<8x26x26x32xf32, "[[ATAG]]">)
// CHECK: exec.conv2d ins(%[[XB]], %[[W]]{{.*}}) outs(%[[Y:.*]] : !exec.buffer<8x24x24x64xf32, "[[ATAG]]">)
// CHECK: exec.kernel ins(%[[Y]] : !exec.buffer<8x24x24x64xf32, "[[ATAG]]">) outs(%[[Z:.*]] : !exec.buffer<8x24x24x64xf32, "[[ATAG]]">) {domain = 294912 : i64, elementwise, kernel = @relu}
// CHECK: exec.reorder ins(%[[Z]] : {{.*}}) outs(%[[P:.*]] : !exec.buffer<8x24x24x64xf32>)
// CHECK: exec.view %[[P]]
module {
  func.func @train_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "conv.kernel"} : !exec.buffer<3x3x32x64xf32>
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<8x26x26x32xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x24x24x64xf32>
    exec.conv2d ins(%x, %w : !exec.buffer<8x26x26x32xf32>, !exec.buffer<3x3x32x64xf32>) outs(%y : !exec.buffer<8x24x24x64xf32>) {batch = 8 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 32 : i64, in_height = 26 : i64, in_width = 26 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 64 : i64, out_height = 24 : i64, out_width = 24 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %z = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x24x24x64xf32>
    exec.kernel ins(%y : !exec.buffer<8x24x24x64xf32>) outs(%z : !exec.buffer<8x24x24x64xf32>) {domain = 294912 : i64, elementwise, kernel = @relu}
    %f = exec.view %z {offset = 0 : i64} : !exec.buffer<8x24x24x64xf32> to !exec.buffer<8x36864xf32>
    return
  }
  func.func private @relu(%a: memref<294912xf32>, %b: memref<294912xf32>, %lo: index, %hi: index) attributes {exec.kernel} {
    return
  }
}

// -----

// Dropout's mask is keyed on the element's position, so its kernel stays on
// plain buffers even when its input is blocked: forward and backward must
// agree (regression).
// CHECK-LABEL: func.func @train_step
// CHECK: exec.conv2d {{.*}} outs(%[[Y:.*]] : !exec.buffer<8x24x24x64xf32, "aBcd{{(8|16)}}b">)
// CHECK: exec.reorder ins(%[[Y]] : {{.*}}) outs(%[[P:.*]] : !exec.buffer<8x24x24x64xf32>)
// CHECK: exec.kernel ins(%[[P]], {{.*}}) outs(%{{.*}} : !exec.buffer<8x24x24x64xf32>) {domain = 294912 : i64, elementwise, kernel = @dropout, position_dependent}
module {
  func.func @train_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "conv.kernel"} : !exec.buffer<3x3x32x64xf32>
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<8x26x26x32xf32>
    %seed = exec.alloc {kind = #exec.kind<input>, name = "seed"} : !exec.buffer<i64>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x24x24x64xf32>
    exec.conv2d ins(%x, %w : !exec.buffer<8x26x26x32xf32>, !exec.buffer<3x3x32x64xf32>) outs(%y : !exec.buffer<8x24x24x64xf32>) {batch = 8 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 32 : i64, in_height = 26 : i64, in_width = 26 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 64 : i64, out_height = 24 : i64, out_width = 24 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %z = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x24x24x64xf32>
    exec.kernel ins(%y, %seed : !exec.buffer<8x24x24x64xf32>, !exec.buffer<i64>) outs(%z : !exec.buffer<8x24x24x64xf32>) {domain = 294912 : i64, elementwise, kernel = @dropout, position_dependent}
    return
  }
  func.func private @dropout(%a: memref<294912xf32>, %s: memref<1xi64>, %b: memref<294912xf32>, %lo: index, %hi: index) attributes {exec.kernel} {
    return
  }
}
