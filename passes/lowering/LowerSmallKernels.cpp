//===- LowerSmallKernels.cpp - reductions, softmax, losses, data movement -===//
//
// Ops that are not elementwise but too small or too irregular for a
// library call become hand-built kernels. Parallel kernels split their
// domain (rows, output columns, ...) across threads; the few that reduce to
// a scalar (loss, accuracy) or scatter (embedding gradient) are serial.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

using namespace mlir;
using namespace kcc::graph;

namespace kcc::lowering {

namespace {

/// Integer element (class id, embedding id) as an index clamped to [0, n).
Value clampedIndex(OpBuilder &b, Location l, Value v, int64_t n) {
  Value i = b.create<arith::IndexCastOp>(l, b.getIndexType(), v);
  i = b.create<arith::MaxSIOp>(l, i, cIndex(b, l, 0));
  return b.create<arith::MinSIOp>(l, i, cIndex(b, l, n - 1));
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The input viewed as [outer, mid, inner]: either the kept axes are the
/// middle group (sum over outer and inner) or the reduced ones are.
struct ReduceShape {
  int64_t outer = 1, mid = 1, inner = 1;
  bool keepMid = true;
};

FailureOr<ReduceShape> classifyReduction(Operation *op, ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes) {
  int64_t rank = shape.size();
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[a] = true;
  auto contiguous = [&](bool flag) {
    int64_t first = -1, last = -1;
    for (int64_t i = 0; i < rank; ++i)
      if (reduced[i] == flag) {
        if (first < 0)
          first = i;
        last = i;
      }
    for (int64_t i = first; i >= 0 && i <= last; ++i)
      if (reduced[i] != flag)
        return std::make_pair(int64_t(-1), int64_t(-1));
    return std::make_pair(first, last);
  };
  ReduceShape r;
  auto [kf, kl] = contiguous(false);
  if (kf >= 0 || llvm::all_of(reduced, [](bool b) { return b; })) {
    r.keepMid = true;
    if (kf < 0)
      kf = rank, kl = rank - 1;
    r.outer = numElements(shape.take_front(kf));
    r.mid = numElements(shape.slice(kf, kl - kf + 1));
    r.inner = numElements(shape.drop_front(kl + 1));
    return r;
  }
  auto [rf, rl] = contiguous(true);
  if (rf < 0)
    return op->emitError("reduction pattern not supported by the kernel generator");
  r.keepMid = false;
  r.outer = numElements(shape.take_front(rf));
  r.mid = numElements(shape.slice(rf, rl - rf + 1));
  r.inner = numElements(shape.drop_front(rl + 1));
  return r;
}

LogicalResult lowerReduceSum(LoweringContext &ctx, ReduceSumOp op) {
  FailureOr<ReduceShape> rs = classifyReduction(op, shapeOf(op.getInput()), op.getAxes());
  if (failed(rs))
    return failure();
  ReduceShape r = *rs;
  Value in = ctx.bufferOf(op.getInput()), out = ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient);
  if (r.keepMid) {
    // out[j] = sum over (o, i) of x[o][j][i]; threads split j, the row loop
    // is outermost so the j loop reads contiguous memory.
    ctx.launch(op.getLoc(), prefixFor(op) + "_sum", in, out, r.mid,
               [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
                 forLoop(b, l, begin, end, [&](OpBuilder &nb, Value j) { store(nb, l, cF32(nb, l, 0), m[1], j); });
                 forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, r.outer), [&](OpBuilder &ob, Value o) {
                   forLoop(ob, l, begin, end, [&](OpBuilder &jb, Value j) {
                     Value row = affine(jb, l, addIdx(jb, l, affine(jb, l, o, r.mid), j), r.inner);
                     Value s = r.inner == 1
                                   ? load(jb, l, m[0], row)
                                   : forLoopReduce(jb, l, cIndex(jb, l, 0), cIndex(jb, l, r.inner), cF32(jb, l, 0),
                                                   [&](OpBuilder &ib, Value i, Value acc) {
                                                     return addF(ib, l, acc, load(ib, l, m[0], addIdx(ib, l, row, i)));
                                                   });
                     store(jb, l, addF(jb, l, load(jb, l, m[1], j), s), m[1], j);
                   });
                 });
               });
    return success();
  }
  // out[o][i] = sum over r of x[o][r][i]; threads split o.
  ctx.launch(op.getLoc(), prefixFor(op) + "_sum", in, out, r.outer,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &ob, Value o) {
                 Value dst = affine(ob, l, o, r.inner);
                 forLoop(ob, l, cIndex(ob, l, 0), cIndex(ob, l, r.inner), [&](OpBuilder &ib, Value i) {
                   store(ib, l, cF32(ib, l, 0), m[1], addIdx(ib, l, dst, i));
                 });
                 forLoop(ob, l, cIndex(ob, l, 0), cIndex(ob, l, r.mid), [&](OpBuilder &rb, Value k) {
                   Value src = affine(rb, l, addIdx(rb, l, affine(rb, l, o, r.mid), k), r.inner);
                   forLoop(rb, l, cIndex(rb, l, 0), cIndex(rb, l, r.inner), [&](OpBuilder &ib, Value i) {
                     Value d = addIdx(ib, l, dst, i);
                     store(ib, l, addF(ib, l, load(ib, l, m[1], d), load(ib, l, m[0], addIdx(ib, l, src, i))),
                           m[1], d);
                   });
                 });
               });
             });
  return success();
}

