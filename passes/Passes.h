//===- Passes.h - kcc's target-independent passes -------------------------===//

#ifndef KCC_PASSES_PASSES_H
#define KCC_PASSES_PASSES_H

#include "ir/Exec/IR/ExecDialect.h"
#include "ir/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace kcc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Names of the module attributes the frontend writes and passes read.
inline constexpr llvm::StringLiteral kTrainingAttr = "kcc.training";
inline constexpr llvm::StringLiteral kRoleAttr = "kcc.role";
inline constexpr llvm::StringLiteral kDataFormatAttr = "kcc.data_format";
inline constexpr llvm::StringLiteral kGradientOfAttr = "graph.gradient_of";
inline constexpr llvm::StringLiteral kMemoryAttr = "exec.memory";

} // namespace kcc

#endif // KCC_PASSES_PASSES_H
