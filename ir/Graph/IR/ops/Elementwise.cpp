//===- Elementwise.cpp - activation, add, dropout, fused ------------------===//
//
// Elementwise ops carry their per-element body (buildScalar) so that any
// chain of them can fuse into one generated loop. Rank-0 operands (dropout's
// seed and step) are uniform: loaded once, not per element.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace kcc::graph {

/// All shaped operands must agree; every result takes their shape.
static LogicalResult inferElementwise(Operation *op) {
  ArrayRef<int64_t> shape;
  for (Value v : op->getOperands()) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (s.empty())
      continue;
    if (shape.empty())
      shape = s;
    else if (s != shape)
      return op->emitOpError() << "operand shapes differ: " << v.getType()
                               << " vs tensor of shape [" << shape << "]";
  }
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    setResultShape(op, i, shape);
  return success();
}

/// Applies |f| elementwise to the shaped operands (uniform ones by value).
template <typename F>
static RefTensor mapRef(ArrayRef<const RefTensor *> in, F f) {
  const RefTensor *shaped = in[0]; // all rank 0: a scalar result
  for (const RefTensor *t : in)
    if (t->rank() > 0) {
      shaped = t;
      break;
    }
  RefTensor y(shaped->shape);
  std::vector<double> args(in.size());
  for (int64_t i = 0; i < y.size(); ++i) {
    for (size_t k = 0; k < in.size(); ++k)
      args[k] = in[k]->rank() > 0 ? (*in[k])[i] : (*in[k])[0];
    y[i] = f(args, i);
  }
  return y;
}

//===----------------------------------------------------------------------===//
// ActivationOp / ActivationGradOp
//===----------------------------------------------------------------------===//

LogicalResult ActivationOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> ActivationOp::buildScalar(OpBuilder &b, Location loc,
                                             ValueRange args, Value) {
  return {buildActivation(b, loc, getKind(), args[0])};
}

LogicalResult ActivationOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                           ArrayRef<bool> needGrad,
                                           SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      needGrad[0] ? makeOp<ActivationGradOp>(b, getLoc(), getInput().getType(),
                                             {resultGrads[0], getResult()},
                                             {b.getNamedAttr("kind", getKindAttr())})
                  : Value());
  return success();
}

LogicalResult ActivationOp::evaluate(ArrayRef<const RefTensor *> in,
                                     SmallVectorImpl<RefTensor> &out) {
  out.push_back(mapRef(in, [&](ArrayRef<double> a, int64_t) {
    return activationRef(getKind(), a[0]);
  }));
  return success();
}

LogicalResult ActivationGradOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> ActivationGradOp::buildScalar(OpBuilder &b, Location loc,
                                                 ValueRange args, Value) {
  return {buildActivationGrad(b, loc, getKind(), args[0], args[1])};
}

LogicalResult ActivationGradOp::evaluate(ArrayRef<const RefTensor *> in,
                                         SmallVectorImpl<RefTensor> &out) {
  out.push_back(mapRef(in, [&](ArrayRef<double> a, int64_t) {
    return activationGradRef(getKind(), a[0], a[1]);
  }));
  return success();
}

//===----------------------------------------------------------------------===//
// ReluOp / ReluGradOp
//===----------------------------------------------------------------------===//

namespace {
/// Keras's relu(x, negative_slope, max_value, threshold) and its derivative,
/// as scalar IR or in float64 (the reference); one definition keeps the
/// kernel and the reference in step.
struct ReluParams {
  double slope, threshold;
  std::optional<double> cap;

