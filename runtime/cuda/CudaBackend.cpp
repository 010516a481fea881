//===- CudaBackend.cpp - cuDNN, cuBLAS and the generated PTX --------------===//
//
// The CUDA counterpart of cpu/CpuBackend.cpp: one device arena, every call
// bound once to descriptors and device pointers. Library calls go to cuBLAS
// (matmul, LSTM recurrent products) and cuDNN (convolution, bias, pooling,
// activation epilogues); generated kernels come from the PTX in model.bin,
// loaded with the driver API and launched one domain index per thread.
// Convolution filters are stored KRSC ("acdb" over O,I,H,W; kcc's CUDA
// layout pass asks for it), activations in the Keras data format. In a
// data-parallel run each process takes the GPU of its local rank, and
// gradients are summed across processes with NCCL on the backend's stream.
//
//===----------------------------------------------------------------------===//

#include "core/Backend.h"

#include "core/Collective.h"
#include "core/RuntimeError.h"
#include "contract/OneDnnTags.h"

#include <cublas_v2.h>
#include <cuda.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#ifdef KCC_HAVE_NCCL
#include <nccl.h>
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

namespace kcc::rt::cuda {

namespace {

void check(cudaError_t e, const char *what) {
  if (e != cudaSuccess)
    throw RuntimeError(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}
void check(CUresult e, const char *what) {
  if (e != CUDA_SUCCESS) {
    const char *msg = nullptr;
    cuGetErrorString(e, &msg);
    throw RuntimeError(std::string("CUDA driver: ") + what + ": " + (msg ? msg : "unknown error"));
  }
}
void check(cublasStatus_t e, const char *what) {
  if (e != CUBLAS_STATUS_SUCCESS)
    throw RuntimeError(std::string("cuBLAS: ") + what + " failed (status " + std::to_string(e) + ")");
}
void check(cudnnStatus_t e, const char *what) {
  if (e != CUDNN_STATUS_SUCCESS)
    throw RuntimeError(std::string("cuDNN: ") + what + ": " + cudnnGetErrorString(e));
}

struct Device {
  const bin::Model &model;
  uint8_t *arena = nullptr;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cudnnHandle_t dnn = nullptr;
  CUmodule module = nullptr;
  std::vector<CUfunction> kernels;
#ifdef KCC_HAVE_NCCL
  ncclComm_t nccl = nullptr; // made at the first sum (every process must be running)
#endif

  explicit Device(const bin::Model &m) : model(m) {}
  void *ptr(uint32_t b) const { return arena + model.buffers()->Get(b)->offset(); }
  const bin::Buffer &buffer(uint32_t b) const { return *model.buffers()->Get(b); }
};

/// Launches generated kernel |f| over [0, domain) (one index per thread).
void launch(Device &d, CUfunction f, std::vector<void *> &pointers, int64_t domain) {
  int64_t begin = 0, end = domain;
  std::vector<void *> params;
  for (void *&p : pointers)
    params.push_back(&p);
  params.push_back(&begin);
  params.push_back(&end);
  unsigned threads = 256, blocks = static_cast<unsigned>((domain + threads - 1) / threads);
  check(cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0, d.stream, params.data(), nullptr), "kernel launch");
}

class KernelCall : public Executor {
public:
  KernelCall(Device &d, const bin::Call &c) : d(d) {
    auto *p = c.params_as_KernelParams();
    f = d.kernels[p->kernel()];
    domain = p->domain();
    for (auto *list : {c.inputs(), c.outputs()})
      for (uint32_t b : *list)
        args.push_back(d.ptr(b));
  }
  void run() override { launch(d, f, args, domain); }

private:
  Device &d;
  CUfunction f;
  int64_t domain;
  std::vector<void *> args;
};

class FillCall : public Executor {
public:
  FillCall(Device &d, const bin::Call &c) : d(d) {
    uint32_t b = c.outputs()->Get(0);
    ptr = d.ptr(b);
    words = d.buffer(b).bytes() / 4;
    float v = static_cast<float>(c.params_as_FillParams()->value());
    std::memcpy(&bits, &v, 4);
  }
  void run() override {
    check(cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(ptr), bits, words, d.stream), "fill");
  }
  std::string implementation() const override { return "cudaMemset"; }

private:
  Device &d;
  void *ptr;
  size_t words;
  unsigned bits;
};

/// Row-major C[m,n] = op(A) op(B) (+ C) as cuBLAS's column-major C^T = op(B)^T op(A)^T.
void gemm(Device &d, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, const float *b,
          float *c, float beta) {
  float alpha = 1.0f;
  check(cublasSgemm(d.blas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b,
                    tb ? k : n, a, ta ? m : k, &beta, c, n),
        "sgemm");
}

cudnnTensorDescriptor_t tensor4(int64_t n, int64_t c, int64_t h, int64_t w, bool nchw) {
  cudnnTensorDescriptor_t t;
  check(cudnnCreateTensorDescriptor(&t), "tensor descriptor");
  check(cudnnSetTensor4dDescriptor(t, nchw ? CUDNN_TENSOR_NCHW : CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, n, c, h, w),
        "tensor descriptor");
  return t;
}

/// Applies bias and activation in place on a 4-D view of the output.
class Epilogue {
public:
  Epilogue(Device &d, cudnnTensorDescriptor_t out, int64_t channels, bool nchw, const void *bias,
           bin::Activation act)
      : d(d), out(out), bias(bias) {
    if (bias)
      biasDesc = tensor4(1, channels, 1, 1, nchw);
    if (act != bin::Activation::Linear) {
      cudnnActivationMode_t mode;
      switch (act) {
      case bin::Activation::Relu:
        mode = CUDNN_ACTIVATION_RELU;
        break;
      case bin::Activation::Tanh:
        mode = CUDNN_ACTIVATION_TANH;
        break;
      case bin::Activation::Sigmoid:
        mode = CUDNN_ACTIVATION_SIGMOID;
        break;
      case bin::Activation::Elu:
        mode = CUDNN_ACTIVATION_ELU;
        break;
      default:
        throw RuntimeError("corrupt model.bin: unsupported fused activation");
      }
      check(cudnnCreateActivationDescriptor(&activation), "activation");
      check(cudnnSetActivationDescriptor(activation, mode, CUDNN_NOT_PROPAGATE_NAN, 1.0), "activation");
    }
  }
  void run(void *y) {
    float one = 1.0f, zero = 0.0f;
    if (bias)
      check(cudnnAddTensor(d.dnn, &one, biasDesc, bias, &one, out, y), "bias");
    if (activation)
      check(cudnnActivationForward(d.dnn, activation, &one, out, y, &zero, out, y), "activation");
  }

private:
  Device &d;
  cudnnTensorDescriptor_t out, biasDesc = nullptr;
  cudnnActivationDescriptor_t activation = nullptr;
  const void *bias;
};

class MatMulCall : public Executor {
public:
  MatMulCall(Device &d, const bin::Call &c) : d(d), p(*c.params_as_MatMulParams()) {
    a = static_cast<float *>(d.ptr(c.inputs()->Get(0)));
    b = static_cast<float *>(d.ptr(c.inputs()->Get(1)));
    out = static_cast<float *>(d.ptr(c.outputs()->Get(0)));
    const void *bias = c.inputs()->size() == 3 ? d.ptr(c.inputs()->Get(2)) : nullptr;
    if (bias || p.activation() != bin::Activation::Linear)
      epilogue = std::make_unique<Epilogue>(d, tensor4(p.m(), p.n(), 1, 1, true), p.n(), true, bias,
                                            p.activation());
  }
  void run() override {
    gemm(d, p.transpose_a(), p.transpose_b(), p.m(), p.n(), p.k(), a, b, out, p.accumulate() ? 1.0f : 0.0f);
    if (epilogue)
      epilogue->run(out);
  }
  std::string implementation() const override { return "cublas"; }

private:
  Device &d;
  const bin::MatMulParams &p;
  float *a, *b, *out;
  std::unique_ptr<Epilogue> epilogue;
};

class ConvCall : public Executor {
public:
  ConvCall(Device &d, const bin::Call &c) : d(d), kind(c.kind()) {
    const bin::ConvParams &p = *c.params_as_ConvParams();
    bool nchw = p.channels_first();
    src = tensor4(p.batch(), p.in_channels(), p.in_height(), p.in_width(), nchw);
    dst = tensor4(p.batch(), p.out_channels(), p.out_height(), p.out_width(), nchw);
    check(cudnnCreateFilterDescriptor(&filter), "filter");
    check(cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, p.out_channels(), p.in_channels(),
                                     p.kernel_height(), p.kernel_width()),
          "filter (KRSC)");
    check(cudnnCreateConvolutionDescriptor(&conv), "convolution");
    // cuDNN pads symmetrically; Keras "same" with an even window pads one
    // more after. Such geometries are rejected rather than mis-computed.
    if (p.pads()->Get(0) != p.pads()->Get(2) || p.pads()->Get(1) != p.pads()->Get(3))
      throw RuntimeError("the CUDA backend cannot run asymmetric 'same' padding yet");
    check(cudnnSetConvolution2dDescriptor(conv, p.pads()->Get(0), p.pads()->Get(1), p.strides()->Get(0),
                                          p.strides()->Get(1), p.dilations()->Get(0), p.dilations()->Get(1),
                                          CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
          "convolution");
    // Float32 arithmetic, as Keras on TensorFlow with TF32 off: cuDNN would
    // otherwise use TF32 tensor cores on Ampere and later (SGEMM does not).
    check(cudnnSetConvolutionMathType(conv, CUDNN_FMA_MATH), "math type");
    for (uint32_t b : *c.inputs())
      ins.push_back(d.ptr(b));
    for (uint32_t b : *c.outputs())
      outs.push_back(d.ptr(b));
    if (kind == bin::CallKind::Conv2D && (c.inputs()->size() == 3 || p.activation() != bin::Activation::Linear))
      epilogue = std::make_unique<Epilogue>(d, dst, p.out_channels(), nchw,
                                            c.inputs()->size() == 3 ? ins[2] : nullptr, p.activation());
    if (kind == bin::CallKind::Conv2DBackwardFilter && outs.size() == 2)
      biasGrad = tensor4(1, p.out_channels(), 1, 1, nchw);
    chooseAlgorithm();
  }

