//===- Targets.cpp - per-target pass pipelines ----------------------------===//

#include "codegen/Codegen.h"

#include "codegen/Passes.h"

namespace kcc::codegen {

void addTargetLayoutPasses(mlir::PassManager &pm, const std::string &target, const std::string &precision) {
  if (target == "cpu")
    pm.addPass(createCpuAssignLayouts(CpuAssignLayoutsOptions{precision}));
  else if (target == "cuda")
    pm.addPass(createCudaAssignLayouts());
}

} // namespace kcc::codegen
