//===- Shape.cpp - embedding, reshape, repeat, concat, slice --------------===//

#include "ir/Graph/IR/ops/Common.h"

using namespace mlir;

namespace kcc::graph {

//===----------------------------------------------------------------------===//
// EmbeddingOp / EmbeddingBackwardOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::inferShapes() {
  ArrayRef<int64_t> table = shapeOf(getTable());
  if (table.size() != 2)
    return emitOpError() << "table must be [vocabulary, dim], got " << getTable().getType();
  SmallVector<int64_t> shape(shapeOf(getIds()));
  shape.push_back(table[1]);
  setResultShape(*this, 0, shape);
  return success();
}

LogicalResult EmbeddingOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                          ArrayRef<bool> needGrad,
                                          SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(Value()); // integer ids have no gradient
  operandGrads.push_back(
      needGrad[1] ? makeOp<EmbeddingBackwardOp>(
                        b, getLoc(), getTable().getType(), {getIds(), resultGrads[0]},
                        {b.getNamedAttr("vocab_size", b.getI64IntegerAttr(shapeOf(getTable())[0]))})
                  : Value());
  return success();
}

/// The row an id selects. Keras on CPU (TF's gather) rejects out-of-range
/// ids; the reference treats them as a hard error too.
static FailureOr<int64_t> rowOf(Operation *op, double id, int64_t vocab) {
  auto row = static_cast<int64_t>(id);
  if (row < 0 || row >= vocab)
    return op->emitOpError() << "id " << row << " outside the vocabulary of " << vocab;
  return row;
}

LogicalResult EmbeddingOp::evaluate(ArrayRef<const RefTensor *> in,
                                    SmallVectorImpl<RefTensor> &out) {
  const RefTensor &ids = *in[0], &table = *in[1];
  int64_t dim = table.shape[1];
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(), shapeOf(getResult()).end()));
  for (int64_t i = 0; i < ids.size(); ++i) {
    FailureOr<int64_t> row = rowOf(*this, ids[i], table.shape[0]);
    if (failed(row))
      return failure();
    for (int64_t j = 0; j < dim; ++j)
      y[i * dim + j] = table[*row * dim + j];
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult EmbeddingBackwardOp::inferShapes() {
  setResultShape(*this, 0, {static_cast<int64_t>(getVocabSize()), shapeOf(getOutputGrad()).back()});
  return success();
}

LogicalResult EmbeddingBackwardOp::evaluate(ArrayRef<const RefTensor *> in,
                                            SmallVectorImpl<RefTensor> &out) {
  const RefTensor &ids = *in[0], &dy = *in[1];
  int64_t dim = dy.shape.back();
  RefTensor dt({static_cast<int64_t>(getVocabSize()), dim});
  for (int64_t i = 0; i < ids.size(); ++i) {
    FailureOr<int64_t> row = rowOf(*this, ids[i], getVocabSize());
    if (failed(row))
      return failure();
    for (int64_t j = 0; j < dim; ++j)
      dt[*row * dim + j] += dy[i * dim + j];
  }
  out.push_back(std::move(dt));
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferShapes() {
  auto in = llvm::cast<RankedTensorType>(getInput().getType());
  SmallVector<int64_t> shape(getShape());
  int64_t known = 1, unknown = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1) {
      if (unknown >= 0)
        return emitOpError() << "shape may contain only one -1";
      unknown = i;
    } else if (d <= 0) {
      return emitOpError() << "shape dimensions must be positive or -1";
    } else if (__builtin_mul_overflow(known, d, &known)) {
      return emitOpError() << "shape has more elements than any tensor can hold";
    }
  }
  int64_t total = in.getNumElements();
  if (unknown >= 0) {
    if (total % known != 0)
      return emitOpError() << "cannot reshape " << in << " to " << shape;
    shape[unknown] = total / known;
  }
  if (numElements(shape) != total)
    return emitOpError() << "cannot reshape " << in << " (" << total
                         << " elements) to a shape of " << numElements(shape);
  setResultShape(*this, 0, shape, in.getElementType());
  return success();
}

LogicalResult ReshapeOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                        ArrayRef<bool> needGrad,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(needGrad[0] ? reshapeTo(b, getLoc(), resultGrads[0],
                                                 rankedType(getInput()))
                                     : Value());
  return success();
}

