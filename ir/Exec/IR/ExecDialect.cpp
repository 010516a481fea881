//===- ExecDialect.cpp - exec dialect registration and verifiers ----------===//

#include "ir/Exec/IR/ExecDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kcc::exec;

#include "ir/Exec/IR/ExecDialect.cpp.inc"
#include "ir/Exec/IR/ExecEnums.cpp.inc"
#include "ir/Exec/IR/ExecInterfaces.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "ir/Exec/IR/ExecTypes.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "ir/Exec/IR/ExecAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "ir/Exec/IR/ExecOps.cpp.inc"

void ExecDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "ir/Exec/IR/ExecTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ir/Exec/IR/ExecAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "ir/Exec/IR/ExecOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// BufferType
//===----------------------------------------------------------------------===//

// !exec.buffer<128x512xf32> or !exec.buffer<8x16x4x4xf32, "aBcd16b">
Type BufferType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false, /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return {};
  StringAttr layout;
  if (succeeded(parser.parseOptionalComma())) {
    std::string text;
    if (parser.parseString(&text))
      return {};
    layout = StringAttr::get(parser.getContext(), text);
  }
  if (parser.parseGreater())
    return {};
  return BufferType::get(parser.getContext(), shape, elementType, layout);
}

void BufferType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t d : getShape())
    printer << d << "x";
  printer << getElementType();
  if (!isPlain())
    printer << ", \"" << getLayout().getValue() << "\"";
  printer << ">";
}

int64_t BufferType::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : getShape())
    n *= d;
  return n;
}

BufferType BufferType::withLayout(StringRef layout) const {
  return BufferType::get(getContext(), getShape(), getElementType(),
                         layout.empty() ? StringAttr() : StringAttr::get(getContext(), layout));
}

BufferType BufferType::withShape(ArrayRef<int64_t> shape) const {
  return BufferType::get(getContext(), shape, getElementType(), getLayout());
}

int64_t BufferType::getPlainBytes() const {
  return getNumElements() * ((getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

int64_t AllocOp::getSizeInBytes() {
  if (std::optional<int64_t> bytes = getBytes())
    return *bytes;
  return llvm::cast<BufferType>(getResult().getType()).getPlainBytes();
}

bool ViewOp::onlyChangesUnitDims() {
  auto dims = [](Value v) {
    SmallVector<int64_t> kept;
    for (int64_t d : llvm::cast<BufferType>(v.getType()).getShape())
      if (d != 1)
        kept.push_back(d);
    return kept;
  };
  return getOffsetAttr().getInt() == 0 && dims(getSource()) == dims(getResult());
}

LogicalResult ViewOp::verify() {
  auto src = llvm::cast<BufferType>(getSource().getType());
  auto dst = llvm::cast<BufferType>(getResult().getType());
  // A target layout names an order of the logical dims; it still describes
  // the same bytes when a view only adds or drops unit dims (Conv1D's kernel
  // seen as a 2-D filter), and nothing else.
  bool sameBytes = src.getLayout() == dst.getLayout() && onlyChangesUnitDims();
  if ((!src.isPlain() || !dst.isPlain()) && !sameBytes)
    return emitOpError() << "views need plain layouts (or one layout on both sides that only gains or "
                            "loses unit dims)";
  if (src.getElementType() != dst.getElementType())
    return emitOpError() << "cannot change the element type";
  int64_t offset = getOffsetAttr().getInt();
  if (offset < 0 || offset + dst.getNumElements() > src.getNumElements())
    return emitOpError() << "view of " << dst.getNumElements() << " elements at offset "
                         << offset << " exceeds the " << src.getNumElements()
                         << "-element source";
  return success();
}

/// Checks the ins/outs arity of a call against what the op accepts.
static LogicalResult verifyArity(Operation *op, size_t ins, size_t outs,
                                 ArrayRef<size_t> allowedIns,
                                 ArrayRef<size_t> allowedOuts) {
  if (!llvm::is_contained(allowedIns, ins) || !llvm::is_contained(allowedOuts, outs))
    return op->emitOpError() << "has " << ins << " inputs and " << outs
                             << " outputs, which this call does not accept";
  return success();
}

#define KCC_CALL_ARITY(OP, INS, OUTS)                                          \
  LogicalResult OP::verify() {                                                 \
    return verifyArity(*this, getInputs().size(), getOutputs().size(), INS,    \
                       OUTS);                                                  \
  }

KCC_CALL_ARITY(MatMulOp, ArrayRef<size_t>({2, 3}), ArrayRef<size_t>({1}))
KCC_CALL_ARITY(Conv2DOp, ArrayRef<size_t>({2, 3}), ArrayRef<size_t>({1}))
KCC_CALL_ARITY(Conv2DBackwardDataOp, ArrayRef<size_t>({2}), ArrayRef<size_t>({1}))
KCC_CALL_ARITY(Conv2DBackwardFilterOp, ArrayRef<size_t>({2}), ArrayRef<size_t>({1, 2}))
KCC_CALL_ARITY(MaxPool2DOp, ArrayRef<size_t>({1}), ArrayRef<size_t>({1, 2}))
KCC_CALL_ARITY(MaxPool2DBackwardOp, ArrayRef<size_t>({2, 4}), ArrayRef<size_t>({1}))
KCC_CALL_ARITY(LSTMForwardOp, ArrayRef<size_t>({1}), ArrayRef<size_t>({3}))
KCC_CALL_ARITY(LSTMBackwardOp, ArrayRef<size_t>({6}), ArrayRef<size_t>({6}))
KCC_CALL_ARITY(ReorderOp, ArrayRef<size_t>({1}), ArrayRef<size_t>({1}))
KCC_CALL_ARITY(FillOp, ArrayRef<size_t>({0}), ArrayRef<size_t>({1}))

#undef KCC_CALL_ARITY

LogicalResult AllReduceOp::verify() {
  if (failed(verifyArity(*this, getInputs().size(), getOutputs().size(), {1}, {1})))
    return failure();
  auto src = llvm::cast<BufferType>(getInputs()[0].getType()), dst = llvm::cast<BufferType>(getOutputs()[0].getType());
  if (src.getShape() != dst.getShape() || src.getElementType() != dst.getElementType() ||
      !dst.getElementType().isF32())
    return emitOpError() << "sums float32 buffers of one shape, got " << src << " into " << dst;
  return success();
}

LogicalResult KernelOp::verify() {
  if (getDomainAttr().getInt() < 1)
    return emitOpError() << "domain must be positive, got " << getDomainAttr().getInt();
  auto func = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(*this, getKernelAttr());
  if (!func)
    return emitOpError() << "refers to unknown kernel " << getKernelAttr();
  size_t buffers = getInputs().size() + getOutputs().size();
  if (func.getNumArguments() != buffers + 2)
    return emitOpError() << "passes " << buffers << " buffers to kernel "
                         << getKernelAttr() << " which takes "
                         << func.getNumArguments() - 2;
  return success();
}
