//===- Recurrence.cpp - the sequential part of LSTMs ----------------------===//
//
// Forward, per step t:   gates_t += h_t R          (oneDNN matmul, sum post-op)
//                        cell kernel(gates_t, c_t) -> activated gates, c_t+1, h_t+1
// Backward, t = T-1..0:  cell-grad kernel(dh, dy_t, dc, ...) -> dgates_t, dc
//                        dh = dgates_t R^T          (oneDNN matmul)
//                        dW += x_t^T dgates_t, dR += h_t^T dgates_t, db += rows of dgates_t
// x W for all steps was compiled into one big matmul before the forward.
//
// The sequences of a batch are independent, so the batch rows are split
// between the threads once, and each thread runs all T steps on its own
// rows with single-threaded matmuls: no barrier per step, and each chunk
// of rows (sized so its gates stay in L2) is still in cache when the next
// product reads what the last one wrote. The backward sums the weight
// gradients per chunk while dgates_t is in cache, into one partial sum per
// thread; with chunks too thin for efficient products (small batches) it
// runs three big products over all steps after the loop instead.
//
//===----------------------------------------------------------------------===//

#include "cpu/CpuBackend.h"

#include <array>
#include <cstring>
#include <functional>
#include <map>
#include <omp.h>

namespace kcc::rt::cpu {

using dnnl::memory;

namespace {

constexpr int64_t kMinRowsPerThread = 8;
/// L2 budget of the gates one chunk of rows touches per step.
constexpr int64_t kChunkGateBytes = 512 * 1024;
/// Below this many rows a chunk's weight-gradient products (K = rows) are
/// too thin; the backward then sums over all steps after the loop.
constexpr int64_t kMinRowsForStepwiseGradients = 64;

struct Chunk {
  int64_t row0, rows;
};

/// The rows each thread owns, in chunks.
std::vector<std::vector<Chunk>> splitRows(int64_t n, int64_t u, int threads) {
  int used = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n / kMinRowsPerThread)));
  std::vector<std::vector<Chunk>> plan(used);
  int64_t perThread = (n + used - 1) / used;
  int64_t chunksPerThread = std::max<int64_t>(1, (perThread * 16 * u + kChunkGateBytes - 1) / kChunkGateBytes);
  int64_t chunk = (perThread + chunksPerThread - 1) / chunksPerThread;
  for (int t = 0; t < used; ++t)
    for (int64_t r = t * perThread; r < std::min(n, (t + 1) * perThread); r += chunk)
      plan[t].push_back({r, std::min({chunk, n - r, (t + 1) * perThread - r})});
  return plan;
}

memory::desc rowMajor(int64_t rows, int64_t cols) {
  return memory::desc({rows, cols}, memory::data_type::f32, memory::dims{cols, 1});
}
/// [rows, cols] stored as its transpose, [cols, rows] row-major.
memory::desc transposed(int64_t rows, int64_t cols) {
  return memory::desc({rows, cols}, memory::data_type::f32, memory::dims{1, rows});
}

/// A matmul a x b -> c that several threads run at once: each thread binds
/// its own memory objects and scratchpad.
class SharedMatMul {
public:
  SharedMatMul(CpuContext &ctx, memory::desc a, memory::desc b, memory::desc c, bool accumulate)
      : descs{a, b, c} {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (accumulate) {
      dnnl::post_ops po;
      po.append_sum(1.0f);
      attr.set_post_ops(po);
    }
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), attr, ctx.engine);
    prim = dnnl::matmul(pd);
    scratchpad = pd.scratchpad_desc();
  }
  std::array<memory::desc, 3> descs;
  dnnl::matmul prim;
  memory::desc scratchpad;
};

/// One thread's handles on a SharedMatMul.
class BoundMatMul {
public:
  BoundMatMul(CpuContext &ctx, const SharedMatMul &mm)
      : prim(&mm.prim), a(mm.descs[0], ctx.engine, nullptr), b(mm.descs[1], ctx.engine, nullptr),
        c(mm.descs[2], ctx.engine, nullptr), scratch(mm.scratchpad, ctx.engine) {}
  void run(dnnl::stream &s, const float *src, const float *weights, float *dst) {
    a.set_data_handle(const_cast<float *>(src));
    b.set_data_handle(const_cast<float *>(weights));
    c.set_data_handle(dst);
    prim->execute(s, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}, {DNNL_ARG_SCRATCHPAD, scratch}});
  }