void lowerBiasAdd(LoweringContext &ctx, BiasAddOp op) {
  ArrayRef<int64_t> shape = shapeOf(op.getInput());
  int64_t axis = normalizeAxis(op.getAxis(), shape.size());
  int64_t stride = numElements(shape.drop_front(axis + 1)), channels = shape[axis];
  ctx.launch(op.getLoc(), prefixFor(op) + "_bias", {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getBias())},
             ctx.resultBuffer(op.getResult()), numElements(shape),
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value i) {
                 Value c = nb.create<arith::RemUIOp>(
                     l, nb.create<arith::DivUIOp>(l, i, cIndex(nb, l, stride)), cIndex(nb, l, channels));
                 store(nb, l, addF(nb, l, load(nb, l, m[0], i), load(nb, l, m[1], c)), m[2], i);
               });
             });
}

//===----------------------------------------------------------------------===//
// Softmax, loss, metric
//===----------------------------------------------------------------------===//

std::pair<int64_t, int64_t> rowsAndClasses(Value v) {
  ArrayRef<int64_t> s = shapeOf(v);
  return {numElements(s.drop_back()), s.back()};
}

void lowerSoftmax(LoweringContext &ctx, SoftmaxOp op) {
  auto [rows, k] = rowsAndClasses(op.getInput());
  ctx.launch(op.getLoc(), prefixFor(op) + "_softmax", ctx.bufferOf(op.getInput()),
             ctx.resultBuffer(op.getResult()), rows,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &rb, Value r) {
                 Value base = affine(rb, l, r, k);
                 auto at = [&](OpBuilder &ib, Value j) { return addIdx(ib, l, base, j); };
                 Value mx = forLoopReduce(rb, l, cIndex(rb, l, 1), cIndex(rb, l, k), load(rb, l, m[0], base),
                                          [&](OpBuilder &ib, Value j, Value acc) {
                                            return ib.create<arith::MaximumFOp>(l, acc, load(ib, l, m[0], at(ib, j)));
                                          });
                 Value sum = forLoopReduce(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), cF32(rb, l, 0),
                                           [&](OpBuilder &ib, Value j, Value acc) {
                                             Value e = ib.create<math::ExpOp>(l, subF(ib, l, load(ib, l, m[0], at(ib, j)), mx));
                                             store(ib, l, e, m[1], at(ib, j));
                                             return addF(ib, l, acc, e);
                                           });
                 Value inv = divF(rb, l, cF32(rb, l, 1), sum);
                 forLoop(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), [&](OpBuilder &ib, Value j) {
                   store(ib, l, mulF(ib, l, load(ib, l, m[1], at(ib, j)), inv), m[1], at(ib, j));
                 });
               });
             });
}

void lowerSoftmaxGrad(LoweringContext &ctx, SoftmaxGradOp op) {
  auto [rows, k] = rowsAndClasses(op.getOutput());
  ctx.launch(op.getLoc(), prefixFor(op) + "_softmax_grad",
             {ctx.bufferOf(op.getOutputGrad()), ctx.bufferOf(op.getOutput())},
             ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), rows,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &rb, Value r) {
                 Value base = affine(rb, l, r, k);
                 Value dot = forLoopReduce(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), cF32(rb, l, 0),
                                           [&](OpBuilder &ib, Value j, Value acc) {
                                             Value at = addIdx(ib, l, base, j);
                                             return addF(ib, l, acc, mulF(ib, l, load(ib, l, m[0], at), load(ib, l, m[1], at)));
                                           });
                 forLoop(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), [&](OpBuilder &ib, Value j) {
                   Value at = addIdx(ib, l, base, j);
                   Value y = load(ib, l, m[1], at);
                   store(ib, l, mulF(ib, l, y, subF(ib, l, load(ib, l, m[0], at), dot)), m[2], at);
                 });
               });
             });
}

/// Per-row helpers shared by the loss kernels. |target| is one-hot f32 rows
/// or i32 class ids (sparse).
struct ClassRow {
  Value probs, target;
  Value base; // row start in probs
  Value row;
  int64_t k;
  bool sparse;

