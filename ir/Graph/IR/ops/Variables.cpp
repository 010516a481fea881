//===- Variables.cpp - variable, load, store ------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

using namespace mlir;

namespace kcc::graph {

template <typename OpT>
static LogicalResult verifyVariableUse(OpT op, SymbolTableCollection &symbols,
                                       Type usedType) {
  auto var = symbols.lookupNearestSymbolFrom<VariableOp>(op, op.getVariableAttr());
  if (!var)
    return op.emitOpError() << "refers to unknown variable "
                            << op.getVariableAttr();
  if (var.getType() != usedType)
    return op.emitOpError() << "type " << usedType << " differs from variable "
                            << op.getVariableAttr() << " of type "
                            << var.getType();
  return success();
}

LogicalResult LoadOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyVariableUse(*this, symbols, getResult().getType());
}

LogicalResult StoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyVariableUse(*this, symbols, getValue().getType());
}

} // namespace kcc::graph
