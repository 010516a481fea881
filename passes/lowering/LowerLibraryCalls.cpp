//===- LowerLibraryCalls.cpp - matmul, convolution, pooling, LSTM ---------===//
//
// These become exec library calls; a target maps each to oneDNN (CPU) or
// cuDNN/cuBLAS (CUDA). An LSTM is split so that only the recurrence is
// sequential: one big matmul computes x_t W + b for every step, the
// recurrence call does h_t R plus a generated cell kernel per step, and the
// weight gradients are again single big matmuls over all steps.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace kcc::graph;

namespace kcc::lowering {

namespace {

NamedAttribute i64Attr(OpBuilder &b, StringRef name, int64_t v) {
  return b.getNamedAttr(name, b.getI64IntegerAttr(v));
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

std::pair<int64_t, int64_t> asMatrix(Value v) {
  ArrayRef<int64_t> s = shapeOf(v);
  return {numElements(s.drop_back()), s.back()};
}

void lowerMatMul(LoweringContext &ctx, MatMulOp op) {
  OpBuilder &b = ctx.builder;
  auto [aRows, aCols] = asMatrix(op.getA());
  auto [bRows, bCols] = asMatrix(op.getB());
  bool ta = op.getTransposeA(), tb = op.getTransposeB();
  SmallVector<Value> ins = {ctx.bufferOf(op.getA()), ctx.bufferOf(op.getB())};
  if (op.getBias())
    ins.push_back(ctx.bufferOf(op.getBias()));
  SmallVector<NamedAttribute> attrs = {
      i64Attr(b, "m", ta ? aCols : aRows), i64Attr(b, "n", tb ? bRows : bCols),
      i64Attr(b, "k", ta ? aRows : aCols),
      b.getNamedAttr("activation", op.getActivationAttr())};
  if (ta)
    attrs.push_back(b.getNamedAttr("transpose_a", b.getUnitAttr()));
  if (tb)
    attrs.push_back(b.getNamedAttr("transpose_b", b.getUnitAttr()));
  createCall<exec::MatMulOp>(b, op.getLoc(), ins, ctx.resultBuffer(op.getResult()), attrs);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// The exec geometry attributes of a conv over |input| with a |filter|-shaped
/// filter and the given window attributes.
SmallVector<NamedAttribute> convGeometry(OpBuilder &b, ArrayRef<int64_t> input,
                                         ArrayRef<int64_t> filter, ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations, Padding padding,
                                         DataFormat format) {
  ImageAxes ax(format);
  WindowDim y = windowDim(input[ax.h], filter[0], strides[0], dilations[0], padding);
  WindowDim x = windowDim(input[ax.w], filter[1], strides[1], dilations[1], padding);
  return {i64Attr(b, "batch", input[ax.n]), i64Attr(b, "in_channels", input[ax.c]),
          i64Attr(b, "in_height", input[ax.h]), i64Attr(b, "in_width", input[ax.w]),
          i64Attr(b, "out_channels", filter[3]), i64Attr(b, "out_height", y.out),
          i64Attr(b, "out_width", x.out), i64Attr(b, "kernel_height", filter[0]),
          i64Attr(b, "kernel_width", filter[1]),
          b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
          b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)),
          b.getNamedAttr("pads", b.getDenseI64ArrayAttr(
                                     {y.padBefore, x.padBefore, y.padAfter, x.padAfter}))};
}

/// Plain image buffers are stored in the Keras data format; the exec
/// geometry is always N, C, H, W, so the format travels as an attribute.
NamedAttribute formatAttr(OpBuilder &b, DataFormat f) {
  return b.getNamedAttr("data_format", DataFormatAttr::get(b.getContext(), f));
}

void lowerConv(LoweringContext &ctx, Conv2DOp op) {
  OpBuilder &b = ctx.builder;
  SmallVector<Value> ins = {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getFilter())};
  if (op.getBias())
    ins.push_back(ctx.bufferOf(op.getBias()));
  auto attrs = convGeometry(b, shapeOf(op.getInput()), shapeOf(op.getFilter()), op.getStrides(),
                            op.getDilations(), op.getPadding(), op.getDataFormat());
  attrs.push_back(b.getNamedAttr("activation", op.getActivationAttr()));
  attrs.push_back(formatAttr(b, op.getDataFormat()));
  createCall<exec::Conv2DOp>(b, op.getLoc(), ins, ctx.resultBuffer(op.getResult()), attrs);
}

void lowerConvBackwardData(LoweringContext &ctx, Conv2DBackwardDataOp op) {
  OpBuilder &b = ctx.builder;
  auto attrs = convGeometry(b, op.getInputShape(), shapeOf(op.getFilter()), op.getStrides(),
                            op.getDilations(), op.getPadding(), op.getDataFormat());
  attrs.push_back(formatAttr(b, op.getDataFormat()));
  createCall<exec::Conv2DBackwardDataOp>(
      b, op.getLoc(), {ctx.bufferOf(op.getOutputGrad()), ctx.bufferOf(op.getFilter())},
      ctx.resultBuffer(op.getResult()), attrs); // an activation in a Conv2DTranspose
}

void lowerConvBackwardFilter(LoweringContext &ctx, Conv2DBackwardFilterOp op) {
  OpBuilder &b = ctx.builder;
  auto attrs = convGeometry(b, shapeOf(op.getInput()), op.getFilterShape(), op.getStrides(),
                            op.getDilations(), op.getPadding(), op.getDataFormat());
  attrs.push_back(formatAttr(b, op.getDataFormat()));
  SmallVector<Value> outs = {ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient)};
  if (op.getBiasGrad())
    outs.push_back(ctx.resultBuffer(op.getBiasGrad(), exec::BufferKind::gradient));
  createCall<exec::Conv2DBackwardFilterOp>(
      b, op.getLoc(), {ctx.bufferOf(op.getInput()), ctx.bufferOf(op.getOutputGrad())}, outs, attrs);
}