private:
  const dnnl::matmul *prim;
  memory a, b, c, scratch;
};

/// The chunk plan of a recurrence and, per thread, a stream and its handles
/// on the products it runs per chunk (made once, reused every step).
class RowSplit {
public:
  /// The products, by what they compute; each has one matmul per distinct
  /// chunk height.
  enum Product { Recurrent, InputGrad, RecurrentGrad, NumProducts };
  using Shape = std::function<std::array<memory::desc, 3>(int64_t rows)>;

  RowSplit(CpuContext &ctx, int64_t n, int64_t u) : ctx(ctx), plan(splitRows(n, u, ctx.threads)) {
    for (size_t t = 0; t < plan.size(); ++t)
      threads.emplace_back(ctx.engine);
  }

  int64_t minRows() const {
    int64_t m = INT64_MAX;
    for (const auto &chunks : plan)
      for (const Chunk &ch : chunks)
        m = std::min(m, ch.rows);
    return m;
  }
  size_t size() const { return plan.size(); }

  void addProduct(Product p, const Shape &shape, bool accumulate) {
    for (size_t t = 0; t < plan.size(); ++t)
      for (const Chunk &ch : plan[t]) {
        auto key = std::make_pair(static_cast<int>(p), ch.rows);
        if (!shared.count(key)) {
          auto [a, b, c] = shape(ch.rows);
          shared.emplace(key, std::make_unique<SharedMatMul>(ctx, a, b, c, accumulate));
        }
        threads[t].bound.try_emplace(key, ctx, *shared.at(key));
      }
  }

  struct Thread {
    explicit Thread(const dnnl::engine &e) : stream(e) {}
    dnnl::stream stream;
    std::map<std::pair<int, int64_t>, BoundMatMul> bound;
    void run(Product p, const Chunk &ch, const float *src, const float *weights, float *dst) {
      bound.at({static_cast<int>(p), ch.rows}).run(stream, src, weights, dst);
    }
  };

  /// Runs |body(thread index, thread, its chunks)| on every thread at once.
  template <typename Body>
  void parallel(Body body) {
#pragma omp parallel num_threads(static_cast<int>(plan.size()))
    {
      int t = omp_get_thread_num();
      body(t, threads[t], plan[t]);
    }
  }

private:
  CpuContext &ctx;
  std::vector<std::vector<Chunk>> plan;
  std::map<std::pair<int, int64_t>, std::unique_ptr<SharedMatMul>> shared;
  std::vector<Thread> threads;
};

class LSTMForward : public Executor {
public:
  LSTMForward(CpuContext &ctx, const bin::Call &call)
      : n(call.params_as_LstmParams()->batch()), t(call.params_as_LstmParams()->steps()),
        u(call.params_as_LstmParams()->units()), cell(ctx.kernels[call.params_as_LstmParams()->cell()]),
        r(static_cast<float *>(ctx.pointer(call.inputs()->Get(0)))),
        gates(static_cast<float *>(ctx.pointer(call.outputs()->Get(0)))),
        h(static_cast<float *>(ctx.pointer(call.outputs()->Get(1)))),
        c(static_cast<float *>(ctx.pointer(call.outputs()->Get(2)))), split(ctx, n, u) {
    int64_t units = u;
    // gates_t [rows, 4U] += h_t [rows, U] x R [U, 4U]
    split.addProduct(
        RowSplit::Recurrent,
        [=](int64_t rows) {
          return std::array<memory::desc, 3>{rowMajor(rows, units), rowMajor(units, 4 * units),
                                             rowMajor(rows, 4 * units)};
        },
        /*accumulate=*/true);
  }

