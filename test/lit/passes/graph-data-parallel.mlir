// RUN: kcc-opt --split-input-file --graph-data-parallel -verify-diagnostics %s | FileCheck %s

// Two processes, a global batch of 8: each step holds 4 rows. Every
// gradient result goes through graph.all_reduce; loss and predictions do
// not. @train_step gains a row_offset argument that both dropouts (the
// forward and its gradient) count their mask from.

// CHECK-LABEL:   func.func @train_step(
// CHECK-SAME:      %[[SEED:[a-z0-9]+]]: tensor<i64> {kcc.role = #graph.step_role<seed>}
// CHECK-SAME:      %[[STEP:[a-z0-9]+]]: tensor<i64> {kcc.role = #graph.step_role<step>}
// CHECK-SAME:      %[[ROWS:[a-z0-9]+]]: tensor<i64> {kcc.role = #graph.step_role<row_offset>})
// CHECK:           graph.dropout %{{.*}}, %[[SEED]], %[[STEP]] rows %[[ROWS]] {rate = 5.000000e-01 : f64, stream = 1 : i64}
// CHECK:           %[[DW:.*]] = graph.matmul %{{.*}}, %{{.*}} {transpose_a}
// CHECK:           graph.dropout %{{.*}}, %[[SEED]], %[[STEP]] rows %[[ROWS]]
// CHECK:           %[[SW:.*]] = graph.all_reduce %[[DW]] : (tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT:      return %{{.*}}, %{{.*}}, %[[SW]] : tensor<f32>, tensor<4x2xf32>, tensor<3x2xf32>
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02>, batch_size = 8, ranks = 2>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %dz: tensor<4x2xf32> {kcc.role = #graph.step_role<target>},
                        %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>})
      -> (tensor<f32>, tensor<4x2xf32>, tensor<3x2xf32> {graph.gradient_of = @d.kernel}) {
    %xd = graph.dropout %x, %seed, %step {rate = 0.5 : f64, stream = 1 : i64} : (tensor<4x3xf32>, tensor<i64>, tensor<i64>) -> tensor<4x3xf32>
    %w = graph.load @d.kernel : tensor<3x2xf32>
    %z = graph.matmul %xd, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %l = graph.reduce_sum %z {axes = array<i64: 0, 1>} : (tensor<4x2xf32>) -> tensor<f32>
    %dw = graph.matmul %xd, %dz {transpose_a} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
    %dx = graph.matmul %dz, %w {transpose_b} : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
    %dxd = graph.dropout %dx, %seed, %step {rate = 0.5 : f64, stream = 1 : i64} : (tensor<4x3xf32>, tensor<i64>, tensor<i64>) -> tensor<4x3xf32>
    return %l, %z, %dw : tensor<f32>, tensor<4x2xf32>, tensor<3x2xf32>
  }
}

// -----

// One process (no ranks): nothing changes.

// CHECK-LABEL:   func.func @train_step(
// CHECK-SAME:      %{{[a-z0-9]+}}: tensor<4x2xf32> {kcc.role = #graph.step_role<target>})
// CHECK-NOT:       graph.all_reduce
// CHECK:           return %{{.*}} : tensor<3x2xf32>
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02>, batch_size = 4>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %dz: tensor<4x2xf32> {kcc.role = #graph.step_role<target>})
      -> (tensor<3x2xf32> {graph.gradient_of = @d.kernel}) {
    %dw = graph.matmul %x, %dz {transpose_a} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
    return %dw : tensor<3x2xf32>
  }
}

// -----

// BatchNormalization's batch statistics would be per process: refused.
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02>, batch_size = 8, ranks = 2>} {
  func.func @train_step(%x: tensor<4x2xf32> {kcc.role = #graph.step_role<input>}, %g: tensor<2xf32>, %m: tensor<4xf32>) -> tensor<4x2xf32> {
    // expected-error @+1 {{BatchNormalization in training mode normalizes by its batch's statistics}}
    %y, %mm, %mv = graph.batch_norm %x, %g, %g, %g, %g, %m {axis = 1 : i64, epsilon = 1.0e-03 : f64, momentum = 0.99 : f64} : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<4xf32>) -> (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>)
    return %y : tensor<4x2xf32>
  }
}