  void run() override {
    float one = 1.0f, zero = 0.0f;
    if (kind == bin::CallKind::Conv2D) {
      check(cudnnConvolutionForward(d.dnn, &one, src, ins[0], filter, ins[1], conv, fwd, work.data, work.size,
                                    &zero, dst, outs[0]),
            "convolution forward");
      if (epilogue)
        epilogue->run(outs[0]);
    } else if (kind == bin::CallKind::Conv2DBackwardData) {
      check(cudnnConvolutionBackwardData(d.dnn, &one, filter, ins[1], dst, ins[0], conv, bwdData, work.data,
                                         work.size, &zero, src, outs[0]),
            "convolution backward data");
    } else {
      check(cudnnConvolutionBackwardFilter(d.dnn, &one, src, ins[0], dst, ins[1], conv, bwdFilter, work.data,
                                           work.size, &zero, filter, outs[0]),
            "convolution backward filter");
      if (biasGrad)
        check(cudnnConvolutionBackwardBias(d.dnn, &one, dst, ins[1], &zero, biasGrad, outs[1]), "bias gradient");
    }
  }
  std::string implementation() const override { return "cudnn"; }

private:
  struct Workspace {
    void *data = nullptr;
    size_t size = 0;
  };
  Device &d;
  bin::CallKind kind;
  cudnnTensorDescriptor_t src, dst, biasGrad = nullptr;
  cudnnFilterDescriptor_t filter;
  cudnnConvolutionDescriptor_t conv;
  cudnnConvolutionFwdAlgo_t fwd{};
  cudnnConvolutionBwdDataAlgo_t bwdData{};
  cudnnConvolutionBwdFilterAlgo_t bwdFilter{};
  Workspace work;
  std::vector<void *> ins, outs;
  std::unique_ptr<Epilogue> epilogue;

