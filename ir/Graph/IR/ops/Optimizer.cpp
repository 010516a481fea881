//===- Optimizer.cpp - Keras optimizer updates ----------------------------===//
//
// Each update is elementwise over a parameter, its gradient and its slots,
// with the step counter as a uniform operand (learning-rate decay, Adam's
// bias correction). Arithmetic is float32 like Keras's.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace kcc::graph {

namespace {
/// Float32 arithmetic helpers for the update bodies.
struct F32Ops {
  OpBuilder &b;
  Location loc;
  Value c(double v) { return constF32(b, loc, v); }
  Value add(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<arith::DivFOp>(loc, x, y); }
  Value sqrt(Value x) { return b.create<math::SqrtOp>(loc, x); }
  Value max(Value x, Value y) { return b.create<arith::MaximumFOp>(loc, x, y); }
  Value min(Value x, Value y) { return b.create<arith::MinimumFOp>(loc, x, y); }
  Value abs(Value x) { return b.create<math::AbsFOp>(loc, x); }
  Value exp(Value x) { return b.create<math::ExpOp>(loc, x); }
  Value expm1(Value x) { return b.create<math::ExpM1Op>(loc, x); }
  Value stepAsFloat(Value step) {
    return b.create<arith::SIToFPOp>(loc, b.getF32Type(), step);
  }
  /// beta^t as exp(t log beta): keeps the kernel free of libm calls.
  Value pow(double beta, Value t) {
    return b.create<math::ExpOp>(loc, mul(t, c(std::log(beta))));
  }
  /// lr / (1 + decay * step), Keras's time-based decay.
  Value decayedLr(double lr, double decay, Value step) {
    if (decay == 0.0)
      return c(lr);
    return div(c(lr), add(c(1.0), mul(c(decay), stepAsFloat(step))));
  }
};

double toDouble(FloatAttr a) { return a.getValueAsDouble(); }
double decayedLrRef(double lr, double decay, double step) {
  return lr / (1.0 + decay * step);
}
} // namespace

static LogicalResult inferUpdate(Operation *op) {
  ArrayRef<int64_t> shape = shapeOf(op->getOperand(0));
  for (Value v : op->getOperands())
    if (!shapeOf(v).empty() && shapeOf(v) != shape)
      return op->emitOpError() << "slot or gradient " << v.getType()
                               << " does not match the parameter's shape";
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    setResultShape(op, i, shape);
  return success();
}

/// Evaluates |f|(args, outs) per element; args are the shaped operands in
/// order followed by the step.
template <typename F>
static void mapUpdate(ArrayRef<const RefTensor *> in, unsigned numResults,
                      SmallVectorImpl<RefTensor> &out, F f) {
  const RefTensor &param = *in[0];
  for (unsigned r = 0; r < numResults; ++r)
    out.emplace_back(param.shape);
  std::vector<double> args(in.size()), res(numResults);
  for (int64_t i = 0; i < param.size(); ++i) {
    for (size_t k = 0; k < in.size(); ++k)
      args[k] = in[k]->rank() > 0 ? (*in[k])[i] : (*in[k])[0];
    f(args, res);
    for (unsigned r = 0; r < numResults; ++r)
      out[out.size() - numResults + r][i] = res[r];
  }
}

//===----------------------------------------------------------------------===//
// Weight decay: operands (param, step)
//===----------------------------------------------------------------------===//

LogicalResult WeightDecayOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> WeightDecayOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[1]);
  return {o.sub(a[0], o.mul(o.mul(a[0], o.c(toDouble(getWeightDecayAttr()))), lr))};
}

LogicalResult WeightDecayOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double lr0 = toDouble(getLrAttr()), decay = toDouble(getDecayAttr()), wd = toDouble(getWeightDecayAttr());
  mapUpdate(in, 1, out, [&](auto &a, auto &r) { r[0] = a[0] - a[0] * wd * decayedLrRef(lr0, decay, a[1]); });
  return success();
}

