//===- Loss.cpp - softmax, cross_entropy, element_loss, accuracy ----------===//
//
// Keras computes crossentropy on probabilities (a softmax layer's output),
// not on logits: renormalise over the last axis, clip to [eps, 1-eps], take
// -sum(y log p). The gradient goes through the clip and the renormalisation,
// so it matches Keras also when probabilities saturate. Binary crossentropy
// and the squared/absolute errors are means of one term per element.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

#include <cmath>

using namespace mlir;

namespace kcc::graph {

static bool isSparse(Value target) {
  return llvm::isa<IntegerType>(llvm::cast<ShapedType>(target.getType()).getElementType());
}

/// Probabilities [N, K], target [N, K] one-hot or [N] ids, mask [N].
static LogicalResult verifyClassification(Operation *op, Value probs, Value target,
                                          Value mask) {
  auto p = rankedType(probs), t = rankedType(target), m = rankedType(mask);
  if (p && p.getRank() != 2)
    return op->emitOpError() << "expects class probabilities [batch, classes], got "
                             << p << " (losses over sequences are not supported)";
  if (m && m.getRank() != 1)
    return op->emitOpError() << "mask must be [batch], got " << m;
  if (!p || !t)
    return success();
  if (isSparse(target)) {
    if (t.getRank() != 1 || t.getDimSize(0) != p.getDimSize(0))
      return op->emitOpError() << "sparse target must be [" << p.getDimSize(0)
                               << "] class ids, got " << t;
  } else if (t.getShape() != p.getShape()) {
    return op->emitOpError() << "target " << t << " does not match predictions " << p;
  }
  if (m && m.getDimSize(0) != p.getDimSize(0))
    return op->emitOpError() << "mask has " << m.getDimSize(0) << " entries for a batch of "
                             << p.getDimSize(0);
  return success();
}

/// Row |i| of the target as a one-hot/probability vector.
static double targetAt(const RefTensor &target, bool sparse, int64_t i, int64_t k,
                       int64_t classes) {
  if (sparse)
    return static_cast<int64_t>(target[i]) == k ? 1.0 : 0.0;
  return target[i * classes + k];
}

static double maskSum(const RefTensor &mask) {
  double s = 0;
  for (double w : mask.data)
    s += w;
  return s;
}

//===----------------------------------------------------------------------===//
// SoftmaxOp / SoftmaxGradOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::inferShapes() {
  setResultShape(*this, 0, shapeOf(getInput()));
  return success();
}

LogicalResult SoftmaxOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                        ArrayRef<bool> needGrad,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(needGrad[0] ? makeOp<SoftmaxGradOp>(b, getLoc(), getInput().getType(),
                                                             {resultGrads[0], getResult()})
                                     : Value());
  return success();
}