  template <typename Op> static ReluParams of(Op op) {
    std::optional<double> cap;
    if (auto m = op.getMaxValueAttr())
      cap = m.getValueAsDouble();
    return {op.getNegativeSlope().convertToDouble(), op.getThreshold().convertToDouble(), cap};
  }
  double value(double x) const {
    double y = x > threshold ? x : 0.0;
    if (cap)
      y = std::min(std::max(y, 0.0), *cap);
    return x < threshold ? y + slope * (x - threshold) : y;
  }
  double derivative(double x) const {
    double d = x > threshold && (!cap || (x > 0 && x < *cap)) ? 1.0 : 0.0;
    return x < threshold ? d + slope : d;
  }
  Value value(OpBuilder &b, Location loc, Value x) const {
    auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) { return b.create<arith::CmpFOp>(loc, p, l, r); };
    auto select = [&](Value c, Value t, Value f) { return b.create<arith::SelectOp>(loc, c, t, f).getResult(); };
    Value zero = constF32(b, loc, 0.0), t = constF32(b, loc, threshold);
    Value y = select(cmp(arith::CmpFPredicate::OGT, x, t), x, zero);
    if (cap) {
      Value c = constF32(b, loc, *cap);
      y = select(cmp(arith::CmpFPredicate::OLT, y, zero), zero, y);
      y = select(cmp(arith::CmpFPredicate::OGT, y, c), c, y);
    }
    if (slope == 0)
      return y;
    Value leak = b.create<arith::MulFOp>(loc, constF32(b, loc, slope), b.create<arith::SubFOp>(loc, x, t));
    return select(cmp(arith::CmpFPredicate::OLT, x, t), b.create<arith::AddFOp>(loc, y, leak), y);
  }
  Value derivative(OpBuilder &b, Location loc, Value x) const {
    auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) { return b.create<arith::CmpFOp>(loc, p, l, r); };
    Value t = constF32(b, loc, threshold);
    Value pass = cmp(arith::CmpFPredicate::OGT, x, t);
    if (cap) {
      pass = b.create<arith::AndIOp>(loc, pass, cmp(arith::CmpFPredicate::OGT, x, constF32(b, loc, 0.0)));
      pass = b.create<arith::AndIOp>(loc, pass, cmp(arith::CmpFPredicate::OLT, x, constF32(b, loc, *cap)));
    }
    Value d = b.create<arith::SelectOp>(loc, pass, constF32(b, loc, 1.0), constF32(b, loc, 0.0));
    if (slope == 0)
      return d;
    return b.create<arith::SelectOp>(loc, cmp(arith::CmpFPredicate::OLT, x, t),
                                     b.create<arith::AddFOp>(loc, d, constF32(b, loc, slope)), d);
  }
};
} // namespace

LogicalResult ReluOp::verify() {
  double slope = getNegativeSlope().convertToDouble(), threshold = getThreshold().convertToDouble();
  if (!std::isfinite(slope) || !std::isfinite(threshold) || slope < 0)
    return emitOpError() << "negative_slope must be finite and not negative, threshold finite";
  if (auto cap = getMaxValueAttr(); cap && !(cap.getValueAsDouble() >= 0 && std::isfinite(cap.getValueAsDouble())))
    return emitOpError() << "max_value must be finite and not negative";
  return success();
}

LogicalResult ReluOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> ReluOp::buildScalar(OpBuilder &b, Location loc, ValueRange args, Value) {
  return {ReluParams::of(*this).value(b, loc, args[0])};
}

LogicalResult ReluOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(needGrad[0] ? b.create<ReluGradOp>(getLoc(), getInput().getType(), resultGrads[0], getInput(),
                                                            getNegativeSlopeAttr(), getMaxValueAttr(),
                                                            getThresholdAttr())
                                     : Value());
  return success();
}

LogicalResult ReluOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  ReluParams p = ReluParams::of(*this);
  out.push_back(mapRef(in, [&](ArrayRef<double> a, int64_t) { return p.value(a[0]); }));
  return success();
}

LogicalResult ReluGradOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> ReluGradOp::buildScalar(OpBuilder &b, Location loc, ValueRange args, Value) {
  return {b.create<arith::MulFOp>(loc, args[0], ReluParams::of(*this).derivative(b, loc, args[1]))};
}

