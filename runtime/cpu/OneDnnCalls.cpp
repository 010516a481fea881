//===- OneDnnCalls.cpp - matmul, convolution, pooling, reorder ------------===//
//
// Each executor builds its oneDNN primitive and memory objects once, bound
// to the arena (whose addresses never change), and only executes per step.
//
//===----------------------------------------------------------------------===//

#include "cpu/Bf16.h"
#include "cpu/CpuBackend.h"
#include "contract/OneDnnTags.h"

#include "core/RuntimeError.h"


namespace kcc::rt::cpu {

using dnnl::memory;
using contract::activationPostOps;

namespace {

/// A primitive with its bound arguments.
class PrimitiveExecutor : public Executor {
public:
  PrimitiveExecutor(CpuContext &ctx, dnnl::primitive p, std::unordered_map<int, memory> args)
      : ctx(ctx), prim(std::move(p)), args(std::move(args)) {}
  void run() override { prim.execute(ctx.stream, args); }
  std::string implementation() const override {
    const char *impl = nullptr;
    dnnl_primitive_desc_query(prim.get_primitive_desc(), dnnl_query_impl_info_str, 0, &impl);
    return std::string("onednn:") + (impl ? impl : "?");
  }

private:
  CpuContext &ctx;
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
};

dnnl::post_ops activationPostOp(bin::Activation act) {
  std::optional<dnnl::post_ops> po = activationPostOps(static_cast<int>(act));
  if (!po)
    throw RuntimeError("corrupt model.bin: a library call asks for an activation oneDNN cannot fuse");
  return *po;
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

std::unique_ptr<Executor> matmul(CpuContext &ctx, const bin::Call &call) {
  const auto *p = call.params_as_MatMulParams();
  int64_t m = p->m(), n = p->n(), k = p->k();
  auto f32 = memory::data_type::f32;
  // kcc --precision bf16 hands the data operands over as bf16 copies.
  memory::desc a({m, k}, ctx.dataType(call.inputs()->Get(0)), p->transpose_a() ? memory::dims{1, m} : memory::dims{k, 1});
  memory::desc b({k, n}, ctx.dataType(call.inputs()->Get(1)), p->transpose_b() ? memory::dims{1, k} : memory::dims{n, 1});
  memory::desc c({m, n}, f32, memory::dims{n, 1});
  bool hasBias = call.inputs()->size() == 3;
  memory::desc bias = hasBias ? memory::desc({1, n}, f32, memory::dims{n, 1}) : memory::desc();
  dnnl::post_ops po;
  if (p->accumulate())
    po.append_sum(1.0f);
  dnnl::post_ops act = activationPostOp(p->activation());
  for (int i = 0; i < act.len(); ++i) {
    float scale, alpha, beta;
    dnnl::algorithm alg;
    act.get_params_eltwise(i, scale, alg, alpha, beta);
    po.append_eltwise(scale, alg, alpha, beta);
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, bias, c), attr, ctx.engine);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, memory(a, ctx.engine, ctx.pointer(call.inputs()->Get(0)))},
      {DNNL_ARG_WEIGHTS, memory(b, ctx.engine, ctx.pointer(call.inputs()->Get(1)))},
      {DNNL_ARG_DST, memory(c, ctx.engine, ctx.pointer(call.outputs()->Get(0)))}};
  if (hasBias)
    args[DNNL_ARG_BIAS] = memory(bias, ctx.engine, ctx.pointer(call.inputs()->Get(2)));
  return std::make_unique<PrimitiveExecutor>(ctx, dnnl::matmul(pd), std::move(args));
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvGeometry {
  memory::dims src, weights, bias, dst, strides, dilates, padL, padR;
  memory::format_tag imageTag;

  explicit ConvGeometry(const bin::ConvParams &p) {
    src = {p.batch(), p.in_channels(), p.in_height(), p.in_width()};
    weights = {p.out_channels(), p.in_channels(), p.kernel_height(), p.kernel_width()};
    bias = {p.out_channels()};
    dst = {p.batch(), p.out_channels(), p.out_height(), p.out_width()};
    strides = {p.strides()->Get(0), p.strides()->Get(1)};
    // oneDNN counts dilation from 0 (no dilation), Keras from 1.
    dilates = {p.dilations()->Get(0) - 1, p.dilations()->Get(1) - 1};
    padL = {p.pads()->Get(0), p.pads()->Get(1)};
    padR = {p.pads()->Get(2), p.pads()->Get(3)};
    imageTag = p.channels_first() ? memory::format_tag::nchw : memory::format_tag::nhwc;
  }
};

/// |d| with another element type (same dims and layout).
memory::desc withType(const memory::desc &d, memory::data_type t) {
  dnnl_memory_desc_t c = d.data;
  c.data_type = static_cast<dnnl_data_type_t>(t);
  return memory::desc(c);
}

std::unique_ptr<Executor> convolution(CpuContext &ctx, const bin::Call &call) {
  const bin::ConvParams &p = *call.params_as_ConvParams();
  ConvGeometry g(p);
  auto alg = dnnl::algorithm::convolution_direct;
  auto in = [&](int i) { return call.inputs()->Get(i); };
  auto out = [&](int i) { return call.outputs()->Get(i); };
  auto hwio = memory::format_tag::hwio;
  auto bind = [&](const memory::desc &d, uint32_t buffer) { return memory(d, ctx.engine, ctx.pointer(buffer)); };

  if (call.kind() == bin::CallKind::Conv2D) {
    memory::desc src = ctx.imageDesc(in(0), g.src, g.imageTag);
    memory::desc wei = ctx.imageDesc(in(1), g.weights, hwio);
    memory::desc dst = ctx.imageDesc(out(0), g.dst, g.imageTag);
    bool hasBias = call.inputs()->size() == 3;
    memory::desc bias = hasBias ? memory::desc(g.bias, memory::data_type::f32, memory::format_tag::a)
                                : memory::desc();
    dnnl::primitive_attr attr;
    attr.set_post_ops(activationPostOp(p.activation()));
    dnnl::convolution_forward::primitive_desc pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src, wei, bias, dst,
                                        g.strides, g.dilates, g.padL, g.padR),
        attr, ctx.engine);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, bind(src, in(0))},
                                            {DNNL_ARG_WEIGHTS, bind(wei, in(1))},
                                            {DNNL_ARG_DST, bind(dst, out(0))}};
    if (hasBias)
      args[DNNL_ARG_BIAS] = bind(bias, in(2));
    return std::make_unique<PrimitiveExecutor>(ctx, dnnl::convolution_forward(pd), std::move(args));
  }

  if (call.kind() == bin::CallKind::Conv2DBackwardData) { // ins(dy, w) outs(dx)
    memory::desc ddst = ctx.imageDesc(in(0), g.dst, g.imageTag);
    memory::desc wei = ctx.imageDesc(in(1), g.weights, hwio);
    memory::desc dsrc = ctx.imageDesc(out(0), g.src, g.imageTag);
    // The forward this backward mirrors reads what the weights are (f32, or
    // bf16 with kcc --precision bf16) and writes f32.
    dnnl::convolution_forward::primitive_desc hint(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg,
                                        withType(dsrc, wei.data_type()), wei,
                                        withType(ddst, memory::data_type::f32), g.strides, g.dilates, g.padL,
                                        g.padR),
        ctx.engine);
    dnnl::convolution_backward_data::primitive_desc pd(
        dnnl::convolution_backward_data::desc(alg, dsrc, wei, ddst, g.strides, g.dilates, g.padL, g.padR),
        ctx.engine, hint);
    return std::make_unique<PrimitiveExecutor>(
        ctx, dnnl::convolution_backward_data(pd),
        std::unordered_map<int, memory>{{DNNL_ARG_DIFF_DST, bind(ddst, in(0))},
                                        {DNNL_ARG_WEIGHTS, bind(wei, in(1))},
                                        {DNNL_ARG_DIFF_SRC, bind(dsrc, out(0))}});
  }

  // Backward filter: ins(x, dy) outs(dw[, db]).
  memory::desc src = ctx.imageDesc(in(0), g.src, g.imageTag);
  memory::desc ddst = ctx.imageDesc(in(1), g.dst, g.imageTag);
  memory::desc dwei = ctx.imageDesc(out(0), g.weights, hwio);
  bool hasBias = call.outputs()->size() == 2;
  memory::desc dbias = hasBias ? memory::desc(g.bias, memory::data_type::f32, memory::format_tag::a)
                               : memory::desc();
  dnnl::convolution_forward::primitive_desc hint(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src,
                                      withType(dwei, src.data_type()), dbias,
                                      withType(ddst, memory::data_type::f32), g.strides, g.dilates, g.padL,
                                      g.padR),
      ctx.engine);
  dnnl::convolution_backward_weights::primitive_desc pd(
      dnnl::convolution_backward_weights::desc(alg, src, dwei, dbias, ddst, g.strides, g.dilates, g.padL,
                                               g.padR),
      ctx.engine, hint);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, bind(src, in(0))},
                                          {DNNL_ARG_DIFF_DST, bind(ddst, in(1))},
                                          {DNNL_ARG_DIFF_WEIGHTS, bind(dwei, out(0))}};
  if (hasBias)
    args[DNNL_ARG_DIFF_BIAS] = bind(dbias, out(1));
  return std::make_unique<PrimitiveExecutor>(ctx, dnnl::convolution_backward_weights(pd), std::move(args));
}

