//===- Recurrence.cpp - the sequential part of LSTMs ----------------------===//
//
// Forward, per step t:   gates_t += h_t R          (oneDNN matmul, sum post-op)
//                        cell kernel(gates_t, c_t) -> activated gates, c_t+1, h_t+1
// Backward, t = T-1..0:  cell-grad kernel(dh, dy_t, dc, ...) -> dgates_t, dc
//                        dh = dgates_t R^T          (oneDNN matmul)
// Everything else (x W for all steps, weight gradients) was compiled into
// big matmuls around these calls.
//
//===----------------------------------------------------------------------===//

#include "cpu/CpuBackend.h"

#include <cstring>

namespace kcc::rt::cpu {

using dnnl::memory;

namespace {

class LSTMForward : public Executor {
public:
  LSTMForward(CpuContext &ctx, const bin::Call &call) : ctx(ctx) {
    const auto *p = call.params_as_LstmParams();
    n = p->batch(), t = p->steps(), u = p->units();
    cell = ctx.kernels[p->cell()];
    r = ctx.pointer(call.inputs()->Get(0));
    gates = static_cast<float *>(ctx.pointer(call.outputs()->Get(0)));
    h = static_cast<float *>(ctx.pointer(call.outputs()->Get(1)));
    c = static_cast<float *>(ctx.pointer(call.outputs()->Get(2)));
    auto f32 = memory::data_type::f32;
    memory::desc hd({n, u}, f32, memory::dims{u, 1}), rd({u, 4 * u}, f32, memory::dims{4 * u, 1}),
        gd({n, 4 * u}, f32, memory::dims{4 * u, 1});
    dnnl::post_ops po;
    po.append_sum(1.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(po);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(hd, rd, gd), attr, ctx.engine);
    matmul = dnnl::matmul(pd);
    hMem = memory(hd, ctx.engine, h);
    rMem = memory(rd, ctx.engine, r);
    gMem = memory(gd, ctx.engine, gates);
  }

  void run() override {
    std::memset(h, 0, sizeof(float) * n * u);
    std::memset(c, 0, sizeof(float) * n * u);
    for (int64_t s = 0; s < t; ++s) {
      float *gs = gates + s * n * 4 * u;
      hMem.set_data_handle(h + s * n * u);
      gMem.set_data_handle(gs);
      matmul.execute(ctx.stream, {{DNNL_ARG_SRC, hMem}, {DNNL_ARG_WEIGHTS, rMem}, {DNNL_ARG_DST, gMem}});
      void *args[] = {gs, c + s * n * u, c + (s + 1) * n * u, h + (s + 1) * n * u};
      runKernel(cell, args, n, false, n * u >= 4096 ? ctx.threads : 1);
    }
  }
  std::string implementation() const override { return "onednn matmul + generated cell"; }

private:
  CpuContext &ctx;
  int64_t n, t, u;
  KernelEntry cell;
  void *r;
  float *gates, *h, *c;
  dnnl::matmul matmul;
  memory hMem, rMem, gMem;
};

class LSTMBackward : public Executor {
public:
  LSTMBackward(CpuContext &ctx, const bin::Call &call) : ctx(ctx) {
    const auto *p = call.params_as_LstmParams();
    n = p->batch(), t = p->steps(), u = p->units();
    sequences = p->return_sequences();
    cell = ctx.kernels[p->cell()];
    r = ctx.pointer(call.inputs()->Get(0));
    gates = static_cast<float *>(ctx.pointer(call.inputs()->Get(1)));
    c = static_cast<float *>(ctx.pointer(call.inputs()->Get(2)));
    dy = static_cast<float *>(ctx.pointer(call.inputs()->Get(3)));
    dgates = static_cast<float *>(ctx.pointer(call.outputs()->Get(0)));
    dh = static_cast<float *>(ctx.pointer(call.outputs()->Get(1)));
    dc = static_cast<float *>(ctx.pointer(call.outputs()->Get(2)));
    zeros.assign(n * u, 0.0f);
    auto f32 = memory::data_type::f32;
    // dh [N, U] = dgates_t [N, 4U] x R^T, R stored [U, 4U] row-major.
    memory::desc gd({n, 4 * u}, f32, memory::dims{4 * u, 1}), rt({4 * u, u}, f32, memory::dims{1, 4 * u}),
        hd({n, u}, f32, memory::dims{u, 1});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(gd, rt, hd), ctx.engine);
    matmul = dnnl::matmul(pd);
    gMem = memory(gd, ctx.engine, dgates);
    rMem = memory(rt, ctx.engine, r);
    hMem = memory(hd, ctx.engine, dh);
  }

  void run() override {
    std::memset(dh, 0, sizeof(float) * n * u);
    std::memset(dc, 0, sizeof(float) * n * u);
    int threads = n * u >= 4096 ? ctx.threads : 1;
    for (int64_t s = t - 1; s >= 0; --s) {
      float *dys = sequences ? dy + s * n * u : (s == t - 1 ? dy : zeros.data());
      float *dgs = dgates + s * n * 4 * u;
      void *args[] = {gates + s * n * 4 * u, c + s * n * u, c + (s + 1) * n * u, dh, dys, dc, dgs};
      runKernel(cell, args, n, false, threads);
      if (s > 0) {
        gMem.set_data_handle(dgs);
        matmul.execute(ctx.stream, {{DNNL_ARG_SRC, gMem}, {DNNL_ARG_WEIGHTS, rMem}, {DNNL_ARG_DST, hMem}});
      }
    }
  }
  std::string implementation() const override { return "onednn matmul + generated cell"; }

private:
  CpuContext &ctx;
  int64_t n, t, u;
  bool sequences;
  KernelEntry cell;
  void *r;
  float *gates, *c, *dy, *dgates, *dh, *dc;
  std::vector<float> zeros;
  dnnl::matmul matmul;
  memory gMem, rMem, hMem;
};

} // namespace

std::unique_ptr<Executor> makeLSTM(CpuContext &ctx, const bin::Call &call) {
  if (call.kind() == bin::CallKind::LSTMForward)
    return std::make_unique<LSTMForward>(ctx, call);
  return std::make_unique<LSTMBackward>(ctx, call);
}

} // namespace kcc::rt::cpu
