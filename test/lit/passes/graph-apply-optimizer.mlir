// RUN: kcc-opt --split-input-file --graph-apply-optimizer -verify-diagnostics %s | FileCheck %s

// SGD without momentum: no slot variable, p' = p - lr * g. The gradient
// results disappear from @train_step; loss, accuracy and predictions stay.
// Every store comes after the last read of the variable by the step
// (the forward load and the backward matmul that uses it).

// CHECK-LABEL: module attributes {kcc.training = #graph.training<{{.*}}kind = sgd
// CHECK:         graph.variable @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:    graph.variable @d.bias : tensor<2xf32>
// CHECK-NOT:     graph.variable
// CHECK-LABEL:   func.func @train_step(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<4x3xf32>
// CHECK-SAME:      %[[STEP:[a-z0-9]+]]: tensor<i64> {kcc.role = #graph.step_role<step>})
// CHECK-SAME:      -> (tensor<f32>, tensor<4x2xf32>) {
// CHECK-NOT:       graph.store
// CHECK:           %[[DX:.*]] = graph.matmul %{{.*}}, %{{.*}} {transpose_b}
// CHECK:           %[[W:.*]] = graph.load @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:      %[[NW:.*]] = graph.sgd_update %[[W]], %[[GW:.*]], %[[STEP]] {decay = 0.000000e+00 : f64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>) -> tensor<3x2xf32>
// CHECK-NEXT:      graph.store %[[NW]], @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:      %[[B:.*]] = graph.load @d.bias : tensor<2xf32>
// CHECK-NEXT:      %[[NB:.*]] = graph.sgd_update %[[B]], %{{.*}}, %[[STEP]] {{.*}} -> tensor<2xf32>
// CHECK-NEXT:      graph.store %[[NB]], @d.bias : tensor<2xf32>
// CHECK-NEXT:      return %{{.*}}, %{{.*}} : tensor<f32>, tensor<4x2xf32>
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02, momentum = 0.0, decay = 0.0, nesterov = false>>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @d.bias : tensor<2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 1 : i64}
  func.func @train_step(%x: tensor<4x3xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %dz: tensor<4x2xf32> {kcc.role = #graph.step_role<target>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>})
      -> (tensor<f32>, tensor<4x2xf32>, tensor<3x2xf32> {graph.gradient_of = @d.kernel}, tensor<2xf32> {graph.gradient_of = @d.bias}) {
    %w = graph.load @d.kernel : tensor<3x2xf32>
    %b = graph.load @d.bias : tensor<2xf32>
    %z = graph.matmul %x, %w, %b : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
    %l = graph.reduce_sum %z {axes = array<i64: 0, 1>} : (tensor<4x2xf32>) -> tensor<f32>
    %dw = graph.matmul %x, %dz {transpose_a} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
    %db = graph.reduce_sum %dz {axes = array<i64: 0>} : (tensor<4x2xf32>) -> tensor<2xf32>
    // The backward pass still reads the old kernel here.
    %dx = graph.matmul %dz, %w {transpose_b} : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
    return %l, %z, %dw, %db : tensor<f32>, tensor<4x2xf32>, tensor<3x2xf32>, tensor<2xf32>
  }
}

// -----

// SGD with Nesterov momentum and time decay: one zero-initialised velocity
// slot per parameter, declared right after it, owned by the same layer, with
// no weight_index; velocity is stored back after the parameter.

// CHECK-LABEL: module
// CHECK:         graph.variable @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:    graph.variable @d.kernel.velocity : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<optimizer_state>}
// CHECK-LABEL:   func.func @train_step(
// CHECK-SAME:      -> tensor<f32>
// CHECK:           %[[P:.*]] = graph.load @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:      %[[V:.*]] = graph.load @d.kernel.velocity : tensor<3x2xf32>
// CHECK-NEXT:      %[[NP:.*]], %[[NV:.*]] = graph.sgd_update %[[P]], %{{.*}}, %{{.*}}, %[[V]] {decay = 9.9999999999999995E-7 : f64, lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov} : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<i64>, tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-NEXT:      graph.store %[[NP]], @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:      graph.store %[[NV]], @d.kernel.velocity : tensor<3x2xf32>
// CHECK-NEXT:      return
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-01, momentum = 0.9, decay = 1.0e-06, nesterov = true>>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%l: tensor<f32>, %g: tensor<3x2xf32>, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<f32>, tensor<3x2xf32> {graph.gradient_of = @d.kernel}) {
    return %l, %g : tensor<f32>, tensor<3x2xf32>
  }
}

