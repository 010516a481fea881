// Regression (fixed): graph-lower-to-exec gives every step result after the third ("loss", "correct", "pred") the same nameless output buffer name = "", whatever its size, and copies into it out of bounds (a 6-element copy kernel into a 4-element buffer here) instead of reporting an error.
//
// Reproduction: kcc-opt --graph-lower-to-exec <this file>
//   -> exec.alloc {kind = #exec.kind<output>, name = ""} : <4xf32> written by
//      @copy_1 (domain 4) and @copy_2 (domain 6).
// Likely fix: passes/lowering/LowerGraphToExec.cpp (lowerStep / the ReturnOp
// case of lowerOp and outputName): reject steps with more than three results
// with an error, or give extra results distinct names.
//
// RUN: not kcc-opt --graph-lower-to-exec %s 2>&1 | FileCheck %s
// CHECK: error: @eval_step returns 5 values; a step returns at most (loss, correct, predictions)
// CHECK-NOT: name = ""
// CHECK-NOT: domain = 6 : i64, elementwise, kernel = @copy
module {
  func.func @eval_step(%x: tensor<4xf32> {kcc.name = "x", kcc.role = #graph.step_role<input>}, %y: tensor<2x3xf32> {kcc.role = #graph.step_role<target>}) -> (tensor<f32>, tensor<f32>, tensor<4xf32>, tensor<4xf32>, tensor<2x3xf32>) {
    %l = graph.reduce_sum %x {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
    %a = graph.activation %x {kind = #graph.activation<relu>} : (tensor<4xf32>) -> tensor<4xf32>
    %b = graph.activation %y {kind = #graph.activation<relu>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    return %l, %l, %a, %a, %b : tensor<f32>, tensor<f32>, tensor<4xf32>, tensor<4xf32>, tensor<2x3xf32>
  }
}
