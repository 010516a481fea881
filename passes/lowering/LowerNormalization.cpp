//===- LowerNormalization.cpp - batch_norm and its gradient -> kernels ----===//
//
// Tensors are viewed as [outer, channels, inner] around the channel axis.
// Each op is two generated kernels: one parallel over channels that reduces
// (batch statistics, the parameter gradients), one parallel over the outer
// rows that applies them. The mask weighs batch row o / (outer / batch).
// The inference form is a single kernel over the rows.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

using namespace mlir;
using namespace kcc::graph;

namespace kcc::lowering {

namespace {

struct ChannelView {
  int64_t batch, outer, channels, inner;

  ChannelView(ArrayRef<int64_t> shape, int64_t axis)
      : batch(shape[0]), outer(numElements(shape.take_front(axis))), channels(shape[axis]),
        inner(numElements(shape.drop_front(axis + 1))) {}

  Value at(OpBuilder &b, Location l, Value o, Value c, Value i) const {
    return addIdx(b, l, affine(b, l, addIdx(b, l, affine(b, l, o, channels), c), inner), i);
  }
  /// The weight of outer row |o|: its batch row's mask entry, or 1.
  Value weight(OpBuilder &b, Location l, Value mask, Value o) const {
    if (!mask)
      return cF32(b, l, 1);
    return load(b, l, mask, b.create<arith::DivUIOp>(l, o, cIndex(b, l, outer / batch)));
  }
  /// Number of elements per channel that count.
  Value count(OpBuilder &b, Location l, Value mask) const {
    if (!mask)
      return cF32(b, l, static_cast<double>(outer * inner));
    Value rows = forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, batch), cF32(b, l, 0),
                               [&](OpBuilder &ib, Value n, Value acc) { return addF(ib, l, acc, load(ib, l, mask, n)); });
    return mulF(b, l, rows, cF32(b, l, static_cast<double>(outer / batch * inner)));
  }
  /// For channels [begin, end): accs[k][c] = sum over the counted elements
  /// of channel c of terms(element index, c)[k] (over every element for
  /// k >= |unweightedFrom|). Rows outermost, so that a channels-last map is
  /// read row by row, not with a stride per channel.
  void accumulate(OpBuilder &b, Location l, Value mask, Value begin, Value end, ArrayRef<Value> accs,
                  const std::function<SmallVector<Value>(OpBuilder &, Value, Value)> &terms,
                  size_t unweightedFrom = ~size_t(0)) const {
    forLoop(b, l, begin, end, [&](OpBuilder &cb, Value c) {
      for (Value acc : accs)
        store(cb, l, cF32(cb, l, 0), acc, c);
    });
    forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, outer), [&](OpBuilder &ob, Value o) {
      Value w = weight(ob, l, mask, o);
      forLoop(ob, l, begin, end, [&](OpBuilder &cb, Value c) {
        SmallVector<Value> sums(accs.size(), cF32(cb, l, 0));
        auto loop = cb.create<scf::ForOp>(l, cIndex(cb, l, 0), cIndex(cb, l, inner), cIndex(cb, l, 1), sums,
                                          [&](OpBuilder &ib, Location, Value i, ValueRange acc) {
                                            SmallVector<Value> t = terms(ib, at(ib, l, o, c, i), c), next;
                                            for (auto [a, v] : llvm::zip(acc, t))
                                              next.push_back(addF(ib, l, a, v));
                                            ib.create<scf::YieldOp>(l, next);
                                          });
        for (auto [k, acc] : llvm::enumerate(accs)) {
          Value sum = loop.getResult(k);
          store(cb, l, addF(cb, l, load(cb, l, acc, c), k < unweightedFrom ? mulF(cb, l, w, sum) : sum), acc, c);
        }
      });
    });
  }
};

/// Per-channel batch statistics for channels [begin, end): |mean| gets the
/// mean, |second| the sum of squared deviations over the counted elements;
/// |extra| terms (given the element index, the channel and its mean) are
/// summed over every element in the same pass.
void statistics(OpBuilder &b, Location l, const ChannelView &v, Value x, Value mask, Value begin, Value end,
                Value count, Value mean, Value second, ArrayRef<Value> extraAccs = {},
                const std::function<SmallVector<Value>(OpBuilder &, Value, Value, Value)> &extra = nullptr) {
  v.accumulate(b, l, mask, begin, end, {mean}, [&](OpBuilder &ib, Value at, Value) {
    return SmallVector<Value>{load(ib, l, x, at)};
  });
  Value safe = b.create<arith::MaximumFOp>(l, count, cF32(b, l, 1));
  forLoop(b, l, begin, end, [&](OpBuilder &cb, Value c) { store(cb, l, divF(cb, l, load(cb, l, mean, c), safe), mean, c); });
  SmallVector<Value> accs = {second};
  accs.append(extraAccs.begin(), extraAccs.end());
  v.accumulate(
      b, l, mask, begin, end, accs,
      [&](OpBuilder &ib, Value at, Value c) {
        Value mu = load(ib, l, mean, c);
        Value d = subF(ib, l, load(ib, l, x, at), mu);
        SmallVector<Value> t = {mulF(ib, l, d, d)};
        if (extra)
          t.append(extra(ib, at, c, mu));
        return t;
      },
      /*unweightedFrom=*/1);
}