// -----

// RMSprop with Keras 2 semantics (epsilon outside the square root).

// CHECK-LABEL: module
// CHECK:         graph.variable @d.kernel.accumulator : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<optimizer_state>}
// CHECK:         %[[NP:.*]], %[[NA:.*]] = graph.rmsprop_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {decay = 0.000000e+00 : f64, epsilon = 1.000000e-08 : f64, keras = #graph.keras<keras2>, lr = 1.000000e-03 : f64, rho = 9.000000e-01 : f64}
// CHECK-NEXT:    graph.store %[[NP]], @d.kernel
// CHECK-NEXT:    graph.store %[[NA]], @d.kernel.accumulator
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = rmsprop, lr = 1.0e-3, rho = 0.9, epsilon = 1.0e-8, decay = 0.0, keras = keras2>>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%g: tensor<3x2xf32>, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<3x2xf32> {graph.gradient_of = @d.kernel}) {
    return %g : tensor<3x2xf32>
  }
}

// -----

// RMSprop with Keras 3 semantics (epsilon inside the square root).

// CHECK-LABEL: module
// CHECK:         graph.rmsprop_update {{.*}} {decay = 0.000000e+00 : f64, epsilon = 9.9999999999999995E-8 : f64, keras = #graph.keras<keras3>, lr = 5.000000e-04 : f64, rho = 8.000000e-01 : f64}
// CHECK-NOT:     keras2
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = rmsprop, lr = 5.0e-4, rho = 0.8, epsilon = 1.0e-7, decay = 0.0, keras = keras3>>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%g: tensor<3x2xf32>, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<3x2xf32> {graph.gradient_of = @d.kernel}) {
    return %g : tensor<3x2xf32>
  }
}

// -----

// Adadelta: two slots (accumulator, delta_accumulator), three results.

// CHECK-LABEL: module
// CHECK:         graph.variable @e.embeddings : tensor<10x4xf32>
// CHECK-NEXT:    graph.variable @e.embeddings.delta_accumulator : tensor<10x4xf32> {init = #graph.init<"zeros", {}>, layer = "e", role = #graph.role<optimizer_state>}
// CHECK-NEXT:    graph.variable @e.embeddings.accumulator : tensor<10x4xf32> {init = #graph.init<"zeros", {}>, layer = "e", role = #graph.role<optimizer_state>}
// CHECK:         %[[P:.*]] = graph.load @e.embeddings
// CHECK-NEXT:    %[[A:.*]] = graph.load @e.embeddings.accumulator
// CHECK-NEXT:    %[[D:.*]] = graph.load @e.embeddings.delta_accumulator
// CHECK-NEXT:    %[[NP:.*]], %[[NA:.*]], %[[ND:.*]] = graph.adadelta_update %[[P]], %{{.*}}, %{{.*}}, %[[A]], %[[D]] {decay = 0.000000e+00 : f64, epsilon = 9.9999999999999995E-8 : f64, lr = 1.000000e+00 : f64, rho = 0.94999999999999996 : f64}
// CHECK-NEXT:    graph.store %[[NP]], @e.embeddings
// CHECK-NEXT:    graph.store %[[NA]], @e.embeddings.accumulator
// CHECK-NEXT:    graph.store %[[ND]], @e.embeddings.delta_accumulator
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = adadelta, lr = 1.0, rho = 0.95, epsilon = 1.0e-7, decay = 0.0>>} {
  graph.variable @e.embeddings : tensor<10x4xf32> {init = #graph.init<"random_uniform", {minval = -5.0e-02 : f64, maxval = 5.0e-02 : f64}>, layer = "e", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%g: tensor<10x4xf32>, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<10x4xf32> {graph.gradient_of = @e.embeddings}) {
    return %g : tensor<10x4xf32>
  }
}