  Value targetAt(OpBuilder &b, Location l, Value j) const {
    if (!sparse)
      return load(b, l, target, addIdx(b, l, base, j));
    Value id = clampedIndex(b, l, load(b, l, target, row), k);
    Value hit = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, id, j);
    return b.create<arith::SelectOp>(l, hit, cF32(b, l, 1), cF32(b, l, 0));
  }
  Value prob(OpBuilder &b, Location l, Value j) const { return load(b, l, probs, addIdx(b, l, base, j)); }
  Value rowSum(OpBuilder &b, Location l) const {
    return forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, k), cF32(b, l, 0),
                         [&](OpBuilder &ib, Value j, Value acc) { return addF(ib, l, acc, prob(ib, l, j)); });
  }
};

bool isSparseTarget(Value target) {
  return llvm::isa<IntegerType>(llvm::cast<RankedTensorType>(target.getType()).getElementType());
}

Value sumOfMask(OpBuilder &b, Location l, Value mask, int64_t n) {
  return forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, n), cF32(b, l, 0),
                       [&](OpBuilder &ib, Value i, Value acc) { return addF(ib, l, acc, load(ib, l, mask, i)); });
}

/// |total| / (sum of the |rows| mask entries), 0 for an all-padding batch.
Value maskedMean(OpBuilder &b, Location l, Value total, Value mask, int64_t rows) {
  Value count = sumOfMask(b, l, mask, rows);
  Value positive = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, count, cF32(b, l, 0));
  return b.create<arith::SelectOp>(l, positive, divF(b, l, total, count), cF32(b, l, 0));
}

void lowerCrossEntropy(LoweringContext &ctx, CrossEntropyOp op) {
  auto [rows, k] = rowsAndClasses(op.getProbs());
  double eps = op.getEpsilon().convertToDouble();
  bool sparse = isSparseTarget(op.getTarget());
  ctx.launch(op.getLoc(), "loss",
             {ctx.bufferOf(op.getProbs()), ctx.bufferOf(op.getTarget()), ctx.bufferOf(op.getMask())},
             ctx.resultBuffer(op.getResult()), 1,
             [=](OpBuilder &b, Location l, ValueRange m, Value, Value) {
               Value total = forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, rows), cF32(b, l, 0),
                                           [&](OpBuilder &rb, Value r, Value acc) {
                 ClassRow row{m[0], m[1], affine(rb, l, r, k), r, k, sparse};
                 Value s = row.rowSum(rb, l);
                 Value loss = forLoopReduce(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), cF32(rb, l, 0),
                                            [&](OpBuilder &ib, Value j, Value a) {
                   Value q = divF(ib, l, row.prob(ib, l, j), s);
                   q = ib.create<arith::MinimumFOp>(l, ib.create<arith::MaximumFOp>(l, q, cF32(ib, l, eps)),
                                                    cF32(ib, l, 1 - eps));
                   return subF(ib, l, a, mulF(ib, l, row.targetAt(ib, l, j), ib.create<math::LogOp>(l, q)));
                 });
                 return addF(rb, l, acc, mulF(rb, l, loss, load(rb, l, m[2], r)));
               });
               store(b, l, maskedMean(b, l, total, m[2], rows), m[3], cIndex(b, l, 0));
             },
             /*serial=*/true);
}

void lowerCrossEntropyGrad(LoweringContext &ctx, CrossEntropyGradOp op) {
  auto [rows, k] = rowsAndClasses(op.getProbs());
  double eps = op.getEpsilon().convertToDouble();
  bool sparse = isSparseTarget(op.getTarget());
  ctx.launch(op.getLoc(), "loss_grad",
             {ctx.bufferOf(op.getProbs()), ctx.bufferOf(op.getTarget()), ctx.bufferOf(op.getMask()),
              ctx.bufferOf(op.getLossGrad())},
             ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), rows,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               Value count = sumOfMask(b, l, m[2], rows);
               Value dl = load(b, l, m[3], cIndex(b, l, 0));
               Value positive = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, count, cF32(b, l, 0));
               Value scale = b.create<arith::SelectOp>(l, positive, divF(b, l, dl, count), cF32(b, l, 0));
               forLoop(b, l, begin, end, [&](OpBuilder &rb, Value r) {
                 ClassRow row{m[0], m[1], affine(rb, l, r, k), r, k, sparse};
                 Value w = mulF(rb, l, scale, load(rb, l, m[2], r));
                 Value s = row.rowSum(rb, l);
                 // d loss / d q_j, zero where the clip is active.
                 auto gq = [&](OpBuilder &ib, Value j) {
                   Value q = divF(ib, l, row.prob(ib, l, j), s);
                   Value lo = ib.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE, q, cF32(ib, l, eps));
                   Value hi = ib.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLE, q, cF32(ib, l, 1 - eps));
                   Value inside = ib.create<arith::AndIOp>(l, lo, hi);
                   Value g = divF(ib, l, mulF(ib, l, cF32(ib, l, -1), mulF(ib, l, w, row.targetAt(ib, l, j))), q);
                   return ib.create<arith::SelectOp>(l, inside, g, cF32(ib, l, 0)).getResult();
                 };
                 Value dot = forLoopReduce(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), cF32(rb, l, 0),
                                           [&](OpBuilder &ib, Value j, Value acc) {
                                             return addF(ib, l, acc, mulF(ib, l, gq(ib, j), row.prob(ib, l, j)));
                                           });
                 Value ss = mulF(rb, l, s, s);
                 forLoop(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), [&](OpBuilder &ib, Value j) {
                   Value v = subF(ib, l, divF(ib, l, gq(ib, j), s), divF(ib, l, dot, ss));
                   store(ib, l, v, m[4], addIdx(ib, l, row.base, j));
                 });
               });
             });
}