LogicalResult ReluGradOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  ReluParams p = ReluParams::of(*this);
  out.push_back(mapRef(in, [&](ArrayRef<double> a, int64_t) { return a[0] * p.derivative(a[1]); }));
  return success();
}

//===----------------------------------------------------------------------===//
// GeluOp / GeluGradOp
//===----------------------------------------------------------------------===//

namespace {
constexpr double kInvSqrt2 = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;

/// Phi(x) = 0.5 (1 + erf(x / sqrt 2)) as scalar IR.
Value normalCdf(OpBuilder &b, Location loc, Value x) {
  Value e = b.create<math::ErfOp>(loc, b.create<arith::MulFOp>(loc, x, constF32(b, loc, kInvSqrt2)));
  return b.create<arith::MulFOp>(loc, constF32(b, loc, 0.5), b.create<arith::AddFOp>(loc, constF32(b, loc, 1.0), e));
}
double normalCdf(double x) { return 0.5 * (1.0 + std::erf(x * kInvSqrt2)); }
double geluDerivative(double x) { return normalCdf(x) + x * kInvSqrt2Pi * std::exp(-0.5 * x * x); }
} // namespace

LogicalResult GeluOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> GeluOp::buildScalar(OpBuilder &b, Location loc, ValueRange args, Value) {
  return {b.create<arith::MulFOp>(loc, args[0], normalCdf(b, loc, args[0]))};
}

LogicalResult GeluOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      needGrad[0] ? b.create<GeluGradOp>(getLoc(), getInput().getType(), resultGrads[0], getInput()) : Value());
  return success();
}

LogicalResult GeluOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  out.push_back(mapRef(in, [](ArrayRef<double> a, int64_t) { return a[0] * normalCdf(a[0]); }));
  return success();
}

LogicalResult GeluGradOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> GeluGradOp::buildScalar(OpBuilder &b, Location loc, ValueRange args, Value) {
  Value x = args[1];
  // phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
  Value halfSquare = b.create<arith::MulFOp>(loc, constF32(b, loc, -0.5), b.create<arith::MulFOp>(loc, x, x));
  Value pdf = b.create<arith::MulFOp>(loc, constF32(b, loc, kInvSqrt2Pi), b.create<math::ExpOp>(loc, halfSquare));
  Value d = b.create<arith::AddFOp>(loc, normalCdf(b, loc, x), b.create<arith::MulFOp>(loc, x, pdf));
  return {b.create<arith::MulFOp>(loc, args[0], d)};
}

LogicalResult GeluGradOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  out.push_back(mapRef(in, [](ArrayRef<double> a, int64_t) { return a[0] * geluDerivative(a[1]); }));
  return success();
}

//===----------------------------------------------------------------------===//
// AddOp
//===----------------------------------------------------------------------===//

LogicalResult AddOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> AddOp::buildScalar(OpBuilder &b, Location loc, ValueRange args,
                                      Value) {
  return {b.create<arith::AddFOp>(loc, args[0], args[1])};
}

LogicalResult AddOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needGrad,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(needGrad[0] ? resultGrads[0] : Value());
  operandGrads.push_back(needGrad[1] ? resultGrads[0] : Value());
  return success();
}

LogicalResult AddOp::evaluate(ArrayRef<const RefTensor *> in,
                              SmallVectorImpl<RefTensor> &out) {
  out.push_back(mapRef(in, [](ArrayRef<double> a, int64_t) { return a[0] + a[1]; }));
  return success();
}

//===----------------------------------------------------------------------===//
// MulOp
//===----------------------------------------------------------------------===//

LogicalResult MulOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> MulOp::buildScalar(OpBuilder &b, Location loc, ValueRange args, Value) {
  return {b.create<arith::MulFOp>(loc, args[0], args[1])};
}

LogicalResult MulOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                    SmallVectorImpl<Value> &operandGrads) {
  Type t = getType();
  operandGrads.push_back(needGrad[0] ? b.create<MulOp>(getLoc(), t, resultGrads[0], getRhs()) : Value());
  operandGrads.push_back(needGrad[1] ? b.create<MulOp>(getLoc(), t, resultGrads[0], getLhs()) : Value());
  return success();
}