/// y = (x - shift[c]) * scale[c] * gamma[c] + beta[c] over rows [begin, end).
void applyPerChannel(OpBuilder &b, Location l, const ChannelView &v, Value begin, Value end, Value x, Value shift,
                     Value scale, Value gamma, Value beta, Value y) {
  forLoop(b, l, begin, end, [&](OpBuilder &ob, Value o) {
    forLoop(ob, l, cIndex(ob, l, 0), cIndex(ob, l, v.channels), [&](OpBuilder &cb, Value c) {
      Value k = mulF(cb, l, load(cb, l, scale, c), load(cb, l, gamma, c));
      Value s = load(cb, l, shift, c), bias = load(cb, l, beta, c);
      forLoop(cb, l, cIndex(cb, l, 0), cIndex(cb, l, v.inner), [&](OpBuilder &ib, Value i) {
        Value at = v.at(ib, l, o, c, i);
        store(ib, l, addF(ib, l, mulF(ib, l, subF(ib, l, load(ib, l, x, at), s), k), bias), y, at);
      });
    });
  });
}

void lowerBatchNorm(LoweringContext &ctx, BatchNormOp op) {
  Location loc = op.getLoc();
  ChannelView v(shapeOf(op.getInput()), op.getAxis());
  double eps = op.getEpsilon().convertToDouble(), momentum = op.getMomentum().convertToDouble();
  bool masked = static_cast<bool>(op.getMask());
  Value mean = ctx.alloc(loc, {v.channels}, ctx.builder.getF32Type(), exec::BufferKind::activation);
  Value rstd = ctx.alloc(loc, {v.channels}, ctx.builder.getF32Type(), exec::BufferKind::activation);
  SmallVector<Value> ins = {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getMovingMean()),
                            ctx.bufferOf(op.getMovingVariance())};
  if (masked)
    ins.push_back(ctx.bufferOf(op.getMask()));
  SmallVector<Value> outs = {mean, rstd, ctx.resultBuffer(op.getNewMovingMean()),
                             ctx.resultBuffer(op.getNewMovingVariance())};
  unsigned n = ins.size();
  ctx.launch(loc, "bn_stats", ins, outs, v.channels, [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
    Value mask = masked ? m[3] : Value();
    Value count = v.count(b, l, mask);
    statistics(b, l, v, m[0], mask, begin, end, count, m[n], m[n + 1]);
    Value safe = b.create<arith::MaximumFOp>(l, count, cF32(b, l, 1));
    forLoop(b, l, begin, end, [&](OpBuilder &cb, Value c) {
      Value mu = load(cb, l, m[n], c);
      Value var = divF(cb, l, load(cb, l, m[n + 1], c), safe);
      store(cb, l, cb.create<math::RsqrtOp>(l, addF(cb, l, var, cF32(cb, l, eps))), m[n + 1], c);
      // The moving averages as Keras updates them.
      auto blend = [&](Value moving, Value batch) {
        return addF(cb, l, mulF(cb, l, moving, cF32(cb, l, momentum)), mulF(cb, l, batch, cF32(cb, l, 1 - momentum)));
      };
      store(cb, l, blend(load(cb, l, m[1], c), mu), m[n + 2], c);
      store(cb, l, blend(load(cb, l, m[2], c), var), m[n + 3], c);
    });
  });
  ctx.launch(loc, "bn_apply",
             {ctx.bufferOf(op.getInput()), mean, rstd, ctx.bufferOf(op.getGamma()), ctx.bufferOf(op.getBeta())},
             ctx.resultBuffer(op.getResult()), v.outer,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               applyPerChannel(b, l, v, begin, end, m[0], m[1], m[2], m[3], m[4], m[5]);
             });
}

void lowerBatchNormInference(LoweringContext &ctx, BatchNormInferenceOp op) {
  ChannelView v(shapeOf(op.getInput()), op.getAxis());
  double eps = op.getEpsilon().convertToDouble();
  Location loc = op.getLoc();
  Value rstd = ctx.alloc(loc, {v.channels}, ctx.builder.getF32Type(), exec::BufferKind::activation);
  ctx.launch(loc, "bn_inference_scale", ctx.bufferOf(op.getMovingVariance()), rstd, v.channels,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &cb, Value c) {
                 store(cb, l, cb.create<math::RsqrtOp>(l, addF(cb, l, load(cb, l, m[0], c), cF32(cb, l, eps))), m[1], c);
               });
             });
  ctx.launch(loc, "bn_inference",
             {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getMovingMean()), rstd, ctx.bufferOf(op.getGamma()),
              ctx.bufferOf(op.getBeta())},
             ctx.resultBuffer(op.getResult()), v.outer,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               applyPerChannel(b, l, v, begin, end, m[0], m[1], m[2], m[3], m[4], m[5]);
             });
}