/// One element's loss term and its derivative with respect to |p|
/// (graph::ElementLossOp's maths; |last|: the last axis's length).
std::pair<Value, Value> elementTerm(OpBuilder &b, Location l, ElementLoss kind, Value p, Value y, double eps,
                                    int64_t last) {
  Value d = subF(b, l, p, y);
  auto cmp = [&](arith::CmpFPredicate pred, Value x, Value z) { return b.create<arith::CmpFOp>(l, pred, x, z); };
  auto select = [&](Value c, Value x, Value z) { return b.create<arith::SelectOp>(l, c, x, z).getResult(); };
  auto maxF = [&](Value x, Value z) { return b.create<arith::MaximumFOp>(l, x, z).getResult(); };
  auto minF = [&](Value x, Value z) { return b.create<arith::MinimumFOp>(l, x, z).getResult(); };
  auto logF = [&](Value x) { return b.create<math::LogOp>(l, x).getResult(); };
  Value zero = cF32(b, l, 0), one = cF32(b, l, 1);
  // Hinge losses take -1/1 targets; Keras turns 0/1 ones into them.
  auto hingeTarget = [&] { return select(cmp(arith::CmpFPredicate::OEQ, y, zero), cF32(b, l, -1), y); };
  switch (kind) {
  case ElementLoss::binary_crossentropy: {
    Value one = cF32(b, l, 1);
    Value q = b.create<arith::MinimumFOp>(l, b.create<arith::MaximumFOp>(l, p, cF32(b, l, eps)), cF32(b, l, 1 - eps));
    Value notY = subF(b, l, one, y), notQ = subF(b, l, one, q);
    Value term = addF(b, l, mulF(b, l, y, b.create<math::LogOp>(l, q)), mulF(b, l, notY, b.create<math::LogOp>(l, notQ)));
    Value lo = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE, p, cF32(b, l, eps));
    Value hi = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLE, p, cF32(b, l, 1 - eps));
    Value g = subF(b, l, divF(b, l, notY, notQ), divF(b, l, y, q));
    return {subF(b, l, cF32(b, l, 0), term),
            b.create<arith::SelectOp>(l, b.create<arith::AndIOp>(l, lo, hi), g, cF32(b, l, 0))};
  }
  case ElementLoss::mean_squared_error:
    return {mulF(b, l, d, d), mulF(b, l, cF32(b, l, 2), d)};
  case ElementLoss::mean_absolute_error: {
    Value pos = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, d, cF32(b, l, 0));
    Value neg = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, d, cF32(b, l, 0));
    Value sign = b.create<arith::SelectOp>(l, pos, cF32(b, l, 1), b.create<arith::SelectOp>(l, neg, cF32(b, l, -1), cF32(b, l, 0)));
    return {b.create<math::AbsFOp>(l, d), sign};
  }
  case ElementLoss::hinge: {
    Value t = hingeTarget(), m = subF(b, l, one, mulF(b, l, t, p));
    return {maxF(m, zero), select(cmp(arith::CmpFPredicate::OGT, m, zero), subF(b, l, zero, t), zero)};
  }
  case ElementLoss::squared_hinge: {
    Value t = hingeTarget(), m = maxF(subF(b, l, one, mulF(b, l, t, p)), zero);
    return {mulF(b, l, m, m), mulF(b, l, cF32(b, l, -2), mulF(b, l, m, t))};
  }
  case ElementLoss::poisson: {
    Value pe = addF(b, l, p, cF32(b, l, eps));
    return {subF(b, l, p, mulF(b, l, y, logF(pe))), subF(b, l, one, divF(b, l, y, pe))};
  }
  case ElementLoss::log_cosh: { // |d| + log(1 + e^-2|d|) - log 2: no overflow
    Value a = b.create<math::AbsFOp>(l, d);
    Value e = b.create<math::ExpOp>(l, mulF(b, l, cF32(b, l, -2), a));
    return {subF(b, l, addF(b, l, a, logF(addF(b, l, one, e))), cF32(b, l, std::log(2.0))),
            b.create<math::TanhOp>(l, d)};
  }
  case ElementLoss::huber: { // delta 1 (the frontend refuses others)
    Value a = b.create<math::AbsFOp>(l, d);
    Value inside = cmp(arith::CmpFPredicate::OLE, a, one);
    return {select(inside, mulF(b, l, cF32(b, l, 0.5), mulF(b, l, d, d)), subF(b, l, a, cF32(b, l, 0.5))),
            minF(maxF(d, cF32(b, l, -1)), one)};
  }
  case ElementLoss::kl_divergence: { // summed over the last axis: |last| x the mean
    Value yc = minF(maxF(y, cF32(b, l, eps)), one), pc = minF(maxF(p, cF32(b, l, eps)), one);
    Value n = cF32(b, l, static_cast<double>(last));
    Value inside = b.create<arith::AndIOp>(l, cmp(arith::CmpFPredicate::OGE, p, cF32(b, l, eps)),
                                           cmp(arith::CmpFPredicate::OLE, p, one));
    return {mulF(b, l, n, mulF(b, l, yc, logF(divF(b, l, yc, pc)))),
            select(inside, subF(b, l, zero, divF(b, l, mulF(b, l, n, yc), pc)), zero)};
  }
  case ElementLoss::mean_squared_logarithmic_error: {
    Value pe = addF(b, l, maxF(p, cF32(b, l, eps)), one);
    Value diff = subF(b, l, logF(pe), logF(addF(b, l, maxF(y, cF32(b, l, eps)), one)));
    return {mulF(b, l, diff, diff),
            select(cmp(arith::CmpFPredicate::OGT, p, cF32(b, l, eps)), divF(b, l, mulF(b, l, cF32(b, l, 2), diff), pe),
                   zero)};
  }
  case ElementLoss::mean_absolute_percentage_error: {
    Value scale = divF(b, l, cF32(b, l, 100), maxF(b.create<math::AbsFOp>(l, y), cF32(b, l, eps)));
    Value g = select(cmp(arith::CmpFPredicate::OGT, d, zero), scale,
                     select(cmp(arith::CmpFPredicate::OLT, d, zero), subF(b, l, zero, scale), zero));
    return {mulF(b, l, scale, b.create<math::AbsFOp>(l, d)), g};
  }
  }
  llvm_unreachable("element losses are covered");
}