LogicalResult ReshapeOp::evaluate(ArrayRef<const RefTensor *> in,
                                  SmallVectorImpl<RefTensor> &out) {
  RefTensor y = *in[0];
  y.shape.assign(shapeOf(getResult()).begin(), shapeOf(getResult()).end());
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// RepeatOp
//===----------------------------------------------------------------------===//

LogicalResult RepeatOp::inferShapes() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() != 2)
    return emitOpError() << "input must be [batch, features], got " << getInput().getType();
  if (getTimesAttr().getInt() < 1)
    return emitOpError() << "times must be positive, got " << getTimesAttr().getInt();
  setResultShape(*this, 0, {x[0], static_cast<int64_t>(getTimes()), x[1]});
  return success();
}

LogicalResult RepeatOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needGrad,
                                       SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      needGrad[0] ? makeOp<ReduceSumOp>(b, getLoc(), getInput().getType(), resultGrads[0],
                                        {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({1}))})
                  : Value());
  return success();
}

LogicalResult RepeatOp::evaluate(ArrayRef<const RefTensor *> in,
                                 SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  int64_t n = x.shape[0], f = x.shape[1], times = getTimes();
  RefTensor y({n, times, f});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t t = 0; t < times; ++t)
      for (int64_t j = 0; j < f; ++j)
        y[(b * times + t) * f + j] = x[b * f + j];
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// ConcatOp / SliceOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  return success();
}

LogicalResult ConcatOp::inferShapes() {
  SmallVector<int64_t> shape(shapeOf(getInputs()[0]));
  int64_t axis = normalizeAxis(getAxisAttr().getInt(), shape.size());
  if (axis < 0)
    return emitOpError() << "axis " << getAxisAttr().getInt() << " out of range";
  for (Value v : getInputs().drop_front()) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (s.size() != shape.size())
      return emitOpError() << "inputs differ in rank";
    for (size_t d = 0; d < s.size(); ++d)
      if (static_cast<int64_t>(d) != axis && s[d] != shape[d])
        return emitOpError() << "inputs differ in dimension " << d << " (" << s[d]
                             << " vs " << shape[d] << ")";
    shape[axis] += s[axis];
  }
  setResultShape(*this, 0, shape);
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needGrad,
                                       SmallVectorImpl<Value> &operandGrads) {
  int64_t axis = normalizeAxis(getAxis(), shapeOf(getResult()).size());
  int64_t start = 0;
  for (auto [i, v] : llvm::enumerate(getInputs())) {
    int64_t size = shapeOf(v)[axis];
    operandGrads.push_back(
        needGrad[i] ? makeOp<SliceOp>(b, getLoc(), v.getType(), resultGrads[0],
                                      {b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                                       b.getNamedAttr("start", b.getI64IntegerAttr(start)),
                                       b.getNamedAttr("size", b.getI64IntegerAttr(size))})
                    : Value());
    start += size;
  }
  return success();
}

/// Splits |shape| around |axis| into (outer, axis size, inner) element counts.
static std::tuple<int64_t, int64_t, int64_t> around(ArrayRef<int64_t> shape, int64_t axis) {
  return {numElements(shape.take_front(axis)), shape[axis],
          numElements(shape.drop_front(axis + 1))};
}

LogicalResult ConcatOp::evaluate(ArrayRef<const RefTensor *> in,
                                 SmallVectorImpl<RefTensor> &out) {
  ArrayRef<int64_t> ys = shapeOf(getResult());
  int64_t axis = normalizeAxis(getAxis(), ys.size());
  auto [outer, total, inner] = around(ys, axis);
  RefTensor y(std::vector<int64_t>(ys.begin(), ys.end()));
  int64_t offset = 0;
  for (const RefTensor *x : in) {
    int64_t size = x->shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t a = 0; a < size; ++a)
        for (int64_t i = 0; i < inner; ++i)
          y[(o * total + offset + a) * inner + i] = (*x)[(o * size + a) * inner + i];
    offset += size;
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult SliceOp::verify() {
  auto x = rankedType(getInput());
  if (!x)
    return success();
  int64_t axis = normalizeAxis(getAxisAttr().getInt(), x.getRank());
  int64_t start = getStartAttr().getInt(), size = getSizeAttr().getInt();
  if (axis < 0)
    return emitOpError() << "axis " << getAxisAttr().getInt() << " out of range";
  if (start < 0 || size < 1 || start + size > x.getDimSize(axis))
    return emitOpError() << "range [" << start << ", " << start + size
                         << ") outside dimension of size " << x.getDimSize(axis);
  return success();
}

LogicalResult SliceOp::inferShapes() {
  SmallVector<int64_t> shape(shapeOf(getInput()));
  shape[normalizeAxis(getAxis(), shape.size())] = getSize();
  setResultShape(*this, 0, shape);
  return success();
}

LogicalResult SliceOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                      SmallVectorImpl<Value> &operandGrads) {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  int64_t axis = normalizeAxis(getAxis(), shape.size());
  int64_t before = getStartAttr().getInt(), after = shape[axis] - before - getSizeAttr().getInt();
  operandGrads.push_back(needGrad[0] ? b.create<PadOp>(getLoc(), getInput().getType(), resultGrads[0],
                                                       b.getI64IntegerAttr(axis), b.getI64IntegerAttr(before),
                                                       b.getI64IntegerAttr(after))
                                     : Value());
  return success();
}

