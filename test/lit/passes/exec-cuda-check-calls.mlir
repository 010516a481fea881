// RUN: kcc-opt --split-input-file --exec-cuda-check-calls --verify-diagnostics %s

// Even padding on both sides of each axis: cuDNN runs it.
func.func @symmetric(%x: !exec.buffer<1x4x4x1xf32>, %w: !exec.buffer<2x2x1x1xf32>, %y: !exec.buffer<1x2x2x1xf32>) {
  exec.conv2d ins(%x, %w : !exec.buffer<1x4x4x1xf32>, !exec.buffer<2x2x1x1xf32>) outs(%y : !exec.buffer<1x2x2x1xf32>) {batch = 1 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 4 : i64, in_width = 4 : i64, kernel_height = 2 : i64, kernel_width = 2 : i64, out_channels = 1 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  return
}

// -----

// Keras's 'same' with stride 2 on an even size: one more row after.
func.func @conv_same_stride2(%x: !exec.buffer<1x4x4x1xf32>, %w: !exec.buffer<2x2x1x1xf32>, %y: !exec.buffer<1x2x2x1xf32>) {
  // expected-error @+1 {{the CUDA backend cannot run a convolution padded unevenly (top 0, bottom 1, left 0, right 1: Keras's 'same' with an even window or stride); compile it for --target=cpu}}
  exec.conv2d ins(%x, %w : !exec.buffer<1x4x4x1xf32>, !exec.buffer<2x2x1x1xf32>) outs(%y : !exec.buffer<1x2x2x1xf32>) {batch = 1 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 4 : i64, in_width = 4 : i64, kernel_height = 2 : i64, kernel_width = 2 : i64, out_channels = 1 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
  return
}

// -----

func.func @pool_same(%x: !exec.buffer<1x5x5x1xf32>, %y: !exec.buffer<1x3x3x1xf32>, %ws: !exec.buffer<1x3x3x1xi8>) {
  // expected-error @+1 {{the CUDA backend cannot run a pooling padded unevenly (top 0, bottom 1, left 0, right 1}}
  exec.max_pool2d ins(%x : !exec.buffer<1x5x5x1xf32>) outs(%y, %ws : !exec.buffer<1x3x3x1xf32>, !exec.buffer<1x3x3x1xi8>) {batch = 1 : i64, channels = 1 : i64, data_format = #graph.data_format<channels_last>, in_height = 5 : i64, in_width = 5 : i64, out_height = 3 : i64, out_width = 3 : i64, pads = array<i64: 0, 0, 1, 1>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
  return
}