  /// Among cuDNN's heuristic answers that work, in its order: float32 maths
  /// first (no TF32), then determinism (two runs give the same weights). The
  /// descriptor takes the chosen one's math type; its workspace is allocated
  /// once.
  template <typename Perf> const Perf &pick(const Perf *perf, int found) {
    const Perf *best = nullptr;
    int bestScore = -1;
    for (int i = 0; i < found; ++i) {
      if (perf[i].status != CUDNN_STATUS_SUCCESS)
        continue;
      int score = 2 * (perf[i].mathType == CUDNN_FMA_MATH) + (perf[i].determinism == CUDNN_DETERMINISTIC);
      if (score > bestScore)
        best = &perf[i], bestScore = score;
    }
    if (!best)
      throw RuntimeError("cuDNN offers no algorithm for a convolution of this shape");
    check(cudnnSetConvolutionMathType(conv, best->mathType), "math type");
    return *best;
  }

  void chooseAlgorithm() {
    constexpr int kCandidates = 8;
    int found = 0;
    if (kind == bin::CallKind::Conv2D) {
      cudnnConvolutionFwdAlgoPerf_t perf[kCandidates];
      check(cudnnGetConvolutionForwardAlgorithm_v7(d.dnn, src, filter, conv, dst, kCandidates, &found, perf),
            "algorithm");
      const auto &best = pick(perf, found);
      fwd = best.algo, work.size = best.memory;
    } else if (kind == bin::CallKind::Conv2DBackwardData) {
      cudnnConvolutionBwdDataAlgoPerf_t perf[kCandidates];
      check(cudnnGetConvolutionBackwardDataAlgorithm_v7(d.dnn, filter, dst, conv, src, kCandidates, &found, perf),
            "algorithm");
      const auto &best = pick(perf, found);
      bwdData = best.algo, work.size = best.memory;
    } else {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[kCandidates];
      check(cudnnGetConvolutionBackwardFilterAlgorithm_v7(d.dnn, src, dst, conv, filter, kCandidates, &found, perf),
            "algorithm");
      const auto &best = pick(perf, found);
      bwdFilter = best.algo, work.size = best.memory;
    }
    if (work.size)
      check(cudaMalloc(&work.data, work.size), "convolution workspace");
  }
};

class PoolCall : public Executor {
public:
  PoolCall(Device &d, const bin::Call &c) : d(d), forward(c.kind() == bin::CallKind::MaxPool2D) {
    const bin::PoolParams &p = *c.params_as_PoolParams();
    bool nchw = p.channels_first();
    in = tensor4(p.batch(), p.channels(), p.in_height(), p.in_width(), nchw);
    out = tensor4(p.batch(), p.channels(), p.out_height(), p.out_width(), nchw);
    check(cudnnCreatePoolingDescriptor(&pool), "pooling");
    check(cudnnSetPooling2dDescriptor(pool, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, p.pool_size()->Get(0),
                                      p.pool_size()->Get(1), p.pads()->Get(0), p.pads()->Get(1),
                                      p.strides()->Get(0), p.strides()->Get(1)),
          "pooling");
    if (forward) {
      x = d.ptr(c.inputs()->Get(0)), y = d.ptr(c.outputs()->Get(0));
    } else { // ins(dy, workspace, x, y): kcc's exec-cuda-pool-operands adds x and y
      dy = d.ptr(c.inputs()->Get(0)), dx = d.ptr(c.outputs()->Get(0));
      x = d.ptr(c.inputs()->Get(2)), y = d.ptr(c.inputs()->Get(3));
    }
  }
  void run() override {
    float one = 1.0f, zero = 0.0f;
    if (forward)
      check(cudnnPoolingForward(d.dnn, pool, &one, in, x, &zero, out, y), "pooling forward");
    else
      check(cudnnPoolingBackward(d.dnn, pool, &one, out, y, out, dy, in, x, &zero, in, dx), "pooling backward");
  }
  std::string implementation() const override { return "cudnn"; }

private:
  Device &d;
  bool forward;
  cudnnTensorDescriptor_t in, out;
  cudnnPoolingDescriptor_t pool;
  void *x, *y, *dy = nullptr, *dx = nullptr;
};

/// The LSTM recurrences of cpu/Recurrence.cpp, with cuBLAS products.
class LSTMCall : public Executor {
public:
  LSTMCall(Device &d, const bin::Call &c) : d(d), forward(c.kind() == bin::CallKind::LSTMForward) {
    const auto *p = c.params_as_LstmParams();
    n = p->batch(), t = p->steps(), u = p->units(), sequences = p->return_sequences();
    cell = d.kernels[p->cell()];
    for (uint32_t b : *c.inputs())
      ins.push_back(static_cast<float *>(d.ptr(b)));
    for (uint32_t b : *c.outputs())
      outs.push_back(static_cast<float *>(d.ptr(b)));
    if (!forward) {
      check(cudaMalloc(&zeros, sizeof(float) * n * u), "LSTM zeros");
      check(cudaMemset(zeros, 0, sizeof(float) * n * u), "LSTM zeros");
      // db = ones [1, T*N] x dgates [T*N, 4U]
      check(cudaMalloc(&ones, sizeof(float) * t * n), "LSTM ones");
      check(cuMemsetD32(reinterpret_cast<CUdeviceptr>(ones), 0x3f800000u, t * n), "LSTM ones");
      cin = d.model.buffers()->Get(c.inputs()->Get(4))->shape()->Get(2);
    }
  }
  void run() override {
    size_t state = sizeof(float) * n * u;
    if (forward) { // ins(R) outs(gates, h, c)
      float *r = ins[0], *gates = outs[0], *h = outs[1], *c = outs[2];
      check(cudaMemsetAsync(h, 0, state, d.stream), "LSTM state"), check(cudaMemsetAsync(c, 0, state, d.stream), "LSTM state");
      for (int64_t s = 0; s < t; ++s) {
        float *gs = gates + s * n * 4 * u;
        gemm(d, false, false, n, 4 * u, u, h + s * n * u, r, gs, 1.0f);
        std::vector<void *> args = {gs, c + s * n * u, c + (s + 1) * n * u, h + (s + 1) * n * u};
        launch(d, cell, args, n);
      }
      return;
    }
    // ins(R, gates, c, dy, x, h) outs(dgates, dh, dc, dW, dR, db)
    float *r = ins[0], *gates = ins[1], *c = ins[2], *dy = ins[3], *x = ins[4], *h = ins[5];
    float *dgates = outs[0], *dh = outs[1], *dc = outs[2], *dw = outs[3], *dr = outs[4], *db = outs[5];
    check(cudaMemsetAsync(dh, 0, state, d.stream), "LSTM state"), check(cudaMemsetAsync(dc, 0, state, d.stream), "LSTM state");
    for (int64_t s = t - 1; s >= 0; --s) {
      float *dys = sequences ? dy + s * n * u : (s == t - 1 ? dy : zeros);
      float *dgs = dgates + s * n * 4 * u;
      std::vector<void *> args = {gates + s * n * 4 * u, c + s * n * u, c + (s + 1) * n * u, dh, dys, dc, dgs};
      launch(d, cell, args, n);
      if (s > 0)
        gemm(d, false, true, n, u, 4 * u, dgs, r, dh, 0.0f);
    }
    // The weight gradients over all T*N rows at once (h_0..h_T-1 pair with dgates_0..T-1).
    gemm(d, true, false, cin, 4 * u, t * n, x, dgates, dw, 0.0f);
    gemm(d, true, false, u, 4 * u, t * n, h, dgates, dr, 0.0f);
    gemm(d, false, false, 1, 4 * u, t * n, ones, dgates, db, 0.0f);
  }
  ~LSTMCall() override {
    cudaFree(zeros);
    cudaFree(ones);
  }
  std::string implementation() const override { return "cublas + generated cell"; }

private:
  Device &d;
  bool forward, sequences = false;
  int64_t n, t, u;
  CUfunction cell;
  std::vector<float *> ins, outs;
  float *zeros = nullptr, *ones = nullptr;
  int64_t cin = 0;
};

/// The process's index among those of a data-parallel run on this machine
/// (the launcher's variable), 0 alone: it picks the process's GPU.
int localRank() {
  for (const char *v : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"})
    if (const char *r = std::getenv(v))
      return std::max(0, std::atoi(r));
  return 0;
}

#ifdef KCC_HAVE_NCCL
void check(ncclResult_t e, const char *what) {
  if (e != ncclSuccess)
    throw RuntimeError(std::string("NCCL: ") + what + ": " + ncclGetErrorString(e));
}

/// dst = the sum over processes of src * share (NCCL's pre-multiplied sum),
/// queued on the backend's stream like every other call.
class NcclAllReduceCall : public Executor {
public:
  NcclAllReduceCall(Device &d, const bin::Call &c, Collective *const &collective, const double &share)
      : d(d), collective(collective), share(share), src(c.inputs()->Get(0)), dst(c.outputs()->Get(0)) {
    count = static_cast<size_t>(d.buffer(src).bytes() / 4);
  }
  void run() override {
    if (!collective)
      throw RuntimeError("model.bin was compiled for data-parallel training (kcc --ranks); run it with mpirun");
    if (!d.nccl) {
      ncclUniqueId id{};
      if (collective->rank() == 0)
        check(ncclGetUniqueId(&id), "unique id");
      collective->broadcast(&id, sizeof id, 0);
      check(ncclCommInitRank(&d.nccl, collective->size(), id, collective->rank()), "communicator");
    }
    float scalar = static_cast<float>(share);
    ncclRedOp_t op;
    check(ncclRedOpCreatePreMulSum(&op, &scalar, ncclFloat, ncclScalarHostImmediate, d.nccl), "weighted sum");
    check(ncclAllReduce(d.ptr(src), d.ptr(dst), count, ncclFloat, op, d.nccl, d.stream), "all-reduce");
    check(ncclRedOpDestroy(op, d.nccl), "weighted sum");
  }
  std::string implementation() const override { return "nccl"; }

private:
  Device &d;
  Collective *const &collective;
  const double &share;
  uint32_t src, dst;
  size_t count;
};
#endif

class CudaBackend : public Backend {
public:
  CudaBackend(const bin::Model &model, const std::string &path) : d(model) {
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0)
      throw RuntimeError(path + ": compiled for CUDA, but no CUDA device is usable here (" +
                         (e != cudaSuccess ? cudaGetErrorString(e) : "no devices") + "); compile it with kcc --target=cpu");
    check(cudaSetDevice(localRank() % count), "select device");
    check(cudaStreamCreate(&d.stream), "stream");
    check(cublasCreate(&d.blas), "create");
    check(cublasSetStream(d.blas, d.stream), "stream");
    check(cudnnCreate(&d.dnn), "create");
    check(cudnnSetStream(d.dnn, d.stream), "stream");
    check(cudaMalloc(&d.arena, static_cast<size_t>(model.arena_bytes()) + 256), "arena");
    check(cudaMemset(d.arena, 0, static_cast<size_t>(model.arena_bytes()) + 256), "arena");
    const bin::CodeObject &code = *model.code();
    if (!code.format() || code.format()->str() != "ptx")
      throw RuntimeError(path + ": its kernels are not PTX; compile it with kcc --target=cuda");
    std::string ptx(reinterpret_cast<const char *>(code.object()->data()), code.object()->size());
    check(cuModuleLoadData(&d.module, ptx.c_str()), "load the generated PTX");
    for (const flatbuffers::String *k : *code.kernels()) {
      CUfunction f;
      check(cuModuleGetFunction(&f, d.module, (k->str() + "_entry").c_str()), "find a kernel");
      d.kernels.push_back(f);
    }
  }

  std::string describe() const override {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::ostringstream os;
    os << "cuda, " << prop.name << " (sm_" << prop.major << prop.minor << "), cuDNN " << cudnnGetVersion();
    return os.str();
  }

#ifdef KCC_HAVE_NCCL
  ~CudaBackend() override {
    if (d.nccl)
      ncclCommDestroy(d.nccl);
  }

  std::unique_ptr<Executor> makeAllReduce(const bin::Call &call, Collective *const &collective,
                                          const double &share) override {
    const bin::Buffer &src = d.buffer(call.inputs()->Get(0)), &dst = d.buffer(call.outputs()->Get(0));
    auto layout = [](const bin::Buffer &b) { return b.layout() ? b.layout()->str() : std::string(); };
    if (layout(src) != layout(dst) || src.bytes() != dst.bytes())
      return nullptr; // elementwise sums need one layout: the session converts through the host
    return std::make_unique<NcclAllReduceCall>(d, call, collective, share);
  }
#endif

  std::unique_ptr<Executor> makeExecutor(const bin::Call &call) override {
    switch (call.kind()) {
    case bin::CallKind::MatMul:
      return std::make_unique<MatMulCall>(d, call);
    case bin::CallKind::Conv2D:
    case bin::CallKind::Conv2DBackwardData:
    case bin::CallKind::Conv2DBackwardFilter:
      return std::make_unique<ConvCall>(d, call);
    case bin::CallKind::MaxPool2D:
    case bin::CallKind::MaxPool2DBackward:
      return std::make_unique<PoolCall>(d, call);
    case bin::CallKind::LSTMForward:
    case bin::CallKind::LSTMBackward:
      return std::make_unique<LSTMCall>(d, call);
    case bin::CallKind::Kernel:
      return std::make_unique<KernelCall>(d, call);
    case bin::CallKind::Fill:
      return std::make_unique<FillCall>(d, call);
    case bin::CallKind::Reorder:
    case bin::CallKind::AllReduce: // krun's session runs it (Collective.h)
      break;
    }
    throw RuntimeError(std::string("model.bin asks the CUDA backend for a call it does not have (") +
                       bin::EnumNameCallKind(call.kind()) + ")");
  }

  void write(uint32_t index, const void *data) override {
    std::vector<uint8_t> staged;
    const void *src = toLayout(index, data, staged, true);
    check(cudaMemcpyAsync(d.ptr(index), src, d.buffer(index).bytes(), cudaMemcpyHostToDevice, d.stream), "upload");
    check(cudaStreamSynchronize(d.stream), "upload");
  }

  void read(uint32_t index, void *data) override {
    const bin::Buffer &b = d.buffer(index);
    std::vector<uint8_t> staged(b.bytes());
    check(cudaMemcpyAsync(staged.data(), d.ptr(index), b.bytes(), cudaMemcpyDeviceToHost, d.stream), "download");
    check(cudaStreamSynchronize(d.stream), "download");
    if (!b.layout() || b.layout()->size() == 0) {
      std::memcpy(data, staged.data(), b.bytes());
      return;
    }
    reorderOnHost(b, staged.data(), data, false);
  }

  void writeStored(uint32_t index, const void *data) override {
    check(cudaMemcpyAsync(d.ptr(index), data, d.buffer(index).bytes(), cudaMemcpyHostToDevice, d.stream), "upload");
    check(cudaStreamSynchronize(d.stream), "upload");
  }
  void readStored(uint32_t index, void *data) override {
    check(cudaMemcpyAsync(data, d.ptr(index), d.buffer(index).bytes(), cudaMemcpyDeviceToHost, d.stream),
          "download");
    check(cudaStreamSynchronize(d.stream), "download");
  }

  void synchronize() override { check(cudaStreamSynchronize(d.stream), "synchronize"); }

private:
  Device d;

  /// Host-side conversion between Keras order and a laid-out buffer (KRSC
  /// filters), with oneDNN's reorder on host memory.
  const void *toLayout(uint32_t index, const void *data, std::vector<uint8_t> &staged, bool) {
    const bin::Buffer &b = d.buffer(index);
    if (!b.layout() || b.layout()->size() == 0)
      return data;
    staged.resize(b.bytes());
    reorderOnHost(b, const_cast<void *>(data), staged.data(), true);
    return staged.data();
  }

  static void reorderOnHost(const bin::Buffer &b, void *plain, void *laid, bool toLaid) {
    dnnl::engine cpu(dnnl::engine::kind::cpu, 0);
    dnnl::stream s(cpu);
    dnnl::memory::dims dims(b.layout_dims()->begin(), b.layout_dims()->end());
    auto tag = [](const flatbuffers::String *n) {
      auto t = contract::tagByName(n->str());
      if (!t)
        throw RuntimeError("model.bin uses the layout '" + n->str() + "', which this krun does not know");
      return *t;
    };
    dnnl::memory p({dims, dnnl::memory::data_type::f32, tag(b.plain_layout())}, cpu, plain);
    dnnl::memory l({dims, dnnl::memory::data_type::f32, tag(b.layout())}, cpu, laid);
    if (toLaid)
      dnnl::reorder(p, l).execute(s, p, l);
    else
      dnnl::reorder(l, p).execute(s, l, p);
    s.wait();
  }
};

} // namespace

} // namespace kcc::rt::cuda

/// The plugin entry point: errors cross the library boundary as text.
extern "C" kcc::rt::Backend *kcc_make_cuda_backend(const kcc::bin::Model *model, const char *path,
                                                   char *error, unsigned errorSize) {
  try {
    return new kcc::rt::cuda::CudaBackend(*model, path);
  } catch (const std::exception &e) {
    std::snprintf(error, errorSize, "%s", e.what());
    return nullptr;
  }
}
