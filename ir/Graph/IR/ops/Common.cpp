//===- Common.cpp - helpers shared by the op family files -----------------===//

#include "ir/Graph/IR/ops/Common.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

#include <limits>

using namespace mlir;

namespace kcc::graph {

RankedTensorType rankedType(Value v) {
  return llvm::dyn_cast<RankedTensorType>(v.getType());
}

ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}

int64_t numElements(ArrayRef<int64_t> shape) {
  // Saturates: shape rules see user sizes before the importer refuses
  // tensors above 2^40 elements, and must not overflow on the way (found by
  // the JSON fuzzer).
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      return std::numeric_limits<int64_t>::max();
  return n;
}

void setResultShape(Operation *op, unsigned index, ArrayRef<int64_t> shape,
                    Type elementType) {
  if (!elementType)
    elementType = Float32Type::get(op->getContext());
  op->getResult(index).setType(RankedTensorType::get(shape, elementType));
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return (axis < 0 || axis >= rank) ? -1 : axis;
}

WindowDim windowDim(int64_t in, int64_t kernel, int64_t stride,
                    int64_t dilation, Padding padding) {
  WindowDim d;
  int64_t span = (kernel - 1) * dilation + 1;
  if (padding == Padding::valid) {
    d.out = in >= span ? (in - span) / stride + 1 : 0;
    return d;
  }
  d.out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>((d.out - 1) * stride + span - in, 0);
  d.padBefore = total / 2;
  d.padAfter = total - d.padBefore;
  return d;
}

Value throughFusedActivation(OpBuilder &b, Location loc, Activation act, Value dy, Value y) {
  if (act == Activation::linear)
    return dy;
  return makeOp<ActivationGradOp>(b, loc, dy.getType(), {dy, y},
                                  {b.getNamedAttr("kind", ActivationAttr::get(b.getContext(), act))});
}

Value reshapeTo(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  if (v.getType() == type)
    return v;
  return makeOp<ReshapeOp>(
      b, loc, type, v,
      {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(type.getShape()))});
}

Value constF32(OpBuilder &b, Location loc, double v, Type like) {
  if (auto vec = llvm::dyn_cast_or_null<VectorType>(like))
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(vec, b.getF32FloatAttr(v).getValue()));
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(v));
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

static constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
static constexpr double kSeluScale = 1.0507009873554804934193349852946;

static Value clamp01(OpBuilder &b, Location loc, Value x) {
  Value lo = b.create<arith::MaximumFOp>(loc, x, constF32(b, loc, 0.0, x.getType()));
  return b.create<arith::MinimumFOp>(loc, lo, constF32(b, loc, 1.0, x.getType()));
}

Value buildActivation(OpBuilder &b, Location loc, Activation kind, Value x) {
  auto c = [&](double v) { return constF32(b, loc, v, x.getType()); };
  auto isPositive = [&] {
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, c(0));
  };
  switch (kind) {
  case Activation::linear:
    return x;
  case Activation::relu:
    return b.create<arith::MaximumFOp>(loc, x, c(0));
  case Activation::tanh:
    return b.create<math::TanhOp>(loc, x);
  case Activation::sigmoid: {
    Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x));
    return b.create<arith::DivFOp>(loc, c(1),
                                   b.create<arith::AddFOp>(loc, c(1), e));
  }
  case Activation::hard_sigmoid:
  case Activation::hard_sigmoid_v3: {
    double slope = kind == Activation::hard_sigmoid ? 0.2 : 1.0 / 6.0;
    Value lin = b.create<arith::AddFOp>(
        loc, b.create<arith::MulFOp>(loc, x, c(slope)), c(0.5));
    return clamp01(b, loc, lin);
  }
  case Activation::elu: {
    Value em1 = b.create<arith::SubFOp>(loc, b.create<math::ExpOp>(loc, x), c(1));
    return b.create<arith::SelectOp>(loc, isPositive(), x, em1);
  }
  case Activation::softplus:
    return b.create<math::Log1pOp>(loc, b.create<math::ExpOp>(loc, x));
  case Activation::softsign: {
    Value den = b.create<arith::AddFOp>(loc, c(1), b.create<math::AbsFOp>(loc, x));
    return b.create<arith::DivFOp>(loc, x, den);
  }
  case Activation::selu: {
    Value em1 = b.create<arith::SubFOp>(loc, b.create<math::ExpOp>(loc, x), c(1));
    Value neg = b.create<arith::MulFOp>(loc, em1, c(kSeluAlpha * kSeluScale));
    Value pos = b.create<arith::MulFOp>(loc, x, c(kSeluScale));
    return b.create<arith::SelectOp>(loc, isPositive(), pos, neg);
  }
  case Activation::exponential:
    return b.create<math::ExpOp>(loc, x);
  }
  llvm_unreachable("unknown activation");
}

