// RUN: kcc-opt %s | kcc-opt | FileCheck %s
// RUN: kcc-opt %s --mlir-print-op-generic | kcc-opt | FileCheck %s

// Every graph and exec op, attribute and type prints and parses back to
// the same thing, both from the custom and from the generic form. The
// checks are the custom form after two print/parse cycles: attributes are
// sorted, floats canonicalised (0.05 -> 5.000000e-02), defaulted
// attributes (activation = linear) omitted and !exec.buffer elided to <...>
// on exec.alloc results.

// CHECK-LABEL: graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"variance_scaling", {distribution = "truncated_normal", mode = "fan_in", scale = 2.000000e+00 : f64}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
// CHECK-NEXT:  graph.variable @d.bias : tensor<2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 1 : i64}
// CHECK-NEXT:  graph.variable @d.kernel.m : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<optimizer_state>}
// CHECK-NEXT:  graph.variable @o : tensor<2xf32> {init = #graph.init<"ones", {}>, layer = "o", role = #graph.role<weight>}
// CHECK-NEXT:  graph.variable @c : tensor<2xf32> {init = #graph.init<"constant", {value = 5.000000e-01 : f64}>, layer = "c", role = #graph.role<weight>}
// CHECK-NEXT:  graph.variable @u : tensor<2xf32> {init = #graph.init<"random_uniform", {maxval = 5.000000e-02 : f64, minval = -5.000000e-02 : f64}>, layer = "u", role = #graph.role<weight>}
// CHECK-NEXT:  graph.variable @n : tensor<2xf32> {init = #graph.init<"random_normal", {mean = 0.000000e+00 : f64, stddev = 5.000000e-02 : f64}>, layer = "n", role = #graph.role<weight>}
// CHECK-NEXT:  graph.variable @t : tensor<2xf32> {init = #graph.init<"truncated_normal", {mean = 0.000000e+00 : f64, stddev = 1.000000e+00 : f64}>, layer = "t", role = #graph.role<weight>}
// CHECK-NEXT:  graph.variable @r : tensor<2x8xf32> {init = #graph.init<"orthogonal", {gain = 1.000000e+00 : f64}>, layer = "l", role = #graph.role<weight>}
// CHECK-NEXT:  graph.variable @lb : tensor<8xf32> {init = #graph.init<"lstm_bias", {}>, layer = "l", role = #graph.role<weight>}
// CHECK-LABEL: func.func @linear(%{{[a-z0-9_]+}}: tensor<4x5x3xf32>, %{{[a-z0-9_]+}}: tensor<2xf32>, %{{[a-z0-9_]+}}: tensor<4x5x2xf32>, %{{[a-z0-9_]+}}: tensor<20x3xf32>, %{{[a-z0-9_]+}}: tensor<20x2xf32>) -> (tensor<4x5x2xf32>, tensor<2xf32>, tensor<3x2xf32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.load @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<4x5x3xf32>, tensor<3x2xf32>) -> tensor<4x5x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #graph.activation<relu>} : (tensor<4x5x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x5x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {transpose_a} : (tensor<20x3xf32>, tensor<20x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {transpose_b} : (tensor<4x5x2xf32>, tensor<3x2xf32>) -> tensor<4x5x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.bias_add %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {axis = -1 : i64} : (tensor<4x5x2xf32>, tensor<2xf32>) -> tensor<4x5x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.reduce_sum %{{[a-z0-9_]+}} {axes = array<i64: 0, 1>} : (tensor<4x5x2xf32>) -> tensor<2xf32>
// CHECK-NEXT:  graph.store %{{[a-z0-9_]+}}, @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:  return %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<4x5x2xf32>, tensor<2xf32>, tensor<3x2xf32>
// CHECK-LABEL: func.func @convolution(%{{[a-z0-9_]+}}: tensor<2x8x8x1xf32>, %{{[a-z0-9_]+}}: tensor<3x3x1x4xf32>, %{{[a-z0-9_]+}}: tensor<4xf32>, %{{[a-z0-9_]+}}: tensor<2x1x8x8xf32>) -> (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>, tensor<2x8x8x4xf32>, tensor<2x4x3x3xf32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.conv2d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #graph.activation<tanh>, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, strides = array<i64: 1, 1>} : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>, tensor<4xf32>) -> tensor<2x8x8x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.conv2d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {data_format = #graph.data_format<channels_first>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, strides = array<i64: 2, 2>} : (tensor<2x1x8x8xf32>, tensor<3x3x1x4xf32>) -> tensor<2x4x3x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.conv2d_backward_data %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, input_shape = array<i64: 2, 8, 8, 1>, padding = #graph.padding<same>, strides = array<i64: 1, 1>} : (tensor<2x8x8x4xf32>, tensor<3x3x1x4xf32>) -> tensor<2x8x8x1xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.conv2d_backward_filter %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, filter_shape = array<i64: 3, 3, 1, 4>, padding = #graph.padding<same>, strides = array<i64: 1, 1>} : (tensor<2x8x8x1xf32>, tensor<2x8x8x4xf32>) -> tensor<3x3x1x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.max_pool2d %{{[a-z0-9_]+}} {data_format = #graph.data_format<channels_last>, padding = #graph.padding<valid>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x8x8x4xf32>) -> tensor<2x4x4x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.max_pool2d_backward %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {data_format = #graph.data_format<channels_last>, padding = #graph.padding<valid>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x4x4x4xf32>, tensor<2x8x8x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x8x8x4xf32>
// CHECK-NEXT:  return %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>, tensor<2x8x8x4xf32>, tensor<2x4x3x3xf32>
// CHECK-LABEL: func.func @recurrent(%{{[a-z0-9_]+}}: tensor<4x5x3xf32>, %{{[a-z0-9_]+}}: tensor<3x8xf32>, %{{[a-z0-9_]+}}: tensor<4x5x2xf32>) -> (tensor<4x5x2xf32>, tensor<4x2xf32>, tensor<4x5x3xf32>, tensor<3x8xf32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.load @r : tensor<2x8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.load @lb : tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.lstm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>, return_sequences, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x5x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.lstm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #graph.activation<tanh>, go_backwards, recurrent_activation = #graph.activation<hard_sigmoid_v3>, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = graph.lstm_backward %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>, return_sequences, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<4x5x2xf32>, tensor<4x5x2xf32>) -> (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
// CHECK-NEXT:  %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = graph.lstm_backward %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #graph.activation<tanh>, go_backwards, recurrent_activation = #graph.activation<hard_sigmoid_v3>, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> (tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
// CHECK-NEXT:  return %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<4x5x2xf32>, tensor<4x2xf32>, tensor<4x5x3xf32>, tensor<3x8xf32>
// CHECK-LABEL: func.func @shapes(%{{[a-z0-9_]+}}: tensor<4x7xi32>, %{{[a-z0-9_]+}}: tensor<4xi64>, %{{[a-z0-9_]+}}: tensor<10x3xf32>, %{{[a-z0-9_]+}}: tensor<4x3xf32>) -> (tensor<10x3xf32>, tensor<4x3x7xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<28xi32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.embedding %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<4x7xi32>, tensor<10x3xf32>) -> tensor<4x7x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.embedding %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<4xi64>, tensor<10x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.embedding_backward %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {vocab_size = 10 : i64} : (tensor<4x7xi32>, tensor<4x7x3xf32>) -> tensor<10x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.reshape %{{[a-z0-9_]+}} {shape = array<i64: 4, 3, -1>} : (tensor<4x7x3xf32>) -> tensor<4x3x7xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.reshape %{{[a-z0-9_]+}} {shape = array<i64: 28>} : (tensor<4x7xi32>) -> tensor<28xi32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.repeat %{{[a-z0-9_]+}} {times = 7 : i64} : (tensor<4x3xf32>) -> tensor<4x7x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.concat %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {axis = 1 : i64} : (tensor<4x7x3xf32>, tensor<4x7x3xf32>) -> tensor<4x14x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.slice %{{[a-z0-9_]+}} {axis = 1 : i64, size = 1 : i64, start = 7 : i64} : (tensor<4x14x3xf32>) -> tensor<4x1x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.reshape %{{[a-z0-9_]+}} {shape = array<i64: 4, 3>} : (tensor<4x1x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:  return %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<10x3xf32>, tensor<4x3x7xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<28xi32>
// CHECK-LABEL: func.func @elementwise(%{{[a-z0-9_]+}}: tensor<8xf32>, %{{[a-z0-9_]+}}: tensor<8xf32>, %{{[a-z0-9_]+}}: tensor<i64>, %{{[a-z0-9_]+}}: tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<linear>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<elu>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<softplus>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<softsign>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<selu>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<exponential>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<sigmoid>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {kind = #graph.activation<sigmoid>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.add %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.dropout %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {rate = 2.500000e-01 : f64, stream = 4 : i64} : (tensor<8xf32>, tensor<i64>, tensor<i64>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}}:2 = graph.fused %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<8xf32>, tensor<8xf32>, tensor<i64>, tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>) {
// CHECK-NEXT:  ^bb0(%{{[a-z0-9_]+}}: tensor<8xf32>, %{{[a-z0-9_]+}}: tensor<8xf32>, %{{[a-z0-9_]+}}: tensor<i64>, %{{[a-z0-9_]+}}: tensor<i64>):
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation %{{[a-z0-9_]+}} {kind = #graph.activation<relu>} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.dropout %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {rate = 5.000000e-01 : f64, stream = 5 : i64} : (tensor<8xf32>, tensor<i64>, tensor<i64>) -> tensor<8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.activation_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {kind = #graph.activation<relu>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:  graph.yield %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<8xf32>, tensor<8xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  return %{{[a-z0-9_]+}}#0, %{{[a-z0-9_]+}}#1 : tensor<8xf32>, tensor<8xf32>
// CHECK-LABEL: func.func @losses(%{{[a-z0-9_]+}}: tensor<4x3xf32>, %{{[a-z0-9_]+}}: tensor<4x3xf32>, %{{[a-z0-9_]+}}: tensor<4xi32>, %{{[a-z0-9_]+}}: tensor<4xf32>) -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<f32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.softmax %{{[a-z0-9_]+}} : (tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.cross_entropy %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {epsilon = 9.9999999999999995E-8 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.cross_entropy %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {epsilon = 9.9999999999999995E-8 : f64} : (tensor<4x3xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.accuracy %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<4x3xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.cross_entropy_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {epsilon = 9.9999999999999995E-8 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.softmax_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:  return %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<f32>
// CHECK-LABEL: func.func @updates(%{{[a-z0-9_]+}}: tensor<3x2xf32>, %{{[a-z0-9_]+}}: tensor<3x2xf32>, %{{[a-z0-9_]+}}: tensor<i64>, %{{[a-z0-9_]+}}: tensor<3x2xf32>, %{{[a-z0-9_]+}}: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = graph.sgd_update %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {decay = 0.000000e+00 : f64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>) -> tensor<3x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = graph.sgd_update %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {decay = 9.9999999999999995E-7 : f64, lr = 1.000000e-02 : f64, momentum = 9.000000e-01 : f64, nesterov} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-NEXT:  %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = graph.rmsprop_update %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {decay = 0.000000e+00 : f64, epsilon = 9.9999999999999995E-8 : f64, keras = #graph.keras<keras3>, lr = 1.000000e-03 : f64, rho = 9.000000e-01 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-NEXT:  %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = graph.adadelta_update %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {decay = 0.000000e+00 : f64, epsilon = 9.9999999999999995E-8 : f64, lr = 1.000000e+00 : f64, rho = 0.94999999999999996 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-NEXT:  %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = graph.adam_update %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {beta_1 = 9.000000e-01 : f64, beta_2 = 0.99899999999999999 : f64, decay = 0.000000e+00 : f64, epsilon = 9.9999999999999995E-8 : f64, lr = 1.000000e-03 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-NEXT:  return %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
// CHECK-LABEL: func.func private @kern(memref<8xf32>, memref<8xf32>, index, index) attributes {exec.kernel}
// CHECK-LABEL: func.func private @cell(memref<32xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, index, index) attributes {exec.kernel}
// CHECK-LABEL: func.func private @cell_grad(memref<32xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<32xf32>, index, index) attributes {exec.kernel}
// CHECK-LABEL: func.func @program() attributes {exec.inputs = ["x:x"], exec.program} {
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<input>, name = "x:x", offset = 0 : i64} : <2x8x8x1xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<weight>, name = "c.kernel", offset = 512 : i64} : <3x3x1x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<weight>, name = "c.bias"} : <4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<optimizer_state>, name = "c.kernel.m"} : <3x3x1x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<input>, name = "step"} : <i64>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<output>, name = "loss"} : <f32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {bytes = 4096 : i64, kind = #exec.kind<activation>} : <2x4x8x8xf32, "aBcd16b">
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<activation>} : <2x8x8x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<workspace>} : <2x4x4x4xi8>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<activation>} : <2x4x4x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <2x8x8x1xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <3x3x1x4xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <4xf32>
// CHECK-NEXT:  exec.conv2d ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x8x8x1xf32>, !exec.buffer<3x3x1x4xf32>, !exec.buffer<4xf32>) outs(%{{[a-z0-9_]+}} : !exec.buffer<2x4x8x8xf32, "aBcd16b">) {activation = #graph.activation<relu>, batch = 2 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 8 : i64, in_width = 8 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 4 : i64, out_height = 8 : i64, out_width = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK-NEXT:  exec.reorder ins(%{{[a-z0-9_]+}} : !exec.buffer<2x4x8x8xf32, "aBcd16b">) outs(%{{[a-z0-9_]+}} : !exec.buffer<2x8x8x4xf32>)
// CHECK-NEXT:  exec.max_pool2d ins(%{{[a-z0-9_]+}} : !exec.buffer<2x8x8x4xf32>) outs(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x4x4x4xf32>, !exec.buffer<2x4x4x4xi8>) {batch = 2 : i64, channels = 4 : i64, data_format = #graph.data_format<channels_last>, in_height = 8 : i64, in_width = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
// CHECK-NEXT:  exec.max_pool2d_backward ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x4x4x4xf32>, !exec.buffer<2x4x4x4xi8>) outs(%{{[a-z0-9_]+}} : !exec.buffer<2x8x8x4xf32>) {batch = 2 : i64, channels = 4 : i64, data_format = #graph.data_format<channels_last>, in_height = 8 : i64, in_width = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
// CHECK-NEXT:  exec.conv2d_backward_data ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x8x8x4xf32>, !exec.buffer<3x3x1x4xf32>) outs(%{{[a-z0-9_]+}} : !exec.buffer<2x8x8x1xf32>) {batch = 2 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 8 : i64, in_width = 8 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 4 : i64, out_height = 8 : i64, out_width = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK-NEXT:  exec.conv2d_backward_filter ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x8x8x1xf32>, !exec.buffer<2x8x8x4xf32>) outs(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<3x3x1x4xf32>, !exec.buffer<4xf32>) {batch = 2 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 8 : i64, in_width = 8 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 4 : i64, out_height = 8 : i64, out_width = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.view %{{[a-z0-9_]+}} {offset = 8 : i64} : <2x8x8x4xf32> to <8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.view %{{[a-z0-9_]+}} {offset = 16 : i64} : <2x8x8x4xf32> to <8xf32>
// CHECK-NEXT:  exec.kernel ins(%{{[a-z0-9_]+}} : !exec.buffer<8xf32>) outs(%{{[a-z0-9_]+}} : !exec.buffer<8xf32>) {domain = 8 : i64, elementwise, kernel = @kern}
// CHECK-NEXT:  exec.kernel ins(%{{[a-z0-9_]+}} : !exec.buffer<8xf32>) outs(%{{[a-z0-9_]+}} : !exec.buffer<8xf32>) {domain = 1 : i64, kernel = @kern, serial}
// CHECK-NEXT:  exec.fill ins() outs(%{{[a-z0-9_]+}} : !exec.buffer<f32>) {value = 1.000000e+00 : f64}
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.view %{{[a-z0-9_]+}} {offset = 0 : i64} : <2x8x8x1xf32> to <2x64xf32>
// CHECK-NEXT:  exec.matmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x64xf32>, !exec.buffer<2x64xf32>) outs(%{{[a-z0-9_]+}} : !exec.buffer<3x3x1x4xf32>) {accumulate, k = 2 : i64, m = 64 : i64, n = 64 : i64, transpose_a}
// CHECK-NEXT:  exec.matmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x64xf32>, !exec.buffer<2x64xf32>, !exec.buffer<4xf32>) outs(%{{[a-z0-9_]+}} : !exec.buffer<3x3x1x4xf32>) {activation = #graph.activation<sigmoid>, k = 64 : i64, m = 2 : i64, n = 2 : i64, transpose_b}
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<weight>, name = "l.recurrent_kernel"} : <2x8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<activation>} : <5x4x8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<activation>} : <6x4x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<activation>} : <6x4x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <5x4x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <5x4x8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<workspace>} : <4x2xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<workspace>} : <4x2xf32>
// CHECK-NEXT:  exec.lstm_forward ins(%{{[a-z0-9_]+}} : !exec.buffer<2x8xf32>) outs(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<5x4x8xf32>, !exec.buffer<6x4x2xf32>, !exec.buffer<6x4x2xf32>) {batch = 4 : i64, cell = @cell, steps = 5 : i64, units = 2 : i64}
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<activation>} : <5x4x3xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <3x8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <2x8xf32>
// CHECK-NEXT:  %{{[a-z0-9_]+}} = exec.alloc {kind = #exec.kind<gradient>} : <8xf32>
// CHECK-NEXT:  exec.lstm_backward ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<2x8xf32>, !exec.buffer<5x4x8xf32>, !exec.buffer<6x4x2xf32>, !exec.buffer<5x4x2xf32>, !exec.buffer<5x4x3xf32>, !exec.buffer<6x4x2xf32>) outs(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : !exec.buffer<5x4x8xf32>, !exec.buffer<4x2xf32>, !exec.buffer<4x2xf32>, !exec.buffer<3x8xf32>, !exec.buffer<2x8xf32>, !exec.buffer<8xf32>) {batch = 4 : i64, cell = @cell_grad, return_sequences, steps = 5 : i64, units = 2 : i64}
// CHECK-NEXT:  return

graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"variance_scaling", {scale = 2.0 : f64, mode = "fan_in", distribution = "truncated_normal"}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
graph.variable @d.bias : tensor<2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 1 : i64}
graph.variable @d.kernel.m : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<optimizer_state>}
graph.variable @o : tensor<2xf32> {init = #graph.init<"ones", {}>, layer = "o", role = #graph.role<weight>}
graph.variable @c : tensor<2xf32> {init = #graph.init<"constant", {value = 0.5 : f64}>, layer = "c", role = #graph.role<weight>}
graph.variable @u : tensor<2xf32> {init = #graph.init<"random_uniform", {minval = -0.05 : f64, maxval = 0.05 : f64}>, layer = "u", role = #graph.role<weight>}
graph.variable @n : tensor<2xf32> {init = #graph.init<"random_normal", {mean = 0.0 : f64, stddev = 0.05 : f64}>, layer = "n", role = #graph.role<weight>}
graph.variable @t : tensor<2xf32> {init = #graph.init<"truncated_normal", {mean = 0.0 : f64, stddev = 1.0 : f64}>, layer = "t", role = #graph.role<weight>}
graph.variable @r : tensor<2x8xf32> {init = #graph.init<"orthogonal", {gain = 1.0 : f64}>, layer = "l", role = #graph.role<weight>}
graph.variable @lb : tensor<8xf32> {init = #graph.init<"lstm_bias", {}>, layer = "l", role = #graph.role<weight>}

func.func @linear(%x: tensor<4x5x3xf32>, %b: tensor<2xf32>, %dy: tensor<4x5x2xf32>, %x2: tensor<20x3xf32>, %dy2: tensor<20x2xf32>) -> (tensor<4x5x2xf32>, tensor<2xf32>, tensor<3x2xf32>) {
  %w = graph.load @d.kernel : tensor<3x2xf32>
  %0 = graph.matmul %x, %w : (tensor<4x5x3xf32>, tensor<3x2xf32>) -> tensor<4x5x2xf32>
  %1 = graph.matmul %x, %w, %b {activation = #graph.activation<relu>} : (tensor<4x5x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x5x2xf32>
  %2 = graph.matmul %x2, %dy2 {transpose_a} : (tensor<20x3xf32>, tensor<20x2xf32>) -> tensor<3x2xf32>
  %3 = graph.matmul %dy, %w {transpose_b} : (tensor<4x5x2xf32>, tensor<3x2xf32>) -> tensor<4x5x3xf32>
  %4 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x5x2xf32>, tensor<2xf32>) -> tensor<4x5x2xf32>
  %5 = graph.reduce_sum %1 {axes = array<i64: 0, 1>} : (tensor<4x5x2xf32>) -> tensor<2xf32>
  graph.store %2, @d.kernel : tensor<3x2xf32>
  return %4, %5, %2 : tensor<4x5x2xf32>, tensor<2xf32>, tensor<3x2xf32>
}

func.func @convolution(%x: tensor<2x8x8x1xf32>, %w: tensor<3x3x1x4xf32>, %b: tensor<4xf32>, %xf: tensor<2x1x8x8xf32>) -> (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>, tensor<2x8x8x4xf32>, tensor<2x4x3x3xf32>) {
  %0 = graph.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>, activation = #graph.activation<tanh>} : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>, tensor<4xf32>) -> tensor<2x8x8x4xf32>
  %1 = graph.conv2d %xf, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_first>} : (tensor<2x1x8x8xf32>, tensor<3x3x1x4xf32>) -> tensor<2x4x3x3xf32>
  %2 = graph.conv2d_backward_data %0, %w {input_shape = array<i64: 2, 8, 8, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x4xf32>, tensor<3x3x1x4xf32>) -> tensor<2x8x8x1xf32>
  %3 = graph.conv2d_backward_filter %x, %0 {filter_shape = array<i64: 3, 3, 1, 4>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>, tensor<2x8x8x4xf32>) -> tensor<3x3x1x4xf32>
  %4 = graph.max_pool2d %0 {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x4xf32>) -> tensor<2x4x4x4xf32>
  %5 = graph.max_pool2d_backward %4, %0, %4 {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x4x4x4xf32>, tensor<2x8x8x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x8x8x4xf32>
  return %2, %3, %5, %1 : tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>, tensor<2x8x8x4xf32>, tensor<2x4x3x3xf32>
}

func.func @recurrent(%x: tensor<4x5x3xf32>, %w: tensor<3x8xf32>, %dy: tensor<4x5x2xf32>) -> (tensor<4x5x2xf32>, tensor<4x2xf32>, tensor<4x5x3xf32>, tensor<3x8xf32>) {
  %r = graph.load @r : tensor<2x8xf32>
  %b = graph.load @lb : tensor<8xf32>
  %0 = graph.lstm %x, %w, %r, %b {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>, return_sequences} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x5x2xf32>
  %1 = graph.lstm %x, %w, %r, %b {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid_v3>, go_backwards} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x2xf32>
  %dx, %dw, %dr, %db = graph.lstm_backward %x, %w, %r, %b, %0, %dy {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>, return_sequences} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<4x5x2xf32>, tensor<4x5x2xf32>) -> (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
  %kw, %kr, %kb = graph.lstm_backward %x, %w, %r, %b, %1, %1 {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid_v3>, go_backwards} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> (tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
  return %0, %1, %dx, %kw : tensor<4x5x2xf32>, tensor<4x2xf32>, tensor<4x5x3xf32>, tensor<3x8xf32>
}

func.func @shapes(%ids: tensor<4x7xi32>, %ids64: tensor<4xi64>, %t: tensor<10x3xf32>, %q: tensor<4x3xf32>) -> (tensor<10x3xf32>, tensor<4x3x7xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<28xi32>) {
  %0 = graph.embedding %ids, %t : (tensor<4x7xi32>, tensor<10x3xf32>) -> tensor<4x7x3xf32>
  %1 = graph.embedding %ids64, %t : (tensor<4xi64>, tensor<10x3xf32>) -> tensor<4x3xf32>
  %2 = graph.embedding_backward %ids, %0 {vocab_size = 10 : i64} : (tensor<4x7xi32>, tensor<4x7x3xf32>) -> tensor<10x3xf32>
  %3 = graph.reshape %0 {shape = array<i64: 4, 3, -1>} : (tensor<4x7x3xf32>) -> tensor<4x3x7xf32>
  %4 = graph.reshape %ids {shape = array<i64: 28>} : (tensor<4x7xi32>) -> tensor<28xi32>
  %5 = graph.repeat %q {times = 7 : i64} : (tensor<4x3xf32>) -> tensor<4x7x3xf32>
  %6 = graph.concat %0, %5 {axis = 1 : i64} : (tensor<4x7x3xf32>, tensor<4x7x3xf32>) -> tensor<4x14x3xf32>
  %7 = graph.slice %6 {axis = 1 : i64, start = 7 : i64, size = 1 : i64} : (tensor<4x14x3xf32>) -> tensor<4x1x3xf32>
  %8 = graph.reshape %7 {shape = array<i64: 4, 3>} : (tensor<4x1x3xf32>) -> tensor<4x3xf32>
  return %2, %3, %1, %8, %4 : tensor<10x3xf32>, tensor<4x3x7xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<28xi32>
}

func.func @elementwise(%x: tensor<8xf32>, %y: tensor<8xf32>, %seed: tensor<i64>, %step: tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = graph.activation %x {kind = #graph.activation<linear>} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = graph.activation %0 {kind = #graph.activation<elu>} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = graph.activation %1 {kind = #graph.activation<softplus>} : (tensor<8xf32>) -> tensor<8xf32>
  %3 = graph.activation %2 {kind = #graph.activation<softsign>} : (tensor<8xf32>) -> tensor<8xf32>
  %4 = graph.activation %3 {kind = #graph.activation<selu>} : (tensor<8xf32>) -> tensor<8xf32>
  %5 = graph.activation %4 {kind = #graph.activation<exponential>} : (tensor<8xf32>) -> tensor<8xf32>
  %6 = graph.activation %5 {kind = #graph.activation<sigmoid>} : (tensor<8xf32>) -> tensor<8xf32>
  %7 = graph.activation_grad %y, %6 {kind = #graph.activation<sigmoid>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %8 = graph.add %7, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %9 = graph.dropout %8, %seed, %step {rate = 0.25 : f64, stream = 4 : i64} : (tensor<8xf32>, tensor<i64>, tensor<i64>) -> tensor<8xf32>
  %10:2 = graph.fused %9, %x, %seed, %step : (tensor<8xf32>, tensor<8xf32>, tensor<i64>, tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>) {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>, %s: tensor<i64>, %t: tensor<i64>):
    %r = graph.activation %a {kind = #graph.activation<relu>} : (tensor<8xf32>) -> tensor<8xf32>
    %d = graph.dropout %r, %s, %t {rate = 0.5 : f64, stream = 5 : i64} : (tensor<8xf32>, tensor<i64>, tensor<i64>) -> tensor<8xf32>
    %g = graph.activation_grad %d, %b {kind = #graph.activation<relu>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    graph.yield %r, %g : tensor<8xf32>, tensor<8xf32>
  }
  return %10#0, %10#1 : tensor<8xf32>, tensor<8xf32>
}

func.func @losses(%z: tensor<4x3xf32>, %y: tensor<4x3xf32>, %ids: tensor<4xi32>, %m: tensor<4xf32>) -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<f32>) {
  %p = graph.softmax %z : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %l = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
  %ls = graph.cross_entropy %p, %ids, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
  %a = graph.accuracy %p, %ids, %m : (tensor<4x3xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %dp = graph.cross_entropy_grad %p, %y, %m, %one {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4x3xf32>
  %dz = graph.softmax_grad %dp, %p : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %l, %a, %dz, %ls : tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<f32>
}

func.func @updates(%p: tensor<3x2xf32>, %g: tensor<3x2xf32>, %step: tensor<i64>, %s1: tensor<3x2xf32>, %s2: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %0 = graph.sgd_update %p, %g, %step {lr = 0.01 : f64, momentum = 0.0 : f64, decay = 0.0 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>) -> tensor<3x2xf32>
  %1:2 = graph.sgd_update %p, %g, %step, %s1 {lr = 0.01 : f64, momentum = 0.9 : f64, decay = 1.0e-06 : f64, nesterov} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
  %2:2 = graph.rmsprop_update %p, %g, %step, %s1 {lr = 0.001 : f64, rho = 0.9 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64, keras = #graph.keras<keras3>} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
  %3:3 = graph.adadelta_update %p, %g, %step, %s1, %s2 {lr = 1.0 : f64, rho = 0.95 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
  %4:3 = graph.adam_update %p, %g, %step, %s1, %s2 {lr = 0.001 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
  return %0, %1#1, %2#0, %3#2, %4#1 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

func.func private @kern(memref<8xf32>, memref<8xf32>, index, index) attributes {exec.kernel}
func.func private @cell(memref<32xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, index, index) attributes {exec.kernel}
func.func private @cell_grad(memref<32xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<32xf32>, index, index) attributes {exec.kernel}

func.func @program() attributes {exec.program, exec.inputs = ["x:x"]} {
  %x = exec.alloc {kind = #exec.kind<input>, name = "x:x", offset = 0 : i64} : !exec.buffer<2x8x8x1xf32>
  %w = exec.alloc {kind = #exec.kind<weight>, name = "c.kernel", offset = 512 : i64} : !exec.buffer<3x3x1x4xf32>
  %b = exec.alloc {kind = #exec.kind<weight>, name = "c.bias"} : !exec.buffer<4xf32>
  %m = exec.alloc {kind = #exec.kind<optimizer_state>, name = "c.kernel.m"} : !exec.buffer<3x3x1x4xf32>
  %st = exec.alloc {kind = #exec.kind<input>, name = "step"} : !exec.buffer<i64>
  %l = exec.alloc {kind = #exec.kind<output>, name = "loss"} : !exec.buffer<f32>
  %y = exec.alloc {kind = #exec.kind<activation>, bytes = 4096 : i64} : !exec.buffer<2x4x8x8xf32, "aBcd16b">
  %yp = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<2x8x8x4xf32>
  %ws = exec.alloc {kind = #exec.kind<workspace>} : !exec.buffer<2x4x4x4xi8>
  %p = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<2x4x4x4xf32>
  %dx = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<2x8x8x1xf32>
  %dw = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<3x3x1x4xf32>
  %db = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<4xf32>
  exec.conv2d ins(%x, %w, %b : !exec.buffer<2x8x8x1xf32>, !exec.buffer<3x3x1x4xf32>, !exec.buffer<4xf32>) outs(%y : !exec.buffer<2x4x8x8xf32, "aBcd16b">) {batch = 2 : i64, in_channels = 1 : i64, in_height = 8 : i64, in_width = 8 : i64, out_channels = 4 : i64, out_height = 8 : i64, out_width = 8 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, data_format = #graph.data_format<channels_last>, activation = #graph.activation<relu>}
  exec.reorder ins(%y : !exec.buffer<2x4x8x8xf32, "aBcd16b">) outs(%yp : !exec.buffer<2x8x8x4xf32>)
  exec.max_pool2d ins(%yp : !exec.buffer<2x8x8x4xf32>) outs(%p, %ws : !exec.buffer<2x4x4x4xf32>, !exec.buffer<2x4x4x4xi8>) {batch = 2 : i64, channels = 4 : i64, in_height = 8 : i64, in_width = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, data_format = #graph.data_format<channels_last>}
  exec.max_pool2d_backward ins(%p, %ws : !exec.buffer<2x4x4x4xf32>, !exec.buffer<2x4x4x4xi8>) outs(%yp : !exec.buffer<2x8x8x4xf32>) {batch = 2 : i64, channels = 4 : i64, in_height = 8 : i64, in_width = 8 : i64, out_height = 4 : i64, out_width = 4 : i64, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, data_format = #graph.data_format<channels_last>}
  exec.conv2d_backward_data ins(%yp, %w : !exec.buffer<2x8x8x4xf32>, !exec.buffer<3x3x1x4xf32>) outs(%dx : !exec.buffer<2x8x8x1xf32>) {batch = 2 : i64, in_channels = 1 : i64, in_height = 8 : i64, in_width = 8 : i64, out_channels = 4 : i64, out_height = 8 : i64, out_width = 8 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, data_format = #graph.data_format<channels_last>}
  exec.conv2d_backward_filter ins(%x, %yp : !exec.buffer<2x8x8x1xf32>, !exec.buffer<2x8x8x4xf32>) outs(%dw, %db : !exec.buffer<3x3x1x4xf32>, !exec.buffer<4xf32>) {batch = 2 : i64, in_channels = 1 : i64, in_height = 8 : i64, in_width = 8 : i64, out_channels = 4 : i64, out_height = 8 : i64, out_width = 8 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, data_format = #graph.data_format<channels_last>}
  %v = exec.view %yp {offset = 8 : i64} : !exec.buffer<2x8x8x4xf32> to !exec.buffer<8xf32>
  %v2 = exec.view %yp {offset = 16 : i64} : !exec.buffer<2x8x8x4xf32> to !exec.buffer<8xf32>
  exec.kernel ins(%v : !exec.buffer<8xf32>) outs(%v2 : !exec.buffer<8xf32>) {kernel = @kern, domain = 8 : i64, elementwise}
  exec.kernel ins(%v : !exec.buffer<8xf32>) outs(%v2 : !exec.buffer<8xf32>) {kernel = @kern, domain = 1 : i64, serial}
  exec.fill ins() outs(%l : !exec.buffer<f32>) {value = 1.0 : f64}
  %m2 = exec.view %dx {offset = 0 : i64} : !exec.buffer<2x8x8x1xf32> to !exec.buffer<2x64xf32>
  exec.matmul ins(%m2, %m2 : !exec.buffer<2x64xf32>, !exec.buffer<2x64xf32>) outs(%dw : !exec.buffer<3x3x1x4xf32>) {m = 64 : i64, n = 64 : i64, k = 2 : i64, transpose_a, accumulate}
  exec.matmul ins(%m2, %m2, %db : !exec.buffer<2x64xf32>, !exec.buffer<2x64xf32>, !exec.buffer<4xf32>) outs(%dw : !exec.buffer<3x3x1x4xf32>) {m = 2 : i64, n = 2 : i64, k = 64 : i64, transpose_b, activation = #graph.activation<sigmoid>}
  %r = exec.alloc {kind = #exec.kind<weight>, name = "l.recurrent_kernel"} : !exec.buffer<2x8xf32>
  %g = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<5x4x8xf32>
  %h = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<6x4x2xf32>
  %c = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<6x4x2xf32>
  %dy = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<5x4x2xf32>
  %dg = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<5x4x8xf32>
  %dh = exec.alloc {kind = #exec.kind<workspace>} : !exec.buffer<4x2xf32>
  %dc = exec.alloc {kind = #exec.kind<workspace>} : !exec.buffer<4x2xf32>
  exec.lstm_forward ins(%r : !exec.buffer<2x8xf32>) outs(%g, %h, %c : !exec.buffer<5x4x8xf32>, !exec.buffer<6x4x2xf32>, !exec.buffer<6x4x2xf32>) {cell = @cell, batch = 4 : i64, steps = 5 : i64, units = 2 : i64}
  %xt = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<5x4x3xf32>
  %dwl = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<3x8xf32>
  %dr = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<2x8xf32>
  %dbl = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<8xf32>
  exec.lstm_backward ins(%r, %g, %c, %dy, %xt, %h : !exec.buffer<2x8xf32>, !exec.buffer<5x4x8xf32>, !exec.buffer<6x4x2xf32>, !exec.buffer<5x4x2xf32>, !exec.buffer<5x4x3xf32>, !exec.buffer<6x4x2xf32>) outs(%dg, %dh, %dc, %dwl, %dr, %dbl : !exec.buffer<5x4x8xf32>, !exec.buffer<4x2xf32>, !exec.buffer<4x2xf32>, !exec.buffer<3x8xf32>, !exec.buffer<2x8xf32>, !exec.buffer<8xf32>) {cell = @cell_grad, batch = 4 : i64, steps = 5 : i64, units = 2 : i64, return_sequences}
  return
}
