//===- CpuBackend.h - oneDNN + generated kernels on the host --------------===//

#ifndef KCC_RUNTIME_CPU_CPUBACKEND_H
#define KCC_RUNTIME_CPU_CPUBACKEND_H

#include "core/Backend.h"
#include "core/ElfLoader.h"

#include "oneapi/dnnl/dnnl.hpp"

#include <map>
#include <vector>

namespace kcc::rt::cpu {

/// Shared state the CPU executors read.
struct CpuContext {
  const bin::Model &model;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  uint8_t *arena = nullptr;
  std::unique_ptr<LoadedObject> code;
  std::vector<KernelEntry> kernels;
  int threads = 1;
  /// Workspace a training-mode max pooling shares with its backward, keyed
  /// by the workspace buffer the compiler allocated for the pair.
  std::map<uint32_t, dnnl::memory> poolWorkspaces;

  explicit CpuContext(const bin::Model &m) : model(m) {}
  void *pointer(uint32_t buffer) const { return arena + model.buffers()->Get(buffer)->offset(); }
  const bin::Buffer &buffer(uint32_t index) const { return *model.buffers()->Get(index); }
  dnnl::memory::data_type dataType(uint32_t buffer) const;
  /// A plain memory descriptor of |buffer| viewed as the given dims.
  dnnl::memory::desc plainDesc(uint32_t buffer, const dnnl::memory::dims &dims) const;
  /// The buffer's descriptor for oneDNN's logical N,C,H,W (or O,I,H,W) dims:
  /// its own layout tag if it has one, else |plainTag| (nhwc/nchw/hwio).
  dnnl::memory::desc imageDesc(uint32_t buffer, const dnnl::memory::dims &dims,
                               dnnl::memory::format_tag plainTag) const;
};

// Executor factories, one file per family.
std::unique_ptr<Executor> makeMatMul(CpuContext &ctx, const bin::Call &call);
std::unique_ptr<Executor> makeConvolution(CpuContext &ctx, const bin::Call &call);
std::unique_ptr<Executor> makePooling(CpuContext &ctx, const bin::Call &call);
std::unique_ptr<Executor> makeReorder(CpuContext &ctx, const bin::Call &call);
std::unique_ptr<Executor> makeLSTM(CpuContext &ctx, const bin::Call &call);
std::unique_ptr<Executor> makeKernel(CpuContext &ctx, const bin::Call &call);
std::unique_ptr<Executor> makeFill(CpuContext &ctx, const bin::Call &call);

/// Runs a generated kernel over [0, domain), split across the OpenMP
/// threads unless |serial| or the domain is too small to pay for it.
void runKernel(KernelEntry entry, void **args, int64_t domain, bool serial, int threads);

dnnl::memory::format_tag tagFromName(const std::string &name);

} // namespace kcc::rt::cpu

#endif // KCC_RUNTIME_CPU_CPUBACKEND_H