  void run() override {
    split.parallel([&](int, RowSplit::Thread &thread, const std::vector<Chunk> &chunks) {
      for (const Chunk &ch : chunks) {
        std::memset(h + ch.row0 * u, 0, sizeof(float) * ch.rows * u);
        std::memset(c + ch.row0 * u, 0, sizeof(float) * ch.rows * u);
      }
      for (int64_t step = 0; step < t; ++step) {
        float *gs = gates + step * n * 4 * u;
        void *args[] = {gs, c + step * n * u, c + (step + 1) * n * u, h + (step + 1) * n * u};
        for (const Chunk &ch : chunks) {
          if (step > 0) // h_0 = 0 adds nothing
            thread.run(RowSplit::Recurrent, ch, h + step * n * u + ch.row0 * u, r, gs + ch.row0 * 4 * u);
          cell(args, ch.row0, ch.row0 + ch.rows);
        }
      }
    });
  }
  std::string implementation() const override { return "onednn matmul + generated cell"; }

private:
  int64_t n, t, u;
  KernelEntry cell;
  float *r, *gates, *h, *c;
  RowSplit split;
};

class LSTMBackward : public Executor {
public:
  LSTMBackward(CpuContext &ctx, const bin::Call &call) : ctx(ctx), split(ctx, batchOf(call), unitsOf(call)) {
    const auto *p = call.params_as_LstmParams();
    n = p->batch(), t = p->steps(), u = p->units(), sequences = p->return_sequences();
    cell = ctx.kernels[p->cell()];
    auto in = [&](int i) { return static_cast<float *>(ctx.pointer(call.inputs()->Get(i))); };
    auto out = [&](int i) { return static_cast<float *>(ctx.pointer(call.outputs()->Get(i))); };
    r = in(0), gates = in(1), c = in(2), dy = in(3), x = in(4), h = in(5);
    dgates = out(0), dh = out(1), dc = out(2), dw = out(3), dr = out(4), db = out(5);
    cin = ctx.buffer(call.inputs()->Get(4)).shape()->Get(2);
    zeros.assign(n * u, 0.0f);

    int64_t units = u, channels = cin;
    // dh [rows, U] = dgates_t [rows, 4U] x R^T, R stored [U, 4U] row-major
    split.addProduct(
        RowSplit::Recurrent,
        [=](int64_t rows) {
          return std::array<memory::desc, 3>{rowMajor(rows, 4 * units), transposed(4 * units, units),
                                             rowMajor(rows, units)};
        },
        /*accumulate=*/false);
    stepwise = split.minRows() >= kMinRowsForStepwiseGradients;
    if (stepwise) {
      // dW [C, 4U] += x_t^T [C, rows] x dgates_t [rows, 4U]; dR likewise with h_t.
      for (auto [product, k] : {std::pair{RowSplit::InputGrad, channels}, {RowSplit::RecurrentGrad, units}})
        split.addProduct(
            product,
            [=, k = k](int64_t rows) {
              return std::array<memory::desc, 3>{transposed(k, rows), rowMajor(rows, 4 * units),
                                                 rowMajor(k, 4 * units)};
            },
            /*accumulate=*/true);
      for (size_t i = 1; i < split.size(); ++i)
        partials.emplace_back((cin + u + 1) * 4 * u);
    } else {
      // Over all T*N rows at once, after the recurrence.
      int64_t rows = t * n;
      auto product = [&](int64_t k) {
        return dnnl::matmul(dnnl::matmul::primitive_desc(
            dnnl::matmul::desc(transposed(k, rows), rowMajor(rows, 4 * u), rowMajor(k, 4 * u)), ctx.engine));
      };
      inputGrad = product(cin), recurrentGrad = product(u);
      xMem = memory(transposed(cin, rows), ctx.engine, x);
      hMem = memory(transposed(u, rows), ctx.engine, h);
      gMem = memory(rowMajor(rows, 4 * u), ctx.engine, dgates);
      dwMem = memory(rowMajor(cin, 4 * u), ctx.engine, dw);
      drMem = memory(rowMajor(u, 4 * u), ctx.engine, dr);
    }
  }

