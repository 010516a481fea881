//===- Common.h - helpers shared by the op family files -------------------===//

#ifndef KCC_GRAPH_IR_OPS_COMMON_H
#define KCC_GRAPH_IR_OPS_COMMON_H

#include "ir/Graph/IR/GraphDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallVector.h"

namespace kcc::graph {

//===----------------------------------------------------------------------===//
// Types and shapes
//===----------------------------------------------------------------------===//

/// The ranked type of |v|, or null while it is still unranked.
mlir::RankedTensorType rankedType(mlir::Value v);
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// Gives result |index| the static |shape| (element type f32 unless given).
void setResultShape(mlir::Operation *op, unsigned index,
                    llvm::ArrayRef<int64_t> shape, mlir::Type elementType = {});

/// Normalises a possibly negative |axis| for |rank|; -1 if out of range.
int64_t normalizeAxis(int64_t axis, int64_t rank);

/// Output size and padding of one spatial dimension of a Keras/TF window op.
struct WindowDim {
  int64_t out = 0, padBefore = 0, padAfter = 0;
};
WindowDim windowDim(int64_t in, int64_t kernel, int64_t stride,
                    int64_t dilation, Padding padding);

/// Position of N, C, H, W in a 4-D image tensor of the given format.
struct ImageAxes {
  int n = 0, c, h, w;
  explicit ImageAxes(DataFormat f)
      : c(f == DataFormat::channels_last ? 3 : 1),
        h(f == DataFormat::channels_last ? 1 : 2),
        w(f == DataFormat::channels_last ? 2 : 3) {}
};

//===----------------------------------------------------------------------===//
// Building ops in gradient rules
//===----------------------------------------------------------------------===//

/// Creates an OpT with one result. With a null |resultType| the result starts
/// unranked and the op's own shape rule sets it (operands must be ranked).
template <typename OpT>
mlir::Value makeOp(mlir::OpBuilder &b, mlir::Location loc,
                   mlir::Type resultType, mlir::ValueRange operands,
                   llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
  mlir::Type type = resultType ? resultType
                               : mlir::Type(mlir::UnrankedTensorType::get(
                                     b.getF32Type()));
  auto op = b.create<OpT>(loc, mlir::TypeRange{type}, operands, attrs);
  if (!resultType) {
    [[maybe_unused]] mlir::LogicalResult inferred =
        llvm::cast<ShapeInferenceOpInterface>(op.getOperation()).inferShapes();
    assert(mlir::succeeded(inferred) && "gradient op with inconsistent shapes");
  }
  return op->getResult(0);
}

/// The gradient w.r.t. the pre-activation of an op with a fused |act|:
/// |dy| itself for linear, else graph.activation_grad(dy, y).
mlir::Value throughFusedActivation(mlir::OpBuilder &b, mlir::Location loc,
                                   Activation act, mlir::Value dy,
                                   mlir::Value y);

/// graph.reshape of |v| to |type|'s shape.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      mlir::RankedTensorType type);

//===----------------------------------------------------------------------===//
// Activations: scalar IR (for generated kernels) and float64 reference
//===----------------------------------------------------------------------===//

/// Both work on f32 scalars and on vectors of f32.
mlir::Value buildActivation(mlir::OpBuilder &b, mlir::Location loc,
                            Activation kind, mlir::Value x);
/// dy * act'(x), expressed with the activation's output y.
mlir::Value buildActivationGrad(mlir::OpBuilder &b, mlir::Location loc,
                                Activation kind, mlir::Value dy, mlir::Value y);
double activationRef(Activation kind, double x);
double activationGradRef(Activation kind, double dy, double y);

/// f32 constant; with |like| of a vector type, a splat vector of that type
/// (the scalar bodies also run on vectors in hand-vectorised kernels).
mlir::Value constF32(mlir::OpBuilder &b, mlir::Location loc, double v,
                     mlir::Type like = {});

//===----------------------------------------------------------------------===//
// Reference evaluation
//===----------------------------------------------------------------------===//

/// Row-major strides of |shape|.
std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Product of op(a) * op(b) on matrices given as (rows, cols) views.
RefTensor refMatMul(const RefTensor &a, int64_t aRows, int64_t aCols, bool ta,
                    const RefTensor &b, int64_t bRows, int64_t bCols, bool tb);

/// Philox4x32-10 keyed by (seed, stream) over counter (index/4, step); the
/// word index%4 of the block. Shared by the reference, the runtime tests and
/// (as IR) the generated dropout kernels.
uint32_t philoxWord(uint64_t seed, uint64_t step, uint64_t stream,
                    uint64_t index);
/// The keep threshold: element kept iff philoxWord(...) >= threshold.
uint32_t dropoutThreshold(double rate);

} // namespace kcc::graph

#endif // KCC_GRAPH_IR_OPS_COMMON_H
