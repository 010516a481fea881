// Regression (fixed): graph.repeat with a negative `times` is shaped as tensor<4x-2x3xf32> instead of being rejected: RepeatOp::inferShapes tests the uint64_t getTimes() against 1.
//
// Reproduction: kcc-opt --graph-infer-shapes <this file>
//   -> graph.repeat ... -> tensor<4x-2x3xf32>
// Likely fix: RepeatOp::inferShapes (ir/Graph/IR/ops/Shape.cpp): compare
// static_cast<int64_t>(getTimes()) < 1 (or add a verifier).
//
// RUN: kcc-opt --graph-infer-shapes -verify-diagnostics %s

func.func @repeat_negative_times(%x: tensor<4x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.repeat' op times must be positive}}
  %0 = graph.repeat %x {times = -2 : i64} : (tensor<4x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