SmallVector<NamedAttribute> poolGeometry(OpBuilder &b, ArrayRef<int64_t> input,
                                         ArrayRef<int64_t> pool, ArrayRef<int64_t> strides,
                                         Padding padding, DataFormat format) {
  ImageAxes ax(format);
  WindowDim y = windowDim(input[ax.h], pool[0], strides[0], 1, padding);
  WindowDim x = windowDim(input[ax.w], pool[1], strides[1], 1, padding);
  return {i64Attr(b, "batch", input[ax.n]), i64Attr(b, "channels", input[ax.c]),
          i64Attr(b, "in_height", input[ax.h]), i64Attr(b, "in_width", input[ax.w]),
          i64Attr(b, "out_height", y.out), i64Attr(b, "out_width", x.out),
          b.getNamedAttr("pool_size", b.getDenseI64ArrayAttr(pool)),
          b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
          b.getNamedAttr("pads", b.getDenseI64ArrayAttr({y.padBefore, x.padBefore, y.padAfter,
                                                         x.padAfter})),
          formatAttr(b, format)};
}

void lowerMaxPool(LoweringContext &ctx, MaxPool2DOp op) {
  OpBuilder &b = ctx.builder;
  SmallVector<Value> outs = {ctx.resultBuffer(op.getResult())};
  // Training mode only if a backward reads this forward's result.
  bool training = llvm::any_of(op.getResult().getUsers(),
                               [](Operation *u) { return isa<MaxPool2DBackwardOp>(u); });
  if (training) {
    // The workspace's real size is the target's business; it sizes it.
    Value ws = ctx.alloc(op.getLoc(), shapeOf(op.getResult()), b.getIntegerType(8),
                         exec::BufferKind::workspace);
    ctx.poolWorkspaces[op] = ws;
    outs.push_back(ws);
  }
  createCall<exec::MaxPool2DOp>(
      b, op.getLoc(), ctx.bufferOf(op.getInput()), outs,
      poolGeometry(b, shapeOf(op.getInput()), op.getPoolSize(), op.getStrides(), op.getPadding(),
                   op.getDataFormat()));
}

