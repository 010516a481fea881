// RUN: kcc-opt --split-input-file --graph-lower-to-exec -verify-diagnostics %s | FileCheck %s

// A fused MLP training step (Dense relu -> Dropout -> Dense -> softmax,
// RMSprop) and its eval step.
//  - step inputs, variables and returned values become named persistent
//    buffers with their kinds; other values transient ones;
//  - library ops become exec calls; elementwise ops and fused groups become
//    `elementwise` kernels; loss and accuracy reduce serially;
//  - the optimizer updates write straight into the variables' buffers.

// CHECK-LABEL: func.func @train_step()
// CHECK-SAME:    attributes {exec.inputs = ["x:x"], exec.program}
// CHECK-DAG:     %[[X:.*]] = exec.alloc {kind = #exec.kind<input>, name = "x:x", role = #graph.step_role<input>} : <4x6xf32>
// CHECK-DAG:     %[[T:.*]] = exec.alloc {kind = #exec.kind<input>, name = "target", role = #graph.step_role<target>} : <4x3xf32>
// CHECK-DAG:     %[[M:.*]] = exec.alloc {kind = #exec.kind<input>, name = "mask", role = #graph.step_role<mask>} : <4xf32>
// CHECK-DAG:     %[[SEED:.*]] = exec.alloc {kind = #exec.kind<input>, name = "seed", role = #graph.step_role<seed>} : <i64>
// CHECK-DAG:     %[[STEP:.*]] = exec.alloc {kind = #exec.kind<input>, name = "step", role = #graph.step_role<step>} : <i64>
// CHECK-DAG:     %[[W1:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "d1.kernel"} : <6x5xf32>
// CHECK-DAG:     %[[B1:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "d1.bias"} : <5xf32>
// CHECK-DAG:     %[[W2:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "d2.kernel"} : <5x3xf32>
// CHECK-DAG:     %[[A1:.*]] = exec.alloc {kind = #exec.kind<optimizer_state>, name = "d1.kernel.accumulator"} : <6x5xf32>
// CHECK-DAG:     %[[A2:.*]] = exec.alloc {kind = #exec.kind<optimizer_state>, name = "d2.kernel.accumulator"} : <5x3xf32>
// CHECK-DAG:     %[[LOSS:.*]] = exec.alloc {kind = #exec.kind<output>, name = "loss", role = #graph.step_role<loss>} : <f32>
// CHECK-DAG:     %[[CORRECT:.*]] = exec.alloc {kind = #exec.kind<output>, name = "correct", role = #graph.step_role<correct>} : <f32>
// CHECK-DAG:     %[[PRED:.*]] = exec.alloc {kind = #exec.kind<output>, name = "pred", role = #graph.step_role<pred>} : <4x3xf32>
// CHECK:         %[[H:.*]] = exec.alloc {kind = #exec.kind<activation>} : <4x5xf32>
// CHECK-NEXT:    exec.matmul ins(%[[X]], %[[W1]], %[[B1]] : !exec.buffer<4x6xf32>, !exec.buffer<6x5xf32>, !exec.buffer<5xf32>) outs(%[[H]] : !exec.buffer<4x5xf32>) {activation = #graph.activation<relu>, k = 6 : i64, m = 4 : i64, n = 5 : i64}
// CHECK-NEXT:    %[[D:.*]] = exec.alloc {kind = #exec.kind<activation>} : <4x5xf32>
// CHECK-NEXT:    exec.kernel ins(%[[H]], %[[SEED]], %[[STEP]] : {{.*}}) outs(%[[D]] : !exec.buffer<4x5xf32>) {domain = 20 : i64, elementwise, kernel = @dropout_1_0, position_dependent}
// CHECK-NEXT:    %[[Z:.*]] = exec.alloc {kind = #exec.kind<activation>} : <4x3xf32>
// CHECK-NEXT:    exec.matmul ins(%[[D]], %[[W2]] : {{.*}}) outs(%[[Z]] : !exec.buffer<4x3xf32>) {k = 5 : i64, m = 4 : i64, n = 3 : i64}
// The prediction is computed straight into the named output.
// CHECK-NEXT:    exec.kernel ins(%[[Z]] : !exec.buffer<4x3xf32>) outs(%[[PRED]] : !exec.buffer<4x3xf32>) {domain = 4 : i64, kernel = @d2_softmax_0}
// CHECK-NEXT:    exec.kernel ins(%[[PRED]], %[[T]], %[[M]] : {{.*}}) outs(%[[LOSS]] : !exec.buffer<f32>) {domain = 1 : i64, kernel = @loss_0, serial}
// CHECK-NEXT:    exec.kernel ins(%[[PRED]], %[[T]], %[[M]] : {{.*}}) outs(%[[CORRECT]] : !exec.buffer<f32>) {domain = 1 : i64, kernel = @accuracy_0, serial}
// Backward values are gradients.
// CHECK-NEXT:    %[[ONE:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <f32>
// CHECK-NEXT:    exec.fill ins() outs(%[[ONE]] : !exec.buffer<f32>) {value = 1.000000e+00 : f64}
// CHECK-NEXT:    %[[DP:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <4x3xf32>
// CHECK-NEXT:    exec.kernel ins(%[[PRED]], %[[T]], %[[M]], %[[ONE]] : {{.*}}) outs(%[[DP]] : {{.*}}) {domain = 4 : i64, kernel = @loss_grad_0}
// CHECK-NEXT:    %[[DZ:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <4x3xf32>
// CHECK-NEXT:    exec.kernel ins(%[[DP]], %[[PRED]] : {{.*}}) outs(%[[DZ]] : {{.*}}) {domain = 4 : i64, kernel = @d2_softmax_grad_0}
// CHECK-NEXT:    %[[DD:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <4x5xf32>
// CHECK-NEXT:    exec.matmul ins(%[[DZ]], %[[W2]] : {{.*}}) outs(%[[DD]] : {{.*}}) {k = 3 : i64, m = 4 : i64, n = 5 : i64, transpose_b}
// CHECK-NEXT:    %[[DW2:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <5x3xf32>
// CHECK-NEXT:    exec.matmul ins(%[[D]], %[[DZ]] : {{.*}}) outs(%[[DW2]] : {{.*}}) {k = 4 : i64, m = 5 : i64, n = 3 : i64, transpose_a}
// CHECK-NEXT:    %[[DH:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <4x5xf32>
// CHECK-NEXT:    exec.kernel ins(%[[DD]], %[[SEED]], %[[STEP]], %[[H]] : {{.*}}) outs(%[[DH]] : {{.*}}) {domain = 20 : i64, elementwise, kernel = @dropout_1_1, position_dependent}
// CHECK-NEXT:    %[[DW1:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <6x5xf32>
// CHECK-NEXT:    exec.matmul ins(%[[X]], %[[DH]] : {{.*}}) outs(%[[DW1]] : {{.*}}) {k = 4 : i64, m = 6 : i64, n = 5 : i64, transpose_a}
// In-place updates: the outputs are the variables' own buffers.
// CHECK-NEXT:    exec.kernel ins(%[[W2]], %[[DW2]], %[[STEP]], %[[A2]] : {{.*}}) outs(%[[W2]], %[[A2]] : !exec.buffer<5x3xf32>, !exec.buffer<5x3xf32>) {domain = 15 : i64, elementwise, kernel = @d2_0}
// CHECK-NEXT:    exec.kernel ins(%[[W1]], %[[DW1]], %[[STEP]], %[[A1]] : {{.*}}) outs(%[[W1]], %[[A1]] : !exec.buffer<6x5xf32>, !exec.buffer<6x5xf32>) {domain = 30 : i64, elementwise, kernel = @d1_0}
// CHECK-NOT:     @copy
// CHECK-NEXT:    return

