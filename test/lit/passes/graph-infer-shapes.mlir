// RUN: kcc-opt --split-input-file --graph-infer-shapes -verify-diagnostics %s | FileCheck %s

// Dense on a 3-D input: the leading dimensions are kept (Keras Dense on
// [batch, time, features]), and the function's result type is rewritten.

// CHECK-LABEL: func.func @matmul_3d
// CHECK-SAME:    -> tensor<4x5x8xf32>
// CHECK:         graph.matmul %{{.*}}, %{{.*}} : (tensor<4x5x16xf32>, tensor<16x8xf32>) -> tensor<4x5x8xf32>
// CHECK:         graph.bias_add %{{.*}} {axis = -1 : i64} : (tensor<4x5x8xf32>, tensor<8xf32>) -> tensor<4x5x8xf32>
// CHECK:         return %{{.*}} : tensor<4x5x8xf32>
func.func @matmul_3d(%x: tensor<4x5x16xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>) -> tensor<*xf32> {
  %y = graph.matmul %x, %w : (tensor<4x5x16xf32>, tensor<16x8xf32>) -> tensor<*xf32>
  %z = graph.bias_add %y, %b {axis = -1 : i64} : (tensor<*xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %z : tensor<*xf32>
}

// -----

// Transposed operands: with transpose_a the result is a matrix [K_a, N],
// with transpose_b N comes from b's rows.

// CHECK-LABEL: func.func @matmul_transposed
// CHECK:         graph.matmul %{{.*}} {transpose_a} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
// CHECK:         graph.matmul %{{.*}} {transpose_b} : (tensor<4x5xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
// CHECK:         graph.matmul %{{.*}} {transpose_a} : (tensor<2x3x6xf32>, tensor<6x5xf32>) -> tensor<6x5xf32>
func.func @matmul_transposed(%x: tensor<4x6xf32>, %dy: tensor<4x5xf32>, %s: tensor<2x3x6xf32>, %t: tensor<6x5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %dw = graph.matmul %x, %dy {transpose_a} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  %dx = graph.matmul %dy, %dw {transpose_b} : (tensor<4x5xf32>, tensor<*xf32>) -> tensor<*xf32>
  // [2*3, 6]^T x [6, 5]: the folded rows 6 contract with t's 6 rows.
  %f = graph.matmul %s, %t {transpose_a} : (tensor<2x3x6xf32>, tensor<6x5xf32>) -> tensor<*xf32>
  return %dw, %dx, %f : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Convolutions, channels_last: valid (28-3+1 = 26), valid with stride 2
// ((28-3)/2+1 = 13), same with stride 2 (ceil(28/2) = 14, ceil(7/2) = 4),
// dilation 2 (span 5: 28-5+1 = 24).

// CHECK-LABEL: func.func @conv_channels_last
// CHECK:         graph.conv2d {{.*}} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x26x26x32xf32>
// CHECK:         graph.conv2d {{.*}} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x13x13x32xf32>
// CHECK:         graph.conv2d {{.*}} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x14x14x32xf32>
// CHECK:         graph.conv2d {{.*}} : (tensor<2x7x7x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x4x4x32xf32>
// CHECK:         graph.conv2d {{.*}} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x24x24x32xf32>
// CHECK:         graph.conv2d {{.*}} : (tensor<2x28x28x1xf32>, tensor<5x3x1x32xf32>, tensor<32xf32>) -> tensor<2x24x26x32xf32>
func.func @conv_channels_last(%x: tensor<2x28x28x1xf32>, %s: tensor<2x7x7x1xf32>, %w: tensor<3x3x1x32xf32>, %r: tensor<5x3x1x32xf32>, %b: tensor<32xf32>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<*xf32>
  %1 = graph.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<*xf32>
  %2 = graph.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<*xf32>
  %3 = graph.conv2d %s, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x7x7x1xf32>, tensor<3x3x1x32xf32>) -> tensor<*xf32>
  %4 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<*xf32>
  // Non-square kernel with a bias operand.
  %5 = graph.conv2d %x, %r, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<5x3x1x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// channels_first: NCHW input, channels read from axis 1, result NCHW.

// CHECK-LABEL: func.func @conv_channels_first
// CHECK:         graph.conv2d {{.*}} : (tensor<2x3x32x30xf32>, tensor<3x3x3x8xf32>) -> tensor<2x8x30x28xf32>
// CHECK:         graph.conv2d {{.*}} : (tensor<2x3x32x30xf32>, tensor<3x3x3x8xf32>) -> tensor<2x8x32x30xf32>
// CHECK:         graph.bias_add {{.*}} {axis = 1 : i64} : (tensor<2x8x32x30xf32>, tensor<8xf32>) -> tensor<2x8x32x30xf32>
// CHECK:         graph.max_pool2d {{.*}} : (tensor<2x8x32x30xf32>) -> tensor<2x8x16x15xf32>
func.func @conv_channels_first(%x: tensor<2x3x32x30xf32>, %w: tensor<3x3x3x8xf32>, %b: tensor<8xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_first>} : (tensor<2x3x32x30xf32>, tensor<3x3x3x8xf32>) -> tensor<*xf32>
  %1 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_first>} : (tensor<2x3x32x30xf32>, tensor<3x3x3x8xf32>) -> tensor<*xf32>
  %2 = graph.bias_add %1, %b {axis = 1 : i64} : (tensor<*xf32>, tensor<8xf32>) -> tensor<*xf32>
  %3 = graph.max_pool2d %2 {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_first>} : (tensor<*xf32>) -> tensor<*xf32>
  return %0, %3 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Max pooling: 2x2/2 valid (26 -> 13), 3x3/2 valid on 7 ((7-3)/2+1 = 3),
// 2x2/2 same on 7 (ceil(7/2) = 4), pool 3 stride 1 valid (7 -> 5).

// CHECK-LABEL: func.func @max_pool
// CHECK:         graph.max_pool2d {{.*}} : (tensor<2x26x26x32xf32>) -> tensor<2x13x13x32xf32>
// CHECK:         graph.max_pool2d {{.*}} : (tensor<2x7x7x4xf32>) -> tensor<2x3x3x4xf32>
// CHECK:         graph.max_pool2d {{.*}} : (tensor<2x7x7x4xf32>) -> tensor<2x4x4x4xf32>
// CHECK:         graph.max_pool2d {{.*}} : (tensor<2x7x7x4xf32>) -> tensor<2x5x5x4xf32>
func.func @max_pool(%x: tensor<2x26x26x32xf32>, %s: tensor<2x7x7x4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x26x26x32xf32>) -> tensor<*xf32>
  %1 = graph.max_pool2d %s {pool_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x7x7x4xf32>) -> tensor<*xf32>
  %2 = graph.max_pool2d %s {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x7x7x4xf32>) -> tensor<*xf32>
  %3 = graph.max_pool2d %s {pool_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x7x7x4xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// LSTM: [N, T, C] -> [N, U], or [N, T, U] with return_sequences.

// CHECK-LABEL: func.func @lstm
// CHECK:         graph.lstm {{.*}} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<4x8xf32>
// CHECK:         graph.lstm {{.*}} {{{.*}}return_sequences{{.*}}} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<4x10x8xf32>
// CHECK:         graph.lstm {{.*}} : (tensor<4x10x8xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<4x8xf32>
func.func @lstm(%x: tensor<4x10x3xf32>, %w: tensor<3x32xf32>, %u: tensor<8x32xf32>, %b: tensor<32xf32>, %w2: tensor<8x32xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %last = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  %seq = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>, return_sequences} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  // A stacked LSTM reads the sequence output.
  %top = graph.lstm %seq, %w2, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<*xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %last, %top : tensor<*xf32>, tensor<*xf32>
}

// -----

// Reshape: -1 takes the remaining elements (Flatten: 12*12*64 = 9216), the
// element type is kept (reshaping integer ids), and a fully given shape.

// CHECK-LABEL: func.func @reshape
// CHECK:         graph.reshape {{.*}} {shape = array<i64: 2, -1>} : (tensor<2x12x12x64xf32>) -> tensor<2x9216xf32>
// CHECK:         graph.reshape {{.*}} {shape = array<i64: -1, 3, 4>} : (tensor<2x12x12x64xf32>) -> tensor<1536x3x4xf32>
// CHECK:         graph.reshape {{.*}} {shape = array<i64: 8>} : (tensor<2x4xi32>) -> tensor<8xi32>
func.func @reshape(%x: tensor<2x12x12x64xf32>, %ids: tensor<2x4xi32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xi32>) {
  %0 = graph.reshape %x {shape = array<i64: 2, -1>} : (tensor<2x12x12x64xf32>) -> tensor<*xf32>
  %1 = graph.reshape %x {shape = array<i64: -1, 3, 4>} : (tensor<2x12x12x64xf32>) -> tensor<*xf32>
  %2 = graph.reshape %ids {shape = array<i64: 8>} : (tensor<2x4xi32>) -> tensor<*xi32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xi32>
}

// -----

// Concatenate along axis 1 and along the last axis (-1), slice back.

// CHECK-LABEL: func.func @concat_slice
// CHECK:         graph.concat {{.*}} {axis = 1 : i64} : (tensor<8x3x2xf32>, tensor<8x5x2xf32>) -> tensor<8x8x2xf32>
// CHECK:         graph.concat {{.*}} {axis = -1 : i64} : (tensor<8x3x2xf32>, tensor<8x3x2xf32>, tensor<8x3x1xf32>) -> tensor<8x3x5xf32>
// CHECK:         graph.slice {{.*}} {axis = 1 : i64, size = 5 : i64, start = 3 : i64} : (tensor<8x8x2xf32>) -> tensor<8x5x2xf32>
func.func @concat_slice(%a: tensor<8x3x2xf32>, %b: tensor<8x5x2xf32>, %c: tensor<8x3x1xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<8x3x2xf32>, tensor<8x5x2xf32>) -> tensor<*xf32>
  %1 = graph.concat %a, %a, %c {axis = -1 : i64} : (tensor<8x3x2xf32>, tensor<8x3x2xf32>, tensor<8x3x1xf32>) -> tensor<*xf32>
  %2 = graph.slice %0 {axis = 1 : i64, start = 3 : i64, size = 5 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  return %1, %2 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Embedding appends the table's width to the ids' shape; repeat inserts
// axis 1; reduce_sum drops the reduced axes.

// CHECK-LABEL: func.func @embedding_repeat_reduce
// CHECK:         graph.embedding {{.*}} : (tensor<32x552xi32>, tensor<36x50xf32>) -> tensor<32x552x50xf32>
// CHECK:         graph.repeat {{.*}} {times = 3 : i64} : (tensor<32x50xf32>) -> tensor<32x3x50xf32>
// CHECK:         graph.reduce_sum {{.*}} {axes = array<i64: 0, 2>} : (tensor<32x552x50xf32>) -> tensor<552xf32>
func.func @embedding_repeat_reduce(%ids: tensor<32x552xi32>, %t: tensor<36x50xf32>, %q: tensor<32x50xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %e = graph.embedding %ids, %t : (tensor<32x552xi32>, tensor<36x50xf32>) -> tensor<*xf32>
  %r = graph.repeat %q {times = 3 : i64} : (tensor<32x50xf32>) -> tensor<*xf32>
  %s = graph.reduce_sum %e {axes = array<i64: 0, 2>} : (tensor<*xf32>) -> tensor<*xf32>
  return %r, %s : tensor<*xf32>, tensor<*xf32>
}

// -----

// A whole chain with every intermediate unranked, listed in an order where
// the worklist has to wait for producers; scalars for loss and accuracy.

// CHECK-LABEL: func.func @chain
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>)
// CHECK:         graph.activation {{.*}} : (tensor<4x5xf32>) -> tensor<4x5xf32>
// CHECK:         graph.dropout {{.*}} : (tensor<4x5xf32>, tensor<i64>, tensor<i64>) -> tensor<4x5xf32>
// CHECK:         graph.add {{.*}} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
// CHECK:         graph.matmul {{.*}} : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
// CHECK:         graph.softmax {{.*}} : (tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK:         graph.cross_entropy {{.*}} -> tensor<f32>
// CHECK:         graph.accuracy {{.*}} -> tensor<f32>
// CHECK-NOT:     tensor<*xf32>
func.func @chain(%x: tensor<4x5xf32>, %w: tensor<5x3xf32>, %y: tensor<4xi32>, %m: tensor<4xf32>, %seed: tensor<i64>, %step: tensor<i64>) -> (tensor<f32>, tensor<f32>, tensor<*xf32>) {
  %a = graph.activation %x {kind = #graph.activation<relu>} : (tensor<4x5xf32>) -> tensor<*xf32>
  %d = graph.dropout %a, %seed, %step {rate = 2.000000e-01 : f64, stream = 1 : i64} : (tensor<*xf32>, tensor<i64>, tensor<i64>) -> tensor<*xf32>
  %s = graph.add %d, %a : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %z = graph.matmul %s, %w : (tensor<*xf32>, tensor<5x3xf32>) -> tensor<*xf32>
  %p = graph.softmax %z : (tensor<*xf32>) -> tensor<*xf32>
  %l = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<*xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
  %c = graph.accuracy %p, %y, %m : (tensor<*xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
  return %l, %c, %p : tensor<f32>, tensor<f32>, tensor<*xf32>
}

// -----

// Gradient ops are shaped by their attributes and forward operands.

// CHECK-LABEL: func.func @gradient_ops
// CHECK:         graph.conv2d_backward_data {{.*}} -> tensor<2x28x28x1xf32>
// CHECK:         graph.conv2d_backward_filter {{.*}} -> tensor<3x3x1x4xf32>
// CHECK:         graph.embedding_backward {{.*}} : (tensor<2x7xi32>, tensor<2x7x5xf32>) -> tensor<36x5xf32>
// CHECK:         graph.lstm_backward {{.*}} -> (tensor<4x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
func.func @gradient_ops(%dy: tensor<2x26x26x4xf32>, %w: tensor<3x3x1x4xf32>, %x: tensor<2x28x28x1xf32>,
                        %ids: tensor<2x7xi32>, %de: tensor<2x7x5xf32>,
                        %sx: tensor<3x6x4xf32>, %lw: tensor<4x8xf32>, %lu: tensor<2x8xf32>, %lb: tensor<8xf32>, %h: tensor<3x2xf32>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %dx = graph.conv2d_backward_data %dy, %w {input_shape = array<i64: 2, 28, 28, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x26x26x4xf32>, tensor<3x3x1x4xf32>) -> tensor<*xf32>
  %dw = graph.conv2d_backward_filter %x, %dy {filter_shape = array<i64: 3, 3, 1, 4>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<2x26x26x4xf32>) -> tensor<*xf32>
  %dt = graph.embedding_backward %ids, %de {vocab_size = 36 : i64} : (tensor<2x7xi32>, tensor<2x7x5xf32>) -> tensor<*xf32>
  %k, %r, %b = graph.lstm_backward %sx, %lw, %lu, %lb, %h, %h {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<3x6x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<3x2xf32>, tensor<3x2xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %dx, %dw, %dt, %k : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Shape errors in the user's model are reported at the op.

func.func @matmul_contraction(%x: tensor<4x16xf32>, %w: tensor<15x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op contraction sizes differ: a gives 16, b gives 15}}
  %y = graph.matmul %x, %w : (tensor<4x16xf32>, tensor<15x8xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @matmul_bias(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>, %b: tensor<7xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op bias has 7 elements, expected 8}}
  %y = graph.matmul %x, %w, %b : (tensor<4x16xf32>, tensor<16x8xf32>, tensor<7xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @bias_add_mismatch(%x: tensor<4x16xf32>, %b: tensor<8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.bias_add' op bias has 8 elements but axis 1 has 16}}
  %y = graph.bias_add %x, %b {axis = -1 : i64} : (tensor<4x16xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// A conv expecting 3 channels after a 1-channel tensor.
func.func @conv_channels(%x: tensor<2x28x28x1xf32>, %w: tensor<3x3x3x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op filter expects 3 input channels, input has 1}}
  %y = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x28x28x1xf32>, tensor<3x3x3x8xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// The same tensor read as channels_first has 28 channels.
func.func @conv_channels_first_mismatch(%x: tensor<2x28x28x1xf32>, %w: tensor<3x3x1x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op filter expects 1 input channels, input has 28}}
  %y = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_first>} : (tensor<2x28x28x1xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @conv_too_small(%x: tensor<2x3x3x1xf32>, %w: tensor<5x5x1x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op kernel 5x5 does not fit the 3x3 input}}
  %y = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x3x3x1xf32>, tensor<5x5x1x8xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @pool_too_small(%x: tensor<2x1x1x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.max_pool2d' op pool window does not fit the 1x1 input}}
  %y = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x1x1x4xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Concatenate of incompatible shapes.
func.func @concat_mismatch(%a: tensor<8x3xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.concat' op inputs differ in dimension 0 (4 vs 8)}}
  %c = graph.concat %a, %b {axis = 1 : i64} : (tensor<8x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %c : tensor<*xf32>
}

// -----

func.func @concat_rank(%a: tensor<8x3xf32>, %b: tensor<8x3x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.concat' op inputs differ in rank}}
  %c = graph.concat %a, %b {axis = 1 : i64} : (tensor<8x3xf32>, tensor<8x3x1xf32>) -> tensor<*xf32>
  return %c : tensor<*xf32>
}

// -----

func.func @concat_axis(%a: tensor<8x3xf32>, %b: tensor<8x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.concat' op axis 2 out of range}}
  %c = graph.concat %a, %b {axis = 2 : i64} : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<*xf32>
  return %c : tensor<*xf32>
}

// -----

// Add of different shapes.
func.func @add_mismatch(%a: tensor<8x3xf32>, %b: tensor<8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.add' op operand shapes differ: 'tensor<8x4xf32>' vs tensor of shape [8, 3]}}
  %c = graph.add %a, %b : (tensor<8x3xf32>, tensor<8x4xf32>) -> tensor<*xf32>
  return %c : tensor<*xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to a shape of 4}}
  %y = graph.reshape %x {shape = array<i64: 2, 2>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @reshape_indivisible(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.reshape' op cannot reshape 'tensor<2x3xf32>' to 4, -1}}
  %y = graph.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @reshape_two_unknown(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.reshape' op shape may contain only one -1}}
  %y = graph.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @lstm_features(%x: tensor<4x10x3xf32>, %w: tensor<5x32xf32>, %u: tensor<8x32xf32>, %b: tensor<32xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.lstm' op kernel expects 5 input features, input has 3}}
  %h = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<4x10x3xf32>, tensor<5x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %h : tensor<*xf32>
}

// -----

func.func @repeat_rank(%x: tensor<4x10x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.repeat' op input must be [batch, features], got 'tensor<4x10x3xf32>'}}
  %r = graph.repeat %x {times = 2 : i64} : (tensor<4x10x3xf32>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

func.func @embedding_table(%ids: tensor<4x7xi32>, %t: tensor<36xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.embedding' op table must be [vocabulary, dim], got 'tensor<36xf32>'}}
  %e = graph.embedding %ids, %t : (tensor<4x7xi32>, tensor<36xf32>) -> tensor<*xf32>
  return %e : tensor<*xf32>
}

// -----

// The loss checks the target against predictions once they are shaped.
func.func @cross_entropy_target(%x: tensor<4x3xf32>, %y: tensor<4x5xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  %p = graph.softmax %x : (tensor<4x3xf32>) -> tensor<*xf32>
  // expected-error @+1 {{'graph.cross_entropy' op target 'tensor<4x5xf32>' does not match predictions 'tensor<4x3xf32>'}}
  %l = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<*xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An unranked function argument: nothing can be shaped from it.
func.func @unresolved(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{shape could not be inferred (2 ops left without static shapes)}}
  %a = graph.activation %x {kind = #graph.activation<relu>} : (tensor<*xf32>) -> tensor<*xf32>
  %b = graph.activation %a {kind = #graph.activation<tanh>} : (tensor<*xf32>) -> tensor<*xf32>
  return %b : tensor<*xf32>
}

// -----

// graph.fused has no shape rule of its own (it is created shaped).
func.func @no_shape_rule(%x: tensor<8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{unable to infer the shape of an op without a shape rule}}
  %r = graph.fused %x : (tensor<8xf32>) -> tensor<*xf32> {
  ^bb0(%a: tensor<8xf32>):
    %g = graph.activation %a {kind = #graph.activation<relu>} : (tensor<8xf32>) -> tensor<8xf32>
    graph.yield %g : tensor<8xf32>
  }
  return %r : tensor<*xf32>
}