LogicalResult lowerMaxPoolBackward(LoweringContext &ctx, MaxPool2DBackwardOp op) {
  auto forward = op.getOutput().getDefiningOp<MaxPool2DOp>();
  Value ws = forward ? ctx.poolWorkspaces.lookup(forward) : Value();
  if (!ws)
    return op.emitError("max_pool2d_backward must follow its forward max_pool2d");
  OpBuilder &b = ctx.builder;
  createCall<exec::MaxPool2DBackwardOp>(
      b, op.getLoc(), {ctx.bufferOf(op.getOutputGrad()), ws},
      ctx.resultBuffer(op.getResult(), exec::BufferKind::gradient),
      poolGeometry(b, shapeOf(op.getInput()), op.getPoolSize(), op.getStrides(), op.getPadding(),
                   op.getDataFormat()));
  return success();
}

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

/// Kernel copying [A, B, C] (starting |fromOffset| elements into |from|)
/// to [B, A, C]: batch-major <-> time-major. |reverseA| / |reverseB| mirror
/// that axis on the way (an LSTM with go_backwards reads time reversed).
void launchSwapOuter(LoweringContext &ctx, Location loc, Value from, Value to, int64_t a,
                     int64_t bDim, int64_t c, bool reverseA, bool reverseB,
                     int64_t fromOffset = 0) {
  ctx.launch(loc, "transpose", from, to, a * bDim,
             [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               // Domain index r = i * bDim + j enumerates source rows (i, j).
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value r) {
                 Value i = nb.create<arith::DivUIOp>(l, r, cIndex(nb, l, bDim));
                 Value j = nb.create<arith::RemUIOp>(l, r, cIndex(nb, l, bDim));
                 auto mirror = [&](Value v, int64_t size, bool rev) {
                   return rev ? nb.create<arith::SubIOp>(l, cIndex(nb, l, size - 1), v).getResult() : v;
                 };
                 Value src = affine(nb, l, r, c, fromOffset);
                 Value dstRow = addIdx(nb, l, mulIdx(nb, l, mirror(j, bDim, reverseB), cIndex(nb, l, a)),
                                       mirror(i, a, reverseA));
                 Value dst = affine(nb, l, dstRow, c);
                 forLoop(nb, l, cIndex(nb, l, 0), cIndex(nb, l, c), [&](OpBuilder &ib, Value k) {
                   store(ib, l, load(ib, l, m[0], addIdx(ib, l, src, k)), m[1], addIdx(ib, l, dst, k));
                 });
               });
             });
}

/// The cell kernels run a row's U units in vectors of kLanes f32 (then the
/// remaining units one by one): LLVM does not vectorise these loops on its
/// own, as they read and write one buffer at four gate offsets.
constexpr int64_t kLanes = 16;

/// Calls |body|(builder, unit, width) for unit in [0, u): widths kLanes, then 1.
void forUnits(OpBuilder &b, Location l, int64_t u,
              const std::function<void(OpBuilder &, Value, int64_t)> &body) {
  int64_t full = u / kLanes * kLanes;
  if (full > 0)
    b.create<scf::ForOp>(l, cIndex(b, l, 0), cIndex(b, l, full), cIndex(b, l, kLanes), ValueRange{},
                         [&](OpBuilder &nb, Location, Value j, ValueRange) {
                           body(nb, j, kLanes);
                           nb.create<scf::YieldOp>(l);
                         });
  if (full < u)
    forLoop(b, l, cIndex(b, l, full), cIndex(b, l, u), [&](OpBuilder &nb, Value j) { body(nb, j, 1); });
}

Value loadLanes(OpBuilder &b, Location l, Value memref, Value index, int64_t width) {
  if (width == 1)
    return load(b, l, memref, index);
  return b.create<vector::LoadOp>(l, VectorType::get({width}, b.getF32Type()), memref, ValueRange{index});
}

