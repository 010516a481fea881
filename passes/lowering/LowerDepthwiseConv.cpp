//===- LowerDepthwiseConv.cpp - depthwise_conv2d and its gradients --------===//
//
// Generated kernels over NHWC images and Keras's [kh, kw, C, M] filter; the
// innermost loop runs along the C*M contiguous output channels. The taps are
// unrolled at compile time (kh * kw is small), each guarded by its bounds:
//   forward          parallel over output pixels;
//   backward data    parallel over input pixels, gathering the output pixels
//                    whose windows hold them (no atomics);
//   backward filter  parallel over taps, each summing over every pixel.
// The arithmetic is the float64 reference's (ir/Graph/IR/ops/Convolution.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace kcc::graph;

namespace kcc::lowering {

namespace {

/// Sizes of one depthwise convolution, from its input and filter shapes.
struct DepthwiseGeometry {
  int64_t n, h, w, c, m, oh, ow, kh, kw, sh, sw, dh, dw, padTop, padLeft;

  DepthwiseGeometry(ArrayRef<int64_t> in, ArrayRef<int64_t> filter, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> dilations, Padding padding)
      : n(in[0]), h(in[1]), w(in[2]), c(in[3]), m(filter[3]), kh(filter[0]), kw(filter[1]), sh(strides[0]),
        sw(strides[1]), dh(dilations[0]), dw(dilations[1]) {
    WindowDim y = windowDim(h, kh, sh, dh, padding), x = windowDim(w, kw, sw, dw, padding);
    oh = y.out, ow = x.out, padTop = y.padBefore, padLeft = x.padBefore;
  }
  int64_t cm() const { return c * m; }
};

// Window positions can be negative (padding): this arithmetic may not carry
// affine()'s no-unsigned-wrap flag.
Value signedAffine(OpBuilder &b, Location l, Value a, int64_t s, int64_t t) {
  Value r = s == 1 ? a : b.create<arith::MulIOp>(l, a, cIndex(b, l, s), arith::IntegerOverflowFlags::nsw).getResult();
  return t == 0 ? r : b.create<arith::AddIOp>(l, r, cIndex(b, l, t), arith::IntegerOverflowFlags::nsw).getResult();
}
Value signedAdd(OpBuilder &b, Location l, Value x, Value y) {
  return b.create<arith::AddIOp>(l, x, y, arith::IntegerOverflowFlags::nsw);
}
Value divIdx(OpBuilder &b, Location l, Value x, int64_t d) {
  return d == 1 ? x : b.create<arith::DivSIOp>(l, x, cIndex(b, l, d)).getResult();
}
Value remIdx(OpBuilder &b, Location l, Value x, int64_t d) {
  return b.create<arith::RemSIOp>(l, x, cIndex(b, l, d));
}
Value inRange(OpBuilder &b, Location l, Value v, int64_t size) {
  Value lo = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, v, cIndex(b, l, 0));
  Value hi = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, v, cIndex(b, l, size));
  return b.create<arith::AndIOp>(l, lo, hi);
}
Value both(OpBuilder &b, Location l, Value x, Value y) { return b.create<arith::AndIOp>(l, x, y); }

/// Runs |then| under |cond|.
void when(OpBuilder &b, Location l, Value cond, const std::function<void(OpBuilder &)> &then) {
  b.create<scf::IfOp>(l, cond, [&](OpBuilder &tb, Location) {
    then(tb);
    tb.create<scf::YieldOp>(l);
  });
}

/// Zeroes |count| elements of |buf| from |base|.
void zero(OpBuilder &b, Location l, Value buf, Value base, int64_t count) {
  forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, count),
          [&](OpBuilder &ib, Value k) { store(ib, l, cF32(ib, l, 0), buf, addIdx(ib, l, base, k)); });
}

