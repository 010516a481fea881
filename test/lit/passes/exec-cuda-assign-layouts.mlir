// RUN: kcc-opt --split-input-file --exec-cuda-assign-layouts %s | FileCheck %s

// A convolution's filter, its gradient and its optimizer slot become KRSC
// ("acdb" over O, I, H, W) with the dims and the plain HWIO tag recorded;
// activations and the bias stay plain.
// CHECK-LABEL: func.func @train_step
// CHECK: exec.alloc {{{.*}}exec.layout_dims = array<i64: 8, 3, 3, 3>, exec.plain_layout = "cdba", kind = #exec.kind<optimizer_state>, name = "conv.kernel.accumulator"{{.*}}} : <3x3x3x8xf32, "acdb">
// CHECK: exec.alloc {{{.*}}exec.layout_dims = array<i64: 8, 3, 3, 3>, exec.plain_layout = "cdba", kind = #exec.kind<weight>, name = "conv.kernel"{{.*}}} : <3x3x3x8xf32, "acdb">
// CHECK: exec.alloc {kind = #exec.kind<input>, name = "x:x"} : <4x6x6x3xf32>
// CHECK: exec.conv2d ins({{.*}} : !exec.buffer<4x6x6x3xf32>, !exec.buffer<3x3x3x8xf32, "acdb">, !exec.buffer<8xf32>)
// CHECK: exec.conv2d_backward_filter ins({{.*}}) outs({{.*}} : !exec.buffer<3x3x3x8xf32, "acdb">, !exec.buffer<8xf32>)
// CHECK-LABEL: func.func @eval_step
// CHECK: name = "conv.kernel"{{.*}} : <3x3x3x8xf32, "acdb">
module {
  func.func @train_step() attributes {exec.program} {
    %slot = exec.alloc {kind = #exec.kind<optimizer_state>, name = "conv.kernel.accumulator"} : !exec.buffer<3x3x3x8xf32>
    %w = exec.alloc {kind = #exec.kind<weight>, name = "conv.kernel"} : !exec.buffer<3x3x3x8xf32>
    %b = exec.alloc {kind = #exec.kind<weight>, name = "conv.bias"} : !exec.buffer<8xf32>
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<4x6x6x3xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<4x4x4x8xf32>
    exec.conv2d ins(%x, %w, %b : !exec.buffer<4x6x6x3xf32>, !exec.buffer<3x3x3x8xf32>, !exec.buffer<8xf32>) outs(%y : !exec.buffer<4x4x4x8xf32>) {batch = 4 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 3 : i64, in_height = 6 : i64, in_width = 6 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %dw = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<3x3x3x8xf32>
    %db = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<8xf32>
    exec.conv2d_backward_filter ins(%x, %y : !exec.buffer<4x6x6x3xf32>, !exec.buffer<4x4x4x8xf32>) outs(%dw, %db : !exec.buffer<3x3x3x8xf32>, !exec.buffer<8xf32>) {batch = 4 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 3 : i64, in_height = 6 : i64, in_width = 6 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    return
  }
  func.func @eval_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "conv.kernel"} : !exec.buffer<3x3x3x8xf32>
    return
  }
}

// -----

// Conv1D: the [k, cin, cout] kernel is read through a view as [1, k, cin,
// cout] and its gradient written as one and viewed back for the update. The
// layout follows the views to the weight, its slot and the gradient, with
// dims (O, I, 1, k) on the allocations.
// CHECK-LABEL: func.func @train_step
// CHECK: exec.alloc {exec.layout_dims = array<i64: 8, 2, 1, 3>, exec.plain_layout = "cdba", kind = #exec.kind<optimizer_state>, name = "k.m"} : <3x2x8xf32, "acdb">
// CHECK: exec.alloc {exec.layout_dims = array<i64: 8, 2, 1, 3>, exec.plain_layout = "cdba", kind = #exec.kind<weight>, name = "k"} : <3x2x8xf32, "acdb">
// CHECK: exec.view %{{.*}} : <3x2x8xf32, "acdb"> to <1x3x2x8xf32, "acdb">
// CHECK: exec.alloc {exec.layout_dims = array<i64: 8, 2, 1, 3>, exec.plain_layout = "cdba", kind = #exec.kind<gradient>} : <1x3x2x8xf32, "acdb">
// CHECK: exec.view %{{.*}} : <1x3x2x8xf32, "acdb"> to <3x2x8xf32, "acdb">
module {
  func.func @train_step() attributes {exec.program} {
    %m = exec.alloc {kind = #exec.kind<optimizer_state>, name = "k.m"} : !exec.buffer<3x2x8xf32>
    %w = exec.alloc {kind = #exec.kind<weight>, name = "k"} : !exec.buffer<3x2x8xf32>
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<4x1x6x2xf32>
    %w4 = exec.view %w {offset = 0 : i64} : !exec.buffer<3x2x8xf32> to !exec.buffer<1x3x2x8xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<4x1x4x8xf32>
    exec.conv2d ins(%x, %w4 : !exec.buffer<4x1x6x2xf32>, !exec.buffer<1x3x2x8xf32>) outs(%y : !exec.buffer<4x1x4x8xf32>) {batch = 4 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 2 : i64, in_height = 1 : i64, in_width = 6 : i64, kernel_height = 1 : i64, kernel_width = 3 : i64, out_channels = 8 : i64, out_height = 1 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %dw4 = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<1x3x2x8xf32>
    exec.conv2d_backward_filter ins(%x, %y : !exec.buffer<4x1x6x2xf32>, !exec.buffer<4x1x4x8xf32>) outs(%dw4 : !exec.buffer<1x3x2x8xf32>) {batch = 4 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 2 : i64, in_height = 1 : i64, in_width = 6 : i64, kernel_height = 1 : i64, kernel_width = 3 : i64, out_channels = 8 : i64, out_height = 1 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %dw = exec.view %dw4 {offset = 0 : i64} : !exec.buffer<1x3x2x8xf32> to !exec.buffer<3x2x8xf32>
    exec.reorder ins(%dw : !exec.buffer<3x2x8xf32>) outs(%m : !exec.buffer<3x2x8xf32>)
    return
  }
}

// -----

// Data parallel: the filter's gradient is summed across processes by
// exec.all_reduce before the update reads it; the sum gets the filter's
// layout too, so the elementwise update reads one layout throughout.
// CHECK-LABEL: func.func @train_step
// CHECK: exec.conv2d_backward_filter ins({{.*}}) outs(%[[DW:.*]], %{{.*}} : !exec.buffer<3x3x3x8xf32, "acdb">, !exec.buffer<8xf32>)
// CHECK: exec.all_reduce ins(%[[DW]] : !exec.buffer<3x3x3x8xf32, "acdb">) outs(%{{.*}} : !exec.buffer<3x3x3x8xf32, "acdb">)
// CHECK: exec.all_reduce ins(%{{.*}} : !exec.buffer<8xf32>) outs(%{{.*}} : !exec.buffer<8xf32>)
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<4x6x6x3xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<4x4x4x8xf32>
    %dw = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<3x3x3x8xf32>
    %db = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<8xf32>
    exec.conv2d_backward_filter ins(%x, %y : !exec.buffer<4x6x6x3xf32>, !exec.buffer<4x4x4x8xf32>) outs(%dw, %db : !exec.buffer<3x3x3x8xf32>, !exec.buffer<8xf32>) {batch = 4 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 3 : i64, in_height = 6 : i64, in_width = 6 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
    %sw = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<3x3x3x8xf32>
    %sb = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<8xf32>
    exec.all_reduce ins(%dw : !exec.buffer<3x3x3x8xf32>) outs(%sw : !exec.buffer<3x3x3x8xf32>)
    exec.all_reduce ins(%db : !exec.buffer<8xf32>) outs(%sb : !exec.buffer<8xf32>)
    return
  }
}