void storeLanes(OpBuilder &b, Location l, Value v, Value memref, Value index, int64_t width) {
  if (width == 1)
    return store(b, l, v, memref, index);
  b.create<vector::StoreOp>(l, v, memref, ValueRange{index});
}

/// Forward cell over one step, domain = batch rows:
///   args (gates_t [N*4U] in/out, c_prev [N*U], c_next [N*U], h_next [N*U]).
KernelBody lstmCellForward(int64_t u, Activation act, Activation rec) {
  return [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
    forLoop(b, l, begin, end, [&](OpBuilder &rb, Value n) {
      Value gBase = affine(rb, l, n, 4 * u), sBase = affine(rb, l, n, u);
      forUnits(rb, l, u, [&](OpBuilder &b2, Value j, int64_t w) {
        auto gate = [&](int64_t q) { return addIdx(b2, l, gBase, affine(b2, l, j, 1, q * u)); };
        Value s = addIdx(b2, l, sBase, j);
        Value i = buildActivation(b2, l, rec, loadLanes(b2, l, m[0], gate(0), w));
        Value f = buildActivation(b2, l, rec, loadLanes(b2, l, m[0], gate(1), w));
        Value g = buildActivation(b2, l, act, loadLanes(b2, l, m[0], gate(2), w));
        Value o = buildActivation(b2, l, rec, loadLanes(b2, l, m[0], gate(3), w));
        Value c = b2.create<arith::AddFOp>(l, b2.create<arith::MulFOp>(l, f, loadLanes(b2, l, m[1], s, w)),
                                           b2.create<arith::MulFOp>(l, i, g));
        Value h = b2.create<arith::MulFOp>(l, o, buildActivation(b2, l, act, c));
        storeLanes(b2, l, i, m[0], gate(0), w);
        storeLanes(b2, l, f, m[0], gate(1), w);
        storeLanes(b2, l, g, m[0], gate(2), w);
        storeLanes(b2, l, o, m[0], gate(3), w);
        storeLanes(b2, l, c, m[2], s, w);
        storeLanes(b2, l, h, m[3], s, w);
      });
    });
  };
}

/// Backward cell over one step, domain = batch rows:
///   args (gates_t [N*4U], c_prev, c_t, dh, dy_t, dc (in/out) [N*U],
///         dgates_t [N*4U]).
KernelBody lstmCellBackward(int64_t u, Activation act, Activation rec) {
  return [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
    forLoop(b, l, begin, end, [&](OpBuilder &rb, Value n) {
      Value gBase = affine(rb, l, n, 4 * u), sBase = affine(rb, l, n, u);
      forUnits(rb, l, u, [&](OpBuilder &b2, Value j, int64_t w) {
        auto mul = [&](Value x, Value y) { return b2.create<arith::MulFOp>(l, x, y).getResult(); };
        auto gate = [&](int64_t q) { return addIdx(b2, l, gBase, affine(b2, l, j, 1, q * u)); };
        auto ld = [&](unsigned k, Value at) { return loadLanes(b2, l, m[k], at, w); };
        Value s = addIdx(b2, l, sBase, j);
        Value i = ld(0, gate(0)), f = ld(0, gate(1)), g = ld(0, gate(2)), o = ld(0, gate(3));
        Value dh = b2.create<arith::AddFOp>(l, ld(3, s), ld(4, s));
        Value tc = buildActivation(b2, l, act, ld(2, s));
        Value dc = b2.create<arith::AddFOp>(l, ld(5, s), buildActivationGrad(b2, l, act, mul(dh, o), tc));
        storeLanes(b2, l, buildActivationGrad(b2, l, rec, mul(dc, g), i), m[6], gate(0), w);
        storeLanes(b2, l, buildActivationGrad(b2, l, rec, mul(dc, ld(1, s)), f), m[6], gate(1), w);
        storeLanes(b2, l, buildActivationGrad(b2, l, act, mul(dc, i), g), m[6], gate(2), w);
        storeLanes(b2, l, buildActivationGrad(b2, l, rec, mul(dh, tc), o), m[6], gate(3), w);
        storeLanes(b2, l, mul(dc, f), m[5], s, w);
      });
    });
  };
}