//===----------------------------------------------------------------------===//
// Gradient clipping: operands (grad[, sum_sq])
//===----------------------------------------------------------------------===//

LogicalResult ClipGradientOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> ClipGradientOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  double c = toDouble(getClipnormAttr()), v = toDouble(getClipvalueAttr());
  Value g = a[0];
  if (getSumSq() && c > 0)
    g = o.div(o.mul(g, o.c(c)), o.max(o.sqrt(a[1]), o.c(c)));
  if (v > 0)
    g = o.min(o.max(g, o.c(-v)), o.c(v));
  return {g};
}

LogicalResult ClipGradientOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double c = toDouble(getClipnormAttr()), v = toDouble(getClipvalueAttr());
  bool byNorm = getSumSq() && c > 0;
  mapUpdate(in, 1, out, [&](auto &a, auto &r) {
    double g = byNorm ? a[0] * c / std::max(std::sqrt(a[1]), c) : a[0];
    r[0] = v > 0 ? std::min(std::max(g, -v), v) : g;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Data-parallel gradient sum: operand (grad)
//===----------------------------------------------------------------------===//

LogicalResult AllReduceOp::inferShapes() { return inferUpdate(*this); }

// The reference is one process: the whole batch's gradient is its own.
LogicalResult AllReduceOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  out.push_back(*in[0]);
  return success();
}

//===----------------------------------------------------------------------===//
// SGD: operands (param, grad, step[, velocity])
//===----------------------------------------------------------------------===//

LogicalResult SGDUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> SGDUpdateOp::buildScalar(OpBuilder &b, Location loc,
                                            ValueRange a, Value) {
  F32Ops o{b, loc};
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value step = o.mul(lr, a[1]);
  if (!getVelocity())
    return {o.sub(a[0], step)};
  Value m = o.c(toDouble(getMomentumAttr()));
  Value v = o.sub(o.mul(m, a[3]), step);
  Value p = getNesterov() ? o.sub(o.add(a[0], o.mul(m, v)), step) : o.add(a[0], v);
  return {p, v};
}

LogicalResult SGDUpdateOp::evaluate(ArrayRef<const RefTensor *> in,
                                    SmallVectorImpl<RefTensor> &out) {
  double lr0 = toDouble(getLrAttr()), decay = toDouble(getDecayAttr()),
         m = toDouble(getMomentumAttr());
  bool withVelocity = static_cast<bool>(getVelocity());
  mapUpdate(in, withVelocity ? 2 : 1, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(lr0, decay, a[2]);
    if (!withVelocity) {
      r[0] = a[0] - lr * a[1];
      return;
    }
    double v = m * a[3] - lr * a[1];
    r[0] = getNesterov() ? a[0] + m * v - lr * a[1] : a[0] + v;
    r[1] = v;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// RMSprop: operands (param, grad, step, accumulator)
//===----------------------------------------------------------------------===//

LogicalResult RMSpropUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> RMSpropUpdateOp::buildScalar(OpBuilder &b, Location loc,
                                                ValueRange a, Value) {
  F32Ops o{b, loc};
  double rho = toDouble(getRhoAttr()), eps = toDouble(getEpsilonAttr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value acc = o.add(o.mul(o.c(rho), a[3]), o.mul(o.c(1 - rho), o.mul(a[1], a[1])));
  Value den = getKeras() == KerasVersion::keras2 ? o.add(o.sqrt(acc), o.c(eps))
                                                 : o.sqrt(o.add(acc, o.c(eps)));
  return {o.sub(a[0], o.div(o.mul(lr, a[1]), den)), acc};
}

LogicalResult RMSpropUpdateOp::evaluate(ArrayRef<const RefTensor *> in,
                                        SmallVectorImpl<RefTensor> &out) {
  double rho = toDouble(getRhoAttr()), eps = toDouble(getEpsilonAttr());
  mapUpdate(in, 2, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double acc = rho * a[3] + (1 - rho) * a[1] * a[1];
    double den = getKeras() == KerasVersion::keras2 ? std::sqrt(acc) + eps
                                                    : std::sqrt(acc + eps);
    r[0] = a[0] - lr * a[1] / den;
    r[1] = acc;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Adadelta: operands (param, grad, step, accumulator, delta_accumulator)
//===----------------------------------------------------------------------===//

LogicalResult AdadeltaUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> AdadeltaUpdateOp::buildScalar(OpBuilder &b, Location loc,
                                                 ValueRange a, Value) {
  F32Ops o{b, loc};
  double rho = toDouble(getRhoAttr()), eps = toDouble(getEpsilonAttr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value acc = o.add(o.mul(o.c(rho), a[3]), o.mul(o.c(1 - rho), o.mul(a[1], a[1])));
  Value upd = o.div(o.mul(a[1], o.sqrt(o.add(a[4], o.c(eps)))),
                    o.sqrt(o.add(acc, o.c(eps))));
  Value delta = o.add(o.mul(o.c(rho), a[4]), o.mul(o.c(1 - rho), o.mul(upd, upd)));
  return {o.sub(a[0], o.mul(lr, upd)), acc, delta};
}

LogicalResult AdadeltaUpdateOp::evaluate(ArrayRef<const RefTensor *> in,
                                         SmallVectorImpl<RefTensor> &out) {
  double rho = toDouble(getRhoAttr()), eps = toDouble(getEpsilonAttr());
  mapUpdate(in, 3, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double acc = rho * a[3] + (1 - rho) * a[1] * a[1];
    double upd = a[1] * std::sqrt(a[4] + eps) / std::sqrt(acc + eps);
    r[0] = a[0] - lr * upd;
    r[1] = acc;
    r[2] = rho * a[4] + (1 - rho) * upd * upd;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Adam: operands (param, grad, step, m, v)
//===----------------------------------------------------------------------===//

LogicalResult AdamUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> AdamUpdateOp::buildScalar(OpBuilder &b, Location loc,
                                             ValueRange a, Value) {
  F32Ops o{b, loc};
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()),
         eps = toDouble(getEpsilonAttr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value t = o.add(o.stepAsFloat(a[2]), o.c(1.0));
  Value lrT = o.div(o.mul(lr, o.sqrt(o.sub(o.c(1.0), o.pow(b2, t)))),
                    o.sub(o.c(1.0), o.pow(b1, t)));
  Value m = o.add(o.mul(o.c(b1), a[3]), o.mul(o.c(1 - b1), a[1]));
  Value v = o.add(o.mul(o.c(b2), a[4]), o.mul(o.c(1 - b2), o.mul(a[1], a[1])));
  Value p = o.sub(a[0], o.div(o.mul(lrT, m), o.add(o.sqrt(v), o.c(eps))));
  return {p, m, v};
}

LogicalResult AdamUpdateOp::evaluate(ArrayRef<const RefTensor *> in,
                                     SmallVectorImpl<RefTensor> &out) {
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()),
         eps = toDouble(getEpsilonAttr());
  mapUpdate(in, 3, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double t = a[2] + 1;
    double lrT = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    double m = b1 * a[3] + (1 - b1) * a[1];
    double v = b2 * a[4] + (1 - b2) * a[1] * a[1];
    r[0] = a[0] - lrT * m / (std::sqrt(v) + eps);
    r[1] = m;
    r[2] = v;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// AMSGrad: operands (param, grad, step, m, v, vhat)
//===----------------------------------------------------------------------===//

LogicalResult AMSGradUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> AMSGradUpdateOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()), eps = toDouble(getEpsilonAttr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value t = o.add(o.stepAsFloat(a[2]), o.c(1.0));
  Value lrT = o.div(o.mul(lr, o.sqrt(o.sub(o.c(1.0), o.pow(b2, t)))), o.sub(o.c(1.0), o.pow(b1, t)));
  Value m = o.add(o.mul(o.c(b1), a[3]), o.mul(o.c(1 - b1), a[1]));
  Value v = o.add(o.mul(o.c(b2), a[4]), o.mul(o.c(1 - b2), o.mul(a[1], a[1])));
  Value vhat = o.max(a[5], v);
  Value p = o.sub(a[0], o.div(o.mul(lrT, m), o.add(o.sqrt(vhat), o.c(eps))));
  return {p, m, v, vhat};
}

LogicalResult AMSGradUpdateOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()), eps = toDouble(getEpsilonAttr());
  mapUpdate(in, 4, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double t = a[2] + 1;
    double lrT = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    double m = b1 * a[3] + (1 - b1) * a[1];
    double v = b2 * a[4] + (1 - b2) * a[1] * a[1];
    double vhat = std::max(a[5], v);
    r[0] = a[0] - lrT * m / (std::sqrt(vhat) + eps);
    r[1] = m;
    r[2] = v;
    r[3] = vhat;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Adagrad: operands (param, grad, step, accumulator)
//===----------------------------------------------------------------------===//

LogicalResult AdagradUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> AdagradUpdateOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  double eps = toDouble(getEpsilonAttr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value acc = o.add(a[3], o.mul(a[1], a[1]));
  Value den = getKeras() == KerasVersion::keras2 ? o.add(o.sqrt(acc), o.c(eps)) : o.sqrt(o.add(acc, o.c(eps)));
  return {o.sub(a[0], o.div(o.mul(lr, a[1]), den)), acc};
}

LogicalResult AdagradUpdateOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double eps = toDouble(getEpsilonAttr());
  mapUpdate(in, 2, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double acc = a[3] + a[1] * a[1];
    double den = getKeras() == KerasVersion::keras2 ? std::sqrt(acc) + eps : std::sqrt(acc + eps);
    r[0] = a[0] - lr * a[1] / den;
    r[1] = acc;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Adamax: operands (param, grad, step, m, u)
//===----------------------------------------------------------------------===//

LogicalResult AdamaxUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> AdamaxUpdateOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()), eps = toDouble(getEpsilonAttr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value t = o.add(o.stepAsFloat(a[2]), o.c(1.0));
  Value m = o.add(o.mul(o.c(b1), a[3]), o.mul(o.c(1 - b1), a[1]));
  Value u = o.max(o.mul(o.c(b2), a[4]), o.abs(a[1]));
  Value den = o.mul(o.sub(o.c(1.0), o.pow(b1, t)), o.add(u, o.c(eps)));
  return {o.sub(a[0], o.div(o.mul(lr, m), den)), m, u};
}

LogicalResult AdamaxUpdateOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()), eps = toDouble(getEpsilonAttr());
  mapUpdate(in, 3, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double m = b1 * a[3] + (1 - b1) * a[1];
    double u = std::max(b2 * a[4], std::abs(a[1]));
    r[0] = a[0] - lr * m / ((1 - std::pow(b1, a[2] + 1)) * (u + eps));
    r[1] = m;
    r[2] = u;
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Lion: operands (param, grad, step, m)
//===----------------------------------------------------------------------===//

LogicalResult LionUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> LionUpdateOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr());
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value c = o.add(o.mul(o.c(b1), a[3]), o.mul(o.c(1 - b1), a[1]));
  // sign(c), 0 at 0 (and NaN stays NaN, so the finite-loss check sees it)
  Value zero = o.c(0.0);
  Value pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, c, zero);
  Value neg = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, c, zero);
  Value sign = b.create<arith::SelectOp>(loc, pos, o.c(1.0), b.create<arith::SelectOp>(loc, neg, o.c(-1.0), o.mul(c, zero)));
  Value m = o.add(o.mul(o.c(b2), a[3]), o.mul(o.c(1 - b2), a[1]));
  return {o.sub(a[0], o.mul(lr, sign)), m};
}

LogicalResult LionUpdateOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr());
  mapUpdate(in, 2, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double c = b1 * a[3] + (1 - b1) * a[1];
    double sign = c > 0 ? 1.0 : (c < 0 ? -1.0 : c * 0.0);
    r[0] = a[0] - lr * sign;
    r[1] = b2 * a[3] + (1 - b2) * a[1];
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Nadam: operands (param, grad, step, m, v)
//===----------------------------------------------------------------------===//

namespace {
/// Nadam's momentum schedule mu_i = beta_1 * (1 - 0.5 * r^i), r = 0.96^schedule.
struct NadamSchedule {
  double b1, logR;
  static constexpr int kTerms = 32;
  double mu(double i) const { return b1 * (1 - 0.5 * std::exp(i * logR)); }
  /// c_k of log(mu_1 ... mu_t) = t log b1 + sum_k c_k expm1(k t log r), from
  /// log(1 - x) = -sum_k x^k / k summed over i = 1..t as geometric series:
  /// no loop over t, and the terms fall as 0.48^k.
  double term(int k) const {
    return std::pow(0.5, k) / k * std::exp(k * logR) / -std::expm1(k * logR);
  }
};
} // namespace

LogicalResult NadamUpdateOp::inferShapes() { return inferUpdate(*this); }

SmallVector<Value> NadamUpdateOp::buildScalar(OpBuilder &b, Location loc, ValueRange a, Value) {
  F32Ops o{b, loc};
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()), eps = toDouble(getEpsilonAttr());
  NadamSchedule s{b1, std::log(0.96) * toDouble(getScheduleAttr())};
  Value lr = o.decayedLr(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
  Value t = o.add(o.stepAsFloat(a[2]), o.c(1.0));
  auto mu = [&](Value i) { return o.mul(o.c(b1), o.sub(o.c(1.0), o.mul(o.c(0.5), o.exp(o.mul(i, o.c(s.logR)))))); };
  Value muT = mu(t), muNext = mu(o.add(t, o.c(1.0)));
  Value logP = o.mul(t, o.c(std::log(b1)));
  for (int k = 1; k <= NadamSchedule::kTerms; ++k)
    logP = o.add(logP, o.mul(o.c(s.term(k)), o.expm1(o.mul(t, o.c(k * s.logR)))));
  Value p = o.exp(logP), pNext = o.mul(p, muNext);
  Value m = o.add(o.mul(o.c(b1), a[3]), o.mul(o.c(1 - b1), a[1]));
  Value v = o.add(o.mul(o.c(b2), a[4]), o.mul(o.c(1 - b2), o.mul(a[1], a[1])));
  Value mHat = o.add(o.div(o.mul(muNext, m), o.sub(o.c(1.0), pNext)),
                     o.div(o.mul(o.sub(o.c(1.0), muT), a[1]), o.sub(o.c(1.0), p)));
  Value vHat = o.div(v, o.sub(o.c(1.0), o.pow(b2, t)));
  return {o.sub(a[0], o.div(o.mul(lr, mHat), o.add(o.sqrt(vHat), o.c(eps)))), m, v};
}

LogicalResult NadamUpdateOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  double b1 = toDouble(getBeta_1Attr()), b2 = toDouble(getBeta_2Attr()), eps = toDouble(getEpsilonAttr());
  NadamSchedule s{b1, std::log(0.96) * toDouble(getScheduleAttr())};
  mapUpdate(in, 3, out, [&](auto &a, auto &r) {
    double lr = decayedLrRef(toDouble(getLrAttr()), toDouble(getDecayAttr()), a[2]);
    double t = a[2] + 1, product = 1; // the running product Keras keeps, step by step
    for (double i = 1; i <= t; ++i)
      product *= s.mu(i);
    double m = b1 * a[3] + (1 - b1) * a[1];
    double v = b2 * a[4] + (1 - b2) * a[1] * a[1];
    double mHat = s.mu(t + 1) * m / (1 - product * s.mu(t + 1)) + (1 - s.mu(t)) * a[1] / (1 - product);
    r[0] = a[0] - lr * mHat / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
    r[1] = m;
    r[2] = v;
  });
  return success();
}

} // namespace kcc::graph