LogicalResult SoftmaxOp::evaluate(ArrayRef<const RefTensor *> in,
                                  SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  int64_t k = x.shape.back(), rows = x.size() / k;
  RefTensor y(x.shape);
  for (int64_t r = 0; r < rows; ++r) {
    double mx = x[r * k];
    for (int64_t j = 1; j < k; ++j)
      mx = std::max(mx, x[r * k + j]);
    double s = 0;
    for (int64_t j = 0; j < k; ++j)
      s += (y[r * k + j] = std::exp(x[r * k + j] - mx));
    for (int64_t j = 0; j < k; ++j)
      y[r * k + j] /= s;
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult SoftmaxGradOp::inferShapes() {
  setResultShape(*this, 0, shapeOf(getOutput()));
  return success();
}

LogicalResult SoftmaxGradOp::evaluate(ArrayRef<const RefTensor *> in,
                                      SmallVectorImpl<RefTensor> &out) {
  const RefTensor &dy = *in[0], &y = *in[1];
  int64_t k = y.shape.back(), rows = y.size() / k;
  RefTensor dx(y.shape);
  for (int64_t r = 0; r < rows; ++r) {
    double dot = 0;
    for (int64_t j = 0; j < k; ++j)
      dot += dy[r * k + j] * y[r * k + j];
    for (int64_t j = 0; j < k; ++j)
      dx[r * k + j] = y[r * k + j] * (dy[r * k + j] - dot);
  }
  out.push_back(std::move(dx));
  return success();
}

//===----------------------------------------------------------------------===//
// CrossEntropyOp / CrossEntropyGradOp
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  double eps = getEpsilon().convertToDouble();
  if (!(eps > 0 && eps < 0.5))
    return emitOpError() << "epsilon must be in (0, 0.5), got " << eps;
  return verifyClassification(*this, getProbs(), getTarget(), getMask());
}

LogicalResult CrossEntropyOp::inferShapes() {
  if (failed(verifyClassification(*this, getProbs(), getTarget(), getMask())))
    return failure();
  setResultShape(*this, 0, {});
  return success();
}

LogicalResult CrossEntropyOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                             ArrayRef<bool> needGrad,
                                             SmallVectorImpl<Value> &operandGrads) {
  Value dp;
  if (needGrad[0])
    dp = makeOp<CrossEntropyGradOp>(b, getLoc(), getProbs().getType(),
                                    {getProbs(), getTarget(), getMask(), resultGrads[0]},
                                    {b.getNamedAttr("epsilon", getEpsilonAttr())});
  operandGrads.append({dp, Value(), Value()});
  return success();
}

LogicalResult CrossEntropyOp::evaluate(ArrayRef<const RefTensor *> in,
                                       SmallVectorImpl<RefTensor> &out) {
  const RefTensor &p = *in[0], &target = *in[1], &mask = *in[2];
  double eps = getEpsilon().convertToDouble();
  bool sparse = isSparse(getTarget());
  int64_t n = p.shape[0], k = p.shape[1];
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    double s = 0, loss = 0;
    for (int64_t j = 0; j < k; ++j)
      s += p[i * k + j];
    for (int64_t j = 0; j < k; ++j) {
      double q = std::clamp(p[i * k + j] / s, eps, 1 - eps);
      loss -= targetAt(target, sparse, i, j, k) * std::log(q);
    }
    total += mask[i] * loss;
  }
  double count = maskSum(mask);
  RefTensor l(std::vector<int64_t>{});
  l[0] = count > 0 ? total / count : 0.0;
  out.push_back(std::move(l));
  return success();
}

LogicalResult CrossEntropyGradOp::inferShapes() {
  setResultShape(*this, 0, shapeOf(getProbs()));
  return success();
}

LogicalResult CrossEntropyGradOp::evaluate(ArrayRef<const RefTensor *> in,
                                           SmallVectorImpl<RefTensor> &out) {
  const RefTensor &p = *in[0], &target = *in[1], &mask = *in[2];
  double dl = (*in[3])[0], eps = getEpsilon().convertToDouble();
  bool sparse = isSparse(getTarget());
  int64_t n = p.shape[0], k = p.shape[1];
  double count = maskSum(mask);
  RefTensor dp(p.shape);
  std::vector<double> gq(k);
  for (int64_t i = 0; i < n; ++i) {
    double w = count > 0 ? dl * mask[i] / count : 0.0;
    double s = 0;
    for (int64_t j = 0; j < k; ++j)
      s += p[i * k + j];
    double dot = 0;
    for (int64_t j = 0; j < k; ++j) {
      double q = p[i * k + j] / s;
      bool inside = q >= eps && q <= 1 - eps;
      gq[j] = inside ? -w * targetAt(target, sparse, i, j, k) / q : 0.0;
      dot += gq[j] * p[i * k + j];
    }
    for (int64_t j = 0; j < k; ++j)
      dp[i * k + j] = gq[j] / s - dot / (s * s);
  }
  out.push_back(std::move(dp));
  return success();
}

//===----------------------------------------------------------------------===//
// AccuracyOp
//===----------------------------------------------------------------------===//

