//===- Targets.cpp - per-target pass pipelines ----------------------------===//

#include "codegen/Codegen.h"

#include "codegen/cpu/Passes.h"

namespace kcc::codegen {

void addTargetLayoutPasses(mlir::PassManager &pm, const std::string &target) {
  if (target == "cpu")
    pm.addPass(kcc::cpu::createCpuAssignLayouts());
}

} // namespace kcc::codegen