/// GRU (reset_after) forward cell in the same slots and arguments: gates_t
/// holds a_0..a_3 in and z, r, hh, a_3 out; h_{t-1} is c_prev; h is written
/// to both c_next and h_next.
KernelBody gruCellForward(int64_t u, Activation act, Activation rec) {
  return [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
    forLoop(b, l, begin, end, [&](OpBuilder &rb, Value n) {
      Value gBase = affine(rb, l, n, 4 * u), sBase = affine(rb, l, n, u);
      forUnits(rb, l, u, [&](OpBuilder &b2, Value j, int64_t w) {
        auto gate = [&](int64_t q) { return addIdx(b2, l, gBase, affine(b2, l, j, 1, q * u)); };
        Value s = addIdx(b2, l, sBase, j);
        Value z = buildActivation(b2, l, rec, loadLanes(b2, l, m[0], gate(0), w));
        Value r = buildActivation(b2, l, rec, loadLanes(b2, l, m[0], gate(1), w));
        Value rh = b2.create<arith::MulFOp>(l, r, loadLanes(b2, l, m[0], gate(3), w));
        Value hh = buildActivation(b2, l, act, b2.create<arith::AddFOp>(l, loadLanes(b2, l, m[0], gate(2), w), rh));
        // h = z h_prev + (1 - z) hh = hh + z (h_prev - hh)
        Value diff = b2.create<arith::SubFOp>(l, loadLanes(b2, l, m[1], s, w), hh);
        Value h = b2.create<arith::AddFOp>(l, hh, b2.create<arith::MulFOp>(l, z, diff));
        storeLanes(b2, l, z, m[0], gate(0), w);
        storeLanes(b2, l, r, m[0], gate(1), w);
        storeLanes(b2, l, hh, m[0], gate(2), w);
        storeLanes(b2, l, h, m[2], s, w);
        storeLanes(b2, l, h, m[3], s, w);
      });
    });
  };
}

/// GRU backward cell, arguments as lstmCellBackward's; dc carries the
/// gradient that reaches h_{t-1} through z h_{t-1}.
KernelBody gruCellBackward(int64_t u, Activation act, Activation rec) {
  return [=](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
    forLoop(b, l, begin, end, [&](OpBuilder &rb, Value n) {
      Value gBase = affine(rb, l, n, 4 * u), sBase = affine(rb, l, n, u);
      forUnits(rb, l, u, [&](OpBuilder &b2, Value j, int64_t w) {
        auto mul = [&](Value x, Value y) { return b2.create<arith::MulFOp>(l, x, y).getResult(); };
        auto sub = [&](Value x, Value y) { return b2.create<arith::SubFOp>(l, x, y).getResult(); };
        auto gate = [&](int64_t q) { return addIdx(b2, l, gBase, affine(b2, l, j, 1, q * u)); };
        auto ld = [&](unsigned k, Value at) { return loadLanes(b2, l, m[k], at, w); };
        Value s = addIdx(b2, l, sBase, j);
        Value z = ld(0, gate(0)), r = ld(0, gate(1)), hh = ld(0, gate(2)), rh = ld(0, gate(3));
        Value dh = b2.create<arith::AddFOp>(l, b2.create<arith::AddFOp>(l, ld(3, s), ld(4, s)), ld(5, s));
        Value dzh = mul(dh, z);
        Value dCand = buildActivationGrad(b2, l, act, sub(dh, dzh), hh); // dh (1 - z) through act
        storeLanes(b2, l, buildActivationGrad(b2, l, rec, mul(dh, sub(ld(1, s), hh)), z), m[6], gate(0), w);
        storeLanes(b2, l, buildActivationGrad(b2, l, rec, mul(dCand, rh), r), m[6], gate(1), w);
        storeLanes(b2, l, dCand, m[6], gate(2), w);
        storeLanes(b2, l, mul(dCand, r), m[6], gate(3), w);
        storeLanes(b2, l, dzh, m[5], s, w);
      });
    });
  };
}