// The eval program shares the persistent names.
// CHECK-LABEL: func.func @eval_step()
// CHECK-SAME:    attributes {exec.inputs = ["x:x"], exec.program}
// CHECK-DAG:     exec.alloc {kind = #exec.kind<weight>, name = "d1.kernel"} : <6x5xf32>
// CHECK-DAG:     exec.alloc {kind = #exec.kind<output>, name = "loss", role = #graph.step_role<loss>} : <f32>
// CHECK-NOT:     name = "seed"
// CHECK-NOT:     name = "pred"
// CHECK:         exec.matmul
// CHECK:         return

// Kernels are private funcs on flat memrefs plus [begin, end) (argument
// attributes such as llvm.noalias are not pinned here).
// CHECK:       func.func private @dropout_1_0(%{{.*}}: memref<20xf32>{{[^,]*}}, %{{.*}}: memref<1xi64>{{[^,]*}}, %{{.*}}: memref<1xi64>{{[^,]*}}, %{{.*}}: memref<20xf32>{{[^,]*}}, %{{.*}}: index, %{{.*}}: index) attributes {exec.kernel}
// CHECK:         scf.for
// CHECK:       func.func private @d2_0(%{{.*}}: memref<15xf32>{{[^,]*}}, %{{.*}}: memref<15xf32>{{[^,]*}}, %{{.*}}: memref<1xi64>{{[^,]*}}, %{{.*}}: memref<15xf32>{{[^,]*}}, %{{.*}}: memref<15xf32>{{[^,]*}}, %{{.*}}: memref<15xf32>{{[^,]*}}, %{{.*}}: index, %{{.*}}: index) attributes {exec.kernel}
// CHECK:         math.sqrt
// The graph functions are gone.
// CHECK-NOT:   func.func @train_step.graph
// CHECK-NOT:   func.func @forward
// CHECK-NOT:   graph.matmul
#d1 = loc("d1")
#d2 = loc("d2")
#drop = loc("dropout_1")
module {
  graph.variable @d1.kernel : tensor<6x5xf32> {init = #graph.init<"zeros", {}>, layer = "d1", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @d1.kernel.accumulator : tensor<6x5xf32> {init = #graph.init<"zeros", {}>, layer = "d1", role = #graph.role<optimizer_state>}
  graph.variable @d1.bias : tensor<5xf32> {init = #graph.init<"zeros", {}>, layer = "d1", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @d2.kernel : tensor<5x3xf32> {init = #graph.init<"zeros", {}>, layer = "d2", role = #graph.role<weight>, weight_index = 2 : i64}
  graph.variable @d2.kernel.accumulator : tensor<5x3xf32> {init = #graph.init<"zeros", {}>, layer = "d2", role = #graph.role<optimizer_state>}
  func.func @forward(%x: tensor<4x6xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %seed: tensor<i64> {kcc.role = #graph.step_role<seed>}, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> tensor<4x6xf32> {
    return %x : tensor<4x6xf32>
  }
  func.func @train_step(%arg0: tensor<4x6xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}, %arg1: tensor<4x3xf32> {kcc.role = #graph.step_role<target>}, %arg2: tensor<4xf32> {kcc.role = #graph.step_role<mask>}, %arg3: tensor<i64> {kcc.role = #graph.step_role<seed>}, %arg4: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<f32>, tensor<f32>, tensor<4x3xf32>) {
    %0 = graph.load @d1.kernel : tensor<6x5xf32> loc(#d1)
    %1 = graph.load @d1.bias : tensor<5xf32> loc(#d1)
    %2 = graph.matmul %arg0, %0, %1 {activation = #graph.activation<relu>} : (tensor<4x6xf32>, tensor<6x5xf32>, tensor<5xf32>) -> tensor<4x5xf32> loc(#d1)
    %3 = graph.dropout %2, %arg3, %arg4 {rate = 5.000000e-01 : f64, stream = 7 : i64} : (tensor<4x5xf32>, tensor<i64>, tensor<i64>) -> tensor<4x5xf32> loc(#drop)
    %4 = graph.load @d2.kernel : tensor<5x3xf32> loc(#d2)
    %5 = graph.matmul %3, %4 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32> loc(#d2)
    %6 = graph.softmax %5 : (tensor<4x3xf32>) -> tensor<4x3xf32> loc(#d2)
    %7 = graph.cross_entropy %6, %arg1, %arg2 {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
    %8 = graph.accuracy %6, %arg1, %arg2 : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
    %cst = arith.constant dense<1.000000e+00> : tensor<f32>
    %9 = graph.cross_entropy_grad %6, %arg1, %arg2, %cst {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4x3xf32>
    %10 = graph.softmax_grad %9, %6 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32> loc(#d2)
    %11 = graph.matmul %10, %4 {transpose_b} : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5xf32> loc(#d2)
    %12 = graph.matmul %3, %10 {transpose_a} : (tensor<4x5xf32>, tensor<4x3xf32>) -> tensor<5x3xf32> loc(#d2)
    %13 = graph.fused %11, %arg3, %arg4, %2 : (tensor<4x5xf32>, tensor<i64>, tensor<i64>, tensor<4x5xf32>) -> tensor<4x5xf32> {
    ^bb0(%arg5: tensor<4x5xf32>, %arg6: tensor<i64>, %arg7: tensor<i64>, %arg8: tensor<4x5xf32>):
      %22 = graph.dropout %arg5, %arg6, %arg7 {rate = 5.000000e-01 : f64, stream = 7 : i64} : (tensor<4x5xf32>, tensor<i64>, tensor<i64>) -> tensor<4x5xf32>
      %23 = graph.activation_grad %22, %arg8 {kind = #graph.activation<relu>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
      graph.yield %23 : tensor<4x5xf32>
    } loc(fused[#drop, #d1])
    %15 = graph.matmul %arg0, %13 {transpose_a} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<6x5xf32> loc(#d1)
    %16 = graph.load @d2.kernel : tensor<5x3xf32> loc(#d2)
    %17 = graph.load @d2.kernel.accumulator : tensor<5x3xf32> loc(#d2)
    %new_param, %new_accumulator = graph.rmsprop_update %16, %12, %arg4, %17 {decay = 0.000000e+00 : f64, epsilon = 1.000000e-08 : f64, keras = #graph.keras<keras2>, lr = 1.000000e-03 : f64, rho = 9.000000e-01 : f64} : (tensor<5x3xf32>, tensor<5x3xf32>, tensor<i64>, tensor<5x3xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>) loc(#d2)
    graph.store %new_param, @d2.kernel : tensor<5x3xf32> loc(#d2)
    graph.store %new_accumulator, @d2.kernel.accumulator : tensor<5x3xf32> loc(#d2)
    %20 = graph.load @d1.kernel : tensor<6x5xf32> loc(#d1)
    %21 = graph.load @d1.kernel.accumulator : tensor<6x5xf32> loc(#d1)
    %new_param_2, %new_accumulator_3 = graph.rmsprop_update %20, %15, %arg4, %21 {decay = 0.000000e+00 : f64, epsilon = 1.000000e-08 : f64, keras = #graph.keras<keras2>, lr = 1.000000e-03 : f64, rho = 9.000000e-01 : f64} : (tensor<6x5xf32>, tensor<6x5xf32>, tensor<i64>, tensor<6x5xf32>) -> (tensor<6x5xf32>, tensor<6x5xf32>) loc(#d1)
    graph.store %new_param_2, @d1.kernel : tensor<6x5xf32> loc(#d1)
    graph.store %new_accumulator_3, @d1.kernel.accumulator : tensor<6x5xf32> loc(#d1)
    return %7, %8, %6 : tensor<f32>, tensor<f32>, tensor<4x3xf32>
  }
  func.func @eval_step(%arg0: tensor<4x6xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}, %arg1: tensor<4x3xf32> {kcc.role = #graph.step_role<target>}, %arg2: tensor<4xf32> {kcc.role = #graph.step_role<mask>}) -> (tensor<f32>, tensor<f32>) {
    %0 = graph.load @d1.kernel : tensor<6x5xf32>
    %1 = graph.load @d1.bias : tensor<5xf32>
    %2 = graph.matmul %arg0, %0, %1 {activation = #graph.activation<relu>} : (tensor<4x6xf32>, tensor<6x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
    %3 = graph.load @d2.kernel : tensor<5x3xf32>
    %4 = graph.matmul %2, %3 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
    %5 = graph.softmax %4 : (tensor<4x3xf32>) -> tensor<4x3xf32>
    %6 = graph.cross_entropy %5, %arg1, %arg2 {epsilon = 1.0e-07 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
    %7 = graph.accuracy %5, %arg1, %arg2 : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
    return %6, %7 : tensor<f32>, tensor<f32>
  }
}

// -----

// LSTM: the input is transposed to time-major, one matmul computes
// x_t W + b for all T*N rows, lstm_forward runs the recurrence with a
// generated cell kernel, and the last h is a view of hidden slot T
// (offset T*N*U = 5*4*2 = 40). Backward: one lstm_backward(R, gates, c, dy,
// x, h) that also sums the weight gradients dW, dR, db over the steps.
// The input is not varied: no input gradient.

// CHECK-LABEL: func.func @train_step()
// CHECK-DAG:     %[[X:.*]] = exec.alloc {kind = #exec.kind<input>, name = "x:x", role = #graph.step_role<input>} : <4x5x3xf32>
// CHECK-DAG:     %[[W:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "lstm.kernel"} : <3x8xf32>
// CHECK-DAG:     %[[R:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "lstm.recurrent_kernel"} : <2x8xf32>
// CHECK-DAG:     %[[B:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "lstm.bias"} : <8xf32>
// CHECK-DAG:     %[[PRED:.*]] = exec.alloc {kind = #exec.kind<output>, name = "pred", role = #graph.step_role<pred>} : <4x2xf32>
// CHECK:         %[[XT:.*]] = exec.alloc {kind = #exec.kind<activation>} : <5x4x3xf32>
// CHECK-NEXT:    exec.kernel ins(%[[X]] : !exec.buffer<4x5x3xf32>) outs(%[[XT]] : !exec.buffer<5x4x3xf32>) {domain = 20 : i64, kernel = @transpose_0}
// CHECK-NEXT:    %[[G:.*]] = exec.alloc {kind = #exec.kind<activation>} : <5x4x8xf32>
// CHECK-NEXT:    exec.matmul ins(%[[XT]], %[[W]], %[[B]] : {{.*}}) outs(%[[G]] : !exec.buffer<5x4x8xf32>) {k = 3 : i64, m = 20 : i64, n = 8 : i64}
// CHECK-NEXT:    %[[H:.*]] = exec.alloc {kind = #exec.kind<activation>} : <6x4x2xf32>
// CHECK-NEXT:    %[[C:.*]] = exec.alloc {kind = #exec.kind<activation>} : <6x4x2xf32>
// CHECK-NEXT:    exec.lstm_forward ins(%[[R]] : !exec.buffer<2x8xf32>) outs(%[[G]], %[[H]], %[[C]] : {{.*}}) {batch = 4 : i64, cell = @lstm_cell_0, steps = 5 : i64, units = 2 : i64}
// CHECK-NEXT:    %[[LAST:.*]] = exec.view %[[H]] {offset = 40 : i64} : <6x4x2xf32> to <4x2xf32>
// CHECK-NEXT:    exec.kernel ins(%[[LAST]] : !exec.buffer<4x2xf32>) outs(%[[PRED]] : !exec.buffer<4x2xf32>)
// CHECK:         exec.kernel ins(%{{.*}}, %[[PRED]] : {{.*}}) outs(%[[DY:[0-9]+]] : {{.*}}) {domain = 4 : i64, kernel = @lstm_softmax_grad_0}
// CHECK-NEXT:    %[[DG:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <5x4x8xf32>
// CHECK-NEXT:    %[[DH:.*]] = exec.alloc {kind = #exec.kind<workspace>} : <4x2xf32>
// CHECK-NEXT:    %[[DC:.*]] = exec.alloc {kind = #exec.kind<workspace>} : <4x2xf32>
// CHECK-NEXT:    %[[DW:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <3x8xf32>
// CHECK-NEXT:    %[[DR:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <2x8xf32>
// CHECK-NEXT:    %[[DB:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <8xf32>
// CHECK-NEXT:    exec.lstm_backward ins(%[[R]], %[[G]], %[[C]], %[[DY]], %[[XT]], %[[H]] : {{.*}}) outs(%[[DG]], %[[DH]], %[[DC]], %[[DW]], %[[DR]], %[[DB]] : {{.*}}) {batch = 4 : i64, cell = @lstm_cell_grad_0, steps = 5 : i64, units = 2 : i64}
// CHECK-NOT:     transpose_b
// CHECK-NEXT:    exec.kernel ins(%[[B]], %[[DB]], %{{.*}} : {{.*}}) outs(%[[B]] : !exec.buffer<8xf32>) {domain = 8 : i64, elementwise, kernel = @lstm_0}
// CHECK-NEXT:    exec.kernel ins(%[[R]], %[[DR]], %{{.*}} : {{.*}}) outs(%[[R]] : !exec.buffer<2x8xf32>) {domain = 16 : i64, elementwise, kernel = @lstm_1}
// CHECK-NEXT:    exec.kernel ins(%[[W]], %[[DW]], %{{.*}} : {{.*}}) outs(%[[W]] : !exec.buffer<3x8xf32>) {domain = 24 : i64, elementwise, kernel = @lstm_2}
// The cells take one step's slices: gates [N*4U], c_prev, c_next, h_next [N*U]
// (argument attributes are not pinned).
// CHECK:       func.func private @lstm_cell_0(%{{.*}}: memref<32xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: index, %{{.*}}: index) attributes {exec.kernel}
// CHECK:       func.func private @lstm_cell_grad_0(%{{.*}}: memref<32xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<8xf32>{{[^,]*}}, %{{.*}}: memref<32xf32>{{[^,]*}}, %{{.*}}: index, %{{.*}}: index) attributes {exec.kernel}
#lstm = loc("lstm")
module {
  graph.variable @lstm.kernel : tensor<3x8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @lstm.recurrent_kernel : tensor<2x8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @lstm.bias : tensor<8xf32> {init = #graph.init<"zeros", {}>, layer = "lstm", role = #graph.role<weight>, weight_index = 2 : i64}
  func.func @train_step(%arg0: tensor<4x5x3xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}, %arg1: tensor<4x2xf32> {kcc.role = #graph.step_role<target>}, %arg2: tensor<4xf32> {kcc.role = #graph.step_role<mask>}, %arg3: tensor<i64> {kcc.role = #graph.step_role<seed>}, %arg4: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<f32>, tensor<f32>, tensor<4x2xf32>) {
    %0 = graph.load @lstm.kernel : tensor<3x8xf32> loc(#lstm)
    %1 = graph.load @lstm.recurrent_kernel : tensor<2x8xf32> loc(#lstm)
    %2 = graph.load @lstm.bias : tensor<8xf32> loc(#lstm)
    %3 = graph.lstm %arg0, %0, %1, %2 {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x2xf32> loc(#lstm)
    %4 = graph.softmax %3 : (tensor<4x2xf32>) -> tensor<4x2xf32> loc(#lstm)
    %5 = graph.cross_entropy %4, %arg1, %arg2 {epsilon = 1.0e-07 : f64} : (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<f32>
    %6 = graph.accuracy %4, %arg1, %arg2 : (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<f32>
    %cst = arith.constant dense<1.000000e+00> : tensor<f32>
    %7 = graph.cross_entropy_grad %4, %arg1, %arg2, %cst {epsilon = 1.0e-07 : f64} : (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4x2xf32>
    %8 = graph.softmax_grad %7, %4 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32> loc(#lstm)
    %kernel_grad, %recurrent_kernel_grad, %bias_grad = graph.lstm_backward %arg0, %0, %1, %2, %3, %8 {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> (tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) loc(#lstm)
    %9 = graph.load @lstm.bias : tensor<8xf32> loc(#lstm)
    %new_param = graph.sgd_update %9, %bias_grad, %arg4 {decay = 0.000000e+00 : f64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64} : (tensor<8xf32>, tensor<8xf32>, tensor<i64>) -> tensor<8xf32> loc(#lstm)
    graph.store %new_param, @lstm.bias : tensor<8xf32> loc(#lstm)
    %10 = graph.load @lstm.recurrent_kernel : tensor<2x8xf32> loc(#lstm)
    %new_param_0 = graph.sgd_update %10, %recurrent_kernel_grad, %arg4 {decay = 0.000000e+00 : f64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64} : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<i64>) -> tensor<2x8xf32> loc(#lstm)
    graph.store %new_param_0, @lstm.recurrent_kernel : tensor<2x8xf32> loc(#lstm)
    %11 = graph.load @lstm.kernel : tensor<3x8xf32> loc(#lstm)
    %new_param_1 = graph.sgd_update %11, %kernel_grad, %arg4 {decay = 0.000000e+00 : f64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64} : (tensor<3x8xf32>, tensor<3x8xf32>, tensor<i64>) -> tensor<3x8xf32> loc(#lstm)
    graph.store %new_param_1, @lstm.kernel : tensor<3x8xf32> loc(#lstm)
    return %5, %6, %4 : tensor<f32>, tensor<f32>, tensor<4x2xf32>
  }
}

// -----

// LSTM with return_sequences whose input is varied: the output is the
// hidden states from slot 1 on, transposed back to batch-major; backward
// transposes dy to time-major, flags return_sequences, and computes the
// input gradient as dgates W^T (a transpose_b matmul over T*N rows)
// transposed back to [N, T, C] straight into the returned buffer.

// CHECK-LABEL: func.func @train_step()
// CHECK:         %[[PRED:.*]] = exec.alloc {kind = #exec.kind<output>, name = "pred", role = #graph.step_role<pred>} : <4x5x3xf32>
// CHECK:         exec.lstm_forward ins(%{{.*}}) outs(%{{.*}}, %[[H:.*]], %{{.*}} : {{.*}}) {batch = 4 : i64, cell = @seq_cell_0, steps = 5 : i64, units = 2 : i64}
// CHECK-NEXT:    %[[Y:.*]] = exec.alloc {kind = #exec.kind<activation>} : <4x5x2xf32>
// CHECK-NEXT:    exec.kernel ins(%[[H]] : !exec.buffer<6x4x2xf32>) outs(%[[Y]] : !exec.buffer<4x5x2xf32>) {domain = 20 : i64, kernel = @transpose_1}
// CHECK:         %[[DYT:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <5x4x2xf32>
// CHECK-NEXT:    exec.kernel ins(%{{.*}} : !exec.buffer<4x5x2xf32>) outs(%[[DYT]] : !exec.buffer<5x4x2xf32>) {domain = 20 : i64, kernel = @transpose_2}
// CHECK:         exec.lstm_backward ins(%{{.*}}, %{{.*}}, %{{.*}}, %[[DYT]], %{{.*}}, %{{.*}} : {{.*}}) outs(%[[DG:[0-9]+]], %{{.*}} : {{.*}}) {batch = 4 : i64, cell = @seq_cell_grad_0, return_sequences, steps = 5 : i64, units = 2 : i64}
// CHECK:         %[[DXT:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <5x4x3xf32>
// CHECK-NEXT:    exec.matmul ins(%[[DG]], %{{.*}} : !exec.buffer<5x4x8xf32>, !exec.buffer<3x8xf32>) outs(%[[DXT]] : {{.*}}) {k = 8 : i64, m = 20 : i64, n = 3 : i64, transpose_b}
// CHECK-NEXT:    exec.kernel ins(%[[DXT]] : !exec.buffer<5x4x3xf32>) outs(%[[PRED]] : !exec.buffer<4x5x3xf32>) {domain = 20 : i64, kernel = @transpose_3}
#seq = loc("seq")
module {
  graph.variable @seq.kernel : tensor<3x8xf32> {init = #graph.init<"zeros", {}>, layer = "seq", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @seq.recurrent_kernel : tensor<2x8xf32> {init = #graph.init<"zeros", {}>, layer = "seq", role = #graph.role<weight>, weight_index = 1 : i64}
  graph.variable @seq.bias : tensor<8xf32> {init = #graph.init<"zeros", {}>, layer = "seq", role = #graph.role<weight>, weight_index = 2 : i64}
  func.func @train_step(%x: tensor<4x5x3xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}, %dy: tensor<4x5x2xf32> {kcc.role = #graph.step_role<target>}) -> (tensor<f32>, tensor<f32>, tensor<4x5x3xf32>) {
    %w = graph.load @seq.kernel : tensor<3x8xf32> loc(#seq)
    %u = graph.load @seq.recurrent_kernel : tensor<2x8xf32> loc(#seq)
    %b = graph.load @seq.bias : tensor<8xf32> loc(#seq)
    %h = graph.lstm %x, %w, %u, %b {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>, return_sequences, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x5x2xf32> loc(#seq)
    %l = graph.reduce_sum %h {axes = array<i64: 0, 1, 2>} : (tensor<4x5x2xf32>) -> tensor<f32>
    %dx, %dk, %du, %db = graph.lstm_backward %x, %w, %u, %b, %h, %dy {activation = #graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>, return_sequences, units = 2 : i64} : (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<4x5x2xf32>, tensor<4x5x2xf32>) -> (tensor<4x5x3xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<8xf32>) loc(#seq)
    %c = graph.reduce_sum %dk {axes = array<i64: 0, 1>} : (tensor<3x8xf32>) -> tensor<f32>
    return %l, %c, %dx : tensor<f32>, tensor<f32>, tensor<4x5x3xf32>
  }
}

// -----

// Conv (same padding, stride 2 on 6x6: 3x3 output, 1 row/column of padding
// after) -> max pool -> flatten (a view, no copy) -> returned prediction
// (copied into the named output because a view is not its own buffer).
// With a max_pool2d_backward reading it, the forward pool runs in training
// mode with an i8 workspace output that the backward reads.

// CHECK-LABEL: func.func @train_step()
// CHECK-DAG:     %[[X:.*]] = exec.alloc {kind = #exec.kind<input>, name = "x:img", role = #graph.step_role<input>} : <2x6x6x1xf32>
// CHECK-DAG:     %[[F:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "c.kernel"} : <3x3x1x4xf32>
// CHECK-DAG:     %[[PRED:.*]] = exec.alloc {kind = #exec.kind<output>, name = "pred", role = #graph.step_role<pred>} : <2x4xf32>
// CHECK:         %[[Y:.*]] = exec.alloc {kind = #exec.kind<activation>} : <2x3x3x4xf32>
// CHECK-NEXT:    exec.conv2d ins(%[[X]], %[[F]], %{{.*}} : {{.*}}) outs(%[[Y]] : {{.*}}) {activation = #graph.activation<relu>, batch = 2 : i64, data_format = #graph.data_format<channels_last>, dilations = array<i64: 1, 1>, in_channels = 1 : i64, in_height = 6 : i64, in_width = 6 : i64, kernel_height = 3 : i64, kernel_width = 3 : i64, out_channels = 4 : i64, out_height = 3 : i64, out_width = 3 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NEXT:    %[[P:.*]] = exec.alloc {kind = #exec.kind<activation>} : <2x1x1x4xf32>
// CHECK-NEXT:    %[[WS:.*]] = exec.alloc {kind = #exec.kind<workspace>} : <2x1x1x4xi8>
// CHECK-NEXT:    exec.max_pool2d ins(%[[Y]] : {{.*}}) outs(%[[P]], %[[WS]] : !exec.buffer<2x1x1x4xf32>, !exec.buffer<2x1x1x4xi8>) {batch = 2 : i64, channels = 4 : i64, data_format = #graph.data_format<channels_last>, in_height = 3 : i64, in_width = 3 : i64, out_height = 1 : i64, out_width = 1 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
// CHECK-NEXT:    %[[V:.*]] = exec.view %[[P]] {offset = 0 : i64} : <2x1x1x4xf32> to <2x4xf32>
// CHECK:         exec.max_pool2d_backward ins(%{{.*}}, %[[WS]] : !exec.buffer<2x1x1x4xf32>, !exec.buffer<2x1x1x4xi8>) outs(%[[DY:.*]] : !exec.buffer<2x3x3x4xf32>)
// CHECK:         exec.conv2d_backward_data ins(%[[DY]], %[[F]] : {{.*}}) outs(%{{.*}} : !exec.buffer<2x6x6x1xf32>) {{{.*}}pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NEXT:    %[[DF:.*]] = exec.alloc {kind = #exec.kind<gradient>} : <3x3x1x4xf32>
// CHECK-NEXT:    exec.conv2d_backward_filter ins(%[[X]], %[[DY]] : {{.*}}) outs(%[[DF]] : {{.*}})
// CHECK-NEXT:    exec.kernel ins(%[[DF]] : {{.*}}) outs(%{{.*}} : !exec.buffer<f32>)
// CHECK-NEXT:    exec.kernel ins(%[[V]] : !exec.buffer<2x4xf32>) outs(%[[PRED]] : !exec.buffer<2x4xf32>) {domain = 8 : i64, elementwise, kernel = @copy_0}
// CHECK-NEXT:    return
#c = loc("c")
#pool = loc("pool")
module {
  graph.variable @c.kernel : tensor<3x3x1x4xf32> {init = #graph.init<"zeros", {}>, layer = "c", role = #graph.role<weight>, weight_index = 0 : i64}
  graph.variable @c.bias : tensor<4xf32> {init = #graph.init<"zeros", {}>, layer = "c", role = #graph.role<weight>, weight_index = 1 : i64}
  func.func @train_step(%x: tensor<2x6x6x1xf32> {kcc.name = "img", kcc.role = #graph.step_role<input>}, %g: tensor<2x1x1x4xf32> {kcc.role = #graph.step_role<target>}) -> (tensor<f32>, tensor<f32>, tensor<2x4xf32>) {
    %w = graph.load @c.kernel : tensor<3x3x1x4xf32> loc(#c)
    %b = graph.load @c.bias : tensor<4xf32> loc(#c)
    %y = graph.conv2d %x, %w, %b {activation = #graph.activation<relu>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x6x6x1xf32>, tensor<3x3x1x4xf32>, tensor<4xf32>) -> tensor<2x3x3x4xf32> loc(#c)
    %p = graph.max_pool2d %y {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x3x3x4xf32>) -> tensor<2x1x1x4xf32> loc(#pool)
    %f = graph.reshape %p {shape = array<i64: 2, -1>} : (tensor<2x1x1x4xf32>) -> tensor<2x4xf32> loc(#pool)
    %l = graph.reduce_sum %f {axes = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<f32>
    %dy = graph.max_pool2d_backward %g, %y, %p {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x1x1x4xf32>, tensor<2x3x3x4xf32>, tensor<2x1x1x4xf32>) -> tensor<2x3x3x4xf32> loc(#pool)
    %dx = graph.conv2d_backward_data %dy, %w {input_shape = array<i64: 2, 6, 6, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x3x3x4xf32>, tensor<3x3x1x4xf32>) -> tensor<2x6x6x1xf32> loc(#c)
    %dw = graph.conv2d_backward_filter %x, %dy {filter_shape = array<i64: 3, 3, 1, 4>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = #graph.padding<same>, data_format = #graph.data_format<channels_last>} : (tensor<2x6x6x1xf32>, tensor<2x3x3x4xf32>) -> tensor<3x3x1x4xf32> loc(#c)
    %c = graph.reduce_sum %dw {axes = array<i64: 0, 1, 2, 3>} : (tensor<3x3x1x4xf32>) -> tensor<f32>
    return %l, %c, %f : tensor<f32>, tensor<f32>, tensor<2x4xf32>
  }
}

// -----

// Inference-only pooling (no backward reads it): no workspace.

// CHECK-LABEL: func.func @eval_step()
// CHECK:         exec.max_pool2d ins(%{{.*}} : !exec.buffer<2x4x4x3xf32>) outs(%{{.*}} : !exec.buffer<2x2x2x3xf32>)
// CHECK-NOT:     workspace
module {
  func.func @eval_step(%x: tensor<2x4x4x3xf32> {kcc.name = "img", kcc.role = #graph.step_role<input>}) -> (tensor<f32>, tensor<f32>) {
    %p = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x4x4x3xf32>) -> tensor<2x2x2x3xf32>
    %l = graph.reduce_sum %p {axes = array<i64: 0, 1, 2, 3>} : (tensor<2x2x2x3xf32>) -> tensor<f32>
    return %l, %l : tensor<f32>, tensor<f32>
  }
}

// -----

// Embedding, its scatter-add gradient (serial: rows may repeat), repeat,
// concat, slice and bias_add as generated kernels; integer ids stay i32.

// CHECK-LABEL: func.func @train_step()
// CHECK-DAG:     %[[IDS:.*]] = exec.alloc {kind = #exec.kind<input>, name = "x:words", role = #graph.step_role<input>} : <4x5xi32>
// CHECK-DAG:     %[[T:.*]] = exec.alloc {kind = #exec.kind<weight>, name = "emb.embeddings"} : <10x3xf32>
// CHECK:         exec.kernel ins(%[[IDS]], %[[T]] : !exec.buffer<4x5xi32>, !exec.buffer<10x3xf32>) outs(%{{.*}} : !exec.buffer<4x5x3xf32>) {domain = 20 : i64, kernel = @emb_gather_0}
// CHECK:         exec.kernel ins(%{{.*}} : !exec.buffer<4x3xf32>) outs(%{{.*}} : !exec.buffer<4x2x3xf32>) {domain = 8 : i64, kernel = @rep_repeat_0}
// CHECK:         exec.kernel ins(%{{.*}}, %{{.*}} : !exec.buffer<4x5x3xf32>, !exec.buffer<4x2x3xf32>) outs(%{{.*}} : !exec.buffer<4x7x3xf32>) {domain = 4 : i64, kernel = @cat_concat_0}
// CHECK:         exec.kernel ins(%{{.*}} : !exec.buffer<4x7x3xf32>) outs(%{{.*}} : !exec.buffer<4x2x3xf32>) {domain = {{[0-9]+}} : i64, kernel = @cat_slice_0}
// CHECK:         exec.kernel ins(%{{.*}}, %{{.*}} : !exec.buffer<4x2x3xf32>, !exec.buffer<3xf32>) outs(%{{.*}} : !exec.buffer<4x2x3xf32>) {domain = 24 : i64, kernel = @cat_bias_0}
// CHECK:         exec.kernel ins(%[[IDS]], %{{.*}} : !exec.buffer<4x5xi32>, !exec.buffer<4x5x3xf32>) outs(%{{.*}} : !exec.buffer<10x3xf32>) {domain = 1 : i64, kernel = @emb_scatter_0, serial}
#emb = loc("emb")
#rep = loc("rep")
#cat = loc("cat")
module {
  graph.variable @emb.embeddings : tensor<10x3xf32> {init = #graph.init<"zeros", {}>, layer = "emb", role = #graph.role<weight>, weight_index = 0 : i64}
  func.func @train_step(%ids: tensor<4x5xi32> {kcc.name = "words", kcc.role = #graph.step_role<input>}, %q: tensor<4x3xf32> {kcc.name = "q", kcc.role = #graph.step_role<input>}, %b: tensor<3xf32> {kcc.role = #graph.step_role<target>}, %de: tensor<4x5x3xf32> {kcc.role = #graph.step_role<mask>}) -> (tensor<4x2x3xf32>, tensor<10x3xf32>, tensor<4x7x3xf32>) {
    %t = graph.load @emb.embeddings : tensor<10x3xf32> loc(#emb)
    %e = graph.embedding %ids, %t : (tensor<4x5xi32>, tensor<10x3xf32>) -> tensor<4x5x3xf32> loc(#emb)
    %r = graph.repeat %q {times = 2 : i64} : (tensor<4x3xf32>) -> tensor<4x2x3xf32> loc(#rep)
    %c = graph.concat %e, %r {axis = 1 : i64} : (tensor<4x5x3xf32>, tensor<4x2x3xf32>) -> tensor<4x7x3xf32> loc(#cat)
    %s = graph.slice %c {axis = 1 : i64, start = 5 : i64, size = 2 : i64} : (tensor<4x7x3xf32>) -> tensor<4x2x3xf32> loc(#cat)
    %sb = graph.bias_add %s, %b {axis = -1 : i64} : (tensor<4x2x3xf32>, tensor<3xf32>) -> tensor<4x2x3xf32> loc(#cat)
    %dt = graph.embedding_backward %ids, %de {vocab_size = 10 : i64} : (tensor<4x5xi32>, tensor<4x5x3xf32>) -> tensor<10x3xf32> loc(#emb)
    return %sb, %dt, %c : tensor<4x2x3xf32>, tensor<10x3xf32>, tensor<4x7x3xf32>
  }
}

// -----

// expected-error @+1 {{nothing to lower: no @train_step or @eval_step}}
module {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{argument 1 has no kcc.role}}
  func.func @eval_step(%x: tensor<4xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %y: tensor<4xf32>) -> (tensor<f32>, tensor<f32>) {
    %l = graph.reduce_sum %x {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
    return %l, %l : tensor<f32>, tensor<f32>
  }
}

// -----

module {
  func.func @eval_step(%x: tensor<2xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}) -> (tensor<2xf32>) {
    // expected-error @+1 {{only splat tensor constants can be lowered}}
    %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %s = graph.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %s : tensor<2xf32>
  }
}

// -----

module {
  func.func @eval_step(%x: tensor<2xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}) -> (tensor<2xf32>) {
    // expected-error @+1 {{has no lowering to exec}}
    %s = arith.addf %x, %x : tensor<2xf32>
    return %s : tensor<2xf32>
  }
}

// -----

module {
  func.func @train_step(%x: tensor<2x4x4x1xf32> {kcc.role = #graph.step_role<input>, kcc.name = "x"}, %y: tensor<2x2x2x1xf32> {kcc.role = #graph.step_role<target>}) -> (tensor<2x4x4x1xf32>) {
    // expected-error @+1 {{max_pool2d_backward must follow its forward max_pool2d}}
    %d = graph.max_pool2d_backward %y, %x, %y {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>} : (tensor<2x2x2x1xf32>, tensor<2x4x4x1xf32>, tensor<2x2x2x1xf32>) -> tensor<2x4x4x1xf32>
    return %d : tensor<2x4x4x1xf32>
  }
}