//===----------------------------------------------------------------------===//
// Max pooling
//===----------------------------------------------------------------------===//

std::unique_ptr<Executor> pooling(CpuContext &ctx, const bin::Call &call) {
  const bin::PoolParams &p = *call.params_as_PoolParams();
  memory::dims src = {p.batch(), p.channels(), p.in_height(), p.in_width()};
  memory::dims dst = {p.batch(), p.channels(), p.out_height(), p.out_width()};
  memory::dims strides = {p.strides()->Get(0), p.strides()->Get(1)};
  memory::dims kernel = {p.pool_size()->Get(0), p.pool_size()->Get(1)};
  memory::dims padL = {p.pads()->Get(0), p.pads()->Get(1)}, padR = {p.pads()->Get(2), p.pads()->Get(3)};
  auto tag = p.channels_first() ? memory::format_tag::nchw : memory::format_tag::nhwc;
  auto alg = dnnl::algorithm::pooling_max;
  auto bind = [&](const memory::desc &d, uint32_t buffer) { return memory(d, ctx.engine, ctx.pointer(buffer)); };

  bool forward = call.kind() == bin::CallKind::MaxPool2D;
  uint32_t srcBuf = forward ? call.inputs()->Get(0) : call.outputs()->Get(0);
  uint32_t dstBuf = forward ? call.outputs()->Get(0) : call.inputs()->Get(0);
  memory::desc srcD = ctx.imageDesc(srcBuf, src, tag), dstD = ctx.imageDesc(dstBuf, dst, tag);
  bool training = forward ? call.outputs()->size() == 2 : true;
  dnnl::pooling_forward::primitive_desc fwd(
      dnnl::pooling_forward::desc(training ? dnnl::prop_kind::forward_training
                                           : dnnl::prop_kind::forward_inference,
                                  alg, srcD, dstD, strides, kernel, padL, padR),
      ctx.engine);
  uint32_t wsBuf = forward ? (training ? call.outputs()->Get(1) : 0) : call.inputs()->Get(1);
  memory ws;
  if (training) {
    auto &shared = ctx.poolWorkspaces[wsBuf];
    if (!shared)
      shared = memory(fwd.workspace_desc(), ctx.engine);
    ws = shared;
  }
  if (forward) {
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, bind(srcD, srcBuf)}, {DNNL_ARG_DST, bind(dstD, dstBuf)}};
    if (training)
      args[DNNL_ARG_WORKSPACE] = ws;
    return std::make_unique<PrimitiveExecutor>(ctx, dnnl::pooling_forward(fwd), std::move(args));
  }
  dnnl::pooling_backward::primitive_desc bwd(
      dnnl::pooling_backward::desc(alg, srcD, dstD, strides, kernel, padL, padR), ctx.engine, fwd);
  return std::make_unique<PrimitiveExecutor>(
      ctx, dnnl::pooling_backward(bwd),
      std::unordered_map<int, memory>{{DNNL_ARG_DIFF_DST, bind(dstD, dstBuf)},
                                      {DNNL_ARG_DIFF_SRC, bind(srcD, srcBuf)},
                                      {DNNL_ARG_WORKSPACE, ws}});
}

} // namespace