/// to[toBase + oc] += from[fromBase + oc / m] * w[wBase + oc] for oc < c*m.
void accumulateChannels(OpBuilder &b, Location l, const DepthwiseGeometry &g, Value to, Value toBase, Value from,
                        Value fromBase, Value w, Value wBase) {
  forLoop(b, l, cIndex(b, l, 0), cIndex(b, l, g.cm()), [&](OpBuilder &ib, Value oc) {
    Value at = addIdx(ib, l, toBase, oc);
    Value x = load(ib, l, from, addIdx(ib, l, fromBase, divIdx(ib, l, oc, g.m)));
    store(ib, l, addF(ib, l, load(ib, l, to, at), mulF(ib, l, x, load(ib, l, w, addIdx(ib, l, wBase, oc)))), to,
          at);
  });
}

void lowerForward(LoweringContext &ctx, DepthwiseConv2DOp op) {
  DepthwiseGeometry g(shapeOf(op.getInput()), shapeOf(op.getFilter()), op.getStrides(), op.getDilations(),
                      op.getPadding());
  ctx.launch(op.getLoc(), prefixFor(op) + "_depthwise", {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getFilter())},
             ctx.resultBuffer(op.getResult()), g.n * g.oh * g.ow,
             [=](OpBuilder &b, Location l, ValueRange mem, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &pb, Value p) { // p = (n * oh + oy) * ow + ox
                 Value ox = remIdx(pb, l, p, g.ow), rows = divIdx(pb, l, p, g.ow);
                 Value oy = remIdx(pb, l, rows, g.oh), n = divIdx(pb, l, rows, g.oh);
                 Value yBase = affine(pb, l, p, g.cm());
                 zero(pb, l, mem[2], yBase, g.cm());
                 for (int64_t i = 0; i < g.kh; ++i)
                   for (int64_t j = 0; j < g.kw; ++j) {
                     Value y = signedAffine(pb, l, oy, g.sh, i * g.dh - g.padTop);
                     Value x = signedAffine(pb, l, ox, g.sw, j * g.dw - g.padLeft);
                     when(pb, l, both(pb, l, inRange(pb, l, y, g.h), inRange(pb, l, x, g.w)), [&](OpBuilder &tb) {
                       Value pixel = addIdx(tb, l, affine(tb, l, addIdx(tb, l, affine(tb, l, n, g.h), y), g.w), x);
                       accumulateChannels(tb, l, g, mem[2], yBase, mem[0], affine(tb, l, pixel, g.c), mem[1],
                                          cIndex(tb, l, (i * g.kw + j) * g.cm()));
                     });
                   }
               });
             });
}

void lowerBackwardData(LoweringContext &ctx, DepthwiseConv2DBackwardDataOp op) {
  DepthwiseGeometry g(op.getInputShape(), shapeOf(op.getFilter()), op.getStrides(), op.getDilations(),
                      op.getPadding());
  ctx.launch(
      op.getLoc(), prefixFor(op) + "_depthwise_grad_input",
      {ctx.bufferOf(op.getOutputGrad()), ctx.bufferOf(op.getFilter())},
      ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), g.n * g.h * g.w,
      [=](OpBuilder &b, Location l, ValueRange mem, Value begin, Value end) {
        forLoop(b, l, begin, end, [&](OpBuilder &pb, Value p) { // p = (n * h + y) * w + x
          Value x = remIdx(pb, l, p, g.w), rows = divIdx(pb, l, p, g.w);
          Value y = remIdx(pb, l, rows, g.h), n = divIdx(pb, l, rows, g.h);
          Value dxBase = affine(pb, l, p, g.c);
          zero(pb, l, mem[2], dxBase, g.c);
          for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
              // Output pixel (oy, ox) reads (y, x) through tap (i, j) when
              // oy * sh = y + padTop - i * dh.
              Value ty = signedAffine(pb, l, y, 1, g.padTop - i * g.dh);
              Value tx = signedAffine(pb, l, x, 1, g.padLeft - j * g.dw);
              Value oy = divIdx(pb, l, ty, g.sh), ox = divIdx(pb, l, tx, g.sw);
              Value ok = both(pb, l, inRange(pb, l, ty, g.oh * g.sh), inRange(pb, l, tx, g.ow * g.sw));
              if (g.sh > 1)
                ok = both(pb, l, ok, inRange(pb, l, remIdx(pb, l, ty, g.sh), 1));
              if (g.sw > 1)
                ok = both(pb, l, ok, inRange(pb, l, remIdx(pb, l, tx, g.sw), 1));
              when(pb, l, ok, [&](OpBuilder &tb) {
                Value out = addIdx(tb, l, affine(tb, l, addIdx(tb, l, affine(tb, l, n, g.oh), oy), g.ow), ox);
                Value dyBase = affine(tb, l, out, g.cm()), wBase = cIndex(tb, l, (i * g.kw + j) * g.cm());
                forLoop(tb, l, cIndex(tb, l, 0), cIndex(tb, l, g.cm()), [&](OpBuilder &ib, Value oc) {
                  Value at = addIdx(ib, l, dxBase, divIdx(ib, l, oc, g.m));
                  Value term = mulF(ib, l, load(ib, l, mem[0], addIdx(ib, l, dyBase, oc)),
                                    load(ib, l, mem[1], addIdx(ib, l, wBase, oc)));
                  store(ib, l, addF(ib, l, load(ib, l, mem[2], at), term), mem[2], at);
                });
              });
            }
        });
      });
}

