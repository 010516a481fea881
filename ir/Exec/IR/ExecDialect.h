//===- ExecDialect.h - the exec dialect -------------------------------------===//

#ifndef KCC_EXEC_IR_EXECDIALECT_H
#define KCC_EXEC_IR_EXECDIALECT_H

#include "ir/Graph/IR/GraphDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"

#include "ir/Exec/IR/ExecDialect.h.inc"
#include "ir/Exec/IR/ExecEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "ir/Exec/IR/ExecTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "ir/Exec/IR/ExecAttrs.h.inc"

#include "ir/Exec/IR/ExecInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/Exec/IR/ExecOps.h.inc"

namespace kcc::exec {
/// Attribute marking a func.func as a generated kernel.
inline constexpr llvm::StringLiteral kKernelAttrName = "exec.kernel";
/// Attribute marking a func.func as a step program (train or eval).
inline constexpr llvm::StringLiteral kProgramAttrName = "exec.program";
} // namespace kcc::exec

#endif // KCC_EXEC_IR_EXECDIALECT_H