std::unique_ptr<Executor> makeMatMul(CpuContext &ctx, const bin::Call &call) { return matmul(ctx, call); }
std::unique_ptr<Executor> makeConvolution(CpuContext &ctx, const bin::Call &call) {
  return convolution(ctx, call);
}
std::unique_ptr<Executor> makePooling(CpuContext &ctx, const bin::Call &call) { return pooling(ctx, call); }

namespace {

/// f32 -> bf16 in the same layout: an elementwise rounding (Bf16.h) over
/// the storage. oneDNN's reorder took 3.4 ms for 2.8M elements
/// (blocked activations of the MNIST CNN), three times the memory time.
class RoundToBf16 : public Executor {
public:
  RoundToBf16(CpuContext &ctx, uint32_t from, uint32_t to)
      : src(static_cast<const uint32_t *>(ctx.pointer(from))), dst(static_cast<uint16_t *>(ctx.pointer(to))),
        count(ctx.buffer(to).bytes() / 2), threads(ctx.threads) {}
  void run() override {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < count; ++i) {
      dst[i] = bf16FromF32Bits(src[i]);
    }
  }
  std::string implementation() const override { return "generated f32->bf16"; }

private:
  const uint32_t *src;
  uint16_t *dst;
  int64_t count;
  int threads;
};

} // namespace

