//===- FuseEpilogues.cpp - graph-fuse-epilogues ---------------------------===//

#include "passes/Passes.h"

#include "ir/Graph/IR/ops/Common.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHFUSEEPILOGUES
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::graph;

namespace {

/// Activations every target can run as a library epilogue.
bool isEpilogueActivation(Activation a) {
  return a == Activation::relu || a == Activation::tanh || a == Activation::sigmoid ||
         a == Activation::elu;
}

/// The axis a bias of |op| runs along.
int64_t biasAxis(Operation *op) {
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return ImageAxes(conv.getDataFormat()).c;
  return shapeOf(op->getResult(0)).size() - 1;
}

Value biasOf(Operation *op) {
  if (auto mm = dyn_cast<MatMulOp>(op))
    return mm.getBias();
  return cast<Conv2DOp>(op).getBias();
}

Activation activationOf(Operation *op) {
  if (auto mm = dyn_cast<MatMulOp>(op))
    return mm.getActivation();
  return cast<Conv2DOp>(op).getActivation();
}

/// The single user of |op|'s result, if it has exactly one.
Operation *soleUser(Operation *op) {
  Value r = op->getResult(0);
  return r.hasOneUse() ? *r.getUsers().begin() : nullptr;
}

struct GraphFuseEpiloguesPass
    : public kcc::impl::GraphFuseEpiloguesBase<GraphFuseEpiloguesPass> {
  void runOnOperation() override {
    SmallVector<Operation *> producers;
    getOperation().walk([&](Operation *op) {
      if (isa<MatMulOp, Conv2DOp>(op))
        producers.push_back(op);
    });
    for (Operation *op : producers) {
      op = fuseBias(op);
      fuseActivation(op);
    }
    SmallVector<Conv2DBackwardFilterOp> filters;
    getOperation().walk([&](Conv2DBackwardFilterOp op) { filters.push_back(op); });
    for (Conv2DBackwardFilterOp op : filters)
      fuseBiasGradient(op);
  }

  /// conv2d_backward_filter(x, dy) + reduce_sum(dy, all but channels)
  ///   ==>  conv2d_backward_filter(x, dy) with a bias gradient result.
  void fuseBiasGradient(Conv2DBackwardFilterOp op) {
    if (op.getBiasGrad())
      return;
    int64_t channel = ImageAxes(op.getDataFormat()).c;
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < 4; ++i)
      if (i != channel)
        axes.push_back(i);
    ReduceSumOp sum;
    for (Operation *user : op.getOutputGrad().getUsers())
      if (auto r = dyn_cast<ReduceSumOp>(user); r && r.getAxes() == ArrayRef<int64_t>(axes))
        sum = r;
    if (!sum || sum->getBlock() != op->getBlock())
      return;
    // The fused op sits at the later of the two; every use must follow it.
    Operation *later = op->isBeforeInBlock(sum) ? sum.getOperation() : op.getOperation();
    for (Value v : {op.getResult(), sum.getResult()})
      for (Operation *user : v.getUsers())
        if (user->isBeforeInBlock(later))
          return;
    OpBuilder b(later);
    OperationState state(FusedLoc::get(op->getContext(), {op.getLoc(), sum.getLoc()}), op->getName(),
                         op->getOperands(), {op.getResult().getType(), sum.getResult().getType()},
                         op->getAttrs());
    Operation *fused = b.create(state);
    op.getResult().replaceAllUsesWith(fused->getResult(0));
    sum.getResult().replaceAllUsesWith(fused->getResult(1));
    sum.erase();
    op.erase();
  }

  /// producer -> bias_add  ==>  producer with a bias operand.
  Operation *fuseBias(Operation *op) {
    auto add = dyn_cast_or_null<BiasAddOp>(soleUser(op));
    if (!add || biasOf(op) || activationOf(op) != Activation::linear ||
        add.getInput() != op->getResult(0) ||
        normalizeAxis(add.getAxis(), shapeOf(add.getResult()).size()) != biasAxis(op))
      return op;
    OpBuilder b(add);
    SmallVector<Value> operands(op->getOperands());
    operands.push_back(add.getBias());
    OperationState state(op->getLoc(), op->getName(), operands, op->getResultTypes(),
                         op->getAttrs());
    Operation *fused = b.create(state);
    add.getResult().replaceAllUsesWith(fused->getResult(0));
    add.erase();
    op->erase();
    return fused;
  }

  /// producer -> activation  ==>  producer with an activation epilogue.
  void fuseActivation(Operation *op) {
    auto act = dyn_cast_or_null<ActivationOp>(soleUser(op));
    if (!act || activationOf(op) != Activation::linear || !isEpilogueActivation(act.getKind()))
      return;
    op->setAttr("activation", act.getKindAttr());
    act.getResult().replaceAllUsesWith(op->getResult(0));
    act.erase();
  }
};

} // namespace
