//===- PoolOperands.cpp - exec-cuda-pool-operands -------------------------===//
//
// cuDNN's max pooling backward needs the forward's input and output, not
// the workspace oneDNN fills. Handing them to the call as operands is what
// keeps them alive in the memory plan until the backward has run.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

namespace kcc::codegen {
#define GEN_PASS_DEF_CUDAPOOLOPERANDS
#include "codegen/Passes.h.inc"
} // namespace kcc::codegen

using namespace mlir;
using namespace kcc;
using namespace kcc::exec;

namespace {

struct CudaPoolOperandsPass : public kcc::codegen::impl::CudaPoolOperandsBase<CudaPoolOperandsPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](MaxPool2DBackwardOp backward) {
      if (backward.getInputs().size() == 4)
        return WalkResult::advance();
      Value ws = backward.getInputs()[1];
      MaxPool2DOp forward;
      for (Operation *user : ws.getUsers())
        if (auto pool = dyn_cast<MaxPool2DOp>(user); pool && pool.getOutputs().size() == 2 &&
                                                       pool.getOutputs()[1] == ws)
          forward = pool;
      if (!forward) {
        backward.emitError() << "max pooling backward: no forward max_pool2d wrote its workspace";
        return WalkResult::interrupt();
      }
      backward.getInputsMutable().append(ValueRange{forward.getInputs()[0], forward.getOutputs()[0]});
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
