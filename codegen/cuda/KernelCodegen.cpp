//===- KernelCodegen.cpp - generated kernels -> PTX for NVIDIA GPUs -------===//
//
// The kernels stay the same target-neutral functions the CPU compiles; for
// CUDA each gets a gpu.func wrapper `<name>_entry(buffers..., begin, end)`
// that runs the kernel on one domain index per thread
// (begin + blockIdx.x * blockDim.x + threadIdx.x). Then:
//   1. polynomial approximations for transcendental math (as on the CPU);
//   2. gpu.module -> NVVM (memrefs as bare pointers, 64-bit indices);
//   3. attach an NVVM target (sm_XX, PTX ISA) and serialise to PTX text,
//      linking CUDA's libdevice for what remains (sqrt, ...).
// tests/lit runs ptxas on the result; krun's CUDA backend loads it with
// cuModuleLoadData and launches `<name>_entry`.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"

#include "ir/Exec/IR/ExecDialect.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstdlib>

using namespace mlir;

namespace kcc::codegen {

namespace {

/// A module with one gpu.module holding every kernel and its entry wrapper.
OwningOpRef<ModuleOp> buildGpuModule(ModuleOp module, std::vector<std::string> &names) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  Location loc = module.getLoc();
  OwningOpRef<ModuleOp> top = ModuleOp::create(loc);
  (*top)->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), b.getUnitAttr());
  b.setInsertionPointToEnd(top->getBody());
  auto gm = b.create<gpu::GPUModuleOp>(loc, "kcc_kernels");
  b.setInsertionPointToStart(&gm.getBodyRegion().front());
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(exec::kKernelAttrName))
      continue;
    names.push_back(f.getSymName().str());
    auto kernel = cast<func::FuncOp>(b.clone(*f));
    kernel->removeAttr(exec::kKernelAttrName);
    auto entry = b.create<gpu::GPUFuncOp>(loc, f.getSymName().str() + "_entry", f.getFunctionType());
    entry->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    OpBuilder eb = OpBuilder::atBlockBegin(&entry.getBody().front());
    ValueRange args = entry.getArguments();
    Value begin = args[args.size() - 2], end = args.back();
    Value block = eb.create<gpu::BlockIdOp>(loc, gpu::Dimension::x);
    Value dim = eb.create<gpu::BlockDimOp>(loc, gpu::Dimension::x);
    Value thread = eb.create<gpu::ThreadIdOp>(loc, gpu::Dimension::x);
    Value i = eb.create<arith::AddIOp>(
        loc, begin, eb.create<arith::AddIOp>(loc, eb.create<arith::MulIOp>(loc, block, dim), thread));
    Value inRange = eb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, i, end);
    auto guard = eb.create<scf::IfOp>(loc, inRange, /*withElse=*/false);
    OpBuilder tb = guard.getThenBodyBuilder();
    SmallVector<Value> callArgs(args.drop_back(2));
    callArgs.push_back(i);
    callArgs.push_back(tb.create<arith::AddIOp>(loc, i, tb.create<arith::ConstantIndexOp>(loc, 1)));
    tb.create<func::CallOp>(loc, kernel, callArgs);
    eb.create<gpu::ReturnOp>(loc);
  }
  return top;
}

std::string cudaToolkit() {
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *p = std::getenv(var))
      return p;
  return "/usr/local/cuda";
}

} // namespace

LogicalResult compileKernelsForCuda(ModuleOp module, const TargetOptions &options, CodeObject &out,
                                    llvm::raw_ostream *llvmIR) {
  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, LLVM::LLVMDialect, vector::VectorDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();

  OwningOpRef<ModuleOp> top = buildGpuModule(module, out.kernels);
  RewritePatternSet approximations(ctx);
  populateMathPolynomialApproximationPatterns(approximations, MathPolynomialApproximationOptions());
  if (failed(applyPatternsAndFoldGreedily(*top, std::move(approximations))))
    return module.emitError("math approximation failed");
  // The approximations use math.fma, which the NVVM conversion of LLVM 19
  // does not handle; a multiply-add (contracted by the NVPTX backend) is
  // the same.
  top->walk([](math::FmaOp fma) {
    OpBuilder b(fma);
    Value product = b.create<arith::MulFOp>(fma.getLoc(), fma.getA(), fma.getB());
    fma.replaceAllUsesWith(b.create<arith::AddFOp>(fma.getLoc(), product, fma.getC()).getResult());
    fma.erase();
  });

  PassManager pm(ctx);
  OpPassManager &gpuPm = pm.nest<gpu::GPUModuleOp>();
  gpuPm.addPass(createConvertSCFToCFPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  nvvm.useBarePtrCallConv = true;
  gpuPm.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  gpuPm.addPass(createReconcileUnrealizedCastsPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.cudaArch;
  target.features = "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  if (failed(pm.run(*top)))
    return module.emitError("could not lower the kernels to NVVM");
  // Anything left outside the LLVM/NVVM dialects cannot be translated.
  WalkResult leftover = top->walk([&](Operation *op) {
    StringRef ns = op->getDialect() ? op->getDialect()->getNamespace() : "";
    if (ns != "llvm" && ns != "nvvm" && ns != "gpu" && ns != "builtin") {
      op->emitError() << "'" << op->getName() << "' cannot be compiled for CUDA yet";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (leftover.wasInterrupted())
    return failure();
  pm.clear();
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = cudaToolkit();
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (failed(pm.run(*top)))
    return module.emitError("could not compile the kernels for CUDA ") << options.cudaArch;

  for (auto bin : top->getOps<gpu::BinaryOp>())
    for (Attribute a : bin.getObjects())
      if (auto object = dyn_cast<gpu::ObjectAttr>(a)) {
        StringRef ptx = object.getObject().getValue();
        ptx = ptx.take_until([](char c) { return c == '\0'; });
        out.bytes.assign(ptx.begin(), ptx.end());
        if (llvmIR)
          *llvmIR << ptx;
      }
  if (out.bytes.empty())
    return module.emitError("the CUDA compilation produced no PTX");
  out.format = "ptx";
  out.cpu = options.cudaArch;
  out.features = "+ptx80";
  return success();
}

} // namespace kcc::codegen