std::unique_ptr<Executor> makeReorder(CpuContext &ctx, const bin::Call &call) {
  uint32_t from = call.inputs()->Get(0), to = call.outputs()->Get(0);
  const bin::Buffer &a = ctx.buffer(from), &b = ctx.buffer(to);
  auto layout = [](const bin::Buffer &buf) { return buf.layout() ? buf.layout()->str() : std::string(); };
  if (a.dtype() == bin::DType::F32 && b.dtype() == bin::DType::BF16 && layout(a) == layout(b) &&
      a.bytes() == 2 * b.bytes())
    return std::make_unique<RoundToBf16>(ctx, from, to);
  bool converts = a.dtype() != b.dtype();
  auto desc = [&](const bin::Buffer &buf, uint32_t index) {
    if (!a.layout_dims() && !b.layout_dims()) // a plain precision conversion
      return ctx.plainDesc(index, memory::dims(buf.shape()->begin(), buf.shape()->end()));
    const bin::Buffer &withDims = buf.layout_dims() ? buf : (&buf == &a ? b : a);
    memory::dims dims(withDims.layout_dims()->begin(), withDims.layout_dims()->end());
    std::string tag = buf.layout() && buf.layout()->size() ? buf.layout()->str() : withDims.plain_layout()->str();
    return memory::desc(dims, ctx.dataType(index), tagFromName(tag));
  };
  if (!a.layout_dims() && !b.layout_dims() && !converts)
    throw RuntimeError("corrupt model.bin: a reorder between buffers without layouts");
  memory src(desc(a, from), ctx.engine, ctx.pointer(from)), dst(desc(b, to), ctx.engine, ctx.pointer(to));
  return std::make_unique<PrimitiveExecutor>(
      ctx, dnnl::reorder(src, dst),
      std::unordered_map<int, memory>{{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
}

} // namespace kcc::rt::cpu
