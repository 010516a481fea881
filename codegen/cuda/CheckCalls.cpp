//===- CheckCalls.cpp - exec-cuda-check-calls -----------------------------===//
//
// cuDNN's convolution and pooling descriptors take one pad per spatial axis,
// applied on both sides. Keras's 'same' padding is asymmetric when the
// window or stride is even (one more row after than before); the CUDA
// backend would refuse such a call when krun builds it, or (pooling) pad
// the wrong side. Refuse it here, when kcc compiles, naming the layer.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

namespace kcc::codegen {
#define GEN_PASS_DEF_CUDACHECKCALLS
#include "codegen/Passes.h.inc"
} // namespace kcc::codegen

using namespace mlir;
using namespace kcc;
using namespace kcc::exec;

namespace {

struct CudaCheckCallsPass : public kcc::codegen::impl::CudaCheckCallsBase<CudaCheckCallsPass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<Conv2DOp, Conv2DBackwardDataOp, Conv2DBackwardFilterOp, MaxPool2DOp, MaxPool2DBackwardOp>(op))
        return;
      ArrayRef<int64_t> pads = op->getAttrOfType<DenseI64ArrayAttr>("pads").asArrayRef(); // top, left, bottom, right
      if (pads.size() == 4 && pads[0] == pads[2] && pads[1] == pads[3])
        return;
      op->emitError() << "the CUDA backend cannot run " << (isa<MaxPool2DOp, MaxPool2DBackwardOp>(op) ? "a pooling" : "a convolution")
                      << " padded unevenly (top " << pads[0] << ", bottom " << pads[2] << ", left " << pads[1]
                      << ", right " << pads[3]
                      << ": Keras's 'same' with an even window or stride); compile it for --target=cpu";
      failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
