//===- InferShapes.cpp - graph-infer-shapes -------------------------------===//
//
// Algorithm:
//   1. Put every op with an unranked result on a worklist.
//   2. Pop an op whose operands are all ranked; ask its shape rule for its
//      result types. A rule's failure is a user error and stops the pass.
//   3. Repeat until the worklist is empty or no op can make progress; ops
//      left over are reported.
//   4. Rewrite each function's result types from its return operands.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "llvm/ADT/SetVector.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHINFERSHAPES
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;

namespace {

bool hasUnrankedResult(Operation *op) {
  return llvm::any_of(op->getResultTypes(),
                      [](Type t) { return llvm::isa<UnrankedTensorType>(t); });
}

bool allOperandsRanked(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return !llvm::isa<UnrankedTensorType>(t); });
}

struct GraphInferShapesPass
    : public kcc::impl::GraphInferShapesBase<GraphInferShapesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(inferFunction(func)))
        return signalPassFailure();
  }

  LogicalResult inferFunction(func::FuncOp func) {
    llvm::SetVector<Operation *> worklist;
    func.walk([&](Operation *op) {
      if (hasUnrankedResult(op))
        worklist.insert(op);
    });
    while (!worklist.empty()) {
      auto ready = llvm::find_if(worklist, allOperandsRanked);
      if (ready == worklist.end())
        break;
      Operation *op = *ready;
      worklist.remove(op);
      auto shaped = dyn_cast<graph::ShapeInferenceOpInterface>(op);
      if (!shaped)
        return op->emitError("unable to infer the shape of an op without a shape rule");
      if (failed(shaped.inferShapes()))
        return failure();
    }
    if (!worklist.empty()) {
      worklist.front()->emitError()
          << "shape could not be inferred (" << worklist.size()
          << " ops left without static shapes)";
      return failure();
    }
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
    return success();
  }
};

} // namespace