/// Predictions [N, ...] and target of the same shape, mask [N].
static LogicalResult verifyElementwise(Operation *op, Value pred, Value target, Value mask) {
  auto p = rankedType(pred), t = rankedType(target), m = rankedType(mask);
  if (p && p.getRank() < 2)
    return op->emitOpError() << "expects predictions [batch, ...], got " << p;
  if (m && m.getRank() != 1)
    return op->emitOpError() << "mask must be [batch], got " << m;
  if (p && t && t.getShape() != p.getShape())
    return op->emitOpError() << "target " << t << " does not match predictions " << p;
  if (p && m && m.getDimSize(0) != p.getDimSize(0))
    return op->emitOpError() << "mask has " << m.getDimSize(0) << " entries for a batch of "
                             << p.getDimSize(0);
  return success();
}

//===----------------------------------------------------------------------===//
// ElementLossOp / ElementLossGradOp
//===----------------------------------------------------------------------===//

/// The loss term of one element and its derivative with respect to |p|;
/// |last| is the length of the last axis (kl_divergence sums over it where
/// the others average).
static std::pair<double, double> elementTerm(ElementLoss kind, double p, double y, double eps, int64_t last) {
  const double d = p - y;
  // Hinge losses take -1/1 targets; Keras turns 0/1 ones into them.
  const double sign = y == 0 ? -1.0 : y;
  switch (kind) {
  case ElementLoss::binary_crossentropy: {
    double q = std::clamp(p, eps, 1 - eps);
    bool inside = p >= eps && p <= 1 - eps;
    return {-(y * std::log(q) + (1 - y) * std::log(1 - q)), inside ? -y / q + (1 - y) / (1 - q) : 0.0};
  }
  case ElementLoss::mean_squared_error:
    return {(p - y) * (p - y), 2 * (p - y)};
  case ElementLoss::mean_absolute_error:
    return {std::fabs(p - y), p > y ? 1.0 : (p < y ? -1.0 : 0.0)};
  case ElementLoss::hinge: {
    double m = 1 - sign * p;
    return {std::max(m, 0.0), m > 0 ? -sign : 0.0};
  }
  case ElementLoss::squared_hinge: {
    double m = std::max(1 - sign * p, 0.0);
    return {m * m, -2 * m * sign};
  }
  case ElementLoss::poisson:
    return {p - y * std::log(p + eps), 1 - y / (p + eps)};
  case ElementLoss::log_cosh:
    return {std::fabs(d) + std::log1p(std::exp(-2 * std::fabs(d))) - std::log(2.0), std::tanh(d)};
  case ElementLoss::huber: // delta 1 (the frontend refuses others)
    return {std::fabs(d) <= 1 ? 0.5 * d * d : std::fabs(d) - 0.5, std::clamp(d, -1.0, 1.0)};
  case ElementLoss::kl_divergence: {
    double yc = std::clamp(y, eps, 1.0), pc = std::clamp(p, eps, 1.0);
    return {last * yc * std::log(yc / pc), p >= eps && p <= 1 ? -last * yc / pc : 0.0};
  }
  case ElementLoss::mean_squared_logarithmic_error: {
    double lp = std::log(std::max(p, eps) + 1), ly = std::log(std::max(y, eps) + 1);
    return {(lp - ly) * (lp - ly), p > eps ? 2 * (lp - ly) / (p + 1) : 0.0};
  }
  case ElementLoss::mean_absolute_percentage_error: {
    double scale = 100 / std::max(std::fabs(y), eps);
    return {scale * std::fabs(d), d > 0 ? scale : (d < 0 ? -scale : 0.0)};
  }
  }
  llvm_unreachable("element losses are covered");
}

LogicalResult ElementLossOp::verify() {
  double eps = getEpsilon().convertToDouble();
  if (!(eps > 0 && eps < 0.5))
    return emitOpError() << "epsilon must be in (0, 0.5), got " << eps;
  return verifyElementwise(*this, getPred(), getTarget(), getMask());
}

LogicalResult ElementLossOp::inferShapes() {
  if (failed(verifyElementwise(*this, getPred(), getTarget(), getMask())))
    return failure();
  setResultShape(*this, 0, {});
  return success();
}

