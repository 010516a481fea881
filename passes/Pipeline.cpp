//===- Pipeline.cpp - the ordered compile phases of kcc -------------------===//

#include "passes/Pipeline.h"

#include "passes/Passes.h"

#include "mlir/Transforms/Passes.h"

namespace kcc {

llvm::ArrayRef<std::pair<llvm::StringRef, Phase>> phaseNames() {
  static const std::pair<llvm::StringRef, Phase> names[] = {
      {"import", Phase::Import},       {"shapes", Phase::Shapes},
      {"autodiff", Phase::Autodiff},   {"optimizer", Phase::Optimizer},
      {"fused", Phase::Fused},         {"exec", Phase::Exec},
      {"layout", Phase::Layout},       {"planned", Phase::Planned},
      {"llvm", Phase::LLVM},           {"bin", Phase::Binary},
  };
  return names;
}

std::optional<Phase> parsePhase(llvm::StringRef name) {
  for (auto &[n, p] : phaseNames())
    if (n == name)
      return p;
  return std::nullopt;
}

void addGraphPasses(mlir::PassManager &pm, Phase to) {
  if (to < Phase::Shapes)
    return;
  pm.addPass(createGraphInferShapes());
  if (to < Phase::Autodiff)
    return;
  pm.addPass(createGraphBuildTrainStep());
  pm.addPass(mlir::createCSEPass());
  if (to < Phase::Optimizer)
    return;
  pm.addPass(createGraphDataParallel());
  pm.addPass(createGraphApplyOptimizer());
  if (to < Phase::Fused)
    return;
  pm.addPass(createGraphFuseEpilogues());
  pm.addPass(createGraphFuseElementwise());
  if (to < Phase::Exec)
    return;
  pm.addPass(createGraphLowerToExec());
}

void addPlanningPasses(mlir::PassManager &pm, llvm::StringRef target) {
  pm.addPass(createExecPlanMemory());
  pm.addPass(createExecVerifyPlan(ExecVerifyPlanOptions{target.str()}));
}

} // namespace kcc
