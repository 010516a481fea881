//===- Linear.cpp - matmul, bias_add, reduce_sum --------------------------===//
//
// Shape rule, verifier, gradient and float64 reference of the linear-algebra
// family. Dense layers import as matmul + bias_add + activation; the fusion
// pass folds them back into one matmul with an epilogue.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

using namespace mlir;

namespace kcc::graph {

/// (rows, cols) of |shape| seen as a matrix: leading dimensions folded.
static std::pair<int64_t, int64_t> asMatrix(ArrayRef<int64_t> shape) {
  return {numElements(shape.drop_back()), shape.back()};
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  auto a = rankedType(getA()), b = rankedType(getB());
  if (a && a.getRank() < 2)
    return emitOpError() << "operand a must have rank >= 2, got " << a;
  if (b && b.getRank() < 2)
    return emitOpError() << "operand b must have rank >= 2, got " << b;
  if (getBias())
    if (auto bias = rankedType(getBias()); bias && bias.getRank() != 1)
      return emitOpError() << "bias must be a vector, got " << bias;
  return success();
}

LogicalResult MatMulOp::inferShapes() {
  auto [aRows, aCols] = asMatrix(shapeOf(getA()));
  auto [bRows, bCols] = asMatrix(shapeOf(getB()));
  int64_t k = getTransposeA() ? aRows : aCols;
  int64_t kb = getTransposeB() ? bCols : bRows;
  int64_t n = getTransposeB() ? bRows : bCols;
  if (k != kb)
    return emitOpError() << "contraction sizes differ: a gives " << k
                         << ", b gives " << kb;
  if (getBias() && shapeOf(getBias())[0] != n)
    return emitOpError() << "bias has " << shapeOf(getBias())[0]
                         << " elements, expected " << n;
  SmallVector<int64_t> shape;
  if (getTransposeA())
    shape = {aCols, n};
  else {
    shape.assign(shapeOf(getA()).begin(), shapeOf(getA()).end() - 1);
    shape.push_back(n);
  }
  setResultShape(*this, 0, shape);
  return success();
}

LogicalResult MatMulOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needGrad,
                                       SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value dz = throughFusedActivation(b, loc, getActivation(), resultGrads[0], getResult());
  auto mm = [&](Value x, Value y, bool ta, bool tb) {
    SmallVector<NamedAttribute> attrs;
    if (ta)
      attrs.push_back(b.getNamedAttr("transpose_a", b.getUnitAttr()));
    if (tb)
      attrs.push_back(b.getNamedAttr("transpose_b", b.getUnitAttr()));
    return makeOp<MatMulOp>(b, loc, Type(), {x, y}, attrs);
  };
  bool ta = getTransposeA(), tb = getTransposeB();
  Value a = getA(), bm = getB();
  // With transpose_a the product sees |a| as a matrix; its leading
  // dimensions must not leak into b's gradient.
  if (ta && shapeOf(a).size() > 2) {
    auto [rows, cols] = asMatrix(shapeOf(a));
    a = reshapeTo(b, loc, a, RankedTensorType::get({rows, cols}, b.getF32Type()));
  }
  Value da, db;
  // C = op(A) op(B); each case is the textbook rule with the transposes
  // pushed into the product's flags instead of materialised.
  if (needGrad[0]) {
    if (!ta)
      da = mm(dz, bm, false, !tb);
    else
      da = tb ? mm(bm, dz, true, true) : mm(bm, dz, false, true);
    da = reshapeTo(b, loc, da, rankedType(getA()));
  }
  if (needGrad[1]) {
    if (!tb)
      db = ta ? mm(a, dz, false, false) : mm(a, dz, true, false);
    else
      db = ta ? mm(dz, a, true, true) : mm(dz, a, true, false);
  }
  operandGrads.push_back(da);
  operandGrads.push_back(db);
  if (getBias()) {
    Value dbias;
    if (needGrad[2]) {
      auto rank = rankedType(dz).getRank();
      SmallVector<int64_t> axes;
      for (int64_t i = 0; i + 1 < rank; ++i)
        axes.push_back(i);
      dbias = makeOp<ReduceSumOp>(b, loc, getBias().getType(), dz,
                                  {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes))});
    }
    operandGrads.push_back(dbias);
  }
  return success();
}

LogicalResult MatMulOp::evaluate(ArrayRef<const RefTensor *> in,
                                 SmallVectorImpl<RefTensor> &out) {
  auto [aRows, aCols] = asMatrix(in[0]->shape);
  auto [bRows, bCols] = asMatrix(in[1]->shape);
  RefTensor c = refMatMul(*in[0], aRows, aCols, getTransposeA(), *in[1], bRows,
                          bCols, getTransposeB());
  int64_t n = c.shape[1];
  for (int64_t i = 0; i < c.size(); ++i) {
    double v = c[i] + (getBias() ? (*in[2])[i % n] : 0.0);
    c[i] = activationRef(getActivation(), v);
  }
  c.shape.assign(shapeOf(getResult()).begin(), shapeOf(getResult()).end());
  out.push_back(std::move(c));
  return success();
}

