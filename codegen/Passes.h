//===- Passes.h - target passes -------------------------------------------===//

#ifndef KCC_CODEGEN_PASSES_H
#define KCC_CODEGEN_PASSES_H

#include "ir/Exec/IR/ExecDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kcc::codegen {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"

/// Discardable attributes on exec.alloc that record, for laid-out buffers,
/// the library's logical dims and the tag of the plain (Keras) order.
inline constexpr llvm::StringLiteral kLayoutDimsAttr = "exec.layout_dims";
inline constexpr llvm::StringLiteral kPlainLayoutAttr = "exec.plain_layout";

} // namespace kcc::codegen

#endif // KCC_CODEGEN_PASSES_H
