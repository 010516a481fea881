//===- Normalization.cpp - batch_norm, its gradient and inference form ----===//
//
// Keras's BatchNormalization: statistics over every axis but the channel
// axis, biased variance, y = (x - mean) / sqrt(var + eps) * gamma + beta.
// Tensors are viewed as [outer, channels, inner]; the mask (when present)
// weighs each batch row, so a partial last batch's padding does not count.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;

namespace kcc::graph {

namespace {

/// |input| as [outer, channels, inner] around channel axis |axis|.
struct ChannelView {
  int64_t batch, outer, channels, inner;

  ChannelView(ArrayRef<int64_t> shape, int64_t axis)
      : batch(shape[0]), outer(numElements(shape.take_front(axis))), channels(shape[axis]),
        inner(numElements(shape.drop_front(axis + 1))) {}
  /// The batch row that outer index |o| belongs to.
  int64_t row(int64_t o) const { return o / (outer / batch); }
  int64_t at(int64_t o, int64_t c, int64_t i) const { return (o * channels + c) * inner + i; }
};

/// Checks |input| against the channel axis and the per-channel operands.
LogicalResult verifyChannels(Operation *op, Value input, int64_t axis, ValueRange perChannel, Value mask) {
  auto x = rankedType(input);
  if (!x)
    return success();
  if (x.getRank() < 2 || axis < 1 || axis >= x.getRank())
    return op->emitOpError() << "axis " << axis << " must name a non-batch axis of " << x;
  for (Value v : perChannel)
    if (auto t = rankedType(v); t && (t.getRank() != 1 || t.getDimSize(0) != x.getDimSize(axis)))
      return op->emitOpError() << "per-channel operands must be [" << x.getDimSize(axis) << "], got " << t;
  if (auto m = mask ? rankedType(mask) : RankedTensorType(); m && (m.getRank() != 1 || m.getDimSize(0) != x.getDimSize(0)))
    return op->emitOpError() << "mask must be [" << x.getDimSize(0) << "], got " << m;
  return success();
}

LogicalResult verifyEpsilon(Operation *op, double eps) {
  if (!(eps > 0))
    return op->emitOpError() << "epsilon must be positive, got " << eps;
  return success();
}

/// Mean and biased variance per channel over the rows with mask 1.
void batchStatistics(const RefTensor &x, const RefTensor *mask, const ChannelView &v, std::vector<double> &mean,
                     std::vector<double> &var) {
  mean.assign(v.channels, 0.0), var.assign(v.channels, 0.0);
  double count = 0;
  for (int64_t o = 0; o < v.outer; ++o)
    count += (mask ? (*mask)[v.row(o)] : 1.0) * v.inner;
  for (int64_t c = 0; c < v.channels; ++c) {
    double s = 0, ss = 0;
    for (int64_t o = 0; o < v.outer; ++o) {
      double w = mask ? (*mask)[v.row(o)] : 1.0;
      for (int64_t i = 0; i < v.inner; ++i)
        s += w * x[v.at(o, c, i)];
    }
    mean[c] = count > 0 ? s / count : 0.0;
    for (int64_t o = 0; o < v.outer; ++o) {
      double w = mask ? (*mask)[v.row(o)] : 1.0;
      for (int64_t i = 0; i < v.inner; ++i) {
        double d = x[v.at(o, c, i)] - mean[c];
        ss += w * d * d;
      }
    }
    var[c] = count > 0 ? ss / count : 0.0;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  if (failed(verifyEpsilon(*this, getEpsilon().convertToDouble())))
    return failure();
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0 && momentum <= 1))
    return emitOpError() << "momentum must be in [0, 1], got " << momentum;
  return verifyChannels(*this, getInput(), getAxis(),
                        {getGamma(), getBeta(), getMovingMean(), getMovingVariance()}, getMask());
}

LogicalResult BatchNormOp::inferShapes() {
  if (failed(verify()))
    return failure();
  setResultShape(*this, 0, shapeOf(getInput()));
  setResultShape(*this, 1, shapeOf(getMovingMean()));
  setResultShape(*this, 2, shapeOf(getMovingVariance()));
  return success();
}

LogicalResult BatchNormOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                          SmallVectorImpl<Value> &operandGrads) {
  // The moving averages feed only the stores of the train step: no gradient.
  Value dx, dgamma, dbeta;
  if (resultGrads[0] && (needGrad[0] || needGrad[1] || needGrad[2])) {
    Type channelType = getGamma().getType();
    auto grad = b.create<BatchNormGradOp>(getLoc(), TypeRange{getInput().getType(), channelType, channelType},
                                          resultGrads[0], getInput(), getGamma(), getMask(), getAxisAttr(),
                                          getEpsilonAttr());
    dx = needGrad[0] ? grad.getInputGrad() : Value();
    dgamma = needGrad[1] ? grad.getGammaGrad() : Value();
    dbeta = needGrad[2] ? grad.getBetaGrad() : Value();
  }
  operandGrads.append({dx, dgamma, dbeta, Value(), Value()});
  if (getMask())
    operandGrads.push_back(Value());
  return success();
}