LogicalResult MulOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  out.push_back(mapRef(in, [](ArrayRef<double> a, int64_t) { return a[0] * a[1]; }));
  return success();
}

//===----------------------------------------------------------------------===//
// ScaleOp
//===----------------------------------------------------------------------===//

LogicalResult ScaleOp::inferShapes() { return inferElementwise(*this); }

SmallVector<Value> ScaleOp::buildScalar(OpBuilder &b, Location loc, ValueRange args, Value) {
  Value y = b.create<arith::MulFOp>(loc, args[0], constF32(b, loc, getFactor().convertToDouble()));
  if (double offset = getOffset().convertToDouble(); offset != 0)
    y = b.create<arith::AddFOp>(loc, y, constF32(b, loc, offset));
  return {y};
}

LogicalResult ScaleOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(needGrad[0] ? b.create<ScaleOp>(getLoc(), getType(), resultGrads[0], getFactorAttr(),
                                                                       b.getF64FloatAttr(0.0))
                                     : Value());
  return success();
}

LogicalResult ScaleOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double factor = getFactor().convertToDouble(), offset = getOffset().convertToDouble();
  out.push_back(mapRef(in, [=](ArrayRef<double> a, int64_t) { return a[0] * factor + offset; }));
  return success();
}

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError() << "rate must be in [0, 1), got " << rate;
  return success();
}

LogicalResult DropoutOp::inferShapes() { return inferElementwise(*this); }

/// Philox4x32-10 as IR on i32 values; returns the word selected by
/// index & 3. Mirrors philoxWord() in Common.cpp.
static Value buildPhiloxWord(OpBuilder &b, Location loc, Value seed, Value step,
                             uint64_t stream, Value index) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c32 = [&](uint32_t v) {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i32, v)).getResult();
  };
  auto c64 = [&](int64_t v) {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i64, v)).getResult();
  };
  auto lo = [&](Value v) { return b.create<arith::TruncIOp>(loc, i32, v).getResult(); };
  auto hi = [&](Value v) {
    return lo(b.create<arith::ShRUIOp>(loc, v, c64(32)));
  };
  Value block = b.create<arith::ShRUIOp>(loc, index, c64(2));
  Value c[4] = {lo(block), hi(block), lo(step), c32(static_cast<uint32_t>(stream))};
  Value k0 = lo(seed), k1 = hi(seed);
  for (int round = 0; round < 10; ++round) {
    auto p0 = b.create<arith::MulUIExtendedOp>(loc, c32(0xD2511F53u), c[0]);
    auto p1 = b.create<arith::MulUIExtendedOp>(loc, c32(0xCD9E8D57u), c[2]);
    Value n0 = b.create<arith::XOrIOp>(loc, b.create<arith::XOrIOp>(loc, p1.getHigh(), c[1]), k0);
    Value n2 = b.create<arith::XOrIOp>(loc, b.create<arith::XOrIOp>(loc, p0.getHigh(), c[3]), k1);
    c[0] = n0, c[1] = p1.getLow(), c[2] = n2, c[3] = p0.getLow();
    k0 = b.create<arith::AddIOp>(loc, k0, c32(0x9E3779B9u));
    k1 = b.create<arith::AddIOp>(loc, k1, c32(0xBB67AE85u));
  }
  Value lane = lo(b.create<arith::AndIOp>(loc, index, c64(3)));
  auto laneIs = [&](uint32_t l) {
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, lane, c32(l));
  };
  Value w = b.create<arith::SelectOp>(loc, laneIs(2), c[2], c[3]);
  w = b.create<arith::SelectOp>(loc, laneIs(1), c[1], w);
  return b.create<arith::SelectOp>(loc, laneIs(0), c[0], w);
}

