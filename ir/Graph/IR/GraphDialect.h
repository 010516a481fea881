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

#define GET_ATTRDEF_CLASSES
#include "ir/Graph/IR/GraphAttrs.h.inc"

#include "ir/Graph/IR/GraphInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/Graph/IR/GraphOps.h.inc"

#endif // KCC_GRAPH_IR_GRAPHDIALECT_H
