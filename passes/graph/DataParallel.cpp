//===- DataParallel.cpp - graph-data-parallel -----------------------------===//
//
// A step compiled for N processes (kcc --ranks N) trains each process's
// share of the global batch; this pass makes the N shares train as one
// process would on the whole batch:
//   - every gradient result of @train_step goes through graph.all_reduce,
//     before graph-apply-optimizer clips and applies it;
//   - every dropout counts its mask from the process's first row of the
//     global batch (a new @train_step argument, role row_offset);
//   - what cannot be split by rows is refused: BatchNormalization's batch
//     statistics would be per process.
// With one rank the pass changes nothing.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/Graph/IR/ops/Common.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHDATAPARALLEL
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::graph;

namespace {

struct GraphDataParallelPass : public kcc::impl::GraphDataParallelBase<GraphDataParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto training = module->getAttrOfType<TrainingAttr>(kTrainingAttr);
    if (!training || training.getRanks() <= 1)
      return;
    auto train = module.lookupSymbol<func::FuncOp>("train_step");
    if (!train) {
      module.emitError("needs @train_step (run graph-build-train-step first)");
      return signalPassFailure();
    }
    const int64_t ranks = training.getRanks();
    const int64_t rows = (training.getBatchSize() + ranks - 1) / ranks;

    bool failed = false;
    train.walk([&](BatchNormOp bn) {
      bn.emitError() << "BatchNormalization in training mode normalizes by its batch's statistics, which data-parallel "
                        "training (--ranks " << ranks << ") would compute per process; not supported yet (compile "
                        "without --ranks, or freeze the layer: trainable=False)";
      failed = true;
    });
    if (failed)
      return signalPassFailure();

    OpBuilder b(module.getContext());
    auto i64Scalar = RankedTensorType::get({}, b.getI64Type());
    unsigned index = train.getNumArguments();
    train.insertArgument(index, i64Scalar,
                         b.getDictionaryAttr(b.getNamedAttr(
                             kRoleAttr, StepRoleAttr::get(b.getContext(), StepRole::row_offset))),
                         train.getLoc());
    Value offset = train.getArgument(index);
    train.walk([&](DropoutOp op) {
      auto type = llvm::cast<RankedTensorType>(op.getInput().getType());
      if (type.getRank() == 0 || type.getDimSize(0) != rows) {
        op.emitError() << "dropout over " << type << " is not batch-major (" << rows
                       << " rows per process expected); data-parallel training cannot split its mask by rows";
        failed = true;
        return;
      }
      if (!op.getRowOffset())
        op->insertOperands(op->getNumOperands(), offset);
    });
    if (failed)
      return signalPassFailure();

    auto ret = cast<func::ReturnOp>(train.getBody().front().getTerminator());
    b.setInsertionPoint(ret);
    for (auto [i, v] : llvm::enumerate(ret.getOperands()))
      if (train.getResultAttr(i, kGradientOfAttr))
        ret.setOperand(i, b.create<AllReduceOp>(v.getLoc(), v.getType(), v));
  }
};

} // namespace