Value buildActivationGrad(OpBuilder &b, Location loc, Activation kind,
                          Value dy, Value y) {
  auto c = [&](double v) { return constF32(b, loc, v, y.getType()); };
  auto mul = [&](Value p, Value q) { return b.create<arith::MulFOp>(loc, p, q); };
  auto sub = [&](Value p, Value q) { return b.create<arith::SubFOp>(loc, p, q); };
  auto gt = [&](Value p, Value q) {
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, p, q);
  };
  switch (kind) {
  case Activation::linear:
    return dy;
  case Activation::relu:
    return b.create<arith::SelectOp>(loc, gt(y, c(0)), dy, c(0));
  case Activation::tanh:
    return mul(dy, sub(c(1), mul(y, y)));
  case Activation::sigmoid:
    return mul(dy, mul(y, sub(c(1), y)));
  case Activation::hard_sigmoid:
  case Activation::hard_sigmoid_v3: {
    double slope = kind == Activation::hard_sigmoid ? 0.2 : 1.0 / 6.0;
    Value inside = b.create<arith::AndIOp>(loc, gt(y, c(0)), gt(c(1), y));
    return b.create<arith::SelectOp>(loc, inside, mul(dy, c(slope)), c(0));
  }
  case Activation::elu:
    return b.create<arith::SelectOp>(loc, gt(y, c(0)), dy,
                                     mul(dy, b.create<arith::AddFOp>(loc, y, c(1))));
  case Activation::softplus:
    return mul(dy, sub(c(1), b.create<math::ExpOp>(
                                 loc, b.create<arith::NegFOp>(loc, y))));
  case Activation::softsign: {
    Value t = sub(c(1), b.create<math::AbsFOp>(loc, y));
    return mul(dy, mul(t, t));
  }
  case Activation::selu:
    return b.create<arith::SelectOp>(
        loc, gt(y, c(0)), mul(dy, c(kSeluScale)),
        mul(dy, b.create<arith::AddFOp>(loc, y, c(kSeluScale * kSeluAlpha))));
  case Activation::exponential:
    return mul(dy, y);
  }
  llvm_unreachable("unknown activation");
}

double activationRef(Activation kind, double x) {
  switch (kind) {
  case Activation::linear:
    return x;
  case Activation::relu:
    return x > 0 ? x : 0;
  case Activation::tanh:
    return std::tanh(x);
  case Activation::sigmoid:
    return 1 / (1 + std::exp(-x));
  case Activation::hard_sigmoid:
    return std::clamp(0.2 * x + 0.5, 0.0, 1.0);
  case Activation::hard_sigmoid_v3:
    return std::clamp(x / 6 + 0.5, 0.0, 1.0);
  case Activation::elu:
    return x > 0 ? x : std::expm1(x);
  case Activation::softplus:
    return std::log1p(std::exp(x));
  case Activation::softsign:
    return x / (1 + std::fabs(x));
  case Activation::selu:
    return x > 0 ? kSeluScale * x : kSeluScale * kSeluAlpha * std::expm1(x);
  case Activation::exponential:
    return std::exp(x);
  }
  llvm_unreachable("unknown activation");
}

double activationGradRef(Activation kind, double dy, double y) {
  switch (kind) {
  case Activation::linear:
    return dy;
  case Activation::relu:
    return y > 0 ? dy : 0;
  case Activation::tanh:
    return dy * (1 - y * y);
  case Activation::sigmoid:
    return dy * y * (1 - y);
  case Activation::hard_sigmoid:
    return (y > 0 && y < 1) ? dy * 0.2 : 0;
  case Activation::hard_sigmoid_v3:
    return (y > 0 && y < 1) ? dy / 6 : 0;
  case Activation::elu:
    return y > 0 ? dy : dy * (y + 1);
  case Activation::softplus:
    return dy * (1 - std::exp(-y));
  case Activation::softsign:
    return dy * (1 - std::fabs(y)) * (1 - std::fabs(y));
  case Activation::selu:
    return y > 0 ? dy * kSeluScale : dy * (y + kSeluScale * kSeluAlpha);
  case Activation::exponential:
    return dy * y;
  }
  llvm_unreachable("unknown activation");
}

//===----------------------------------------------------------------------===//
// Reference helpers
//===----------------------------------------------------------------------===//

std::vector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

RefTensor refMatMul(const RefTensor &a, int64_t aRows, int64_t aCols, bool ta,
                    const RefTensor &b, int64_t bRows, int64_t bCols, bool tb) {
  int64_t m = ta ? aCols : aRows, k = ta ? aRows : aCols;
  int64_t n = tb ? bRows : bCols;
  RefTensor c({m, n});
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        double av = ta ? a[p * aCols + i] : a[i * aCols + p];
        double bv = tb ? b[j * bCols + p] : b[p * bCols + j];
        acc += av * bv;
      }
      c[i * n + j] = acc;
    }
  return c;
}

static void mulhilo(uint32_t a, uint32_t b, uint32_t &hi, uint32_t &lo) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

uint32_t philoxWord(uint64_t seed, uint64_t step, uint64_t stream,
                    uint64_t index) {
  uint64_t block = index >> 2;
  uint32_t c[4] = {static_cast<uint32_t>(block),
                   static_cast<uint32_t>(block >> 32),
                   static_cast<uint32_t>(step), static_cast<uint32_t>(stream)};
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c[0], hi0, lo0);
    mulhilo(0xCD9E8D57u, c[2], hi1, lo1);
    uint32_t n[4] = {hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0};
    std::copy(n, n + 4, c);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c[index & 3];
}

uint32_t dropoutThreshold(double rate) {
  double t = std::round(rate * 4294967296.0);
  return static_cast<uint32_t>(std::clamp(t, 0.0, 4294967295.0));
}

} // namespace kcc::graph
