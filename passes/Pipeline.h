//===- Pipeline.h - the ordered compile phases of kcc ---------------------===//
//
// One ordered list of phases: `kcc --emit=<phase>` (or --compile-to) stops
// after that phase and prints its IR.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_PASSES_PIPELINE_H
#define KCC_PASSES_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace kcc {

enum class Phase {
  Import,    // graph dialect straight from the Keras JSON (shapes unknown)
  Shapes,    // static shapes everywhere
  Autodiff,  // @train_step with gradients, @eval_step
  Optimizer, // gradients turned into optimizer updates
  Fused,     // epilogue and elementwise fusion
  Exec,      // bufferized exec programs and kernels
  Layout,    // target layouts assigned (reorders explicit)
  Planned,   // every buffer placed in the arena
  LLVM,      // generated kernels as LLVM IR
  Binary,    // model.bin
};

/// Phase names in order, as --emit accepts them.
llvm::ArrayRef<std::pair<llvm::StringRef, Phase>> phaseNames();
std::optional<Phase> parsePhase(llvm::StringRef name);

/// Adds the target-independent passes that run after |from| up to and
/// including |to| (Shapes..Exec, and Planned).
void addGraphPasses(mlir::PassManager &pm, Phase to);
/// Plans memory and checks the plan against what |target|'s calls read.
void addPlanningPasses(mlir::PassManager &pm, llvm::StringRef target);

} // namespace kcc

#endif // KCC_PASSES_PIPELINE_H
