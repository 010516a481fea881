//===- CpuBackend.cpp - oneDNN + generated kernels on the host ------------===//

#include "cpu/CpuBackend.h"

#include "core/RuntimeError.h"
#include "contract/OneDnnTags.h"

#include <cstdlib>
#include <cstring>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <xmmintrin.h>
#include <sstream>

namespace kcc::rt::cpu {

using dnnl::memory;
using contract::tagByName;

dnnl::memory::desc CpuContext::plainDesc(uint32_t index, const memory::dims &dims) const {
  memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * dims[i + 1];
  return memory::desc(dims, dataType(index), strides);
}

dnnl::memory::desc CpuContext::imageDesc(uint32_t index, const memory::dims &dims,
                                         memory::format_tag plainTag) const {
  const bin::Buffer &b = buffer(index);
  memory::format_tag tag = b.layout() && b.layout()->size() ? tagFromName(b.layout()->str()) : plainTag;
  return memory::desc(dims, dataType(index), tag);
}

memory::data_type CpuContext::dataType(uint32_t index) const {
  switch (buffer(index).dtype()) {
  case bin::DType::I32:
    return memory::data_type::s32;
  case bin::DType::BF16:
    return memory::data_type::bf16;
  case bin::DType::U8:
    return memory::data_type::u8;
  default:
    return memory::data_type::f32;
  }
}

memory::format_tag tagFromName(const std::string &name) {
  if (auto t = tagByName(name))
    return *t;
  throw RuntimeError("model.bin uses the layout '" + name + "', which this krun does not know");
}

namespace {

/// Flushes denormal results and inputs to zero (MXCSR FTZ and DAZ) on this
/// thread and every OpenMP worker, as TensorFlow does: on many x86 cores
/// arithmetic on denormals takes a microcode assist, and optimizer slots of
/// rarely used weights (an RMSprop accumulator for an always-black MNIST
/// pixel) decay through the denormal range.
void flushDenormals(int threads) {
  constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
  _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero);
#pragma omp parallel num_threads(threads)
  _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero);
}

/// Pins OpenMP thread i to the i-th CPU this process may use, as oneDNN
/// advises, so the scheduler cannot stack both compute threads (and the batch
/// producer) on one core. On the two-core dev machine it neither helped nor
/// hurt measurably: the slow phases seen there (epochs ~30% slower for tens
/// of seconds) hit pinned and unpinned runs alike (BENCHMARKS.md, bf16).
/// The user's own placement (OMP_PROC_BIND, OMP_PLACES, GOMP_CPU_AFFINITY)
/// wins, and with fewer CPUs than threads nothing is pinned. Threads started later by this thread (the batch
/// producer) inherit thread 0's CPU, as with OMP_PROC_BIND=close.
std::string pinOpenMpThreads(int threads) {
  for (const char *v : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"})
    if (std::getenv(v))
      return std::string("threads left to ") + v;
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
    return "threads not pinned (sched_getaffinity failed)";
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &allowed))
      cpus.push_back(c);
  if (static_cast<int>(cpus.size()) < threads)
    return "threads not pinned (" + std::to_string(threads) + " threads, " + std::to_string(cpus.size()) +
           " CPUs)";
  int failed = 0;
#pragma omp parallel num_threads(threads) reduction(+ : failed)
  {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpus[omp_get_thread_num()], &one);
    failed += pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0;
  }
  if (failed)
    return "threads not pinned (pthread_setaffinity_np failed)";
  std::string list;
  for (int i = 0; i < threads; ++i)
    list += (i ? "," : "") + std::to_string(cpus[i]);
  return "threads pinned to CPUs " + list;
}

/// CPU features the generated code was compiled for that this CPU lacks.
std::string missingFeatures(const std::string &features) {
  struct Check {
    const char *llvmName;
    bool present;
  };
  __builtin_cpu_init();
  const Check checks[] = {
      {"+avx", static_cast<bool>(__builtin_cpu_supports("avx"))},
      {"+avx2", static_cast<bool>(__builtin_cpu_supports("avx2"))},
      {"+fma", static_cast<bool>(__builtin_cpu_supports("fma"))},
      {"+avx512f", static_cast<bool>(__builtin_cpu_supports("avx512f"))},
      {"+avx512bw", static_cast<bool>(__builtin_cpu_supports("avx512bw"))},
      {"+avx512dq", static_cast<bool>(__builtin_cpu_supports("avx512dq"))},
      {"+avx512vl", static_cast<bool>(__builtin_cpu_supports("avx512vl"))},
  };
  std::string missing;
  for (const Check &c : checks) {
    std::string f = c.llvmName;
    size_t pos = features.find(f);
    bool required = pos != std::string::npos &&
                    (pos + f.size() == features.size() || features[pos + f.size()] == ',');
    if (required && !c.present)
      missing += (missing.empty() ? "" : ", ") + f.substr(1);
  }
  return missing;
}