LogicalResult BatchNormOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &gamma = *in[1], &beta = *in[2], &mm = *in[3], &mv = *in[4];
  const RefTensor *mask = getMask() ? in[5] : nullptr;
  ChannelView v(x.shape, getAxis());
  double eps = getEpsilon().convertToDouble(), momentum = getMomentum().convertToDouble();
  std::vector<double> mean, var;
  batchStatistics(x, mask, v, mean, var);
  RefTensor y(x.shape), newMean(mm.shape), newVar(mv.shape);
  for (int64_t c = 0; c < v.channels; ++c) {
    double scale = gamma[c] / std::sqrt(var[c] + eps);
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i)
        y[v.at(o, c, i)] = (x[v.at(o, c, i)] - mean[c]) * scale + beta[c];
    newMean[c] = mm[c] * momentum + mean[c] * (1 - momentum);
    newVar[c] = mv[c] * momentum + var[c] * (1 - momentum);
  }
  out.push_back(std::move(y));
  out.push_back(std::move(newMean));
  out.push_back(std::move(newVar));
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormGradOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormGradOp::inferShapes() {
  if (failed(verifyChannels(*this, getInput(), getAxis(), {getGamma()}, getMask())))
    return failure();
  setResultShape(*this, 0, shapeOf(getInput()));
  setResultShape(*this, 1, shapeOf(getGamma()));
  setResultShape(*this, 2, shapeOf(getGamma()));
  return success();
}

LogicalResult BatchNormGradOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  const RefTensor &dy = *in[0], &x = *in[1], &gamma = *in[2];
  const RefTensor *mask = getMask() ? in[3] : nullptr;
  ChannelView v(x.shape, getAxis());
  double eps = getEpsilon().convertToDouble();
  std::vector<double> mean, var;
  batchStatistics(x, mask, v, mean, var);
  double count = 0;
  for (int64_t o = 0; o < v.outer; ++o)
    count += (mask ? (*mask)[v.row(o)] : 1.0) * v.inner;
  RefTensor dx(x.shape), dgamma(gamma.shape), dbeta(gamma.shape);
  for (int64_t c = 0; c < v.channels; ++c) {
    // Every row's output depends on the statistics (a padding row too,
    // though the loss gives it no gradient), only counted rows shape them.
    double rstd = 1 / std::sqrt(var[c] + eps), sdy = 0, sdyx = 0;
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i) {
        sdy += dy[v.at(o, c, i)];
        sdyx += dy[v.at(o, c, i)] * (x[v.at(o, c, i)] - mean[c]) * rstd;
      }
    dbeta[c] = sdy, dgamma[c] = sdyx;
    for (int64_t o = 0; o < v.outer; ++o) {
      double w = mask ? (*mask)[v.row(o)] : 1.0;
      for (int64_t i = 0; i < v.inner; ++i) {
        double xhat = (x[v.at(o, c, i)] - mean[c]) * rstd;
        double through = count > 0 ? w * (sdy + xhat * sdyx) / count : 0.0;
        dx[v.at(o, c, i)] = gamma[c] * rstd * (dy[v.at(o, c, i)] - through);
      }
    }
  }
  out.push_back(std::move(dx));
  out.push_back(std::move(dgamma));
  out.push_back(std::move(dbeta));
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormInferenceOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormInferenceOp::inferShapes() {
  if (failed(verifyEpsilon(*this, getEpsilon().convertToDouble())) ||
      failed(verifyChannels(*this, getInput(), getAxis(),
                            {getGamma(), getBeta(), getMovingMean(), getMovingVariance()}, Value())))
    return failure();
  setResultShape(*this, 0, shapeOf(getInput()));
  return success();
}

LogicalResult BatchNormInferenceOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                                   ArrayRef<bool> needGrad, SmallVectorImpl<Value> &operandGrads) {
  if (needGrad[1] || needGrad[2] || needGrad[3] || needGrad[4])
    return emitOpError() << "has no gradient for its parameters (they are the weights of a frozen layer)";
  Value dx;
  if (needGrad[0] && resultGrads[0]) { // dy * gamma / sqrt(var + eps)
    auto channelType = llvm::cast<RankedTensorType>(getGamma().getType());
    Value zeros = b.create<arith::ConstantOp>(getLoc(), DenseElementsAttr::get(channelType, 0.0f));
    dx = b.create<BatchNormInferenceOp>(getLoc(), getInput().getType(), resultGrads[0], getGamma(), zeros, zeros,
                                        getMovingVariance(), getAxisAttr(), getEpsilonAttr());
  }
  operandGrads.append({dx, Value(), Value(), Value(), Value()});
  return success();
}

LogicalResult BatchNormInferenceOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &gamma = *in[1], &beta = *in[2], &mm = *in[3], &mv = *in[4];
  ChannelView v(x.shape, getAxis());
  double eps = getEpsilon().convertToDouble();
  RefTensor y(x.shape);
  for (int64_t c = 0; c < v.channels; ++c) {
    double scale = gamma[c] / std::sqrt(mv[c] + eps);
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i)
        y[v.at(o, c, i)] = (x[v.at(o, c, i)] - mm[c]) * scale + beta[c];
  }
  out.push_back(std::move(y));
  return success();
}

} // namespace kcc::graph
