//===- Codegen.h - from planned exec IR to model.bin -----------------------===//

#ifndef KCC_CODEGEN_CODEGEN_H
#define KCC_CODEGEN_CODEGEN_H

#include "contract/FormatVersion.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace kcc::codegen {

using ::kcc::bin::kFormatVersion;

struct TargetOptions {
  std::string target = "cpu"; // cpu | cuda
  std::string cpu;            // LLVM CPU name; empty: the host's
  std::string features;       // LLVM features; empty: the host's
  std::string cudaArch = "sm_80";
};

/// Generated kernels compiled for a target.
struct CodeObject {
  std::string format; // "elf-x86_64" | "ptx"
  std::string cpu, features;
  std::vector<uint8_t> bytes;
  std::vector<std::string> kernels; // entry i is <kernels[i]>_entry
};

/// "" if LLVM knows the CPU (cpu target) or GPU architecture (cuda target)
/// the options name; else a message for the user. Checked before any work:
/// LLVM aborts the process on a CPU name it does not know.
std::string checkTargetOptions(const TargetOptions &options);

/// Adds the target's layout passes (phase "layout"): buffer layouts the
/// target's libraries prefer, with explicit reorders between them.
/// |precision|: what the CPU target's convolutions and matmuls read (f32 or
/// bf16); the CUDA target takes f32 only.
void addTargetLayoutPasses(mlir::PassManager &pm, const std::string &target,
                           const std::string &precision = "f32");

/// Compiles every func.func marked exec.kernel in |module| for the CPU.
/// With |llvmIR| set, also prints the optimised LLVM IR there.
mlir::LogicalResult compileKernelsForCpu(mlir::ModuleOp module, const TargetOptions &options,
                                         CodeObject &out, llvm::raw_ostream *llvmIR = nullptr);

/// Compiles the kernels to PTX for NVIDIA GPUs (checked with ptxas in tests).
mlir::LogicalResult compileKernelsForCuda(mlir::ModuleOp module, const TargetOptions &options,
                                          CodeObject &out, llvm::raw_ostream *llvmIR = nullptr);

/// Serialises the planned module and its code into model.bin bytes.
mlir::LogicalResult writeModel(mlir::ModuleOp module, const CodeObject &code,
                               const std::string &target, std::vector<uint8_t> &bytes);

} // namespace kcc::codegen

#endif // KCC_CODEGEN_CODEGEN_H
