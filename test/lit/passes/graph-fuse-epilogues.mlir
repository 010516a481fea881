// RUN: kcc-opt --split-input-file --graph-fuse-epilogues %s | FileCheck %s

// Dense: matmul -> bias_add -> relu becomes one matmul with a bias operand
// and a relu epilogue.

// CHECK-LABEL: func.func @dense_relu
// CHECK-SAME:    (%[[X:.*]]: tensor<4x3xf32>, %[[W:.*]]: tensor<3x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-NEXT:    %[[Y:.*]] = graph.matmul %[[X]], %[[W]], %[[B]] {activation = #graph.activation<relu>} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:    return %[[Y]]
// CHECK-NOT:     graph.bias_add
// CHECK-NOT:     graph.activation
func.func @dense_relu(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> tensor<4x2xf32> {
  %0 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.activation %1 {kind = #graph.activation<relu>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return %2 : tensor<4x2xf32>
}

// -----

// tanh, sigmoid and elu are epilogues too; an activation without a bias
// folds on its own; a 3-D Dense's bias along the last axis folds.

// CHECK-LABEL: func.func @other_epilogues
// CHECK:         graph.matmul %{{.*}}, %{{.*}}, %{{.*}} {activation = #graph.activation<tanh>}
// CHECK:         graph.matmul %{{.*}}, %{{.*}} {activation = #graph.activation<sigmoid>} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// CHECK:         graph.matmul %{{.*}}, %{{.*}}, %{{.*}} {activation = #graph.activation<elu>} : (tensor<4x5x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x5x2xf32>
// CHECK-NOT:     graph.activation
// CHECK-NOT:     graph.bias_add
func.func @other_epilogues(%x: tensor<4x3xf32>, %s: tensor<4x5x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x5x2xf32>) {
  %0 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = 1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.activation %1 {kind = #graph.activation<tanh>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %3 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %4 = graph.activation %3 {kind = #graph.activation<sigmoid>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %5 = graph.matmul %s, %w : (tensor<4x5x3xf32>, tensor<3x2xf32>) -> tensor<4x5x2xf32>
  %6 = graph.bias_add %5, %b {axis = 2 : i64} : (tensor<4x5x2xf32>, tensor<2xf32>) -> tensor<4x5x2xf32>
  %7 = graph.activation %6 {kind = #graph.activation<elu>} : (tensor<4x5x2xf32>) -> tensor<4x5x2xf32>
  return %2, %4, %7 : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x5x2xf32>
}

// -----

// Softmax is not an epilogue: the bias folds, the softmax stays. Activations
// no library runs as a post-op (softplus, hard_sigmoid) stay as well.

// CHECK-LABEL: func.func @not_epilogues
// CHECK:         %[[Z:.*]] = graph.matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:    %[[P:.*]] = graph.softmax %[[Z]]
// CHECK-NEXT:    %[[Z2:.*]] = graph.matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:    %[[A:.*]] = graph.activation %[[Z2]] {kind = #graph.activation<softplus>}
// CHECK-NEXT:    %[[Z3:.*]] = graph.matmul %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:    %[[H:.*]] = graph.activation %[[Z3]] {kind = #graph.activation<hard_sigmoid>}
// CHECK-NEXT:    return %[[P]], %[[A]], %[[H]]
// CHECK-NOT:     activation = #graph.activation
func.func @not_epilogues(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %0 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.softmax %1 : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %3 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %4 = graph.bias_add %3, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %5 = graph.activation %4 {kind = #graph.activation<softplus>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %6 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %7 = graph.activation %6 {kind = #graph.activation<hard_sigmoid>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return %2, %5, %7 : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// The matmul's own result has a second user: nothing folds (the bias_add
// result is not the matmul's, so neither does the activation).

// CHECK-LABEL: func.func @multi_use_product
// CHECK:         %[[Z:.*]] = graph.matmul %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:    %[[ZB:.*]] = graph.bias_add %[[Z]]
// CHECK-NEXT:    %[[R:.*]] = graph.activation %[[ZB]] {kind = #graph.activation<relu>}
// CHECK-NEXT:    return %[[R]], %[[Z]]
func.func @multi_use_product(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %0 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.activation %1 {kind = #graph.activation<relu>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return %2, %0 : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// The biased value has a second user: the bias folds, the relu does not
// (its input must stay available to the other reader).

// CHECK-LABEL: func.func @multi_use_biased
// CHECK:         %[[Z:.*]] = graph.matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NOT:     {activation
// CHECK-NEXT:    %[[R:.*]] = graph.activation %[[Z]] {kind = #graph.activation<relu>}
// CHECK-NEXT:    %[[S:.*]] = graph.add %[[R]], %[[Z]]
// CHECK-NEXT:    return %[[S]]
func.func @multi_use_biased(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> tensor<4x2xf32> {
  %0 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.activation %1 {kind = #graph.activation<relu>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %3 = graph.add %2, %1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %3 : tensor<4x2xf32>
}

// -----

// Conv2D channels_last (bias on axis 3) and channels_first (bias on
// axis 1) fold; a bias along a spatial axis does not.

// CHECK-LABEL: func.func @conv
// CHECK:         graph.conv2d %{{.*}}, %{{.*}}, %{{.*}} {activation = #graph.activation<relu>, data_format = #graph.data_format<channels_last>, {{.*}}} : (tensor<2x6x6x1xf32>, tensor<3x3x1x4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
// CHECK:         graph.conv2d %{{.*}}, %{{.*}}, %{{.*}} {activation = #graph.activation<relu>, data_format = #graph.data_format<channels_first>, {{.*}}} : (tensor<2x1x6x6xf32>, tensor<3x3x1x4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
// CHECK:         %[[C:.*]] = graph.conv2d %{{.*}}, %{{.*}} {activation = #graph.activation<relu>, data_format = #graph.data_format<channels_last>, {{.*}}} : (tensor<2x6x6x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x4x4x4xf32>
// CHECK-NEXT:    graph.bias_add %[[C]], %{{.*}} {axis = 1 : i64}
// CHECK-NOT:     graph.activation
func.func @conv(%x: tensor<2x6x6x1xf32>, %xf: tensor<2x1x6x6xf32>, %w: tensor<3x3x1x4xf32>, %b: tensor<4xf32>) -> (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) {
  %0 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x6x6x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x4x4x4xf32>
  %1 = graph.bias_add %0, %b {axis = 3 : i64} : (tensor<2x4x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
  %2 = graph.activation %1 {kind = #graph.activation<relu>} : (tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %3 = graph.conv2d %xf, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_first>} : (tensor<2x1x6x6xf32>, tensor<3x3x1x4xf32>) -> tensor<2x4x4x4xf32>
  %4 = graph.bias_add %3, %b {axis = 1 : i64} : (tensor<2x4x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
  %5 = graph.activation %4 {kind = #graph.activation<relu>} : (tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  // channels_last conv with a bias along H: not a channel bias. The relu
  // directly on the conv folds.
  %6 = graph.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x6x6x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x4x4x4xf32>
  %7 = graph.activation %6 {kind = #graph.activation<relu>} : (tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %8 = graph.bias_add %7, %b {axis = 1 : i64} : (tensor<2x4x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
  return %2, %5, %8 : tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>
}

// -----

// A product that already has a bias or an activation takes no second one.

// CHECK-LABEL: func.func @already_fused
// CHECK:         %[[A:.*]] = graph.matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:    graph.bias_add %[[A]]
// CHECK:         %[[B:.*]] = graph.matmul %{{.*}}, %{{.*}} {activation = #graph.activation<tanh>}
// CHECK-NEXT:    graph.bias_add %[[B]]
// CHECK-NEXT:    graph.activation
// CHECK-NOT:     graph.matmul
func.func @already_fused(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %0 = graph.matmul %x, %w, %b : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.matmul %x, %w {activation = #graph.activation<tanh>} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %3 = graph.bias_add %2, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %4 = graph.activation %3 {kind = #graph.activation<relu>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return %1, %4 : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// In a training step the forward Dense still fuses: the relu's output (not
// its input) is what the backward pass reads.

// CHECK-LABEL: func.func @train_step
// CHECK:         %[[R:.*]] = graph.matmul %{{.*}}, %{{.*}}, %{{.*}} {activation = #graph.activation<relu>}
// CHECK-NEXT:    %[[D:.*]] = graph.dropout %[[R]]
// CHECK:         graph.activation_grad %{{.*}}, %[[R]] {kind = #graph.activation<relu>}
func.func @train_step(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>, %dy: tensor<4x2xf32>, %seed: tensor<i64>, %step: tensor<i64>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %0 = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %1 = graph.bias_add %0, %b {axis = -1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = graph.activation %1 {kind = #graph.activation<relu>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %3 = graph.dropout %2, %seed, %step {rate = 2.000000e-01 : f64, stream = 1 : i64} : (tensor<4x2xf32>, tensor<i64>, tensor<i64>) -> tensor<4x2xf32>
  %4 = graph.dropout %dy, %seed, %step {rate = 2.000000e-01 : f64, stream = 1 : i64} : (tensor<4x2xf32>, tensor<i64>, tensor<i64>) -> tensor<4x2xf32>
  %5 = graph.activation_grad %4, %2 {kind = #graph.activation<relu>} : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %3, %5 : tensor<4x2xf32>, tensor<4x2xf32>
}