/// Samples and elements per sample of a [N, ...] tensor.
std::pair<int64_t, int64_t> rowsAndElements(Value v) {
  ArrayRef<int64_t> s = shapeOf(v);
  return {s[0], numElements(s.drop_front())};
}

void lowerElementLoss(LoweringContext &ctx, ElementLossOp op) {
  auto [rows, k] = rowsAndElements(op.getPred());
  double eps = op.getEpsilon().convertToDouble();
  ElementLoss kind = op.getKind();
  int64_t last = shapeOf(op.getPred()).back();
  ctx.launch(op.getLoc(), "loss",
             {ctx.bufferOf(op.getPred()), ctx.bufferOf(op.getTarget()), ctx.bufferOf(op.getMask())},
             ctx.resultBuffer(op.getResult()), 1,
             [=](OpBuilder &b, Location l, ValueRange m, Value, Value) {
               Value total = forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, rows), cF32(b, l, 0),
                                           [&](OpBuilder &rb, Value r, Value acc) {
                 Value base = affine(rb, l, r, k);
                 Value row = forLoopReduce(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), cF32(rb, l, 0),
                                           [&](OpBuilder &ib, Value j, Value a) {
                   Value at = addIdx(ib, l, base, j);
                   return addF(ib, l, a, elementTerm(ib, l, kind, load(ib, l, m[0], at), load(ib, l, m[1], at), eps, last).first);
                 });
                 return addF(rb, l, acc, mulF(rb, l, divF(rb, l, row, cF32(rb, l, k)), load(rb, l, m[2], r)));
               });
               store(b, l, maskedMean(b, l, total, m[2], rows), m[3], cIndex(b, l, 0));
             },
             /*serial=*/true);
}

void lowerElementLossGrad(LoweringContext &ctx, ElementLossGradOp op) {
  auto [rows, k] = rowsAndElements(op.getPred());
  double eps = op.getEpsilon().convertToDouble();
  ElementLoss kind = op.getKind();
  int64_t last = shapeOf(op.getPred()).back();
  ctx.launch(op.getLoc(), "loss_grad",
             {ctx.bufferOf(op.getPred()), ctx.bufferOf(op.getTarget()), ctx.bufferOf(op.getMask()),
              ctx.bufferOf(op.getLossGrad())},
             ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), rows,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               Value count = sumOfMask(b, l, m[2], rows);
               Value dl = load(b, l, m[3], cIndex(b, l, 0));
               Value positive = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, count, cF32(b, l, 0));
               Value perElement = divF(b, l, dl, mulF(b, l, count, cF32(b, l, k)));
               Value scale = b.create<arith::SelectOp>(l, positive, perElement, cF32(b, l, 0));
               forLoop(b, l, begin, end, [&](OpBuilder &rb, Value r) {
                 Value base = affine(rb, l, r, k);
                 Value w = mulF(rb, l, scale, load(rb, l, m[2], r));
                 forLoop(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), [&](OpBuilder &ib, Value j) {
                   Value at = addIdx(ib, l, base, j);
                   Value g = elementTerm(ib, l, kind, load(ib, l, m[0], at), load(ib, l, m[1], at), eps, last).second;
                   store(ib, l, mulF(ib, l, w, g), m[4], at);
                 });
               });
             });
}

