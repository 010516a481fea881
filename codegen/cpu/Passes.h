//===- Passes.h - CPU target passes ---------------------------------------===//

#ifndef KCC_CODEGEN_CPU_PASSES_H
#define KCC_CODEGEN_CPU_PASSES_H

#include "ir/Exec/IR/ExecDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kcc::cpu {

#define GEN_PASS_DECL
#include "codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/Passes.h.inc"

/// Discardable attributes on exec.alloc that record, for laid-out buffers,
/// the library's logical dims and the tag of the plain (Keras) order.
inline constexpr llvm::StringLiteral kLayoutDimsAttr = "exec.layout_dims";
inline constexpr llvm::StringLiteral kPlainLayoutAttr = "exec.plain_layout";

} // namespace kcc::cpu

#endif // KCC_CODEGEN_CPU_PASSES_H
