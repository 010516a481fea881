// RUN: kcc-opt --split-input-file --graph-build-train-step -verify-diagnostics %s | FileCheck %s

// Dense(relu) -> Dropout -> Dense -> softmax. Gradients flow to every weight
// and nothing is computed for the model input; the dropout gradient is a
// dropout of dy with the same stream, seed and step (so the same mask).

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<4x6xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}
// CHECK-SAME:    %[[T:[a-z0-9]+]]: tensor<4x3xf32> {kcc.role = #graph.step_role<target>}
// CHECK-SAME:    %[[M:[a-z0-9]+]]: tensor<4xf32> {kcc.role = #graph.step_role<mask>}
// CHECK-SAME:    %[[SEED:[a-z0-9]+]]: tensor<i64> {kcc.role = #graph.step_role<seed>}
// CHECK-SAME:    %[[STEP:[a-z0-9]+]]: tensor<i64> {kcc.role = #graph.step_role<step>}
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<5x3xf32> {graph.gradient_of = @d2.kernel}, tensor<5xf32> {graph.gradient_of = @d1.bias}, tensor<6x5xf32> {graph.gradient_of = @d1.kernel})
// CHECK:         %[[W1:.*]] = graph.load @d1.kernel
// CHECK:         graph.matmul %[[X]], %[[W1]]
// CHECK:         %[[R:.*]] = graph.activation %{{.*}} {kind = #graph.activation<relu>}
// CHECK:         %[[D:.*]] = graph.dropout %[[R]], %[[SEED]], %[[STEP]] {rate = 5.000000e-01 : f64, stream = 7 : i64}
// CHECK:         %[[W2:.*]] = graph.load @d2.kernel
// CHECK:         %[[P:.*]] = graph.softmax
// CHECK:         %[[L:.*]] = graph.cross_entropy %[[P]], %[[T]], %[[M]] {epsilon = 9.9999999999999995E-8 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
// CHECK:         %[[C:.*]] = graph.accuracy %[[P]], %[[T]], %[[M]]
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[DP:.*]] = graph.cross_entropy_grad %[[P]], %[[T]], %[[M]], %[[ONE]]
// CHECK:         %[[DZ:.*]] = graph.softmax_grad %[[DP]], %[[P]]
// CHECK:         %[[DD:.*]] = graph.matmul %[[DZ]], %[[W2]] {transpose_b} : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5xf32>
// CHECK:         %[[DW2:.*]] = graph.matmul %[[D]], %[[DZ]] {transpose_a} : (tensor<4x5xf32>, tensor<4x3xf32>) -> tensor<5x3xf32>
// CHECK:         %[[DR:.*]] = graph.dropout %[[DD]], %[[SEED]], %[[STEP]] {rate = 5.000000e-01 : f64, stream = 7 : i64}
// CHECK:         %[[DH:.*]] = graph.activation_grad %[[DR]], %[[R]] {kind = #graph.activation<relu>}
// CHECK:         %[[DB1:.*]] = graph.reduce_sum %[[DH]] {axes = array<i64: 0>} : (tensor<4x5xf32>) -> tensor<5xf32>
// CHECK-NOT:     -> tensor<4x6xf32>
// CHECK:         %[[DW1:.*]] = graph.matmul %[[X]], %[[DH]] {transpose_a} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
// CHECK-NOT:     -> tensor<4x6xf32>
// CHECK:         return %[[L]], %[[C]], %[[P]], %[[DW2]], %[[DB1]], %[[DW1]]

