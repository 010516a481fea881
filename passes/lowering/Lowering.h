//===- Lowering.h - shared state of graph-lower-to-exec -------------------===//
//
// The lowering walks a step function once, in program order. Every tensor
// value is bound to an exec buffer; each op family's file turns its ops into
// exec calls and kernels through this context.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_PASSES_LOWERING_LOWERING_H
#define KCC_PASSES_LOWERING_LOWERING_H

#include "passes/Passes.h"

#include "ir/Graph/IR/ops/Common.h"

#include <functional>

namespace kcc::lowering {

/// Body of a generated kernel: receives one flat memref per buffer (inputs
/// then outputs) and the [begin, end) slice of the domain to compute.
using KernelBody = std::function<void(mlir::OpBuilder &, mlir::Location,
                                      mlir::ValueRange memrefs, mlir::Value begin,
                                      mlir::Value end)>;

/// What the forward LSTM left for its backward: the buffers it computed.
struct LSTMState {
  mlir::Value timeMajorInput; // [T, N, C]
  mlir::Value gates;          // [T, N, 4U], activated
  mlir::Value hidden, cell;   // [T+1, N, U], slot 0 = zero state
};

class LoweringContext {
public:
  LoweringContext(mlir::ModuleOp module, mlir::func::FuncOp program)
      : module(module), program(program),
        builder(mlir::OpBuilder::atBlockEnd(&program.getBody().front())) {}

  mlir::ModuleOp module;
  mlir::func::FuncOp program;
  mlir::OpBuilder builder;

  //===--- buffers ---------------------------------------------------------===//

  /// The buffer holding |tensor|'s value (it must have been produced).
  mlir::Value bufferOf(mlir::Value tensor) const;
  void bind(mlir::Value tensor, mlir::Value buffer) { buffers[tensor] = buffer; }

  /// A fresh transient buffer of |shape| and |elementType|.
  mlir::Value alloc(mlir::Location loc, llvm::ArrayRef<int64_t> shape,
                    mlir::Type elementType, exec::BufferKind kind);
  /// The persistent buffer named |name| (a variable, step input or output;
  /// the latter two with their |role|).
  mlir::Value named(mlir::Location loc, llvm::StringRef name, mlir::RankedTensorType type,
                    exec::BufferKind kind, std::optional<graph::StepRole> role = std::nullopt);
  /// The buffer that will hold op result |tensor|: a variable's own buffer
  /// if the value is stored to it, a named output if the step returns it,
  /// else a fresh transient buffer. Binds it.
  mlir::Value resultBuffer(mlir::Value tensor,
                           exec::BufferKind kind = exec::BufferKind::activation);
  /// A view of |buffer| as |shape| starting |offset| elements in.
  mlir::Value view(mlir::Location loc, mlir::Value buffer,
                   llvm::ArrayRef<int64_t> shape, int64_t offset = 0);

  //===--- kernels ---------------------------------------------------------===//

  /// Creates kernel func |prefix|_N over |inputs| and |outputs| and launches
  /// it over |domain|. |serial| kernels run on one thread.
  exec::KernelOp launch(mlir::Location loc, llvm::StringRef prefix,
                        mlir::ValueRange inputs, mlir::ValueRange outputs,
                        int64_t domain, const KernelBody &body,
                        bool serial = false, bool elementwise = false);
  /// Only creates the kernel func (for kernels the runtime calls itself,
  /// such as LSTM cells); returns its symbol. |noAlias| promises that the
  /// buffers the body touches never overlap; |sameAs|[i] = j < i hands the
  /// body argument j in place of argument i (the same buffer passed twice).
  mlir::FlatSymbolRefAttr createKernel(mlir::Location loc, llvm::StringRef prefix,
                                       mlir::TypeRange bufferTypes,
                                       const KernelBody &body, bool noAlias = true,
                                       llvm::ArrayRef<unsigned> sameAs = {});

  /// Set once the loss is lowered: later values are gradients.
  bool inBackward = false;

  llvm::DenseMap<mlir::Operation *, LSTMState> lstmStates;
  /// Forward max_pool2d op -> its workspace buffer.
  llvm::DenseMap<mlir::Operation *, mlir::Value> poolWorkspaces;

private:
  llvm::DenseMap<mlir::Value, mlir::Value> buffers;
  llvm::StringMap<mlir::Value> namedBuffers;
};

/// The Keras layer |loc| belongs to, or "".
std::string layerName(mlir::Location loc);
/// Name prefix for kernels and buffers of |op|: its Keras layer if known,
/// else |fallback|, else the op's name.
std::string prefixFor(mlir::Operation *op, llvm::StringRef fallback = {});

//===--- per-family lowering entry points ---------------------------------===//
// Each sets |handled| if |op| belongs to its family, and returns failure()
// only after emitting a diagnostic.

mlir::LogicalResult lowerElementwise(LoweringContext &ctx, mlir::Operation *op,
                                     bool &handled);
mlir::LogicalResult lowerLibraryCall(LoweringContext &ctx, mlir::Operation *op,
                                     bool &handled);
mlir::LogicalResult lowerSmallKernel(LoweringContext &ctx, mlir::Operation *op,
                                     bool &handled);
mlir::LogicalResult lowerNormalization(LoweringContext &ctx, mlir::Operation *op, bool &handled);
mlir::LogicalResult lowerDepthwiseConv(LoweringContext &ctx, mlir::Operation *op, bool &handled);

/// Creates an exec call op with |ins|, |outs| and inherent |attrs|.
template <typename OpT>
OpT createCall(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange ins,
               mlir::ValueRange outs, llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
  mlir::OperationState state(loc, OpT::getOperationName());
  state.addOperands(ins);
  state.addOperands(outs);
  state.addAttributes(attrs);
  state.addAttribute("operandSegmentSizes",
                     b.getDenseI32ArrayAttr({static_cast<int32_t>(ins.size()),
                                             static_cast<int32_t>(outs.size())}));
  return llvm::cast<OpT>(b.create(state));
}

//===--- kernel-building helpers (KernelBuilder.cpp) ----------------------===//

mlir::Value cIndex(mlir::OpBuilder &b, mlir::Location loc, int64_t v);
mlir::Value cF32(mlir::OpBuilder &b, mlir::Location loc, double v);
/// f32 arithmetic, one op each.
mlir::Value addF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value mulF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value subF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value divF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
/// scf.for from |lo| to |hi| step 1 whose body |body| gets the induction var.
void forLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lo, mlir::Value hi,
             const std::function<void(mlir::OpBuilder &, mlir::Value)> &body);
/// scf.for carrying one f32 accumulator; returns the final value.
mlir::Value forLoopReduce(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value lo, mlir::Value hi, mlir::Value init,
    const std::function<mlir::Value(mlir::OpBuilder &, mlir::Value iv, mlir::Value acc)> &body);
mlir::Value load(mlir::OpBuilder &b, mlir::Location loc, mlir::Value memref, mlir::Value index);
void store(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value, mlir::Value memref,
           mlir::Value index);
/// a * s + t on index values.
mlir::Value affine(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a, int64_t s, int64_t t = 0);
mlir::Value addIdx(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a, mlir::Value c);
mlir::Value mulIdx(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a, mlir::Value c);

} // namespace kcc::lowering

#endif // KCC_PASSES_LOWERING_LOWERING_H
