//===- LowerElementwise.cpp - elementwise ops and fused groups -> kernels -===//
//
// One loop over the elements; each op contributes its scalar body through
// ElementwiseOpInterface::buildScalar. Rank-0 operands (dropout's seed and
// step, the optimizers' step) are loaded once before the loop. Results that
// are stored to a variable are written straight into its buffer, which is
// how optimizer updates happen in place.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

using namespace mlir;

namespace kcc::lowering {

namespace {

bool isUniform(Value tensor) {
  return llvm::cast<RankedTensorType>(tensor.getType()).getRank() == 0;
}

/// Emits the kernel loop for values |inputs| -> |results|; |emit| computes
/// the result scalars from the input scalars and the element index, which
/// |positionDependent| says it uses.
exec::KernelOp emitElementwiseKernel(
    LoweringContext &ctx, Location loc, StringRef prefix, ValueRange inputs,
    ValueRange results, int64_t domain,
    const std::function<SmallVector<Value>(OpBuilder &, ValueRange, Value)> &emit,
    bool positionDependent) {
  SmallVector<Value> inBufs, outBufs;
  for (Value v : inputs)
    inBufs.push_back(ctx.bufferOf(v));
  for (Value r : results)
    outBufs.push_back(ctx.resultBuffer(r));
  SmallVector<bool> uniform;
  for (Value v : inputs)
    uniform.push_back(isUniform(v));
  unsigned numIn = inputs.size();
  exec::KernelOp kernel = ctx.launch(
      loc, prefix, inBufs, outBufs, domain,
      [&](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
        SmallVector<Value> hoisted(numIn);
        for (unsigned k = 0; k < numIn; ++k)
          if (uniform[k])
            hoisted[k] = load(b, l, m[k], cIndex(b, l, 0));
        forLoop(b, l, begin, end, [&](OpBuilder &nb, Value i) {
          SmallVector<Value> scalars;
          for (unsigned k = 0; k < numIn; ++k)
            scalars.push_back(uniform[k] ? hoisted[k] : load(nb, l, m[k], i));
          Value linear = nb.create<arith::IndexCastOp>(l, nb.getI64Type(), i);
          SmallVector<Value> out = emit(nb, scalars, linear);
          for (auto [k, v] : llvm::enumerate(out))
            store(nb, l, v, m[numIn + k], i);
        });
      },
      /*serial=*/false, /*elementwise=*/true);
  if (positionDependent)
    kernel.setPositionDependent(true);
  return kernel;
}

int64_t elementCount(Value tensor) {
  return llvm::cast<RankedTensorType>(tensor.getType()).getNumElements();
}

} // namespace

LogicalResult lowerElementwise(LoweringContext &ctx, Operation *op, bool &handled) {
  if (auto fused = dyn_cast<graph::FusedOp>(op)) {
    handled = true;
    Block &body = fused.getBody().front();
    emitElementwiseKernel(
        ctx, op->getLoc(), prefixFor(op, "fused"), fused.getInputs(), fused.getResults(),
        elementCount(fused.getResult(0)),
        [&](OpBuilder &b, ValueRange scalars, Value index) {
          llvm::DenseMap<Value, Value> map;
          for (auto [arg, s] : llvm::zip(body.getArguments(), scalars))
            map[arg] = s;
          for (Operation &inner : body.without_terminator()) {
            SmallVector<Value> args;
            for (Value v : inner.getOperands())
              args.push_back(map.lookup(v));
            SmallVector<Value> rs = cast<graph::ElementwiseOpInterface>(inner).buildScalar(
                b, inner.getLoc(), args, index);
            for (auto [r, s] : llvm::zip(inner.getResults(), rs))
              map[r] = s;
          }
          SmallVector<Value> out;
          for (Value v : body.getTerminator()->getOperands())
            out.push_back(map.lookup(v));
          return out;
        },
        !body.getOps<graph::DropoutOp>().empty());
    return success();
  }
  auto ew = dyn_cast<graph::ElementwiseOpInterface>(op);
  if (!ew)
    return success();
  handled = true;
  emitElementwiseKernel(ctx, op->getLoc(), prefixFor(op, op->getName().stripDialect()),
                        op->getOperands(), op->getResults(),
                        elementCount(op->getResult(0)),
                        [&](OpBuilder &b, ValueRange scalars, Value index) {
                          return ew.buildScalar(b, op->getLoc(), scalars, index);
                        },
                        isa<graph::DropoutOp>(op));
  return success();
}

} // namespace kcc::lowering