// Inference mode: no dropout, no seed/step arguments, no gradients; the
// predictions are its third result (krun --predict).
// CHECK-LABEL: func.func @eval_step(
// CHECK-SAME:    tensor<4x6xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}, %{{.*}}: tensor<4x3xf32> {kcc.role = #graph.step_role<target>}, %{{.*}}: tensor<4xf32> {kcc.role = #graph.step_role<mask>})
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>)
// CHECK-NOT:     graph.dropout
// CHECK:         %[[ER:.*]] = graph.activation
// CHECK:         graph.matmul %[[ER]]
// CHECK-NOT:     graph.dropout
// CHECK-NOT:     _grad
// CHECK:         return
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @d1.kernel : tensor<6x5xf32> {init = #graph.init<"zeros", {}>, layer = "d1", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @d1.bias : tensor<5xf32> {init = #graph.init<"zeros", {}>, layer = "d1", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @d2.kernel : tensor<5x3xf32> {init = #graph.init<"zeros", {}>, layer = "d2", role = #graph.role<weight>, weight_index = 2 : i64}
  func.func @forward(%x: tensor<4x6xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %w1 = graph.load @d1.kernel : tensor<6x5xf32>
    %h = graph.matmul %x, %w1 : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
    %b1 = graph.load @d1.bias : tensor<5xf32>
    %hb = graph.bias_add %h, %b1 {axis = -1 : i64} : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
    %r = graph.activation %hb {kind = #graph.activation<relu>} : (tensor<4x5xf32>) -> tensor<4x5xf32>
    %d = graph.dropout %r, %seed, %step {rate = 5.000000e-01 : f64, stream = 7 : i64} : (tensor<4x5xf32>, tensor<i64>, tensor<i64>) -> tensor<4x5xf32>
    %w2 = graph.load @d2.kernel : tensor<5x3xf32>
    %z = graph.matmul %d, %w2 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %z : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// Embedding -> LSTM -> Dense with a sparse loss: the target is class ids,
// the LSTM input is varied (it comes from a weight) so lstm_backward gives
// an input gradient, which the embedding turns into a table gradient. The
// integer ids get no gradient.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME:    %[[IDS:[a-z0-9]+]]: tensor<4x5xi32> {kcc.name = "words", kcc.role = #graph.step_role<input>}
// CHECK-SAME:    tensor<4xi32> {kcc.role = #graph.step_role<target>}
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<2x3xf32> {graph.gradient_of = @out.kernel}, tensor<8xf32> {graph.gradient_of = @lstm.bias}, tensor<2x8xf32> {graph.gradient_of = @lstm.recurrent_kernel}, tensor<6x8xf32> {graph.gradient_of = @lstm.kernel}, tensor<20x6xf32> {graph.gradient_of = @emb.embeddings})
// CHECK:         %[[E:.*]] = graph.embedding %[[IDS]]
// CHECK:         %[[H:.*]] = graph.lstm %[[E]], %[[K:.*]], %[[U:.*]], %[[B:[0-9]+]] {
// CHECK:         graph.cross_entropy {{.*}} : (tensor<4x3xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
// CHECK:         %[[DH:.*]] = graph.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
// CHECK:         %[[DX:.*]], %[[DK:.*]], %[[DU:.*]], %[[DB:.*]] = graph.lstm_backward %[[E]], %[[K]], %[[U]], %[[B]], %[[H]], %[[DH]] {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>, units = 2 : i64}
// CHECK-SAME:    -> (tensor<4x5x6xf32>, tensor<6x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
// CHECK:         %[[DT:.*]] = graph.embedding_backward %[[IDS]], %[[DX]] {vocab_size = 20 : i64} : (tensor<4x5xi32>, tensor<4x5x6xf32>) -> tensor<20x6xf32>
// CHECK:         return {{.*}}, %[[DB]], %[[DU]], %[[DK]], %[[DT]] :
// CHECK-LABEL: func.func @eval_step(
// CHECK-SAME:    tensor<4xi32> {kcc.role = #graph.step_role<target>}
module attributes {kcc.training = #graph.training<loss = sparse_categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @emb.embeddings : tensor<20x6xf32> {init = #graph.init<"random_uniform", {minval = -5.0e-02 : f64, maxval = 5.0e-02 : f64}>, layer = "emb", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @lstm.kernel : tensor<6x8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @lstm.recurrent_kernel : tensor<2x8xf32> {init = #graph.init<"orthogonal", {gain = 1.0 : f64}>, layer = "lstm", role = #graph.role<weight>, weight_index = 2 : i64}
  graph.variable @lstm.bias : tensor<8xf32> {init = #graph.init<"lstm_bias", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 3 : i64}
  graph.variable @out.kernel : tensor<2x3xf32> {init = #graph.init<"zeros", {}>, layer = "out", role = #graph.role<weight>, weight_index = 4 : i64}
  func.func @forward(%ids: tensor<4x5xi32> {kcc.role = #graph.step_role<input>, kcc.name = "words"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %t = graph.load @emb.embeddings : tensor<20x6xf32>
    %e = graph.embedding %ids, %t : (tensor<4x5xi32>, tensor<20x6xf32>) -> tensor<4x5x6xf32>
    %w = graph.load @lstm.kernel : tensor<6x8xf32>
    %u = graph.load @lstm.recurrent_kernel : tensor<2x8xf32>
    %b = graph.load @lstm.bias : tensor<8xf32>
    %h = graph.lstm %e, %w, %u, %b {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<hard_sigmoid>} : (tensor<4x5x6xf32>, tensor<6x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x2xf32>
    %k = graph.load @out.kernel : tensor<2x3xf32>
    %z = graph.matmul %h, %k : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %z : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// An LSTM straight on the model input: lstm_backward has no input-gradient
// result. return_sequences output flattened: the reshape's gradient
// restores [4, 5, 2].

// CHECK-LABEL: func.func @train_step(
// CHECK:         %[[H:.*]] = graph.lstm {{.*}}return_sequences
// CHECK:         %[[DF:.*]] = graph.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<4x3xf32>, tensor<10x3xf32>) -> tensor<4x10xf32>
// CHECK:         %[[DS:.*]] = graph.reshape %[[DF]] {shape = array<i64: 4, 5, 2>} : (tensor<4x10xf32>) -> tensor<4x5x2xf32>
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}} = graph.lstm_backward %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[H]], %[[DS]] {{{.*}}return_sequences{{.*}}} : {{.*}} -> (tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
// CHECK-NOT:     tensor<4x5x3xf32>)
// CHECK:         return
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @lstm.kernel : tensor<3x8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @lstm.recurrent_kernel : tensor<2x8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @lstm.bias : tensor<8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 2 : i64}
  graph.variable @out.kernel : tensor<10x3xf32> {init = #graph.init<"zeros", {}>, layer = "out", role = #graph.role<weight>, weight_index = 3 : i64}
  func.func @forward(%x: tensor<4x5x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %w = graph.load @lstm.kernel : tensor<3x8xf32>
    %u = graph.load @lstm.recurrent_kernel : tensor<2x8xf32>
    %b = graph.load @lstm.bias : tensor<8xf32>
    %h = graph.lstm %x, %w, %u, %b {units = 2 : i64, activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>, return_sequences} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x5x2xf32>
    %f = graph.reshape %h {shape = array<i64: 4, -1>} : (tensor<4x5x2xf32>) -> tensor<4x10xf32>
    %k = graph.load @out.kernel : tensor<10x3xf32>
    %z = graph.matmul %f, %k : (tensor<4x10xf32>, tensor<10x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %z : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// Conv -> bias -> relu -> pool -> conv -> flatten -> dense. Both filters get
// conv2d_backward_filter; only the second conv (whose input is varied)
// gets conv2d_backward_data; the first conv's input is the model input.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<2x6x6x1xf32>
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<2x3xf32>, tensor<8x3xf32> {graph.gradient_of = @dense.kernel}, tensor<1x1x2x2xf32> {graph.gradient_of = @c2.kernel}, tensor<2xf32> {graph.gradient_of = @c1.bias}, tensor<3x3x1x2xf32> {graph.gradient_of = @c1.kernel})
// CHECK:         %[[Y1:.*]] = graph.activation %{{.*}} {kind = #graph.activation<relu>}
// CHECK:         %[[PL:.*]] = graph.max_pool2d %[[Y1]]
// CHECK:         %[[W2:.*]] = graph.load @c2.kernel
// CHECK:         %[[Y2:.*]] = graph.conv2d %[[PL]], %[[W2]]
// CHECK:         %[[DF:.*]] = graph.reshape %{{.*}} {shape = array<i64: 2, 2, 2, 2>} : (tensor<2x8xf32>) -> tensor<2x2x2x2xf32>
// CHECK:         %[[DPL:.*]] = graph.conv2d_backward_data %[[DF]], %[[W2]] {{{.*}}input_shape = array<i64: 2, 2, 2, 2>{{.*}}} : (tensor<2x2x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<2x2x2x2xf32>
// CHECK:         %[[DW2:.*]] = graph.conv2d_backward_filter %[[PL]], %[[DF]] {{{.*}}filter_shape = array<i64: 1, 1, 2, 2>{{.*}}} : (tensor<2x2x2x2xf32>, tensor<2x2x2x2xf32>) -> tensor<1x1x2x2xf32>
// CHECK:         %[[DY1:.*]] = graph.max_pool2d_backward %[[DPL]], %[[Y1]], %[[PL]] {{{.*}}pool_size = array<i64: 2, 2>{{.*}}} : (tensor<2x2x2x2xf32>, tensor<2x4x4x2xf32>, tensor<2x2x2x2xf32>) -> tensor<2x4x4x2xf32>
// CHECK:         %[[DZ1:.*]] = graph.activation_grad %[[DY1]], %[[Y1]] {kind = #graph.activation<relu>}
// CHECK:         %[[DB1:.*]] = graph.reduce_sum %[[DZ1]] {axes = array<i64: 0, 1, 2>} : (tensor<2x4x4x2xf32>) -> tensor<2xf32>
// CHECK:         %[[DW1:.*]] = graph.conv2d_backward_filter %[[X]], %[[DZ1]] {{{.*}}filter_shape = array<i64: 3, 3, 1, 2>{{.*}}} : (tensor<2x6x6x1xf32>, tensor<2x4x4x2xf32>) -> tensor<3x3x1x2xf32>
// CHECK-NOT:     graph.conv2d_backward_data
// CHECK:         return {{.*}}, %[[DW2]], %[[DB1]], %[[DW1]] :
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @c1.kernel : tensor<3x3x1x2xf32> {init = #graph.init<"zeros", {}>, layer = "c1", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @c1.bias : tensor<2xf32> {init = #graph.init<"zeros", {}>, layer = "c1", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @c2.kernel : tensor<1x1x2x2xf32> {init = #graph.init<"zeros", {}>, layer = "c2", role = #graph.role<weight>, weight_index = 2 : i64}
  graph.variable @dense.kernel : tensor<8x3xf32> {init = #graph.init<"zeros", {}>, layer = "dense", role = #graph.role<weight>, weight_index = 3 : i64}
  func.func @forward(%x: tensor<2x6x6x1xf32> {kcc.role = #graph.step_role<input>, kcc.name = "img"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<2x3xf32> {
    %w1 = graph.load @c1.kernel : tensor<3x3x1x2xf32>
    %c1 = graph.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x6x6x1xf32>, tensor<3x3x1x2xf32>) -> tensor<2x4x4x2xf32>
    %b1 = graph.load @c1.bias : tensor<2xf32>
    %cb = graph.bias_add %c1, %b1 {axis = 3 : i64} : (tensor<2x4x4x2xf32>, tensor<2xf32>) -> tensor<2x4x4x2xf32>
    %y1 = graph.activation %cb {kind = #graph.activation<relu>} : (tensor<2x4x4x2xf32>) -> tensor<2x4x4x2xf32>
    %pl = graph.max_pool2d %y1 {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x4x4x2xf32>) -> tensor<2x2x2x2xf32>
    %w2 = graph.load @c2.kernel : tensor<1x1x2x2xf32>
    %y2 = graph.conv2d %pl, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x2x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<2x2x2x2xf32>
    %f = graph.reshape %y2 {shape = array<i64: 2, -1>} : (tensor<2x2x2x2xf32>) -> tensor<2x8xf32>
    %k = graph.load @dense.kernel : tensor<8x3xf32>
    %z = graph.matmul %f, %k : (tensor<2x8xf32>, tensor<8x3xf32>) -> tensor<2x3xf32>
    %p = graph.softmax %z : (tensor<2x3xf32>) -> tensor<2x3xf32>
    return %p : tensor<2x3xf32>
  }
}

// -----

// Fan-out and a shared weight: h is read by the second matmul and by the
// concat, so its two gradient contributions are summed; @w is read twice,
// so its two weight gradients are summed. Concat's gradient is two slices.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<6x3xf32> {graph.gradient_of = @v}, tensor<3x3xf32> {graph.gradient_of = @w})
// CHECK:         %[[W:.*]] = graph.load @w
// CHECK:         %[[H:.*]] = graph.matmul %{{.*}}, %[[W]]
// CHECK:         %[[WB:.*]] = graph.load @w
// CHECK:         %[[H2:.*]] = graph.matmul %[[H]], %[[WB]]
// CHECK:         graph.concat %[[H]], %[[H2]] {axis = 1 : i64}
// CHECK:         %[[DC:.*]] = graph.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<4x3xf32>, tensor<6x3xf32>) -> tensor<4x6xf32>
// CHECK:         %[[S0:.*]] = graph.slice %[[DC]] {axis = 1 : i64, size = 3 : i64, start = 0 : i64} : (tensor<4x6xf32>) -> tensor<4x3xf32>
// CHECK:         %[[S1:.*]] = graph.slice %[[DC]] {axis = 1 : i64, size = 3 : i64, start = 3 : i64} : (tensor<4x6xf32>) -> tensor<4x3xf32>
// CHECK:         %[[DH:.*]] = graph.matmul %[[S1]], %[[WB]] {transpose_b}
// CHECK:         %[[DWB:.*]] = graph.matmul %[[H]], %[[S1]] {transpose_a}
// CHECK:         %[[DHS:.*]] = graph.add %[[S0]], %[[DH]] : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK:         %[[DWA:.*]] = graph.matmul %{{.*}}, %[[DHS]] {transpose_a}
// CHECK:         %[[DW:.*]] = graph.add %[[DWB]], %[[DWA]] : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
// CHECK:         return {{.*}}, %[[DW]] :
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @w : tensor<3x3xf32> {init = #graph.init<"zeros", {}>, layer = "shared", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @v : tensor<6x3xf32> {init = #graph.init<"zeros", {}>, layer = "out", role = #graph.role<weight>, weight_index = 1 : i64}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %w = graph.load @w : tensor<3x3xf32>
    %h = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %w2 = graph.load @w : tensor<3x3xf32>
    %h2 = graph.matmul %h, %w2 : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %c = graph.concat %h, %h2 {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x6xf32>
    %v = graph.load @v : tensor<6x3xf32>
    %z = graph.matmul %c, %v : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %z : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// RepeatVector's gradient is a sum over the repeated axis (after the
// flatten's gradient restored [4, 2, 3]).

// CHECK-LABEL: func.func @train_step(
// CHECK:         %[[R:.*]] = graph.repeat %{{.*}} {times = 2 : i64} : (tensor<4x3xf32>) -> tensor<4x2x3xf32>
// CHECK:         %[[DF:.*]] = graph.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<4x3xf32>, tensor<6x3xf32>) -> tensor<4x6xf32>
// CHECK:         %[[DR:.*]] = graph.reshape %[[DF]] {shape = array<i64: 4, 2, 3>}
// CHECK:         %[[DH:.*]] = graph.reduce_sum %[[DR]] {axes = array<i64: 1>} : (tensor<4x2x3xf32>) -> tensor<4x3xf32>
// CHECK:         graph.matmul %{{.*}}, %[[DH]] {transpose_a} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @a : tensor<3x3xf32> {init = #graph.init<"zeros", {}>, layer = "a", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @b : tensor<6x3xf32> {init = #graph.init<"zeros", {}>, layer = "b", role = #graph.role<weight>, weight_index = 1 : i64}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %a = graph.load @a : tensor<3x3xf32>
    %h = graph.matmul %x, %a : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %r = graph.repeat %h {times = 2 : i64} : (tensor<4x3xf32>) -> tensor<4x2x3xf32>
    %f = graph.reshape %r {shape = array<i64: 4, 6>} : (tensor<4x2x3xf32>) -> tensor<4x6xf32>
    %b = graph.load @b : tensor<6x3xf32>
    %t = graph.matmul %f, %b : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %t : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// Optimizer slots are not weights: reading one gives no gradient.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME:    -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>, tensor<3x3xf32> {graph.gradient_of = @w})
// CHECK-NOT:     graph.gradient_of = @w.slot
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @w : tensor<3x3xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @w.slot : tensor<4x3xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<optimizer_state>}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %w = graph.load @w : tensor<3x3xf32>
    %h = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %s = graph.load @w.slot : tensor<4x3xf32>
    %a = graph.add %h, %s : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %a : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// expected-error @+1 {{no @forward function to differentiate}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  func.func @model(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
    return %x : tensor<4x3xf32>
  }
}

// -----

// expected-error @+1 {{module has no #graph.training attribute 'kcc.training'}}
module {
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    return %x : tensor<4x3xf32>
  }
}

// -----

module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  // expected-error @+1 {{models with 2 outputs are not supported (one output expected)}}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
    return %x, %x : tensor<4x3xf32>, tensor<4x3xf32>
  }
}

// -----

module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  // expected-error @+1 {{@forward has no argument with kcc.role = #graph.step_role<seed>}}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    return %x : tensor<4x3xf32>
  }
}

// -----

// graph.softmax_grad has no gradient rule; the forward model must not use it
// on a value that depends on a weight.
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @w : tensor<3x6xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %w = graph.load @w : tensor<3x6xf32>
    %h = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x6xf32>) -> tensor<4x6xf32>
    // expected-error @+1 {{has no gradient rule, so the model cannot be trained through it}}
    %g = graph.softmax_grad %h, %h : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    %s = graph.slice %g {axis = 1 : i64, start = 0 : i64, size = 3 : i64} : (tensor<4x6xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %s : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// reduce_sum differentiates sums over contiguous axes only.
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @w : tensor<3xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @forward(%x: tensor<4x2x3x2xf32> {kcc.role = #graph.step_role<input>}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    %w = graph.load @w : tensor<3xf32>
    %h = graph.bias_add %x, %w {axis = 2 : i64} : (tensor<4x2x3x2xf32>, tensor<3xf32>) -> tensor<4x2x3x2xf32>
    // expected-error @+1 {{'graph.reduce_sum' op gradient only implemented for a sum over contiguous axes}}
    %s = graph.reduce_sum %h {axes = array<i64: 1, 3>} : (tensor<4x2x3x2xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %s : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}

// -----

// The inference step drops dropouts; any other use of the step counter has
// no value there.
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd>>} {
  graph.variable @w : tensor<3x3xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @forward(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x3xf32> {
    // expected-error @+1 {{uses the dropout seed or step outside a dropout}}
    %u = graph.sgd_update %x, %x, %step {lr = 1.0e-02 : f64, momentum = 0.0 : f64, decay = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
    %w = graph.load @w : tensor<3x3xf32>
    %h = graph.matmul %u, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %p = graph.softmax %h : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %p : tensor<4x3xf32>
  }
}