LogicalResult ElementLossOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                            ArrayRef<bool> needGrad,
                                            SmallVectorImpl<Value> &operandGrads) {
  Value dp;
  if (needGrad[0])
    dp = makeOp<ElementLossGradOp>(b, getLoc(), getPred().getType(),
                                   {getPred(), getTarget(), getMask(), resultGrads[0]},
                                   {b.getNamedAttr("kind", getKindAttr()),
                                    b.getNamedAttr("epsilon", getEpsilonAttr())});
  operandGrads.append({dp, Value(), Value()});
  return success();
}

LogicalResult ElementLossOp::evaluate(ArrayRef<const RefTensor *> in,
                                      SmallVectorImpl<RefTensor> &out) {
  const RefTensor &p = *in[0], &y = *in[1], &mask = *in[2];
  double eps = getEpsilon().convertToDouble();
  int64_t n = p.shape[0], k = p.size() / n;
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    double row = 0;
    for (int64_t j = 0; j < k; ++j)
      row += elementTerm(getKind(), p[i * k + j], y[i * k + j], eps, p.shape.back()).first;
    total += mask[i] * row / k;
  }
  double count = maskSum(mask);
  RefTensor l(std::vector<int64_t>{});
  l[0] = count > 0 ? total / count : 0.0;
  out.push_back(std::move(l));
  return success();
}

LogicalResult ElementLossGradOp::inferShapes() {
  setResultShape(*this, 0, shapeOf(getPred()));
  return success();
}

LogicalResult ElementLossGradOp::evaluate(ArrayRef<const RefTensor *> in,
                                          SmallVectorImpl<RefTensor> &out) {
  const RefTensor &p = *in[0], &y = *in[1], &mask = *in[2];
  double dl = (*in[3])[0], eps = getEpsilon().convertToDouble();
  int64_t n = p.shape[0], k = p.size() / n;
  double count = maskSum(mask);
  RefTensor dp(p.shape);
  for (int64_t i = 0; i < n; ++i) {
    double w = count > 0 ? dl * mask[i] / (count * k) : 0.0;
    for (int64_t j = 0; j < k; ++j)
      dp[i * k + j] = w * elementTerm(getKind(), p[i * k + j], y[i * k + j], eps, p.shape.back()).second;
  }
  out.push_back(std::move(dp));
  return success();
}

//===----------------------------------------------------------------------===//
// AccuracyOp
//===----------------------------------------------------------------------===//

LogicalResult AccuracyOp::inferShapes() {
  if (failed(getBinary() ? verifyElementwise(*this, getProbs(), getTarget(), getMask())
                         : verifyClassification(*this, getProbs(), getTarget(), getMask())))
    return failure();
  setResultShape(*this, 0, {});
  return success();
}

LogicalResult AccuracyOp::evaluate(ArrayRef<const RefTensor *> in,
                                   SmallVectorImpl<RefTensor> &out) {
  const RefTensor &p = *in[0], &target = *in[1], &mask = *in[2];
  bool sparse = isSparse(getTarget());
  int64_t n = p.shape[0], k = p.size() / n;
  auto argmax = [k](auto at) {
    int64_t best = 0;
    for (int64_t j = 1; j < k; ++j)
      if (at(j) > at(best))
        best = j;
    return best;
  };
  double correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (getBinary()) {
      double hits = 0;
      for (int64_t j = 0; j < k; ++j)
        hits += (p[i * k + j] > 0.5) == (target[i * k + j] > 0.5);
      correct += mask[i] * hits / k;
      continue;
    }
    int64_t predicted = argmax([&](int64_t j) { return p[i * k + j]; });
    int64_t truth = sparse ? static_cast<int64_t>(target[i])
                           : argmax([&](int64_t j) { return target[i * k + j]; });
    correct += mask[i] * (predicted == truth ? 1.0 : 0.0);
  }
  RefTensor c(std::vector<int64_t>{});
  c[0] = correct;
  out.push_back(std::move(c));
  return success();
}

} // namespace kcc::graph