void lowerLSTM(LoweringContext &ctx, LSTMOp op) {
  OpBuilder &b = ctx.builder;
  Location loc = op.getLoc();
  ArrayRef<int64_t> x = shapeOf(op.getInput());
  int64_t n = x[0], t = x[1], c = x[2], u = op.getUnits();
  Type f32 = b.getF32Type();
  std::string layer = layerName(loc);
  if (layer.empty())
    layer = "lstm";

  LSTMState st;
  // Step s reads x[:, s], or x[:, T-1-s] with go_backwards.
  st.timeMajorInput = ctx.alloc(loc, {t, n, c}, f32, exec::BufferKind::activation);
  launchSwapOuter(ctx, loc, ctx.bufferOf(op.getInput()), st.timeMajorInput, n, t, c,
                  /*reverseA=*/false, /*reverseB=*/op.getGoBackwards());
  st.gates = ctx.alloc(loc, {t, n, 4 * u}, f32, exec::BufferKind::activation);
  createCall<exec::MatMulOp>(
      b, loc, {st.timeMajorInput, ctx.bufferOf(op.getKernel()), ctx.bufferOf(op.getBias())},
      st.gates, {i64Attr(b, "m", t * n), i64Attr(b, "n", 4 * u), i64Attr(b, "k", c)});
  st.hidden = ctx.alloc(loc, {t + 1, n, u}, f32, exec::BufferKind::activation);
  st.cell = ctx.alloc(loc, {t + 1, n, u}, f32, exec::BufferKind::activation);
  auto stepGates = exec::BufferType::get(b.getContext(), {n, 4 * u}, f32, StringAttr());
  auto stepState = exec::BufferType::get(b.getContext(), {n, u}, f32, StringAttr());
  bool gru = op.getCell() == RecurrentCell::gru;
  FlatSymbolRefAttr cell = ctx.createKernel(
      loc, layer + "_cell", {stepGates, stepState, stepState, stepState},
      (gru ? gruCellForward : lstmCellForward)(u, op.getActivation(), op.getRecurrentActivation()));
  createCall<exec::LSTMForwardOp>(
      b, loc, ctx.bufferOf(op.getRecurrentKernel()), {st.gates, st.hidden, st.cell},
      {b.getNamedAttr("cell", cell), i64Attr(b, "batch", n), i64Attr(b, "steps", t),
       i64Attr(b, "units", u)});
  ctx.lstmStates[op] = st;

  if (op.getReturnSequences()) {
    Value y = ctx.resultBuffer(op.getResult());
    // hidden[1..T] is time-major [T, N, U]; the result is [N, T, U].
    launchSwapOuter(ctx, loc, st.hidden, y, t, n, u, false, false, /*fromOffset=*/n * u);
  } else {
    ctx.bind(op.getResult(), ctx.view(loc, st.hidden, {n, u}, t * n * u));
  }
}