/// Binary accuracy: per sample, the fraction of elements with p > 0.5 == y > 0.5.
void lowerBinaryAccuracy(LoweringContext &ctx, AccuracyOp op) {
  auto [rows, k] = rowsAndElements(op.getProbs());
  ctx.launch(op.getLoc(), "accuracy",
             {ctx.bufferOf(op.getProbs()), ctx.bufferOf(op.getTarget()), ctx.bufferOf(op.getMask())},
             ctx.resultBuffer(op.getResult()), 1,
             [=](OpBuilder &b, Location l, ValueRange m, Value, Value) {
               Value correct = forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, rows), cF32(b, l, 0),
                                             [&](OpBuilder &rb, Value r, Value acc) {
                 Value base = affine(rb, l, r, k);
                 Value hits = forLoopReduce(rb, l, cIndex(rb, l, 0), cIndex(rb, l, k), cF32(rb, l, 0),
                                            [&](OpBuilder &ib, Value j, Value a) {
                   Value at = addIdx(ib, l, base, j);
                   auto above = [&](Value v) {
                     return ib.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, v, cF32(ib, l, 0.5)).getResult();
                   };
                   Value same = ib.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, above(load(ib, l, m[0], at)),
                                                         above(load(ib, l, m[1], at)));
                   return addF(ib, l, a, ib.create<arith::SelectOp>(l, same, cF32(ib, l, 1), cF32(ib, l, 0)));
                 });
                 return addF(rb, l, acc, mulF(rb, l, divF(rb, l, hits, cF32(rb, l, k)), load(rb, l, m[2], r)));
               });
               store(b, l, correct, m[3], cIndex(b, l, 0));
             },
             /*serial=*/true);
}

void lowerAccuracy(LoweringContext &ctx, AccuracyOp op) {
  if (op.getBinary())
    return lowerBinaryAccuracy(ctx, op);
  auto [rows, k] = rowsAndClasses(op.getProbs());
  bool sparse = isSparseTarget(op.getTarget());
  ctx.launch(op.getLoc(), "accuracy",
             {ctx.bufferOf(op.getProbs()), ctx.bufferOf(op.getTarget()), ctx.bufferOf(op.getMask())},
             ctx.resultBuffer(op.getResult()), 1,
             [=](OpBuilder &b, Location l, ValueRange m, Value, Value) {
               // First maximum of a row, as argmax returns it.
               auto argmax = [&](OpBuilder &rb, Value memref, Value base) {
                 auto loop = rb.create<scf::ForOp>(
                     l, cIndex(rb, l, 1), cIndex(rb, l, k), cIndex(rb, l, 1),
                     ValueRange{load(rb, l, memref, base), cIndex(rb, l, 0)},
                     [&](OpBuilder &ib, Location, Value j, ValueRange acc) {
                       Value v = load(ib, l, memref, addIdx(ib, l, base, j));
                       Value better = ib.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, v, acc[0]);
                       ib.create<scf::YieldOp>(l, ValueRange{ib.create<arith::SelectOp>(l, better, v, acc[0]),
                                                             ib.create<arith::SelectOp>(l, better, j, acc[1])});
                     });
                 return loop.getResult(1);
               };
               Value correct = forLoopReduce(b, l, cIndex(b, l, 0), cIndex(b, l, rows), cF32(b, l, 0),
                                             [&](OpBuilder &rb, Value r, Value acc) {
                 Value base = affine(rb, l, r, k);
                 Value predicted = argmax(rb, m[0], base);
                 Value truth = sparse ? clampedIndex(rb, l, load(rb, l, m[1], r), k) : argmax(rb, m[1], base);
                 Value hit = rb.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, predicted, truth);
                 Value w = rb.create<arith::SelectOp>(l, hit, load(rb, l, m[2], r), cF32(rb, l, 0));
                 return addF(rb, l, acc, w);
               });
               store(b, l, correct, m[3], cIndex(b, l, 0));
             },
             /*serial=*/true);
}

//===----------------------------------------------------------------------===//
// Embedding and data movement
//===----------------------------------------------------------------------===//