  void run() override {
    split.parallel([&](int index, RowSplit::Thread &thread, const std::vector<Chunk> &chunks) {
      // Thread 0 sums straight into the outputs, the others into partials.
      float *tdw = dw, *tdr = dr, *tdb = db;
      if (stepwise && index > 0) {
        tdw = partials[index - 1].data();
        tdr = tdw + cin * 4 * u;
        tdb = tdr + u * 4 * u;
      }
      if (stepwise) {
        std::memset(tdw, 0, sizeof(float) * cin * 4 * u);
        std::memset(tdr, 0, sizeof(float) * u * 4 * u);
        std::memset(tdb, 0, sizeof(float) * 4 * u);
      }
      for (const Chunk &ch : chunks) {
        std::memset(dh + ch.row0 * u, 0, sizeof(float) * ch.rows * u);
        std::memset(dc + ch.row0 * u, 0, sizeof(float) * ch.rows * u);
      }
      for (int64_t step = t - 1; step >= 0; --step) {
        float *dys = sequences ? dy + step * n * u : (step == t - 1 ? dy : zeros.data());
        float *dgs = dgates + step * n * 4 * u;
        void *args[] = {gates + step * n * 4 * u, c + step * n * u, c + (step + 1) * n * u, dh, dys, dc, dgs};
        for (const Chunk &ch : chunks) {
          float *dgChunk = dgs + ch.row0 * 4 * u;
          cell(args, ch.row0, ch.row0 + ch.rows);
          if (step > 0)
            thread.run(RowSplit::Recurrent, ch, dgChunk, r, dh + ch.row0 * u);
          if (!stepwise)
            continue;
          thread.run(RowSplit::InputGrad, ch, x + (step * n + ch.row0) * cin, dgChunk, tdw);
          if (step > 0) // h_0 = 0 adds nothing
            thread.run(RowSplit::RecurrentGrad, ch, h + (step * n + ch.row0) * u, dgChunk, tdr);
          addRows(dgChunk, ch.rows, tdb);
        }
      }
    });
    if (stepwise) {
      int64_t size = (cin + u + 1) * 4 * u;
      for (const std::vector<float> &p : partials) {
        // dw, dr and db are separate buffers; the partial keeps them back to back.
        for (int64_t i = 0; i < cin * 4 * u; ++i)
          dw[i] += p[i];
        for (int64_t i = 0; i < u * 4 * u; ++i)
          dr[i] += p[cin * 4 * u + i];
        for (int64_t i = 0; i < 4 * u; ++i)
          db[i] += p[size - 4 * u + i];
      }
      return;
    }
    inputGrad.execute(ctx.stream, {{DNNL_ARG_SRC, xMem}, {DNNL_ARG_WEIGHTS, gMem}, {DNNL_ARG_DST, dwMem}});
    recurrentGrad.execute(ctx.stream, {{DNNL_ARG_SRC, hMem}, {DNNL_ARG_WEIGHTS, gMem}, {DNNL_ARG_DST, drMem}});
    std::memset(db, 0, sizeof(float) * 4 * u);
    addRows(dgates, t * n, db);
  }
  std::string implementation() const override { return "onednn matmul + generated cell"; }

private:
  static int64_t batchOf(const bin::Call &call) { return call.params_as_LstmParams()->batch(); }
  static int64_t unitsOf(const bin::Call &call) { return call.params_as_LstmParams()->units(); }

  /// sum[j] += m[i][j] over |rows| rows of width 4U.
  void addRows(const float *m, int64_t rows, float *sum) const {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < 4 * u; ++j)
        sum[j] += m[i * 4 * u + j];
  }

  CpuContext &ctx;
  RowSplit split;
  int64_t n, t, u, cin;
  bool sequences, stepwise;
  KernelEntry cell;
  float *r, *gates, *c, *dy, *x, *h, *dgates, *dh, *dc, *dw, *dr, *db;
  std::vector<float> zeros;
  std::vector<std::vector<float>> partials;
  // The after-the-loop products.
  dnnl::matmul inputGrad, recurrentGrad;
  memory xMem, hMem, gMem, dwMem, drMem;
};

} // namespace

std::unique_ptr<Executor> makeLSTM(CpuContext &ctx, const bin::Call &call) {
  if (call.kind() == bin::CallKind::LSTMForward)
    return std::make_unique<LSTMForward>(ctx, call);
  return std::make_unique<LSTMBackward>(ctx, call);
}

} // namespace kcc::rt::cpu
