//===- kcc.cpp - compile a Keras model JSON into model.bin ----------------===//
//
//   kcc model.json -o model.bin            compile for the CPU
//   kcc model.json --emit=<phase>          print the IR after a phase
//   kcc model.json --report-memory         peak bytes by kind
//
// Phases, in order: import shapes autodiff optimizer fused exec layout
// planned llvm bin (see passes/Pipeline.h).
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"
#include "frontend/Importer.h"
#include "passes/Passes.h"
#include "passes/Pipeline.h"
#include "support/Output.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

// LLVM registers hundreds of its own options in every tool; --help lists
// only these.
cl::OptionCategory kccOptions("kcc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.json>"), cl::Required, cl::cat(kccOptions));
cl::opt<std::string> outputFile("o", cl::desc("Output model.bin (default: <model>.bin)"),
                                cl::value_desc("file"), cl::cat(kccOptions));
cl::opt<std::string> emitPhase("emit", cl::desc("Print the IR after this phase and stop: import, "
                                                "shapes, autodiff, optimizer, fused, exec, layout, "
                                                "planned, llvm"),
                               cl::value_desc("phase"), cl::cat(kccOptions));
cl::alias compileTo("compile-to", cl::desc("Alias for --emit"), cl::aliasopt(emitPhase), cl::cat(kccOptions));
cl::opt<int64_t> batchSize("batch-size", cl::desc("Override the training batch size"), cl::init(0), cl::cat(kccOptions));
cl::opt<int64_t> ranks("ranks",
                       cl::desc("Data parallel: compile for N processes (mpirun -np N krun), each training "
                                "ceil(batch/N) rows of every batch; gradients are summed across them"),
                       cl::init(1), cl::cat(kccOptions));
cl::opt<std::string> lossName("loss", cl::desc("Train on this Keras loss (e.g. categorical_crossentropy); replaces the file's"),
                              cl::value_desc("name"), cl::cat(kccOptions));
cl::opt<std::string> optimizerName("optimizer",
                                   cl::desc("Train with this Keras optimizer at its defaults (sgd, rmsprop, adadelta, adam, adamw); "
                                            "replaces the file's"),
                                   cl::value_desc("name"), cl::cat(kccOptions));
cl::opt<std::string> target("target", cl::desc("cpu (default) or cuda"), cl::init("cpu"), cl::cat(kccOptions));
cl::opt<std::string> cpu("cpu", cl::desc("LLVM CPU name to tune kernels for (default: host)"), cl::cat(kccOptions));
cl::opt<std::string> cudaArch("cuda-arch", cl::desc("GPU architecture for --target=cuda (default sm_80)"),
                              cl::init("sm_80"), cl::cat(kccOptions));
cl::opt<std::string> precision("precision",
                              cl::desc("What convolutions and matmuls compute in: f32 (default) or bf16 "
                                       "(f32 weights, optimizer and accumulation; CPU with AVX512-BF16)"),
                              cl::init("f32"), cl::cat(kccOptions));
cl::opt<uint64_t> maxMemoryGiB("max-memory-gib",
                               cl::desc("Refuse a memory plan above this many GiB (default 1024); plans above this "
                                        "machine's memory get a warning"),
                               cl::init(1024), cl::cat(kccOptions));
cl::opt<bool> reportMemory("report-memory", cl::desc("Print the memory plan's peak bytes by kind"), cl::cat(kccOptions));

int fail(const std::string &message) {
  llvm::errs() << "kcc: error: " << message << "\n";
  return 1;
}

/// Compiler diagnostics name the model file and the Keras layer.
std::string describe(Location loc) {
  std::string layer;
  loc->walk([&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l); name && layer.empty())
      layer = name.getName().str();
    return WalkResult::advance();
  });
  return layer.empty() ? "" : "layer '" + layer + "': ";
}

/// Refuses an absurd plan and warns about one this machine could not run;
/// false if refused.
bool checkPlanSize(ModuleOp module) {
  auto m = module->getAttrOfType<DictionaryAttr>(kcc::kMemoryAttr);
  auto arena = m ? m.getAs<IntegerAttr>("arena_bytes") : nullptr;
  if (!arena)
    return true;
  double gib = static_cast<double>(arena.getInt()) / (1ull << 30);
  if (arena.getInt() < 0 || gib > static_cast<double>(maxMemoryGiB)) {
    llvm::errs() << "kcc: error: " << inputFile << ": the memory plan needs "
                 << llvm::formatv("{0:F1}", gib) << " GiB, above the limit of " << maxMemoryGiB
                 << " GiB (check layer sizes and the batch size; --max-memory-gib raises the limit)\n";
    return false;
  }
  double machine = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) / (1ull << 30);
  if (machine > 0 && gib > machine)
    llvm::errs() << "kcc: warning: " << inputFile << ": the memory plan needs " << llvm::formatv("{0:F1}", gib)
                 << " GiB, more than this machine's " << llvm::formatv("{0:F1}", machine) << " GiB\n";
  return true;
}

