//===- Targets.cpp - per-target pass pipelines ----------------------------===//

#include "codegen/Codegen.h"

#include "codegen/Passes.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#include <memory>

extern "C" void LLVMInitializeNVPTXTargetInfo();
extern "C" void LLVMInitializeNVPTXTarget();
extern "C" void LLVMInitializeNVPTXTargetMC();

namespace kcc::codegen {

namespace {
/// Whether |target| of |triple| knows |name| as a CPU/architecture.
bool knowsCpu(const std::string &triple, const std::string &name) {
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, "", ""));
  return sti && sti->isCPUStringValid(name);
}
} // namespace

std::string checkTargetOptions(const TargetOptions &options) {
  if (options.target == "cpu" && !options.cpu.empty()) {
    llvm::InitializeNativeTarget();
    if (!knowsCpu(llvm::sys::getDefaultTargetTriple(), options.cpu))
      return "unknown CPU '" + options.cpu + "' for --cpu (an LLVM CPU name such as x86-64-v4, znver4 or " +
             "sapphirerapids; this machine is '" + llvm::sys::getHostCPUName().str() + "')";
  }
  if (options.target == "cuda") {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    if (!knowsCpu("nvptx64-nvidia-cuda", options.cudaArch))
      return "unknown GPU architecture '" + options.cudaArch + "' for --cuda-arch (sm_70 ... sm_90a; " +
             "sm_90 for H100/H200)";
  }
  return "";
}

void addTargetLayoutPasses(mlir::PassManager &pm, const std::string &target, const std::string &precision) {
  if (target == "cpu")
    pm.addPass(createCpuAssignLayouts(CpuAssignLayoutsOptions{precision}));
  else if (target == "cuda") {
    pm.addPass(createCudaCheckCalls());
    pm.addPass(createCudaAssignLayouts());
    pm.addPass(createCudaPoolOperands());
  }
}

} // namespace kcc::codegen
