// Regression (fixed): graph-apply-optimizer segfaults instead of reporting an error when @train_step has no kcc.role = #graph.step_role<step> argument or when graph.gradient_of names an unknown variable. (A third case, an optimizer without a name, cannot be written since #graph.optimizer is typed.)
//
// Reproduction: kcc-opt --split-input-file --graph-apply-optimizer <this file>
//   (each case alone crashes in GraphApplyOptimizerPass::runOnOperation).
// Likely fix: passes/graph/ApplyOptimizer.cpp, runOnOperation/update: check
// that opt.getAs<StringAttr>("name") is non-null, that the step argument was
// found, and that module.lookupSymbol<VariableOp>(varRef) is non-null, and
// emit a diagnostic + signalPassFailure() otherwise.
//
// RUN: kcc-opt --split-input-file --graph-apply-optimizer -verify-diagnostics %s

module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02, momentum = 0.0, decay = 0.0>>} {
  graph.variable @w : tensor<3x2xf32> {init = #graph.init<"zeros", {}>, layer = "d", role = #graph.role<weight>, weight_index = 0 : i64}
  // expected-error @+1 {{step}}
  func.func @train_step(%g: tensor<3x2xf32>) -> (tensor<3x2xf32> {graph.gradient_of = @w}) {
    return %g : tensor<3x2xf32>
  }
}

// -----

module attributes {kcc.training = #graph.training<loss = categorical_crossentropy, optimizer = <kind = sgd, lr = 1.0e-02, momentum = 0.0, decay = 0.0>>} {
  // expected-error @+1 {{nope}}
  func.func @train_step(%g: tensor<3x2xf32>, %step: tensor<i64> {kcc.role = #graph.step_role<step>}) -> (tensor<3x2xf32> {graph.gradient_of = @nope}) {
    return %g : tensor<3x2xf32>
  }
}

//