void lowerBackwardFilter(LoweringContext &ctx, DepthwiseConv2DBackwardFilterOp op) {
  DepthwiseGeometry g(shapeOf(op.getInput()), op.getFilterShape(), op.getStrides(), op.getDilations(),
                      op.getPadding());
  ctx.launch(op.getLoc(), prefixFor(op) + "_depthwise_grad_filter",
             {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getOutputGrad())},
             ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient), g.kh * g.kw,
             [=](OpBuilder &b, Location l, ValueRange mem, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &tb, Value tap) { // tap = i * kw + j
                 Value i = divIdx(tb, l, tap, g.kw), j = remIdx(tb, l, tap, g.kw);
                 Value dwBase = affine(tb, l, tap, g.cm());
                 zero(tb, l, mem[2], dwBase, g.cm());
                 Value dyOff = signedAffine(tb, l, i, g.dh, -g.padTop), dxOff = signedAffine(tb, l, j, g.dw, -g.padLeft);
                 forLoop(tb, l, cIndex(tb, l, 0), cIndex(tb, l, g.n * g.oh * g.ow), [&](OpBuilder &pb, Value p) {
                   Value ox = remIdx(pb, l, p, g.ow), rows = divIdx(pb, l, p, g.ow);
                   Value oy = remIdx(pb, l, rows, g.oh), n = divIdx(pb, l, rows, g.oh);
                   Value y = signedAdd(pb, l, affine(pb, l, oy, g.sh), dyOff);
                   Value x = signedAdd(pb, l, affine(pb, l, ox, g.sw), dxOff);
                   when(pb, l, both(pb, l, inRange(pb, l, y, g.h), inRange(pb, l, x, g.w)), [&](OpBuilder &ib) {
                     Value pixel = addIdx(ib, l, affine(ib, l, addIdx(ib, l, affine(ib, l, n, g.h), y), g.w), x);
                     accumulateChannels(ib, l, g, mem[2], dwBase, mem[0], affine(ib, l, pixel, g.c), mem[1],
                                        affine(ib, l, p, g.cm()));
                   });
                 });
               });
             });
}

} // namespace

LogicalResult lowerDepthwiseConv(LoweringContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto fwd = dyn_cast<DepthwiseConv2DOp>(op))
    return lowerForward(ctx, fwd), success();
  if (auto bd = dyn_cast<DepthwiseConv2DBackwardDataOp>(op))
    return lowerBackwardData(ctx, bd), success();
  if (auto bf = dyn_cast<DepthwiseConv2DBackwardFilterOp>(op))
    return lowerBackwardFilter(ctx, bf), success();
  handled = false;
  return success();
}

} // namespace kcc::lowering