void lowerBatchNormGrad(LoweringContext &ctx, BatchNormGradOp op) {
  Location loc = op.getLoc();
  ChannelView v(shapeOf(op.getInput()), op.getAxis());
  double eps = op.getEpsilon().convertToDouble();
  bool masked = static_cast<bool>(op.getMask());
  Value mean = ctx.alloc(loc, {v.channels}, ctx.builder.getF32Type(), exec::BufferKind::gradient);
  Value rstd = ctx.alloc(loc, {v.channels}, ctx.builder.getF32Type(), exec::BufferKind::gradient);
  SmallVector<Value> ins = {ctx.bufferOf(op.getResultGrad()), ctx.bufferOf(op.getInput())};
  if (masked)
    ins.push_back(ctx.bufferOf(op.getMask()));
  Value dgamma = ctx.resultBuffer(op.getGammaGrad(), exec::BufferKind::gradient);
  Value dbeta = ctx.resultBuffer(op.getBetaGrad(), exec::BufferKind::gradient);
  unsigned n = ins.size();
  ctx.launch(loc, "bn_grad_stats", ins, {mean, rstd, dgamma, dbeta}, v.channels,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               Value mask = masked ? m[2] : Value();
               Value count = v.count(b, l, mask);
               // One pass for the variance, sum(dy) and sum(dy * (x - mean)).
               statistics(b, l, v, m[1], mask, begin, end, count, m[n], m[n + 1], {m[n + 2], m[n + 3]},
                          [&](OpBuilder &ib, Value at, Value, Value mu) {
                            Value dy = load(ib, l, m[0], at);
                            return SmallVector<Value>{mulF(ib, l, dy, subF(ib, l, load(ib, l, m[1], at), mu)), dy};
                          });
               Value safe = b.create<arith::MaximumFOp>(l, count, cF32(b, l, 1));
               forLoop(b, l, begin, end, [&](OpBuilder &cb, Value c) {
                 Value var = divF(cb, l, load(cb, l, m[n + 1], c), safe);
                 Value r = cb.create<math::RsqrtOp>(l, addF(cb, l, var, cF32(cb, l, eps)));
                 store(cb, l, r, m[n + 1], c);
                 store(cb, l, mulF(cb, l, load(cb, l, m[n + 2], c), r), m[n + 2], c); // sum(dy * xhat)
               });
             });
  SmallVector<Value> ins2 = {ctx.bufferOf(op.getResultGrad()), ctx.bufferOf(op.getInput()),
                             ctx.bufferOf(op.getGamma()), mean, rstd, dgamma, dbeta};
  if (masked)
    ins2.push_back(ctx.bufferOf(op.getMask()));
  unsigned n2 = ins2.size();
  ctx.launch(loc, "bn_grad_input", ins2, ctx.resultBuffer(op.getInputGrad(), exec::BufferKind::gradient), v.outer,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               Value mask = masked ? m[7] : Value();
               Value count = b.create<arith::MaximumFOp>(l, v.count(b, l, mask), cF32(b, l, 1));
               forLoop(b, l, begin, end, [&](OpBuilder &ob, Value o) {
                 Value w = v.weight(ob, l, mask, o);
                 // A padding row (w = 0) does not shape the statistics.
                 Value wc = divF(ob, l, w, count);
                 forLoop(ob, l, cIndex(ob, l, 0), cIndex(ob, l, v.channels), [&](OpBuilder &cb, Value c) {
                   Value r = load(cb, l, m[4], c), mu = load(cb, l, m[3], c);
                   Value k = mulF(cb, l, load(cb, l, m[2], c), r);
                   Value sdyx = load(cb, l, m[5], c), sdy = load(cb, l, m[6], c);
                   forLoop(cb, l, cIndex(cb, l, 0), cIndex(cb, l, v.inner), [&](OpBuilder &ib, Value i) {
                     Value at = v.at(ib, l, o, c, i);
                     Value xhat = mulF(ib, l, subF(ib, l, load(ib, l, m[1], at), mu), r);
                     Value through = mulF(ib, l, wc, addF(ib, l, sdy, mulF(ib, l, xhat, sdyx)));
                     store(ib, l, mulF(ib, l, k, subF(ib, l, load(ib, l, m[0], at), through)), m[n2], at);
                   });
                 });
               });
             });
}

} // namespace

LogicalResult lowerNormalization(LoweringContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto bn = dyn_cast<BatchNormOp>(op))
    return lowerBatchNorm(ctx, bn), success();
  if (auto inf = dyn_cast<BatchNormInferenceOp>(op))
    return lowerBatchNormInference(ctx, inf), success();
  if (auto grad = dyn_cast<BatchNormGradOp>(op))
    return lowerBatchNormGrad(ctx, grad), success();
  handled = false;
  return success();
}

} // namespace kcc::lowering
