// RUN: kcc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// graph: training settings (#graph.training, #graph.optimizer)
//===----------------------------------------------------------------------===//

// expected-error @+3 {{expected ::kcc::graph::OptimizerKind to be one of: sgd, rmsprop, adadelta, adam, adagrad, adamax, nadam, lion}}
// expected-error @+2 {{failed to parse Graph_OptimizerAttr parameter 'kind'}}
// expected-error @+1 {{failed to parse Graph_TrainingAttr parameter 'optimizer'}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = ftrl>>} {}

// -----

// expected-error @+2 {{expected ::kcc::graph::LossKind to be one of: categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error, mean_absolute_error, hinge, squared_hinge, poisson, log_cosh, huber, kl_divergence, mean_squared_logarithmic_error, mean_absolute_percentage_error}}
// expected-error @+1 {{failed to parse Graph_TrainingAttr parameter 'loss'}}
module attributes {kcc.training = #graph.training<loss = cosine_similarity, optimizer = <kind = sgd>>} {}

// -----

// expected-error @+1 {{batch_size and epochs must be positive and steps_per_epoch not negative}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>, batch_size = 0>} {}

// -----

// expected-error @+1 {{the learning rate must not be negative}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = -1.0>>} {}

// -----

// expected-error @+1 {{from_logits applies to the crossentropy losses only}}
module attributes {kcc.training = #graph.training<loss = mean_squared_error, from_logits = true, optimizer = <kind = sgd>>} {}

// -----

// expected-error @+1 {{validation_split must be in [0, 1)}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>, validation = split, validation_split = 1.5>} {}

// -----

// expected-error @+2 {{expected true or false}}
// expected-error @+1 {{failed to parse Graph_TrainingAttr parameter 'shuffle'}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>, shuffle = yes>} {}

// -----

//===----------------------------------------------------------------------===//
// graph: initializers, variables, load/store
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown initializer kind 'glorot'}}
graph.variable @w : tensor<4xf32> {init = #graph.init<"glorot", {}>, layer = "d", role = #graph.role<weight>}

// -----

// expected-error @+1 {{initializer 'constant' needs parameter 'value'}}
graph.variable @w : tensor<4xf32> {init = #graph.init<"constant", {}>, layer = "d", role = #graph.role<weight>}

// -----

// expected-error @+1 {{initializer 'random_uniform' needs parameter 'maxval'}}
graph.variable @w : tensor<4xf32> {init = #graph.init<"random_uniform", {minval = -1.0 : f64}>, layer = "d", role = #graph.role<weight>}

// -----

// expected-error @+1 {{initializer 'variance_scaling' needs parameter 'distribution'}}
graph.variable @w : tensor<4xf32> {init = #graph.init<"variance_scaling", {scale = 1.0 : f64, mode = "fan_in"}>, layer = "d", role = #graph.role<weight>}

// -----

// expected-error @+1 {{variance_scaling mode must be fan_in, fan_out or fan_avg}}
graph.variable @w : tensor<4xf32> {init = #graph.init<"variance_scaling", {scale = 1.0 : f64, mode = "fan_sum", distribution = "uniform"}>, layer = "d", role = #graph.role<weight>}

// -----

// expected-error @+1 {{variance_scaling distribution must be uniform, normal, truncated_normal, truncated_normal_unscaled or untruncated_normal}}
graph.variable @w : tensor<4xf32> {init = #graph.init<"variance_scaling", {scale = 1.0 : f64, mode = "fan_in", distribution = "gaussian"}>, layer = "d", role = #graph.role<weight>}

// -----

// expected-error @+1 {{initializer 'orthogonal' needs parameter 'gain'}}
graph.variable @w : tensor<4x4xf32> {init = #graph.init<"orthogonal", {}>, layer = "d", role = #graph.role<weight>}

// -----

func.func @load_unknown() -> tensor<4xf32> {
  // expected-error @+1 {{'graph.load' op refers to unknown variable @nope}}
  %0 = graph.load @nope : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

graph.variable @w : tensor<4xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>}
func.func @load_wrong_type() -> tensor<5xf32> {
  // expected-error @+1 {{'graph.load' op type 'tensor<5xf32>' differs from variable @w of type 'tensor<4xf32>'}}
  %0 = graph.load @w : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @store_unknown(%v: tensor<4xf32>) {
  // expected-error @+1 {{'graph.store' op refers to unknown variable @nope}}
  graph.store %v, @nope : tensor<4xf32>
  return
}

// -----

graph.variable @w : tensor<4xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>}
func.func @store_wrong_type(%v: tensor<2x2xf32>) {
  // expected-error @+1 {{'graph.store' op type 'tensor<2x2xf32>' differs from variable @w of type 'tensor<4xf32>'}}
  graph.store %v, @w : tensor<2x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// graph: linear algebra
//===----------------------------------------------------------------------===//

func.func @matmul_rank_a(%a: tensor<4xf32>, %b: tensor<4x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op operand a must have rank >= 2, got 'tensor<4xf32>'}}
  %0 = graph.matmul %a, %b : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_rank_b(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op operand b must have rank >= 2, got 'tensor<3xf32>'}}
  %0 = graph.matmul %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_bias_rank(%a: tensor<4x3xf32>, %b: tensor<3x2xf32>, %c: tensor<1x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op bias must be a vector, got 'tensor<1x2xf32>'}}
  %0 = graph.matmul %a, %b, %c : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_integer(%a: tensor<4x3xi32>, %b: tensor<3x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op operand #0 must be tensor of 32-bit float values, but got 'tensor<4x3xi32>'}}
  %0 = graph.matmul %a, %b : (tensor<4x3xi32>, tensor<3x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @bias_add_rank(%x: tensor<4x3xf32>, %b: tensor<3x1xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.bias_add' op bias must be a vector, got 'tensor<3x1xf32>'}}
  %0 = graph.bias_add %x, %b {axis = -1 : i64} : (tensor<4x3xf32>, tensor<3x1xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @bias_add_axis(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.bias_add' op axis 2 out of range for 'tensor<4x3xf32>'}}
  %0 = graph.bias_add %x, %b {axis = 2 : i64} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @reduce_axes(%x: tensor<4x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.reduce_sum' op axis 2 out of range for 'tensor<4x3xf32>'}}
  %0 = graph.reduce_sum %x {axes = array<i64: 0, 2>} : (tensor<4x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reduce_negative_axis(%x: tensor<4x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.reduce_sum' op axis -1 out of range for 'tensor<4x3xf32>'}}
  %0 = graph.reduce_sum %x {axes = array<i64: -1>} : (tensor<4x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

//===----------------------------------------------------------------------===//
// graph: convolution and pooling
//===----------------------------------------------------------------------===//

func.func @conv_strides(%x: tensor<2x8x8x1xf32>, %w: tensor<3x3x1x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op strides must be two positive integers}}
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 0>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_strides_count(%x: tensor<2x8x8x1xf32>, %w: tensor<3x3x1x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op strides must be two positive integers}}
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_dilations(%x: tensor<2x8x8x1xf32>, %w: tensor<3x3x1x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op dilations must be two positive integers}}
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: -1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_input_rank(%x: tensor<8x8x1xf32>, %w: tensor<3x3x1x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op input must be a 4-D image batch, got 'tensor<8x8x1xf32>'}}
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_filter_rank(%x: tensor<2x8x8x1xf32>, %w: tensor<3x3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d' op filter must be 4-D (kh, kw, in, out), got 'tensor<3x3x4xf32>'}}
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>, tensor<3x3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_size(%x: tensor<2x8x8x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.max_pool2d' op pool_size must be two positive integers}}
  %0 = graph.max_pool2d %x {pool_size = array<i64: 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_strides(%x: tensor<2x8x8x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.max_pool2d' op strides must be two positive integers}}
  %0 = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 0, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_rank(%x: tensor<2x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.max_pool2d' op input must be a 4-D image batch, got 'tensor<2x8x8xf32>'}}
  %0 = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @bad_padding(%x: tensor<2x8x8x1xf32>) -> tensor<*xf32> {
  // expected-error @+2 {{expected ::kcc::graph::Padding to be one of: valid, same}}
  // expected-error @+1 {{failed to parse Graph_PaddingAttr parameter 'value' which is to be a `::kcc::graph::Padding`}}
  %0 = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<causal>, data_format = #graph.data_format<channels_last>} : (tensor<2x8x8x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

//===----------------------------------------------------------------------===//
// graph: LSTM
//===----------------------------------------------------------------------===//

func.func @lstm_units(%x: tensor<4x10x3xf32>, %w: tensor<3x32xf32>, %u: tensor<8x32xf32>, %b: tensor<32xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.lstm' op units must be positive, got 0}}
  %0 = graph.lstm %x, %w, %u, %b {units = 0 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @lstm_input_rank(%x: tensor<4x3xf32>, %w: tensor<3x32xf32>, %u: tensor<8x32xf32>, %b: tensor<32xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.lstm' op input must be [batch, time, features], got 'tensor<4x3xf32>'}}
  %0 = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<4x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @lstm_kernel(%x: tensor<4x10x3xf32>, %w: tensor<3x24xf32>, %u: tensor<8x32xf32>, %b: tensor<32xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.lstm' op kernel must be [features, 32], got 'tensor<3x24xf32>'}}
  %0 = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<4x10x3xf32>, tensor<3x24xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @lstm_recurrent_kernel(%x: tensor<4x10x3xf32>, %w: tensor<3x32xf32>, %u: tensor<32x8xf32>, %b: tensor<32xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.lstm' op recurrent kernel must be [8, 32], got 'tensor<32x8xf32>'}}
  %0 = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @lstm_bias(%x: tensor<4x10x3xf32>, %w: tensor<3x32xf32>, %u: tensor<8x32xf32>, %b: tensor<8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.lstm' op bias must be [32], got 'tensor<8xf32>'}}
  %0 = graph.lstm %x, %w, %u, %b {units = 8 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>} : (tensor<4x10x3xf32>, tensor<3x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @bad_activation(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{expected ::kcc::graph::Activation to be one of: linear, relu, tanh, sigmoid, hard_sigmoid, hard_sigmoid_v3, elu, softplus, softsign, selu, exponential}}
  // expected-error @+1 {{failed to parse Graph_ActivationAttr parameter 'value' which is to be a `::kcc::graph::Activation`}}
  %0 = graph.activation %x {kind = #graph.activation<gelu>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// graph: embedding and shape manipulation
//===----------------------------------------------------------------------===//

func.func @embedding_float_ids(%ids: tensor<4x7xf32>, %t: tensor<10x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.embedding' op operand #0 must be tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4x7xf32>'}}
  %0 = graph.embedding %ids, %t : (tensor<4x7xf32>, tensor<10x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_empty() -> tensor<*xf32> {
  // expected-error @+1 {{'graph.concat' op needs at least one input}}
  %0 = graph.concat {axis = 0 : i64} : () -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_axis(%x: tensor<8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.slice' op axis 2 out of range}}
  %0 = graph.slice %x {axis = 2 : i64, start = 0 : i64, size = 1 : i64} : (tensor<8x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_range(%x: tensor<8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.slice' op range [2, 5) outside dimension of size 4}}
  %0 = graph.slice %x {axis = 1 : i64, start = 2 : i64, size = 3 : i64} : (tensor<8x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_empty(%x: tensor<8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.slice' op range [1, 1) outside dimension of size 4}}
  %0 = graph.slice %x {axis = 1 : i64, start = 1 : i64, size = 0 : i64} : (tensor<8x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_size(%x: tensor<2x4x4x2xf32>, %w: tensor<3x3x3x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d_backward_data' op a conv2d of input_shape [2, 7, 7, 3] with a 3x3x3x2 filter gives [2, 3, 3, 2], not the output_grad shape [2, 4, 4, 2]}}
  %0 = graph.conv2d_backward_data %x, %w {input_shape = array<i64: 2, 7, 7, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x4x4x2xf32>, tensor<3x3x3x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_shape_attr(%x: tensor<2x4x4x2xf32>, %w: tensor<3x3x3x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv2d_backward_data' op input_shape must be four positive sizes}}
  %0 = graph.conv2d_backward_data %x, %w {input_shape = array<i64: 2, 7, 7>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x4x4x2xf32>, tensor<3x3x3x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_batch_axis(%x: tensor<8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pad' op axis 0 must name a non-batch axis of 'tensor<8x4xf32>'}}
  %0 = graph.pad %x {axis = 0 : i64, before = 1 : i64, after = 1 : i64} : (tensor<8x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_negative(%x: tensor<8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pad' op padding must be in [0, 2^31), got -1 and 0}}
  %0 = graph.pad %x {axis = 1 : i64, before = -1 : i64, after = 0 : i64} : (tensor<8x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

//===----------------------------------------------------------------------===//
// graph: elementwise, dropout, fused
//===----------------------------------------------------------------------===//

func.func @dropout_rate_one(%x: tensor<4xf32>, %seed: tensor<i64>, %step: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.dropout' op rate must be in [0, 1), got 1}}
  %0 = graph.dropout %x, %seed, %step {rate = 1.0 : f64, stream = 1 : i64} : (tensor<4xf32>, tensor<i64>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dropout_rate_negative(%x: tensor<4xf32>, %seed: tensor<i64>, %step: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.dropout' op rate must be in [0, 1), got -5.000000e-01}}
  %0 = graph.dropout %x, %seed, %step {rate = -0.5 : f64, stream = 1 : i64} : (tensor<4xf32>, tensor<i64>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dropout_seed_type(%x: tensor<4xf32>, %seed: tensor<i32>, %step: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.dropout' op operand #1 must be 0D tensor of 64-bit signless integer values, but got 'tensor<i32>'}}
  %0 = graph.dropout %x, %seed, %step {rate = 0.5 : f64, stream = 1 : i64} : (tensor<4xf32>, tensor<i32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fused_arguments(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'graph.fused' op body has 1 arguments for 2 inputs}}
  %0 = graph.fused %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    graph.yield %x : tensor<8xf32>
  }
  return %0 : tensor<8xf32>
}

// -----

func.func @fused_not_elementwise(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.fused %a : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%x: tensor<4x8xf32>):
    // expected-error @+1 {{'graph.softmax' op is not elementwise and cannot be fused}}
    %s = graph.softmax %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    graph.yield %s : tensor<4x8xf32>
  }
  return %0 : tensor<4x8xf32>
}

// -----

func.func @fused_yield_count(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'graph.fused' op yields 1 values for 2 results}}
  %0:2 = graph.fused %a : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  ^bb0(%x: tensor<8xf32>):
    graph.yield %x : tensor<8xf32>
  }
  return %0#0 : tensor<8xf32>
}

// -----

func.func @fused_captures(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = graph.fused %a : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = graph.add %x, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    graph.yield %s : tensor<8xf32>
  }
  return %0 : tensor<8xf32>
}

// -----

func.func @yield_outside(%a: tensor<8xf32>) {
  // expected-error @+1 {{'graph.yield' op expects parent op 'graph.fused'}}
  graph.yield %a : tensor<8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// graph: losses and optimizer updates
//===----------------------------------------------------------------------===//

func.func @batch_norm_axis(%x: tensor<4x3xf32>, %c: tensor<3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.batch_norm' op axis 0 must name a non-batch axis of 'tensor<4x3xf32>'}}
  %y, %m, %v = graph.batch_norm %x, %c, %c, %c, %c {axis = 0 : i64, epsilon = 1.0e-03 : f64, momentum = 0.99 : f64} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<4x3xf32>
}

// -----

func.func @batch_norm_channels(%x: tensor<4x3xf32>, %c: tensor<3xf32>, %d: tensor<5xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.batch_norm' op per-channel operands must be [3], got 'tensor<5xf32>'}}
  %y, %m, %v = graph.batch_norm %x, %c, %c, %d, %c {axis = 1 : i64, epsilon = 1.0e-03 : f64, momentum = 0.99 : f64} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<5xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<4x3xf32>
}

// -----

func.func @batch_norm_momentum(%x: tensor<4x3xf32>, %c: tensor<3xf32>, %mask: tensor<4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.batch_norm' op momentum must be in [0, 1], got 2}}
  %y, %m, %v = graph.batch_norm %x, %c, %c, %c, %c, %mask {axis = 1 : i64, epsilon = 1.0e-03 : f64, momentum = 2.0 : f64} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<4x3xf32>
}

// -----

func.func @batch_norm_mask(%x: tensor<4x3xf32>, %c: tensor<3xf32>, %mask: tensor<2xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.batch_norm' op mask must be [4], got 'tensor<2xf32>'}}
  %y, %m, %v = graph.batch_norm %x, %c, %c, %c, %c, %mask {axis = 1 : i64, epsilon = 1.0e-03 : f64, momentum = 0.9 : f64} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<4x3xf32>
}

// -----

func.func @element_loss_epsilon(%p: tensor<4x1xf32>, %y: tensor<4x1xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.element_loss' op epsilon must be in (0, 0.5), got 5.000000e-01}}
  %0 = graph.element_loss %p, %y, %m {kind = #graph.element_loss<binary_crossentropy>, epsilon = 0.5 : f64} : (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @element_loss_target(%p: tensor<4x5x3xf32>, %y: tensor<4x3xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.element_loss' op target 'tensor<4x3xf32>' does not match predictions 'tensor<4x5x3xf32>'}}
  %0 = graph.element_loss %p, %y, %m {kind = #graph.element_loss<mean_squared_error>, epsilon = 1.0e-07 : f64} : (tensor<4x5x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @element_loss_rank(%p: tensor<4xf32>, %y: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.element_loss' op expects predictions [batch, ...], got 'tensor<4xf32>'}}
  %0 = graph.element_loss %p, %y, %m {kind = #graph.element_loss<mean_absolute_error>, epsilon = 1.0e-07 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @element_loss_mask(%p: tensor<4x2xf32>, %y: tensor<4x2xf32>, %m: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.element_loss' op mask has 3 entries for a batch of 4}}
  %0 = graph.element_loss %p, %y, %m {kind = #graph.element_loss<mean_absolute_error>, epsilon = 1.0e-07 : f64} : (tensor<4x2xf32>, tensor<4x2xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_epsilon(%p: tensor<4x3xf32>, %y: tensor<4x3xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op epsilon must be in (0, 0.5), got 0}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_probs_rank(%p: tensor<4x5x3xf32>, %y: tensor<4x5x3xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op expects class probabilities [batch, classes], got 'tensor<4x5x3xf32>' (losses over sequences are not supported)}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x5x3xf32>, tensor<4x5x3xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_target_shape(%p: tensor<4x3xf32>, %y: tensor<4x5xf32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op target 'tensor<4x5xf32>' does not match predictions 'tensor<4x3xf32>'}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_sparse_target(%p: tensor<4x3xf32>, %y: tensor<4x1xi32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op sparse target must be [4] class ids, got 'tensor<4x1xi32>'}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x1xi32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_sparse_batch(%p: tensor<4x3xf32>, %y: tensor<5xi32>, %m: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op sparse target must be [4] class ids, got 'tensor<5xi32>'}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<5xi32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_mask_rank(%p: tensor<4x3xf32>, %y: tensor<4x3xf32>, %m: tensor<4x1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op mask must be [batch], got 'tensor<4x1xf32>'}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_mask_size(%p: tensor<4x3xf32>, %y: tensor<4x3xf32>, %m: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.cross_entropy' op mask has 3 entries for a batch of 4}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @ce_result(%p: tensor<4x3xf32>, %y: tensor<4x3xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.cross_entropy' op result #0 must be 0D tensor of 32-bit float values, but got 'tensor<4xf32>'}}
  %0 = graph.cross_entropy %p, %y, %m {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_gradient_types(%g: tensor<3x2xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.clip_gradient' op failed to verify that all of {grad, result} have same type}}
  %0 = graph.clip_gradient %g, %s {clipnorm = 1.0 : f64, clipvalue = 0.0 : f64} : (tensor<3x2xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @clip_gradient_norm_not_scalar(%g: tensor<3x2xf32>, %s: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'graph.clip_gradient' op operand #1 must be 0D tensor of 32-bit float values}}
  %0 = graph.clip_gradient %g, %s {clipnorm = 1.0 : f64, clipvalue = 0.0 : f64} : (tensor<3x2xf32>, tensor<3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @adagrad_types(%p: tensor<3x2xf32>, %g: tensor<2x3xf32>, %step: tensor<i64>, %a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'graph.adagrad_update' op failed to verify that all of {param, grad, new_param} have same type}}
  %0:2 = graph.adagrad_update %p, %g, %step, %a {lr = 0.01 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64, keras = #graph.keras<keras3>} : (tensor<3x2xf32>, tensor<2x3xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
  return %0#0 : tensor<3x2xf32>
}

// -----

func.func @update_types(%p: tensor<3x2xf32>, %g: tensor<2x3xf32>, %step: tensor<i64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'graph.sgd_update' op failed to verify that all of {param, grad, new_param} have same type}}
  %0 = graph.sgd_update %p, %g, %step {lr = 1.0e-02 : f64, momentum = 0.0 : f64, decay = 0.0 : f64} : (tensor<3x2xf32>, tensor<2x3xf32>, tensor<i64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @update_keras(%p: tensor<3xf32>, %g: tensor<3xf32>, %step: tensor<i64>, %a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{expected ::kcc::graph::KerasVersion to be one of: keras2, keras3}}
  // expected-error @+1 {{failed to parse Graph_KerasVersionAttr parameter 'value' which is to be a `::kcc::graph::KerasVersion`}}
  %0, %1 = graph.rmsprop_update %p, %g, %step, %a {lr = 1.0e-03 : f64, rho = 0.9 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64, keras = #graph.keras<keras1>} : (tensor<3xf32>, tensor<3xf32>, tensor<i64>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %0 : tensor<3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// exec: buffers and views
//===----------------------------------------------------------------------===//

func.func @view_out_of_range() {
  %0 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
  // expected-error @+1 {{'exec.view' op view of 20 elements at offset 0 exceeds the 16-element source}}
  %1 = exec.view %0 {offset = 0 : i64} : !exec.buffer<16xf32> to !exec.buffer<4x5xf32>
  return
}

// -----

func.func @view_offset_past_end() {
  %0 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
  // expected-error @+1 {{'exec.view' op view of 8 elements at offset 12 exceeds the 16-element source}}
  %1 = exec.view %0 {offset = 12 : i64} : !exec.buffer<16xf32> to !exec.buffer<8xf32>
  return
}

// -----

func.func @view_element_type() {
  %0 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
  // expected-error @+1 {{'exec.view' op cannot change the element type}}
  %1 = exec.view %0 {offset = 0 : i64} : !exec.buffer<16xf32> to !exec.buffer<16xi32>
  return
}

// -----

func.func @view_layout() {
  %0 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8x16x4x4xf32, "aBcd16b">
  // expected-error @+1 {{'exec.view' op views need plain layouts}}
  %1 = exec.view %0 {offset = 0 : i64} : !exec.buffer<8x16x4x4xf32, "aBcd16b"> to !exec.buffer<2048xf32>
  return
}

// -----

// One layout on both sides is fine only for unit dims (Conv1D's kernel as a
// 2-D filter); a reshape that moves real dims is not.
func.func @view_layout_reshaped() {
  %0 = exec.alloc {kind = #exec.kind<weight>, name = "k"} : !exec.buffer<3x50x250xf32, "acdb">
  %1 = exec.view %0 {offset = 0 : i64} : !exec.buffer<3x50x250xf32, "acdb"> to !exec.buffer<1x3x50x250xf32, "acdb">
  // expected-error @+1 {{'exec.view' op views need plain layouts (or one layout on both sides that only gains or loses unit dims)}}
  %2 = exec.view %0 {offset = 0 : i64} : !exec.buffer<3x50x250xf32, "acdb"> to !exec.buffer<150x250xf32, "acdb">
  return
}

// -----

// expected-error @+1 {{expected static shape}}
func.func @dynamic_buffer(%b: !exec.buffer<?xf32>)

// -----

func.func @bad_kind() {
  // expected-error @+2 {{expected ::kcc::exec::BufferKind to be one of: weight, optimizer_state, input, output, activation, gradient, workspace}}
  // expected-error @+1 {{failed to parse Exec_BufferKindAttr parameter 'value' which is to be a `::kcc::exec::BufferKind`}}
  %0 = exec.alloc {kind = #exec.kind<scratch>} : !exec.buffer<16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// exec: call arity
//===----------------------------------------------------------------------===//

func.func @matmul_arity(%a: !exec.buffer<4x3xf32>, %c: !exec.buffer<4x2xf32>) {
  // expected-error @+1 {{'exec.matmul' op has 1 inputs and 1 outputs, which this call does not accept}}
  exec.matmul ins(%a : !exec.buffer<4x3xf32>) outs(%c : !exec.buffer<4x2xf32>) {m = 4 : i64, n = 2 : i64, k = 3 : i64}
  return
}

// -----

func.func @matmul_outs(%a: !exec.buffer<4x3xf32>, %b: !exec.buffer<3x2xf32>, %c: !exec.buffer<4x2xf32>) {
  // expected-error @+1 {{'exec.matmul' op has 2 inputs and 2 outputs, which this call does not accept}}
  exec.matmul ins(%a, %b : !exec.buffer<4x3xf32>, !exec.buffer<3x2xf32>) outs(%c, %c : !exec.buffer<4x2xf32>, !exec.buffer<4x2xf32>) {m = 4 : i64, n = 2 : i64, k = 3 : i64}
  return
}

// -----

func.func @conv_backward_data_arity(%dy: !exec.buffer<2x4x4x4xf32>, %w: !exec.buffer<3x3x1x4xf32>, %dx: !exec.buffer<2x6x6x1xf32>) {
  // expected-error @+1 {{'exec.conv2d_backward_data' op has 3 inputs and 1 outputs, which this call does not accept}}
  exec.conv2d_backward_data ins(%dy, %w, %w : !exec.buffer<2x4x4x4xf32>, !exec.buffer<3x3x1x4xf32>, !exec.buffer<3x3x1x4xf32>) outs(%dx : !exec.buffer<2x6x6x1xf32>) {batch = 2 : i64, in_channels = 1 : i64, in_height = 6 : i64, in_width = 6 : i64, out_channels = 4 : i64, out_height = 4 : i64, out_width = 4 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, data_format = #graph.data_format<channels_last>}
  return
}

// -----

func.func @pool_backward_arity(%dy: !exec.buffer<2x2x2x1xf32>, %dx: !exec.buffer<2x4x4x1xf32>) {
  // expected-error @+1 {{'exec.max_pool2d_backward' op has 1 inputs and 1 outputs, which this call does not accept}}
  exec.max_pool2d_backward ins(%dy : !exec.buffer<2x2x2x1xf32>) outs(%dx : !exec.buffer<2x4x4x1xf32>) {batch = 2 : i64, channels = 1 : i64, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, data_format = #graph.data_format<channels_last>}
  return
}

// -----

// (dy, workspace) or, for cuDNN, (dy, workspace, x, y): never three.
func.func @pool_backward_three_inputs(%dy: !exec.buffer<2x2x2x1xf32>, %ws: !exec.buffer<2x2x2x1xi8>, %dx: !exec.buffer<2x4x4x1xf32>) {
  // expected-error @+1 {{'exec.max_pool2d_backward' op has 3 inputs and 1 outputs, which this call does not accept}}
  exec.max_pool2d_backward ins(%dy, %ws, %dx : !exec.buffer<2x2x2x1xf32>, !exec.buffer<2x2x2x1xi8>, !exec.buffer<2x4x4x1xf32>) outs(%dx : !exec.buffer<2x4x4x1xf32>) {batch = 2 : i64, channels = 1 : i64, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, data_format = #graph.data_format<channels_last>}
  return
}

// -----

func.func private @cell(memref<32xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, index, index) attributes {exec.kernel}
func.func @lstm_forward_arity(%r: !exec.buffer<2x8xf32>, %g: !exec.buffer<5x4x8xf32>, %h: !exec.buffer<6x4x2xf32>) {
  // expected-error @+1 {{'exec.lstm_forward' op has 1 inputs and 2 outputs, which this call does not accept}}
  exec.lstm_forward ins(%r : !exec.buffer<2x8xf32>) outs(%g, %h : !exec.buffer<5x4x8xf32>, !exec.buffer<6x4x2xf32>) {cell = @cell, batch = 4 : i64, steps = 5 : i64, units = 2 : i64}
  return
}

// -----

func.func @fill_arity(%a: !exec.buffer<4xf32>) {
  // expected-error @+1 {{'exec.fill' op has 1 inputs and 1 outputs, which this call does not accept}}
  exec.fill ins(%a : !exec.buffer<4xf32>) outs(%a : !exec.buffer<4xf32>) {value = 0.0 : f64}
  return
}

// -----

//===----------------------------------------------------------------------===//
// exec: kernel launches
//===----------------------------------------------------------------------===//

func.func @kernel_unknown(%a: !exec.buffer<4xf32>) {
  // expected-error @+1 {{'exec.kernel' op refers to unknown kernel @nope}}
  exec.kernel ins(%a : !exec.buffer<4xf32>) outs(%a : !exec.buffer<4xf32>) {kernel = @nope, domain = 4 : i64}
  return
}

// -----

func.func private @k(memref<4xf32>, memref<4xf32>, memref<4xf32>, index, index) attributes {exec.kernel}
func.func @kernel_arg_count(%a: !exec.buffer<4xf32>) {
  // expected-error @+1 {{'exec.kernel' op passes 2 buffers to kernel @k which takes 3}}
  exec.kernel ins(%a : !exec.buffer<4xf32>) outs(%a : !exec.buffer<4xf32>) {kernel = @k, domain = 4 : i64, elementwise}
  return
}

// -----

func.func private @k(memref<4xf32>, memref<4xf32>, index, index) attributes {exec.kernel}
func.func @kernel_domain(%a: !exec.buffer<4xf32>) {
  // expected-error @+1 {{'exec.kernel' op domain must be positive}}
  exec.kernel ins(%a : !exec.buffer<4xf32>) outs(%a : !exec.buffer<4xf32>) {kernel = @k, domain = 0 : i64}
  return
}

// -----

func.func @kernel_not_a_buffer(%a: memref<4xf32>) {
  // expected-error @+1 {{'exec.kernel' op operand #0 must be variadic of exec buffer, but got 'memref<4xf32>'}}
  "exec.kernel"(%a, %a) {kernel = @k, domain = 4 : i64, operandSegmentSizes = array<i32: 1, 1>} : (memref<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

func.func @relu_negative_slope(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.relu' op negative_slope must be finite and not negative, threshold finite}}
  %0 = graph.relu %x {negative_slope = -1.000000e-01 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @relu_negative_cap(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.relu' op max_value must be finite and not negative}}
  %0 = graph.relu %x {max_value = -6.000000e+00 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reverse_batch_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.reverse' op axis 0 must name a non-batch axis of 'tensor<2x3xf32>'}}
  %0 = graph.reverse %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @depthwise_strides(%x: tensor<2x8x8x3xf32>, %w: tensor<3x3x3x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.depthwise_conv2d' op strides must be two positive integers}}
  %0 = graph.depthwise_conv2d %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>} : (tensor<2x8x8x3xf32>, tensor<3x3x3x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @depthwise_filter_rank(%x: tensor<2x8x8x3xf32>, %w: tensor<3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.depthwise_conv2d' op filter must be 4-D (kh, kw, channels, depth_multiplier), got 'tensor<3x3x3xf32>'}}
  %0 = graph.depthwise_conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>} : (tensor<2x8x8x3xf32>, tensor<3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