void lowerEmbedding(LoweringContext &ctx, EmbeddingOp op) {
  int64_t ids = numElements(shapeOf(op.getIds()));
  int64_t vocab = shapeOf(op.getTable())[0], dim = shapeOf(op.getTable())[1];
  ctx.launch(op.getLoc(), prefixFor(op) + "_gather",
             {ctx.bufferOf(op.getIds()), ctx.bufferOf(op.getTable())},
             ctx.resultBuffer(op.getResult()), ids,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value i) {
                 Value row = affine(nb, l, clampedIndex(nb, l, load(nb, l, m[0], i), vocab), dim);
                 Value dst = affine(nb, l, i, dim);
                 forLoop(nb, l, cIndex(nb, l, 0), cIndex(nb, l, dim), [&](OpBuilder &ib, Value j) {
                   store(ib, l, load(ib, l, m[1], addIdx(ib, l, row, j)), m[2], addIdx(ib, l, dst, j));
                 });
               });
             });
}

void lowerEmbeddingBackward(LoweringContext &ctx, EmbeddingBackwardOp op) {
  int64_t ids = numElements(shapeOf(op.getIds()));
  int64_t vocab = op.getVocabSize(), dim = shapeOf(op.getOutputGrad()).back();
  ctx.launch(op.getLoc(), prefixFor(op) + "_scatter",
             {ctx.bufferOf(op.getIds()), ctx.bufferOf(op.getOutputGrad())},
             ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), 1,
             [=](OpBuilder &b, Location l, ValueRange m, Value, Value) {
               forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, vocab * dim),
                       [&](OpBuilder &nb, Value j) { store(nb, l, cF32(nb, l, 0), m[2], j); });
               forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, ids), [&](OpBuilder &nb, Value i) {
                 Value row = affine(nb, l, clampedIndex(nb, l, load(nb, l, m[0], i), vocab), dim);
                 Value src = affine(nb, l, i, dim);
                 forLoop(nb, l, cIndex(nb, l, 0), cIndex(nb, l, dim), [&](OpBuilder &ib, Value j) {
                   Value d = addIdx(ib, l, row, j);
                   store(ib, l, addF(ib, l, load(ib, l, m[2], d), load(ib, l, m[1], addIdx(ib, l, src, j))), m[2], d);
                 });
               });
             },
             /*serial=*/true);
}

void lowerRepeat(LoweringContext &ctx, RepeatOp op) {
  ArrayRef<int64_t> x = shapeOf(op.getInput());
  int64_t n = x[0], f = x[1], times = op.getTimes();
  ctx.launch(op.getLoc(), prefixFor(op) + "_repeat", ctx.bufferOf(op.getInput()),
             ctx.resultBuffer(op.getResult()), n * times,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value r) {
                 Value src = affine(nb, l, nb.create<arith::DivUIOp>(l, r, cIndex(nb, l, times)), f);
                 Value dst = affine(nb, l, r, f);
                 forLoop(nb, l, cIndex(nb, l, 0), cIndex(nb, l, f), [&](OpBuilder &ib, Value j) {
                   store(ib, l, load(ib, l, m[0], addIdx(ib, l, src, j)), m[1], addIdx(ib, l, dst, j));
                 });
               });
             });
}

/// Copies |count| contiguous elements from m[from] at |src| to m[to] at |dst|.
void copyRun(OpBuilder &b, Location l, Value from, Value src, Value to, Value dst, int64_t count) {
  forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, count), [&](OpBuilder &ib, Value j) {
    store(ib, l, load(ib, l, from, addIdx(ib, l, src, j)), to, addIdx(ib, l, dst, j));
  });
}

void lowerConcat(LoweringContext &ctx, ConcatOp op) {
  ArrayRef<int64_t> ys = shapeOf(op.getResult());
  int64_t axis = normalizeAxis(op.getAxis(), ys.size());
  int64_t outer = numElements(ys.take_front(axis)), inner = numElements(ys.drop_front(axis + 1));
  SmallVector<int64_t> sizes;
  SmallVector<Value> ins;
  for (Value v : op.getInputs()) {
    sizes.push_back(shapeOf(v)[axis]);
    ins.push_back(ctx.bufferOf(v));
  }
  int64_t total = ys[axis];
  ctx.launch(op.getLoc(), prefixFor(op) + "_concat", ins, ctx.resultBuffer(op.getResult()), outer,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value o) {
                 int64_t offset = 0;
                 for (auto [k, size] : llvm::enumerate(sizes)) {
                   copyRun(nb, l, m[k], affine(nb, l, o, size * inner), m[sizes.size()],
                           affine(nb, l, o, total * inner, offset * inner), size * inner);
                   offset += size;
                 }
               });
             });
}