// -----

// Adam: slots m and v, beta_1/beta_2/epsilon/decay from kcc.training; every
// parameter gets its own update, in the order of the gradient results.

// CHECK-LABEL: module
// CHECK:         graph.variable @d.kernel : tensor<3x2xf32>
// CHECK-NEXT:    graph.variable @d.kernel.v : tensor<3x2xf32>
// CHECK-NEXT:    graph.variable @d.kernel.m : tensor<3x2xf32>
// CHECK-NEXT:    graph.variable @d.bias : tensor<2xf32>
// CHECK-NEXT:    graph.variable @d.bias.v : tensor<2xf32>
// CHECK-NEXT:    graph.variable @d.bias.m : tensor<2xf32>
// CHECK-LABEL:   func.func @train_step(
// CHECK-SAME:      %[[GW:[a-z0-9]+]]: tensor<3x2xf32>, %[[GB:[a-z0-9]+]]: tensor<2xf32>, %[[STEP:[a-z0-9]+]]: tensor<i64>
// CHECK:           %[[B:.*]] = graph.load @d.bias
// CHECK-NEXT:      %[[BM:.*]] = graph.load @d.bias.m
// CHECK-NEXT:      %[[BV:.*]] = graph.load @d.bias.v
// CHECK-NEXT:      %[[NB:[a-z_0-9]+]], %[[NBM:[a-z_0-9]+]], %[[NBV:[a-z_0-9]+]] = graph.adam_update %[[B]], %[[GB]], %[[STEP]], %[[BM]], %[[BV]] {beta_1 = 8.000000e-01 : f64, beta_2 = 0.99899999999999999 : f64, decay = 1.000000e-02 : f64, epsilon = 9.9999999999999995E-8 : f64, lr = 2.000000e-03 : f64} : (tensor<2xf32>, tensor<2xf32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK-NEXT:      graph.store %[[NB]], @d.bias
// CHECK-NEXT:      graph.store %[[NBM]], @d.bias.m
// CHECK-NEXT:      graph.store %[[NBV]], @d.bias.v
// CHECK-NEXT:      %[[W:.*]] = graph.load @d.kernel
// CHECK-NEXT:      %[[WM:.*]] = graph.load @d.kernel.m
// CHECK-NEXT:      %[[WV:.*]] = graph.load @d.kernel.v
// CHECK-NEXT:      graph.adam_update %[[W]], %[[GW]], %[[STEP]], %[[WM]], %[[WV]]
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = adam, lr = 2.0e-3, beta_1 = 0.8, beta_2 = 0.999, epsilon = 1.0e-7, decay = 1.0e-2>>} {
  graph.variable @d.kernel : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @d.bias : tensor<2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 1 : i64}
  func.func @train_step(%gw: tensor<3x2xf32>, %gb: tensor<2xf32>, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<2xf32> {graph.gradient_of = @d.bias}, tensor<3x2xf32> {graph.gradient_of = @d.kernel}) {
    return %gb, %gw : tensor<2xf32>, tensor<3x2xf32>
  }
}

// -----

// expected-error @+1 {{needs @train_step and a #graph.training attribute 'kcc.training'}}
module {
  func.func @train_step(%g: tensor<3x2xf32>) -> tensor<3x2xf32> {
    return %g : tensor<3x2xf32>
  }
}

// -----

// expected-error @+1 {{needs @train_step and a #graph.training attribute 'kcc.training'}}
module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02>>} {
  func.func @forward(%g: tensor<3x2xf32>) -> tensor<3x2xf32> {
    return %g : tensor<3x2xf32>
  }
}

//