LogicalResult lowerLSTMBackward(LoweringContext &ctx, LSTMBackwardOp op) {
  auto forward = op.getOutput().getDefiningOp<LSTMOp>();
  if (!forward || !ctx.lstmStates.count(forward))
    return op.emitError("lstm_backward must follow its forward lstm");
  const LSTMState &st = ctx.lstmStates[forward];
  OpBuilder &b = ctx.builder;
  Location loc = op.getLoc();
  ArrayRef<int64_t> x = shapeOf(op.getInput());
  int64_t n = x[0], t = x[1], c = x[2], u = op.getUnits();
  Type f32 = b.getF32Type();

  Value dy = ctx.bufferOf(op.getOutputGrad());
  if (op.getReturnSequences()) {
    Value dyt = ctx.alloc(loc, {t, n, u}, f32, exec::BufferKind::gradient);
    launchSwapOuter(ctx, loc, dy, dyt, n, t, u, false, false);
    dy = dyt;
  }
  Value dgates = ctx.alloc(loc, {t, n, 4 * u}, f32, exec::BufferKind::gradient);
  Value dh = ctx.alloc(loc, {n, u}, f32, exec::BufferKind::workspace);
  Value dc = ctx.alloc(loc, {n, u}, f32, exec::BufferKind::workspace);
  auto stepGates = exec::BufferType::get(b.getContext(), {n, 4 * u}, f32, StringAttr());
  auto stepState = exec::BufferType::get(b.getContext(), {n, u}, f32, StringAttr());
  FlatSymbolRefAttr cell = ctx.createKernel(
      loc, (layerName(loc).empty() ? std::string("lstm") : layerName(loc)) + "_cell_grad",
      {stepGates, stepState, stepState, stepState, stepState, stepState, stepGates},
      (op.getCell() == RecurrentCell::gru ? gruCellBackward
                                          : lstmCellBackward)(u, op.getActivation(), op.getRecurrentActivation()));
  SmallVector<NamedAttribute> attrs = {b.getNamedAttr("cell", cell), i64Attr(b, "batch", n),
                                       i64Attr(b, "steps", t), i64Attr(b, "units", u)};
  if (op.getReturnSequences())
    attrs.push_back(b.getNamedAttr("return_sequences", b.getUnitAttr()));
  createCall<exec::LSTMBackwardOp>(
      b, loc, {ctx.bufferOf(op.getRecurrentKernel()), st.gates, st.cell, dy, st.timeMajorInput, st.hidden},
      {dgates, dh, dc, ctx.resultBuffer(op.getKernelGrad(), exec::BufferKind::gradient),
       ctx.resultBuffer(op.getRecurrentKernelGrad(), exec::BufferKind::gradient),
       ctx.resultBuffer(op.getBiasGrad(), exec::BufferKind::gradient)},
      attrs);
  if (Value dxGraph = op.getInputGrad()) {
    Value dxt = ctx.alloc(loc, {t, n, c}, f32, exec::BufferKind::gradient);
    createCall<exec::MatMulOp>(b, loc, {dgates, ctx.bufferOf(op.getKernel())}, dxt,
                               {i64Attr(b, "m", t * n), i64Attr(b, "n", c), i64Attr(b, "k", 4 * u),
                                b.getNamedAttr("transpose_b", b.getUnitAttr())});
    launchSwapOuter(ctx, loc, dxt, ctx.resultBuffer(dxGraph, exec::BufferKind::gradient), t, n, c,
                    /*reverseA=*/op.getGoBackwards(), /*reverseB=*/false);
  }
  return success();
}

} // namespace

LogicalResult lowerLibraryCall(LoweringContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto mm = dyn_cast<MatMulOp>(op))
    return lowerMatMul(ctx, mm), success();
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return lowerConv(ctx, conv), success();
  if (auto bd = dyn_cast<Conv2DBackwardDataOp>(op))
    return lowerConvBackwardData(ctx, bd), success();
  if (auto bf = dyn_cast<Conv2DBackwardFilterOp>(op))
    return lowerConvBackwardFilter(ctx, bf), success();
  if (auto pool = dyn_cast<MaxPool2DOp>(op))
    return lowerMaxPool(ctx, pool), success();
  if (auto pb = dyn_cast<MaxPool2DBackwardOp>(op))
    return lowerMaxPoolBackward(ctx, pb);
  if (auto lstm = dyn_cast<LSTMOp>(op))
    return lowerLSTM(ctx, lstm), success();
  if (auto lb = dyn_cast<LSTMBackwardOp>(op))
    return lowerLSTMBackward(ctx, lb);
  if (auto ar = dyn_cast<AllReduceOp>(op)) {
    createCall<exec::AllReduceOp>(ctx.builder, ar.getLoc(), ctx.bufferOf(ar.getInput()),
                                  ctx.resultBuffer(ar.getResult(), exec::BufferKind::gradient));
    return success();
  }
  handled = false;
  return success();
}

} // namespace kcc::lowering