SmallVector<Value> DropoutOp::buildScalar(OpBuilder &b, Location loc,
                                          ValueRange args, Value linearIndex) {
  double rate = getRate().convertToDouble();
  if (rate == 0.0)
    return {args[0]};
  if (getRowOffset()) // element i of this share is element i + offset * row of the global batch
    linearIndex = b.create<arith::AddIOp>(
        loc, linearIndex,
        b.create<arith::MulIOp>(loc, args[3],
                                b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(elementsPerRow()))));
  Value word = buildPhiloxWord(b, loc, args[1], args[2], getStream(), linearIndex);
  Value threshold = b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(b.getI32Type(), dropoutThreshold(rate)));
  Value keep = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge, word, threshold);
  Value scaled = b.create<arith::MulFOp>(loc, args[0], constF32(b, loc, 1.0 / (1.0 - rate)));
  return {b.create<arith::SelectOp>(loc, keep, scaled, constF32(b, loc, 0.0))};
}

LogicalResult DropoutOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                        ArrayRef<bool> needGrad,
                                        SmallVectorImpl<Value> &operandGrads) {
  // Same key, same mask: the gradient is dropout applied to dy.
  Value dx;
  if (needGrad[0]) {
    auto op = b.create<DropoutOp>(getLoc(), getInput().getType(), resultGrads[0], getSeed(), getStep(),
                                  getRowOffset(), getRateAttr(), getStreamAttr());
    dx = op.getResult();
  }
  operandGrads.append({dx, Value(), Value()});
  if (getRowOffset())
    operandGrads.push_back(Value());
  return success();
}

LogicalResult DropoutOp::evaluate(ArrayRef<const RefTensor *> in,
                                  SmallVectorImpl<RefTensor> &out) {
  double rate = getRate().convertToDouble();
  uint32_t threshold = dropoutThreshold(rate);
  auto seed = static_cast<uint64_t>(static_cast<int64_t>((*in[1])[0]));
  auto step = static_cast<uint64_t>(static_cast<int64_t>((*in[2])[0]));
  int64_t first = getRowOffset() ? static_cast<int64_t>((*in[3])[0]) * elementsPerRow() : 0;
  out.push_back(mapRef(in, [&](ArrayRef<double> a, int64_t i) {
    if (rate == 0.0)
      return a[0];
    bool keep = philoxWord(seed, step, getStream(), first + i) >= threshold;
    return keep ? a[0] / (1.0 - rate) : 0.0;
  }));
  return success();
}

//===----------------------------------------------------------------------===//
// FusedOp
//===----------------------------------------------------------------------===//

LogicalResult FusedOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "body has " << body.getNumArguments()
                         << " arguments for " << getInputs().size() << " inputs";
  for (Operation &op : body.without_terminator())
    if (!llvm::isa<ElementwiseOpInterface>(op))
      return op.emitOpError() << "is not elementwise and cannot be fused";
  auto yield = llvm::cast<YieldOp>(body.getTerminator());
  if (yield.getValues().size() != getNumResults())
    return emitOpError() << "yields " << yield.getValues().size() << " values for "
                         << getNumResults() << " results";
  return success();
}

LogicalResult FusedOp::evaluate(ArrayRef<const RefTensor *> in,
                                SmallVectorImpl<RefTensor> &out) {
  Block &body = getBody().front();
  llvm::DenseMap<Value, RefTensor> values;
  for (auto [arg, t] : llvm::zip(body.getArguments(), in))
    values[arg] = *t;
  for (Operation &op : body.without_terminator()) {
    SmallVector<const RefTensor *> args;
    for (Value v : op.getOperands())
      args.push_back(&values[v]);
    SmallVector<RefTensor> results;
    if (failed(llvm::cast<ReferenceOpInterface>(op).evaluate(args, results)))
      return failure();
    for (auto [r, t] : llvm::zip(op.getResults(), results))
      values[r] = std::move(t);
  }
  for (Value v : llvm::cast<YieldOp>(body.getTerminator()).getValues())
    out.push_back(values[v]);
  return success();
}

} // namespace kcc::graph