void printMemory(ModuleOp module) {
  auto m = module->getAttrOfType<DictionaryAttr>(kcc::kMemoryAttr);
  auto get = [&](StringRef k) {
    auto a = m.getAs<IntegerAttr>(k);
    return a ? a.getInt() : 0;
  };
  auto mib = [](int64_t b) { return llvm::formatv("{0,10:F2} MiB", b / 1048576.0).str(); };
  llvm::outs() << "memory plan for " << inputFile << "\n"
               << "  peak (arena)        " << mib(get("arena_bytes")) << "\n"
               << "  weights             " << mib(get("weight")) << "\n"
               << "  optimizer state     " << mib(get("optimizer_state")) << "\n"
               << "  inputs + outputs    " << mib(get("input") + get("output")) << "\n"
               << "  transient (shared)  " << mib(get("transient_bytes")) << "\n"
               << "    activations       " << mib(get("activation_unshared")) << " before reuse\n"
               << "    gradients         " << mib(get("gradient_unshared")) << " before reuse\n"
               << "    workspace         " << mib(get("workspace_unshared")) << " before reuse\n";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(kccOptions);
  cl::ParseCommandLineOptions(argc, argv, "kcc: compile a Keras model's whole training step\n");

  kcc::Phase stop = kcc::Phase::Binary;
  if (!emitPhase.empty()) {
    auto p = kcc::parsePhase(emitPhase);
    if (!p || *p == kcc::Phase::Binary)
      return fail("unknown phase '" + emitPhase + "' for --emit (import, shapes, autodiff, "
                  "optimizer, fused, exec, layout, planned, llvm)");
    stop = *p;
  }
  if (target != "cpu" && target != "cuda")
    return fail("unknown target '" + target + "' (cpu or cuda)");
  if (precision != "f32" && precision != "bf16")
    return fail("unknown --precision '" + precision + "' (f32 or bf16)");
  if (precision == "bf16" && target != "cpu")
    return fail("--precision bf16 is implemented for --target cpu only");
  if (batchSize.getNumOccurrences() && batchSize < 1)
    return fail("--batch-size must be positive");
  if (ranks < 1 || ranks > 65536)
    return fail("--ranks must be in [1, 65536]");
  kcc::codegen::TargetOptions targetOptions;
  targetOptions.target = target;
  targetOptions.cpu = cpu;
  targetOptions.cudaArch = cudaArch;
  if (std::string err = kcc::codegen::checkTargetOptions(targetOptions); !err.empty())
    return fail(err);

  // Checked before any work, so a bad -o costs nothing and never replaces
  // a device, a directory or the model itself.
  std::string out = outputFile;
  if (out.empty())
    out = llvm::sys::path::stem(inputFile).str() + ".bin";
  bool writesBinary = emitPhase.empty();
  if (writesBinary)
    if (std::string err = kcc::support::checkOutput(out, {inputFile}); !err.empty())
      return fail(err);

  kcc::frontend::Diagnostics diag(inputFile);
  auto model = kcc::frontend::loadKerasModel(inputFile, diag);
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  if (model) {
    kcc::frontend::ImportOptions options;
    if (batchSize > 0)
      options.overrides.batchSize = batchSize;
    if (ranks.getNumOccurrences())
      options.overrides.ranks = ranks;
    if (lossName.getNumOccurrences())
      options.overrides.loss = lossName;
    if (optimizerName.getNumOccurrences())
      options.overrides.optimizer = optimizerName;
    module = kcc::frontend::importKerasModel(ctx, *model, options, diag);
  }
  if (!module) {
    for (const std::string &m : diag.all())
      llvm::errs() << "kcc: error: " << m << "\n";
    return 1;
  }

  int errors = 0;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    llvm::errs() << "kcc: " << (d.getSeverity() == DiagnosticSeverity::Error ? "error: " : "note: ")
                 << inputFile << ": " << describe(d.getLocation()) << d.str() << "\n";
    return success();
  });

  PassManager pm(&ctx);
  kcc::addGraphPasses(pm, std::min(stop, kcc::Phase::Exec));
  if (stop >= kcc::Phase::Layout)
    kcc::codegen::addTargetLayoutPasses(pm, target, precision);
  if (stop >= kcc::Phase::Planned)
    kcc::addPlanningPasses(pm, target);
  if (failed(pm.run(*module)))
    return errors ? 1 : fail("compilation failed");
  if (stop >= kcc::Phase::Planned && !checkPlanSize(*module))
    return 1;
  if (stop <= kcc::Phase::Planned && !emitPhase.empty()) {
    module->print(llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }
  if (reportMemory)
    printMemory(*module);

  kcc::codegen::CodeObject code;
  llvm::raw_ostream *llvmIR = stop == kcc::Phase::LLVM ? &llvm::outs() : nullptr;
  LogicalResult compiled = target == "cuda"
                               ? kcc::codegen::compileKernelsForCuda(*module, targetOptions, code, llvmIR)
                               : kcc::codegen::compileKernelsForCpu(*module, targetOptions, code, llvmIR);
  if (failed(compiled))
    return 1;
  if (stop == kcc::Phase::LLVM)
    return 0;

  std::vector<uint8_t> bytes;
  if (failed(kcc::codegen::writeModel(*module, code, target, bytes)))
    return 1;
  std::string_view data(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  if (std::string err = kcc::support::writeAtomically(out, data); !err.empty())
    return fail(err);
  if (!reportMemory)
    llvm::errs() << "kcc: wrote " << out << " (" << bytes.size() << " bytes)\n";
  return 0;
}