void lowerSlice(LoweringContext &ctx, SliceOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  int64_t axis = normalizeAxis(op.getAxis(), xs.size());
  int64_t outer = numElements(xs.take_front(axis)), inner = numElements(xs.drop_front(axis + 1));
  int64_t total = xs[axis], start = op.getStart(), size = op.getSize();
  ctx.launch(op.getLoc(), prefixFor(op) + "_slice", ctx.bufferOf(op.getInput()),
             ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), outer,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value o) {
                 copyRun(nb, l, m[0], affine(nb, l, o, total * inner, start * inner), m[1],
                         affine(nb, l, o, size * inner), size * inner);
               });
             });
}

void lowerReverse(LoweringContext &ctx, ReverseOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  int64_t axis = normalizeAxis(op.getAxis(), xs.size());
  int64_t total = xs[axis], inner = numElements(xs.drop_front(axis + 1));
  // One task per (outer, position) row of |inner| contiguous elements.
  ctx.launch(op.getLoc(), prefixFor(op) + "_reverse", ctx.bufferOf(op.getInput()), ctx.resultBuffer(op.getResult()),
             numElements(xs.take_front(axis + 1)), [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value r) {
                 // Row o * total + a goes to o * total + (total - 1 - a) = 2 * o * total + total - 1 - r.
                 Value o = nb.create<arith::DivUIOp>(l, r, cIndex(nb, l, total));
                 Value mirrored = nb.create<arith::SubIOp>(l, affine(nb, l, o, 2 * total, total - 1), r);
                 copyRun(nb, l, m[0], affine(nb, l, r, inner), m[1], affine(nb, l, mirrored, inner), inner);
               });
             });
}

void lowerPad(LoweringContext &ctx, PadOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  int64_t axis = normalizeAxis(op.getAxis(), xs.size());
  int64_t outer = numElements(xs.take_front(axis)), inner = numElements(xs.drop_front(axis + 1));
  int64_t run = xs[axis] * inner, before = op.getBefore() * inner, after = op.getAfter() * inner;
  int64_t row = run + before + after;
  ctx.launch(op.getLoc(), prefixFor(op) + "_pad", ctx.bufferOf(op.getInput()), ctx.resultBuffer(op.getResult()),
             outer, [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value o) {
                 Value base = affine(nb, l, o, row);
                 auto zeros = [&](int64_t from, int64_t count) {
                   forLoop(nb, l, cIndex(nb, l, from), cIndex(nb, l, from + count), [&](OpBuilder &ib, Value j) {
                     store(ib, l, cF32(ib, l, 0), m[1], addIdx(ib, l, base, j));
                   });
                 };
                 zeros(0, before);
                 copyRun(nb, l, m[0], affine(nb, l, o, run), m[1], affine(nb, l, o, row, before), run);
                 zeros(before + run, after);
               });
             });
}

} // namespace

LogicalResult lowerSmallKernel(LoweringContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto r = dyn_cast<ReshapeOp>(op)) {
    ctx.bind(r.getResult(), ctx.view(op->getLoc(), ctx.bufferOf(r.getInput()), shapeOf(r.getResult())));
    return success();
  }
  if (auto rs = dyn_cast<ReduceSumOp>(op))
    return lowerReduceSum(ctx, rs);
  if (auto ba = dyn_cast<BiasAddOp>(op))
    return lowerBiasAdd(ctx, ba), success();
  if (auto sm = dyn_cast<SoftmaxOp>(op))
    return lowerSoftmax(ctx, sm), success();
  if (auto sg = dyn_cast<SoftmaxGradOp>(op))
    return lowerSoftmaxGrad(ctx, sg), success();
  if (auto ce = dyn_cast<CrossEntropyOp>(op))
    return lowerCrossEntropy(ctx, ce), success();
  if (auto cg = dyn_cast<CrossEntropyGradOp>(op))
    return lowerCrossEntropyGrad(ctx, cg), success();
  if (auto acc = dyn_cast<AccuracyOp>(op))
    return lowerAccuracy(ctx, acc), success();
  if (auto el = dyn_cast<ElementLossOp>(op))
    return lowerElementLoss(ctx, el), success();
  if (auto eg = dyn_cast<ElementLossGradOp>(op))
    return lowerElementLossGrad(ctx, eg), success();
  if (auto emb = dyn_cast<EmbeddingOp>(op))
    return lowerEmbedding(ctx, emb), success();
  if (auto eb = dyn_cast<EmbeddingBackwardOp>(op))
    return lowerEmbeddingBackward(ctx, eb), success();
  if (auto rep = dyn_cast<RepeatOp>(op))
    return lowerRepeat(ctx, rep), success();
  if (auto cat = dyn_cast<ConcatOp>(op))
    return lowerConcat(ctx, cat), success();
  if (auto sl = dyn_cast<SliceOp>(op))
    return lowerSlice(ctx, sl), success();
  if (auto pad = dyn_cast<PadOp>(op))
    return lowerPad(ctx, pad), success();
  if (auto rev = dyn_cast<ReverseOp>(op))
    return lowerReverse(ctx, rev), success();
  handled = false;
  return success();
}

} // namespace kcc::lowering
