//===- GraphInterfaces.td - op interfaces of the graph dialect ------------===//
//
// Each op family implements these four interfaces in one hand-written file
// (ir/Graph/IR/ops/<Family>.cpp): its shape rule, its gradient rule, its
// scalar body when it fuses into a generated kernel, and a float64 reference
// evaluation used by tests as an independent oracle.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_GRAPH_INTERFACES
#define KCC_GRAPH_INTERFACES

include "mlir/IR/OpBase.td"

def Graph_ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::kcc::graph";
  let description = [{
    Computes static result types from ranked operand types. Called by
    `graph-infer-shapes` once every operand is ranked. Errors in the user's
    model (mismatched shapes) are emitted at the op's location, which carries
    the Keras layer name.
  }];
  let methods = [
    InterfaceMethod<"Set the result types from the operand types.",
      "::mlir::LogicalResult", "inferShapes">,
  ];
}

def Graph_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::kcc::graph";
  let description = [{
    Reverse-mode rule. Given the gradients of the op's results (null where a
    result has none) and which operands need a gradient, builds ops at the
    builder's insertion point and appends one gradient (or null) per operand.
    Library-call ops keep whole-op gradients (conv backward data/filter,
    lstm_backward), never scalar unrolling.
  }];
  let methods = [
    InterfaceMethod<"Build operand gradients.",
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::ArrayRef<bool>":$needGrad,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

def Graph_ElementwiseOpInterface : OpInterface<"ElementwiseOpInterface"> {
  let cppNamespace = "::kcc::graph";
  let description = [{
    An op each of whose result elements i depends only on element i of its
    shaped operands (and on rank-0 "uniform" operands, loaded once per
    kernel). Such ops fuse into one generated loop; `buildScalar` emits the
    per-element body with arith/math ops. `linearIndex` is the i64 position
    of the element in its buffer (dropout keys its random stream on it).
  }];
  let methods = [
    InterfaceMethod<"Emit the scalar computation of element i of every result.",
      "::llvm::SmallVector<::mlir::Value>", "buildScalar",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
           "::mlir::ValueRange":$scalarOperands, "::mlir::Value":$linearIndex)>,
  ];
}

def Graph_ReferenceOpInterface : OpInterface<"ReferenceOpInterface"> {
  let cppNamespace = "::kcc::graph";
  let description = [{
    Plain float64 evaluation, written for clarity rather than speed. It is
    the oracle for finite-difference gradient checks and for checking the
    compiled runtime.
  }];
  let methods = [
    InterfaceMethod<"Evaluate the op on float64 tensors.",
      "::mlir::LogicalResult", "evaluate",
      (ins "::llvm::ArrayRef<const ::kcc::graph::RefTensor *>":$operands,
           "::llvm::SmallVectorImpl<::kcc::graph::RefTensor> &":$results)>,
  ];
}

#endif // KCC_GRAPH_INTERFACES
