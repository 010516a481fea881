//===- KernelCodegen.cpp - generated kernels -> x86-64 object code --------===//
//
// 1. Copy the kernel functions into a module of their own.
// 2. Replace transcendental math ops by polynomial approximations (no libm
//    calls, so loops vectorise) and lower scf/memref/arith/func to the LLVM
//    dialect, memrefs as bare pointers.
// 3. Translate to LLVM IR; add `<name>_entry(void **args, i64, i64)`
//    wrappers, the ABI krun calls; run LLVM's O3 pipeline for the target CPU.
// 4. Emit a relocatable ELF object. The large code model keeps every
//    relocation absolute (R_X86_64_64), which krun's small loader resolves
//    without a GOT or PLT.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"

#include "ir/Exec/IR/ExecDialect.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace kcc::codegen {

namespace {

/// A module holding copies of |module|'s kernels, ready for lowering.
OwningOpRef<ModuleOp> extractKernels(ModuleOp module, std::vector<std::string> &names) {
  OpBuilder b(module.getContext());
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(module.getLoc());
  b.setInsertionPointToEnd(kernels->getBody());
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(exec::kKernelAttrName))
      continue;
    names.push_back(f.getSymName().str());
    auto copy = cast<func::FuncOp>(b.clone(*f));
    copy->removeAttr(exec::kKernelAttrName);
  }
  return kernels;
}

LogicalResult lowerToLLVMDialect(ModuleOp kernels) {
  MLIRContext *ctx = kernels.getContext();
  RewritePatternSet approximations(ctx);
  populateMathPolynomialApproximationPatterns(approximations, MathPolynomialApproximationOptions());
  if (failed(applyPatternsAndFoldGreedily(kernels, std::move(approximations))))
    return kernels.emitError("math approximation failed");

  PassManager pm(ctx);
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  return pm.run(kernels);
}

/// void <name>_entry(ptr *args, i64 begin, i64 end): unpacks the buffer
/// pointers and calls the kernel.
void addEntryWrappers(llvm::Module &m, const std::vector<std::string> &names) {
  llvm::LLVMContext &c = m.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(c);
  llvm::Type *i64 = llvm::Type::getInt64Ty(c);
  auto *entryType = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, i64, i64}, false);
  for (const std::string &name : names) {
    llvm::Function *kernel = m.getFunction(name);
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
    // Kept out of line: inlined into the wrapper, the kernel's noalias
    // arguments become plain loads from the pointer array, and LLVM then
    // cannot vectorise loops that read one buffer and write another.
    kernel->addFnAttr(llvm::Attribute::NoInline);
    auto *entry = llvm::Function::Create(entryType, llvm::GlobalValue::ExternalLinkage, name + "_entry", m);
    entry->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", entry));
    llvm::SmallVector<llvm::Value *> args;
    unsigned buffers = kernel->arg_size() - 2;
    for (unsigned i = 0; i < buffers; ++i) {
      llvm::Value *slot = b.CreateConstGEP1_64(ptr, entry->getArg(0), i);
      args.push_back(b.CreateLoad(ptr, slot));
    }
    args.push_back(entry->getArg(1));
    args.push_back(entry->getArg(2));
    b.CreateCall(kernel, args);
    b.CreateRetVoid();
  }
}

std::string hostFeatures() {
  std::string out;
  for (auto &f : llvm::sys::getHostCPUFeatures())
    if (f.second)
      out += (out.empty() ? "+" : ",+") + f.first().str();
  return out;
}

void optimize(llvm::Module &m, llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}

} // namespace

LogicalResult compileKernelsForCpu(ModuleOp module, const TargetOptions &options, CodeObject &out,
                                   llvm::raw_ostream *llvmIR) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<LLVM::LLVMDialect>();
  registerBuiltinDialectTranslation(*ctx);
  registerLLVMDialectTranslation(*ctx);

  OwningOpRef<ModuleOp> kernels = extractKernels(module, out.kernels);
  if (failed(lowerToLLVMDialect(*kernels)))
    return failure();
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> m = translateModuleToLLVMIR(*kernels, llvmCtx, "kcc_kernels");
  if (!m)
    return module.emitError("could not translate the kernels to LLVM IR");
  addEntryWrappers(*m, out.kernels);

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple(), error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError("no LLVM target for ") << triple << ": " << error;
  out.cpu = options.cpu.empty() ? llvm::sys::getHostCPUName().str() : options.cpu;
  out.features = options.features.empty() && options.cpu.empty() ? hostFeatures() : options.features;
  llvm::TargetOptions to;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, out.cpu, out.features, to, llvm::Reloc::Static, llvm::CodeModel::Large,
      llvm::CodeGenOptLevel::Aggressive));
  m->setTargetTriple(triple);
  m->setDataLayout(tm->createDataLayout());
  // For investigating vectorisation: the IR LLVM's optimiser starts from.
  if (const char *path = std::getenv("KCC_DUMP_UNOPTIMIZED_LLVM")) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec)
      m->print(os, nullptr);
  }
  optimize(*m, *tm);
  if (llvmIR)
    m->print(*llvmIR, nullptr);

  llvm::SmallVector<char> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    return module.emitError("the target cannot emit object files");
  pm.run(*m);
  out.format = "elf-x86_64";
  out.bytes.assign(buffer.begin(), buffer.end());
  return success();
}

} // namespace kcc::codegen
