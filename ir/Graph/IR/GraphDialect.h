//===- GraphDialect.h - the graph dialect ----------------------------------===//

#ifndef KCC_GRAPH_IR_GRAPHDIALECT_H
#define KCC_GRAPH_IR_GRAPHDIALECT_H

#include "ir/Graph/IR/RefTensor.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/Graph/IR/GraphDialect.h.inc"
#include "ir/Graph/IR/GraphEnums.h.inc"

namespace mlir {
/// Floating-point attribute parameters (Graph_F64Parameter); MLIR 19 parses
/// integers and strings but not floats. The printer side is AsmPrinter's
/// operator<<(APFloat), which prints a value that reads back exactly.
template <>
struct FieldParser<llvm::APFloat, llvm::APFloat> {
  static FailureOr<llvm::APFloat> parse(AsmParser &parser) {
    double value = 0;
    if (parser.parseFloat(value))
      return failure();
    return llvm::APFloat(value);
  }
};

/// Flag parameters (Graph_FlagParameter): `true` or `false`.
template <>
struct FieldParser<bool, bool> {
  static FailureOr<bool> parse(AsmParser &parser) {
    llvm::StringRef word;
    if (parser.parseKeyword(&word) || (word != "true" && word != "false"))
      return parser.emitError(parser.getCurrentLocation(), "expected true or false"), failure();
    return word == "true";
  }
};
} // namespace mlir

#define GET_ATTRDEF_CLASSES
#include "ir/Graph/IR/GraphAttrs.h.inc"

#include "ir/Graph/IR/GraphInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/Graph/IR/GraphOps.h.inc"

#endif // KCC_GRAPH_IR_GRAPHDIALECT_H
