// RUN: kcc-opt --split-input-file --graph-fuse-elementwise %s | FileCheck %s

// The backward chain of Dropout(Dense(relu)): dropout of dy, then the relu
// gradient, become one loop. The fused op's operands are the chain's outside
// inputs (dy, seed, step, the relu output) and it yields the last value.

// CHECK-LABEL: func.func @dropout_relu_grad
// CHECK-SAME:    (%[[DY:[a-z0-9]+]]: tensor<4x5xf32>, %[[Y:[a-z0-9]+]]: tensor<4x5xf32>, %[[SEED:[a-z0-9]+]]: tensor<i64>, %[[STEP:[a-z0-9]+]]: tensor<i64>)
// CHECK-NEXT:    %[[F:.*]] = graph.fused %[[DY]], %[[SEED]], %[[STEP]], %[[Y]] : (tensor<4x5xf32>, tensor<i64>, tensor<i64>, tensor<4x5xf32>) -> tensor<4x5xf32> {
// CHECK-NEXT:    ^bb0(%[[A0:.*]]: tensor<4x5xf32>, %[[A1:.*]]: tensor<i64>, %[[A2:.*]]: tensor<i64>, %[[A3:.*]]: tensor<4x5xf32>):
// CHECK-NEXT:      %[[D:.*]] = graph.dropout %[[A0]], %[[A1]], %[[A2]] {rate = 2.000000e-01 : f64, stream = 3 : i64}
// CHECK-NEXT:      %[[G:.*]] = graph.activation_grad %[[D]], %[[A3]] {kind = #graph.activation<relu>}
// CHECK-NEXT:      graph.yield %[[G]] : tensor<4x5xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[S:.*]] = graph.reduce_sum %[[F]]
// CHECK-NEXT:    return %[[S]]
func.func @dropout_relu_grad(%dy: tensor<4x5xf32>, %y: tensor<4x5xf32>, %seed: tensor<i64>, %step: tensor<i64>) -> tensor<5xf32> {
  %0 = graph.dropout %dy, %seed, %step {rate = 2.000000e-01 : f64, stream = 3 : i64} : (tensor<4x5xf32>, tensor<i64>, tensor<i64>) -> tensor<4x5xf32>
  %1 = graph.activation_grad %0, %y {kind = #graph.activation<relu>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  %2 = graph.reduce_sum %1 {axes = array<i64: 0>} : (tensor<4x5xf32>) -> tensor<5xf32>
  return %2 : tensor<5xf32>
}

// -----

// A member value read after the group (by the return) becomes an extra
// result; the reader after the last member is fine. An operand used twice
// is passed once.

// CHECK-LABEL: func.func @extra_result
// CHECK-SAME:    (%[[X:[a-z0-9]+]]: tensor<8xf32>)
// CHECK-NEXT:    %[[F:.*]]:2 = graph.fused %[[X]] : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.*]]: tensor<8xf32>):
// CHECK-NEXT:      %[[R:.*]] = graph.activation %[[A]] {kind = #graph.activation<relu>}
// CHECK-NEXT:      %[[T:.*]] = graph.activation %[[R]] {kind = #graph.activation<tanh>}
// CHECK-NEXT:      %[[S:.*]] = graph.add %[[T]], %[[A]]
// CHECK-NEXT:      graph.yield %[[R]], %[[S]] : tensor<8xf32>, tensor<8xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[F]]#0, %[[F]]#1
func.func @extra_result(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %r = graph.activation %x {kind = #graph.activation<relu>} : (tensor<8xf32>) -> tensor<8xf32>
  %t = graph.activation %r {kind = #graph.activation<tanh>} : (tensor<8xf32>) -> tensor<8xf32>
  %s = graph.add %t, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %r, %s : tensor<8xf32>, tensor<8xf32>
}

// -----

// Negative case: the matmul reads %r before %t, so %t may not join %r's
// group (the fused op would sit at %t, after its reader). %t starts a new
// group with %u; %r stays a single, unfused op.

// CHECK-LABEL: func.func @outside_reader_before
// CHECK-NEXT:    %[[R:.*]] = graph.activation %{{.*}} {kind = #graph.activation<relu>}
// CHECK-NEXT:    %[[M:.*]] = graph.matmul %[[R]], %{{.*}}
// CHECK-NEXT:    %[[F:.*]] = graph.fused %[[R]] : (tensor<4x3xf32>) -> tensor<4x3xf32> {
// CHECK-NEXT:    ^bb0(%[[A:.*]]: tensor<4x3xf32>):
// CHECK-NEXT:      %[[T:.*]] = graph.activation %[[A]] {kind = #graph.activation<tanh>}
// CHECK-NEXT:      %[[U:.*]] = graph.activation %[[T]] {kind = #graph.activation<sigmoid>}
// CHECK-NEXT:      graph.yield %[[U]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[M]], %[[F]]
func.func @outside_reader_before(%x: tensor<4x3xf32>, %w: tensor<3x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %r = graph.activation %x {kind = #graph.activation<relu>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %m = graph.matmul %r, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
  %t = graph.activation %r {kind = #graph.activation<tanh>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %u = graph.activation %t {kind = #graph.activation<sigmoid>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %m, %u : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Negative case, no group survives: each elementwise op is separated from
// the previous one by a reader, so nothing is fused.

// CHECK-LABEL: func.func @nothing_to_fuse
// CHECK-NOT:     graph.fused
// CHECK:         graph.activation
// CHECK-NEXT:    graph.softmax
// CHECK-NEXT:    graph.activation
// CHECK-NEXT:    return
func.func @nothing_to_fuse(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %r = graph.activation %x {kind = #graph.activation<relu>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %s = graph.softmax %r : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %t = graph.activation %r {kind = #graph.activation<tanh>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %s, %t : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Positive counterpart: the same reader placed after the last member is fine;
// it reads the fused op's extra result.

// CHECK-LABEL: func.func @outside_reader_after
// CHECK-NEXT:    %[[F:.*]]:2 = graph.fused
// CHECK:           graph.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[M:.*]] = graph.matmul %[[F]]#0, %{{.*}}
// CHECK-NEXT:    return %[[M]], %[[F]]#1
func.func @outside_reader_after(%x: tensor<4x3xf32>, %w: tensor<3x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %r = graph.activation %x {kind = #graph.activation<relu>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %t = graph.activation %r {kind = #graph.activation<tanh>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %m = graph.matmul %r, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
  return %m, %t : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Two independent chains of different shapes give two groups, each fused
// at its own last member.

// CHECK-LABEL: func.func @two_groups
// CHECK:         %[[F1:.*]] = graph.fused %{{.*}} : (tensor<4x3xf32>) -> tensor<4x3xf32> {
// CHECK:           graph.activation %{{.*}} {kind = #graph.activation<relu>}
// CHECK-NEXT:      graph.activation %{{.*}} {kind = #graph.activation<tanh>}
// CHECK:         %[[F2:.*]] = graph.fused %{{.*}} : (tensor<2x2xf32>) -> tensor<2x2xf32> {
// CHECK:           graph.activation %{{.*}} {kind = #graph.activation<elu>}
// CHECK-NEXT:      graph.activation %{{.*}} {kind = #graph.activation<sigmoid>}
// CHECK:         return %[[F1]], %[[F2]]
func.func @two_groups(%x: tensor<4x3xf32>, %y: tensor<2x2xf32>) -> (tensor<4x3xf32>, tensor<2x2xf32>) {
  %a = graph.activation %x {kind = #graph.activation<relu>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %b = graph.activation %y {kind = #graph.activation<elu>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %c = graph.activation %a {kind = #graph.activation<tanh>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %d = graph.activation %b {kind = #graph.activation<sigmoid>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %c, %d : tensor<4x3xf32>, tensor<2x2xf32>
}

// -----

// Gradient accumulation and the optimizer update fuse into one loop with
// two results (parameter and slot), both stored after it.

// CHECK-LABEL: func.func @update
// CHECK:         %[[P:.*]] = graph.load @w
// CHECK:         %[[A:.*]] = graph.load @w.accumulator
// CHECK-NEXT:    %[[F:.*]]:2 = graph.fused %{{.*}}, %{{.*}}, %[[P]], %{{.*}}, %[[A]] : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
// CHECK:           %[[G:.*]] = graph.add
// CHECK-NEXT:      %[[NP:.*]], %[[NA:.*]] = graph.rmsprop_update %{{.*}}, %[[G]], %{{.*}}, %{{.*}} {
// CHECK-NEXT:      graph.yield %[[NP]], %[[NA]]
// CHECK:         graph.store %[[F]]#0, @w
// CHECK-NEXT:    graph.store %[[F]]#1, @w.accumulator
module {
  graph.variable @w : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @w.accumulator : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<optimizer_state>}
  func.func @update(%g1: tensor<3x2xf32>, %g2: tensor<3x2xf32>, %step: tensor<i64>) {
    %g = graph.add %g1, %g2 : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %p = graph.load @w : tensor<3x2xf32>
    %a = graph.load @w.accumulator : tensor<3x2xf32>
    %np, %na = graph.rmsprop_update %p, %g, %step, %a {lr = 1.0e-03 : f64, rho = 0.9 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64, keras = #graph.keras<keras2>} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
    graph.store %np, @w : tensor<3x2xf32>
    graph.store %na, @w.accumulator : tensor<3x2xf32>
    return
  }
}
