//===- Kernels.cpp - launching generated kernels, fills -------------------===//

#include "cpu/CpuBackend.h"

#include <cstring>
#include <omp.h>

namespace kcc::rt::cpu {

namespace {

/// Below this many domain points a second thread costs more than it saves
/// (an OpenMP fork/join is a few microseconds).
constexpr int64_t kParallelThreshold = 4096;

class KernelExecutor : public Executor {
public:
  KernelExecutor(CpuContext &ctx, const bin::Call &call) : ctx(ctx) {
    const auto *p = call.params_as_KernelParams();
    entry = ctx.kernels[p->kernel()];
    domain = p->domain();
    serial = p->serial();
    for (auto *list : {call.inputs(), call.outputs()})
      if (list)
        for (uint32_t b : *list)
          args.push_back(ctx.pointer(b));
  }
  void run() override { runKernel(entry, args.data(), domain, serial, ctx.threads); }

private:
  CpuContext &ctx;
  KernelEntry entry;
  int64_t domain;
  bool serial;
  std::vector<void *> args;
};

class FillExecutor : public Executor {
public:
  FillExecutor(CpuContext &ctx, const bin::Call &call) {
    uint32_t b = call.outputs()->Get(0);
    data = ctx.pointer(b);
    bytes = ctx.buffer(b).bytes();
    value = call.params_as_FillParams()->value();
    dtype = ctx.buffer(b).dtype();
  }
  void run() override {
    if (value == 0.0) {
      std::memset(data, 0, bytes);
    } else if (dtype == bin::DType::F32) {
      float v = static_cast<float>(value);
      for (size_t i = 0; i < bytes / 4; ++i)
        static_cast<float *>(data)[i] = v;
    } else {
      for (size_t i = 0; i < bytes / 4; ++i)
        static_cast<int32_t *>(data)[i] = static_cast<int32_t>(value);
    }
  }
  std::string implementation() const override { return "fill"; }

private:
  void *data;
  size_t bytes;
  double value;
  bin::DType dtype;
};

} // namespace

void runKernel(KernelEntry entry, void **args, int64_t domain, bool serial, int threads) {
  if (serial || threads <= 1 || domain < kParallelThreshold) {
    entry(args, 0, domain);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num(), n = omp_get_num_threads();
    // Chunks aligned to 16 elements keep vector loops on full lanes.
    int64_t chunk = ((domain + n - 1) / n + 15) / 16 * 16;
    int64_t begin = std::min<int64_t>(domain, t * chunk), end = std::min<int64_t>(domain, begin + chunk);
    if (begin < end)
      entry(args, begin, end);
  }
}

std::unique_ptr<Executor> makeKernel(CpuContext &ctx, const bin::Call &call) {
  return std::make_unique<KernelExecutor>(ctx, call);
}

std::unique_ptr<Executor> makeFill(CpuContext &ctx, const bin::Call &call) {
  return std::make_unique<FillExecutor>(ctx, call);
}

} // namespace kcc::rt::cpu