class CpuBackend : public Backend {
public:
  CpuBackend(const bin::Model &model, const std::string &path, int threads) : ctx(model) {
    ctx.threads = threads;
    omp_set_num_threads(threads);
    flushDenormals(threads);
    const bin::CodeObject &code = *model.code();
    std::string format = code.format() ? code.format()->str() : "";
    if (format != "elf-x86_64")
      throw RuntimeError(path + ": compiled for the '" + (model.target() ? model.target()->str() : "?") +
                         "' target (" + format + "); krun on the CPU needs kcc --target=cpu");
    std::string features = code.features() ? code.features()->str() : "";
    if (std::string missing = missingFeatures(features); !missing.empty())
      throw RuntimeError(path + ": its kernels were compiled for a CPU with " + missing +
                         ", which this CPU lacks; recompile with kcc --cpu=<this cpu> (e.g. x86-64-v3)");
    size_t bytes = (static_cast<size_t>(model.arena_bytes()) + 63) / 64 * 64 + 64;
    // Compared before allocating: Linux overcommits, so an arena larger than
    // the machine would otherwise fail much later, in the OOM killer.
    double machine = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (machine > 0 && static_cast<double>(bytes) > machine)
      throw RuntimeError(path + ": the model needs " + std::to_string(bytes >> 20) + " MiB of working memory, " +
                         "more than this machine's " + std::to_string(static_cast<int64_t>(machine) >> 20) +
                         " MiB (a smaller batch size needs less: kcc --batch-size N)");
    arena = static_cast<uint8_t *>(std::aligned_alloc(64, bytes));
    if (!arena)
      throw RuntimeError("cannot allocate the " + std::to_string(bytes >> 20) + " MiB arena");
    std::memset(arena, 0, bytes);
    ctx.arena = arena;
    ctx.code = std::make_unique<LoadedObject>(code.object()->data(), code.object()->size(), path);
    if (code.kernels())
      for (const flatbuffers::String *k : *code.kernels())
        ctx.kernels.push_back(ctx.code->entry(k->str() + "_entry"));
  }
  ~CpuBackend() override { std::free(arena); }

  std::string pinThreads() override { return pinOpenMpThreads(ctx.threads); }
  std::string describe() const override {
    const dnnl_version_t *v = dnnl_version();
    std::ostringstream os;
    os << "cpu, oneDNN " << v->major << "." << v->minor << "." << v->patch << " (isa "
       << static_cast<int>(dnnl::get_effective_cpu_isa()) << "), " << ctx.threads << " threads, kernels for "
       << (ctx.model.code()->cpu() ? ctx.model.code()->cpu()->str() : "?");
    return os.str();
  }

  std::unique_ptr<Executor> makeExecutor(const bin::Call &call) override {
    switch (call.kind()) {
    case bin::CallKind::MatMul:
      return makeMatMul(ctx, call);
    case bin::CallKind::Conv2D:
    case bin::CallKind::Conv2DBackwardData:
    case bin::CallKind::Conv2DBackwardFilter:
      return makeConvolution(ctx, call);
    case bin::CallKind::MaxPool2D:
    case bin::CallKind::MaxPool2DBackward:
      return makePooling(ctx, call);
    case bin::CallKind::LSTMForward:
    case bin::CallKind::LSTMBackward:
      return makeLSTM(ctx, call);
    case bin::CallKind::Kernel:
      return makeKernel(ctx, call);
    case bin::CallKind::Reorder:
      return makeReorder(ctx, call);
    case bin::CallKind::Fill:
      return makeFill(ctx, call);
    case bin::CallKind::AllReduce: // krun's session runs it (Collective.h)
      break;
    }
    throw RuntimeError("model.bin has a call kind this krun does not know; recompile it");
  }

  void write(uint32_t index, const void *data) override {
    const bin::Buffer &b = ctx.buffer(index);
    if (b.layout() && b.layout()->size())
      return transferLaidOut(index, const_cast<void *>(data), /*toBuffer=*/true);
    std::memcpy(ctx.pointer(index), data, b.bytes());
  }

  void read(uint32_t index, void *data) override {
    const bin::Buffer &b = ctx.buffer(index);
    if (b.layout() && b.layout()->size())
      return transferLaidOut(index, data, /*toBuffer=*/false);
    std::memcpy(data, ctx.pointer(index), b.bytes());
  }

  void writeStored(uint32_t index, const void *data) override {
    std::memcpy(ctx.pointer(index), data, ctx.buffer(index).bytes());
  }
  void readStored(uint32_t index, void *data) override {
    std::memcpy(data, ctx.pointer(index), ctx.buffer(index).bytes());
  }

private:
  CpuContext ctx;
  uint8_t *arena = nullptr;

  /// Reorders between the plain Keras order and a laid-out buffer, both
  /// described over the library's logical dims recorded in model.bin.
  void transferLaidOut(uint32_t index, void *host, bool toBuffer) {
    const bin::Buffer &b = ctx.buffer(index);
    if (!b.layout_dims() || !b.plain_layout())
      throw RuntimeError("corrupt model.bin: laid-out buffer without its logical dims");
    memory::dims dims(b.layout_dims()->begin(), b.layout_dims()->end());
    memory plainMem(memory::desc(dims, memory::data_type::f32, tagFromName(b.plain_layout()->str())),
                    ctx.engine, host);
    memory laidMem(memory::desc(dims, memory::data_type::f32, tagFromName(b.layout()->str())), ctx.engine,
                   ctx.pointer(index));
    if (toBuffer)
      dnnl::reorder(plainMem, laidMem).execute(ctx.stream, plainMem, laidMem);
    else
      dnnl::reorder(laidMem, plainMem).execute(ctx.stream, laidMem, plainMem);
    ctx.stream.wait();
  }
};

} // namespace

} // namespace kcc::rt::cpu

namespace kcc::rt {
std::unique_ptr<Backend> makeCpuBackend(const bin::Model &model, const std::string &path, int threads) {
  return std::make_unique<cpu::CpuBackend>(model, path, threads);
}
} // namespace kcc::rt