//===----------------------------------------------------------------------===//
// BiasAddOp
//===----------------------------------------------------------------------===//

LogicalResult BiasAddOp::verify() {
  auto x = rankedType(getInput()), bias = rankedType(getBias());
  if (bias && bias.getRank() != 1)
    return emitOpError() << "bias must be a vector, got " << bias;
  int64_t axis = getAxisAttr().getInt();
  if (x && normalizeAxis(axis, x.getRank()) < 0)
    return emitOpError() << "axis " << axis << " out of range for " << x;
  return success();
}

LogicalResult BiasAddOp::inferShapes() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  int64_t axis = normalizeAxis(getAxisAttr().getInt(), x.size());
  if (shapeOf(getBias())[0] != x[axis])
    return emitOpError() << "bias has " << shapeOf(getBias())[0]
                         << " elements but axis " << axis << " has " << x[axis];
  setResultShape(*this, 0, x);
  return success();
}

LogicalResult BiasAddOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                        ArrayRef<bool> needGrad,
                                        SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0];
  operandGrads.push_back(needGrad[0] ? dy : Value());
  if (!needGrad[1]) {
    operandGrads.push_back(Value());
    return success();
  }
  int64_t rank = shapeOf(dy).size();
  int64_t axis = normalizeAxis(getAxis(), rank);
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      axes.push_back(i);
  operandGrads.push_back(makeOp<ReduceSumOp>(
      b, getLoc(), getBias().getType(), dy,
      {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes))}));
  return success();
}

LogicalResult BiasAddOp::evaluate(ArrayRef<const RefTensor *> in,
                                  SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &bias = *in[1];
  int64_t axis = normalizeAxis(getAxis(), x.rank());
  int64_t stride = stridesOf(x.shape)[axis];
  RefTensor y = x;
  for (int64_t i = 0; i < y.size(); ++i)
    y[i] += bias[(i / stride) % x.shape[axis]];
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceSumOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceSumOp::verify() {
  auto x = rankedType(getInput());
  if (!x)
    return success();
  for (int64_t a : getAxes())
    if (a < 0 || a >= x.getRank())
      return emitOpError() << "axis " << a << " out of range for " << x;
  return success();
}

LogicalResult ReduceSumOp::inferShapes() {
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> x = shapeOf(getInput());
  for (int64_t i = 0; i < static_cast<int64_t>(x.size()); ++i)
    if (!llvm::is_contained(getAxes(), i))
      shape.push_back(x[i]);
  setResultShape(*this, 0, shape);
  return success();
}

LogicalResult ReduceSumOp::buildGradients(OpBuilder &b,
                                          ArrayRef<Value> resultGrads,
                                          ArrayRef<bool> needGrad,
                                          SmallVectorImpl<Value> &operandGrads) {
  // The gradient broadcasts dy back over the summed axes. With the input
  // viewed as [outer, mid, inner] around contiguous summed axes that is a
  // repeat of dy (viewed as [outer, inner]) along a new middle axis.
  ArrayRef<int64_t> in = shapeOf(getInput());
  SmallVector<int64_t> axes(getAxes());
  llvm::sort(axes);
  int64_t rank = in.size();
  for (int64_t &a : axes)
    a = normalizeAxis(a, rank);
  bool contiguous = !axes.empty() && axes.back() - axes.front() + 1 == static_cast<int64_t>(axes.size());
  if (!contiguous)
    return emitOpError() << "gradient only implemented for a sum over contiguous axes";
  if (!needGrad[0]) {
    operandGrads.push_back(Value());
    return success();
  }
  int64_t outer = numElements(in.take_front(axes.front()));
  int64_t mid = numElements(in.slice(axes.front(), axes.size()));
  int64_t inner = numElements(in.drop_front(axes.back() + 1));
  Location loc = getLoc();
  Type f32 = b.getF32Type();
  auto reshape = [&](Value v, ArrayRef<int64_t> shape) {
    if (shapeOf(v) == shape)
      return v;
    return makeOp<ReshapeOp>(b, loc, RankedTensorType::get(shape, f32), {v},
                             {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  };
  Value flat = reshape(resultGrads[0], {outer, inner});
  Value repeated = makeOp<RepeatOp>(b, loc, RankedTensorType::get({outer, mid, inner}, f32), {flat},
                                    {b.getNamedAttr("times", b.getI64IntegerAttr(mid))});
  operandGrads.push_back(reshape(repeated, in));
  return success();
}

LogicalResult ReduceSumOp::evaluate(ArrayRef<const RefTensor *> in,
                                    SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(),
                                   shapeOf(getResult()).end()));
  std::vector<int64_t> xs = stridesOf(x.shape);
  std::vector<int64_t> keptStrides = stridesOf(y.shape);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t target = 0, k = 0;
    for (int64_t d = 0; d < x.rank(); ++d) {
      int64_t idx = (i / xs[d]) % x.shape[d];
      if (!llvm::is_contained(getAxes(), d))
        target += idx * keptStrides[k++];
    }
    y[target] += x[i];
  }
  out.push_back(std::move(y));
  return success();
}

} // namespace kcc::graph