LogicalResult SliceOp::evaluate(ArrayRef<const RefTensor *> in,
                                SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  int64_t axis = normalizeAxis(getAxis(), x.rank());
  auto [outer, total, inner] = around(x.shape, axis);
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(), shapeOf(getResult()).end()));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < getSize(); ++a)
      for (int64_t i = 0; i < inner; ++i)
        y[(o * getSize() + a) * inner + i] = x[(o * total + getStart() + a) * inner + i];
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// ReverseOp
//===----------------------------------------------------------------------===//

LogicalResult ReverseOp::verify() {
  auto x = rankedType(getInput());
  if (x && normalizeAxis(getAxisAttr().getInt(), x.getRank()) < 1)
    return emitOpError() << "axis " << getAxisAttr().getInt() << " must name a non-batch axis of " << x;
  return success();
}

LogicalResult ReverseOp::inferShapes() {
  setResultShape(*this, 0, shapeOf(getInput()));
  return success();
}

LogicalResult ReverseOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      needGrad[0] ? b.create<ReverseOp>(getLoc(), getInput().getType(), resultGrads[0], getAxisAttr()) : Value());
  return success();
}

LogicalResult ReverseOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  auto [outer, total, inner] = around(x.shape, normalizeAxis(getAxisAttr().getInt(), x.rank()));
  RefTensor y(x.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < total; ++a)
      for (int64_t i = 0; i < inner; ++i)
        y[(o * total + total - 1 - a) * inner + i] = x[(o * total + a) * inner + i];
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::verify() {
  auto x = rankedType(getInput());
  if (!x)
    return success();
  if (normalizeAxis(getAxis(), x.getRank()) < 1)
    return emitOpError() << "axis " << getAxis() << " must name a non-batch axis of " << x;
  const int64_t limit = (int64_t(1) << 31) - 1; // Keras keeps sizes in int32
  // I64Attr's getters are unsigned: read them signed so -1 reads as -1.
  int64_t before = getBeforeAttr().getInt(), after = getAfterAttr().getInt();
  if (before < 0 || after < 0 || before > limit || after > limit)
    return emitOpError() << "padding must be in [0, 2^31), got " << before << " and " << after;
  return success();
}

LogicalResult PadOp::inferShapes() {
  if (failed(verify()))
    return failure();
  SmallVector<int64_t> shape(shapeOf(getInput()));
  shape[normalizeAxis(getAxis(), shape.size())] += getBefore() + getAfter();
  setResultShape(*this, 0, shape);
  return success();
}

LogicalResult PadOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                    SmallVectorImpl<Value> &operandGrads) {
  int64_t axis = normalizeAxis(getAxis(), shapeOf(getInput()).size());
  operandGrads.push_back(needGrad[0] ? b.create<SliceOp>(getLoc(), getInput().getType(), resultGrads[0],
                                                         b.getI64IntegerAttr(axis), getBeforeAttr(),
                                                         b.getI64IntegerAttr(shapeOf(getInput())[axis]))
                                     : Value());
  return success();
}

LogicalResult PadOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  int64_t axis = normalizeAxis(getAxis(), x.rank());
  auto [outer, total, inner] = around(x.shape, axis);
  int64_t padded = total + getBefore() + getAfter();
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(), shapeOf(getResult()).end()));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < total; ++a)
      for (int64_t i = 0; i < inner; ++i)
        y[(o * padded + getBefore() + a) * inner + i] = x[(o * total + a) * inner + i];
  out.push_back(std::move(y));
  return success();
}

} // namespace kcc::graph
