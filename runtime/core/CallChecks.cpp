//===- CallChecks.cpp - every call of a model.bin fits its buffers --------===//
//
// The checksum catches damage; this catches a file that is well-formed but
// wrong (a kcc bug, or a deliberate edit with a recomputed checksum): before
// any backend builds an executor, each call must have the parameters its
// kind reads, the operand count its executor indexes, sizes that fit in
// int64, and buffers at least as large as those sizes say. So a bad call
// parameter (a matmul's m x 100, a kernel's domain x 1000) is an error at
// load, never an out-of-bounds access in oneDNN or a generated kernel.
//
//===----------------------------------------------------------------------===//

#include "core/ModelFile.h"

#include "core/RuntimeError.h"

#include <algorithm>
#include <initializer_list>
#include <string>

namespace kcc::rt {

namespace {

int64_t elementBytes(bin::DType t) {
  switch (t) {
  case bin::DType::F32:
  case bin::DType::I32:
    return 4;
  case bin::DType::I64:
    return 8;
  case bin::DType::BF16:
    return 2;
  case bin::DType::U8:
    return 1;
  }
  return 0;
}

class CallChecker {
public:
  CallChecker(const bin::Model &m, const std::string &file) : m(m), file(file) {}

  void check(const bin::Call &c, const std::string &program, size_t index) {
    call = &c;
    where = program + " call " + std::to_string(index) + " (" + bin::EnumNameCallKind(c.kind()) +
            (c.layer() && c.layer()->size() ? ", layer " + c.layer()->str() : "") + ")";
    switch (c.kind()) {
    case bin::CallKind::MatMul: {
      auto *p = params(c.params_as_MatMulParams(), "MatMulParams");
      operands(2, 3, 1, 1);
      int64_t mm = dim(p->m()), n = dim(p->n()), k = dim(p->k());
      holds(in(0), product({mm, k}), "A [m, k]"); // (each up to 2^40: products checked)
      holds(in(1), product({k, n}), "B [k, n]");
      holds(out(0), product({mm, n}), "C [m, n]");
      if (c.inputs()->size() == 3)
        holds(in(2), n, "the bias [n]");
      break;
    }
    case bin::CallKind::Conv2D:
    case bin::CallKind::Conv2DBackwardData:
    case bin::CallKind::Conv2DBackwardFilter: {
      auto *p = params(c.params_as_ConvParams(), "ConvParams");
      bool filter = c.kind() == bin::CallKind::Conv2DBackwardFilter;
      bool forward = c.kind() == bin::CallKind::Conv2D;
      operands(2, forward ? 3 : 2, 1, filter ? 2 : 1);
      lengths({{p->strides(), 2}, {p->dilations(), 2}, {p->pads(), 4}});
      int64_t src = product({p->batch(), p->in_channels(), p->in_height(), p->in_width()});
      int64_t dst = product({p->batch(), p->out_channels(), p->out_height(), p->out_width()});
      int64_t wei = product({p->out_channels(), p->in_channels(), p->kernel_height(), p->kernel_width()});
      if (forward) {
        holds(in(0), src, "the image"), holds(in(1), wei, "the filter"), holds(out(0), dst, "the output");
        if (c.inputs()->size() == 3)
          holds(in(2), dim(p->out_channels()), "the bias");
      } else if (!filter) { // ins(dy, w) outs(dx)
        holds(in(0), dst, "dy"), holds(in(1), wei, "the filter"), holds(out(0), src, "dx");
      } else { // ins(x, dy) outs(dw[, db])
        holds(in(0), src, "x"), holds(in(1), dst, "dy"), holds(out(0), wei, "dw");
        if (c.outputs()->size() == 2)
          holds(out(1), dim(p->out_channels()), "db");
      }
      break;
    }
    case bin::CallKind::MaxPool2D:
    case bin::CallKind::MaxPool2DBackward: {
      auto *p = params(c.params_as_PoolParams(), "PoolParams");
      bool forward = c.kind() == bin::CallKind::MaxPool2D;
      // On CUDA the backward also reads the forward's x and y (cuDNN).
      size_t backwardIns = m.target() && m.target()->str() == "cuda" ? 4 : 2;
      operands(forward ? 1 : backwardIns, forward ? 1 : backwardIns, 1, forward ? 2 : 1);
      lengths({{p->pool_size(), 2}, {p->strides(), 2}, {p->pads(), 4}});
      int64_t src = product({p->batch(), p->channels(), p->in_height(), p->in_width()});
      int64_t dst = product({p->batch(), p->channels(), p->out_height(), p->out_width()});
      holds(forward ? in(0) : out(0), src, "the pooling input");
      holds(forward ? out(0) : in(0), dst, "the pooling output");
      if (!forward && backwardIns == 4)
        holds(in(2), src, "the forward's input"), holds(in(3), dst, "the forward's output");
      break;
    }
    case bin::CallKind::LSTMForward:
    case bin::CallKind::LSTMBackward: {
      auto *p = params(c.params_as_LstmParams(), "LstmParams");
      // The cells' arguments (runtime/cpu/Recurrence.cpp): forward (gates,
      // c_t, c_t+1, h_t+1); backward adds dh, dy_t, dc and dgates_t.
      kernel(p->cell(), c.kind() == bin::CallKind::LSTMForward ? 4 : 7, "its cell kernel");
      int64_t n = dim(p->batch()), t = dim(p->steps()), u = dim(p->units());
      int64_t r = product({u, 4 * u}), gates = product({t, n, 4 * u}), state = product({t + 1, n, u});
      if (c.kind() == bin::CallKind::LSTMForward) { // ins(r) outs(gates, h, c)
        operands(1, 1, 3, 3);
        holds(in(0), r, "R [U, 4U]"), holds(out(0), gates, "the gates"), holds(out(1), state, "h");
        holds(out(2), state, "c");
      } else { // ins(r, gates, c, dy, x, h) outs(dgates, dh, dc, dw, dr, db)
        operands(6, 6, 6, 6);
        holds(in(0), r, "R"), holds(in(1), gates, "the gates"), holds(in(2), state, "c");
        holds(in(3), p->return_sequences() ? product({t, n, u}) : product({n, u}), "dy");
        const bin::Buffer &x = buffer(in(4));
        if (!x.shape() || x.shape()->size() != 3)
          bad("x must be [batch, steps, channels]");
        int64_t channels = dim(x.shape()->Get(2));
        holds(in(4), product({t, n, channels}), "x"), holds(in(5), state, "h");
        holds(out(0), gates, "dgates"), holds(out(1), product({n, u}), "dh"), holds(out(2), product({n, u}), "dc");
        holds(out(3), product({channels, 4 * u}), "dW"), holds(out(4), r, "dR"), holds(out(5), 4 * u, "db");
      }
      break;
    }
    case bin::CallKind::Kernel: {
      auto *p = params(c.params_as_KernelParams(), "KernelParams");
      size_t count = (c.inputs() ? c.inputs()->size() : 0) + (c.outputs() ? c.outputs()->size() : 0);
      kernel(p->kernel(), count, "its kernel");
      // A kernel's iterations never outnumber the elements of its largest
      // operand (elementwise: the output; reductions: fewer).
      int64_t most = 0;
      for (auto *list : {c.inputs(), c.outputs()})
        if (list)
          for (uint32_t b : *list)
            most = std::max(most, elements(b));
      if (p->domain() < 0 || p->domain() > most)
        bad("domain " + std::to_string(p->domain()) + " exceeds the " + std::to_string(most) +
            " elements of its largest operand");
      break;
    }
    case bin::CallKind::Reorder:
      params(c.params_as_ReorderParams(), "ReorderParams");
      operands(1, 1, 1, 1);
      if (logicalElements(in(0)) != logicalElements(out(0)))
        bad("reorders between buffers of different sizes");
      holds(in(0), logicalElements(in(0)), "the source");
      holds(out(0), logicalElements(out(0)), "the destination");
      break;
    case bin::CallKind::AllReduce:
      params(c.params_as_AllReduceParams(), "AllReduceParams");
      operands(1, 1, 1, 1);
      if (logicalElements(in(0)) != logicalElements(out(0)))
        bad("sums a buffer into one of a different size");
      if (buffer(in(0)).dtype() != bin::DType::F32 || buffer(out(0)).dtype() != bin::DType::F32)
        bad("sums buffers that are not float32");
      holds(in(0), logicalElements(in(0)), "the source");
      holds(out(0), logicalElements(out(0)), "the destination");
      break;
    case bin::CallKind::Fill:
      params(c.params_as_FillParams(), "FillParams");
      operands(0, 0, 1, 1);
      break;
    default:
      bad("has an unknown call kind " + std::to_string(static_cast<int>(c.kind())));
    }
  }

private:
  const bin::Model &m;
  const std::string &file;
  const bin::Call *call = nullptr;
  std::string where;

  [[noreturn]] void bad(const std::string &what) const {
    throw RuntimeError(file + ": corrupt model.bin: " + where + ": " + what + " (recompile it with kcc)");
  }

  template <typename P> const P *params(const P *p, const char *name) const {
    if (!p)
      bad(std::string("expected ") + name);
    return p;
  }

  void operands(size_t minIn, size_t maxIn, size_t minOut, size_t maxOut) const {
    size_t ins = call->inputs() ? call->inputs()->size() : 0, outs = call->outputs() ? call->outputs()->size() : 0;
    if (ins < minIn || ins > maxIn || outs < minOut || outs > maxOut)
      bad("has " + std::to_string(ins) + " inputs and " + std::to_string(outs) + " outputs");
  }

  uint32_t in(size_t i) const { return call->inputs()->Get(static_cast<uint32_t>(i)); }
  uint32_t out(size_t i) const { return call->outputs()->Get(static_cast<uint32_t>(i)); }
  const bin::Buffer &buffer(uint32_t b) const { return *m.buffers()->Get(b); }

  void kernel(uint32_t index, size_t arity, const char *what) const {
    const bin::CodeObject &code = *m.code();
    if (!code.kernel_arity() || !code.kernels() || code.kernel_arity()->size() != code.kernels()->size())
      bad("the kernel table has no arities");
    if (index >= code.kernels()->size())
      bad(std::string(what) + " is missing");
    if (code.kernel_arity()->Get(index) != arity)
      bad(std::string(what) + " '" + code.kernels()->Get(index)->str() + "' takes " +
          std::to_string(code.kernel_arity()->Get(index)) + " buffers, the call passes " + std::to_string(arity));
  }

  void lengths(std::initializer_list<std::pair<const flatbuffers::Vector<int64_t> *, size_t>> vs) const {
    for (auto [v, n] : vs)
      if (!v || v->size() != n)
        bad("a geometry vector (strides, dilations, pads or pool size) has the wrong length");
  }

  int64_t dim(int64_t d) const {
    if (d < 1 || d > (int64_t(1) << 40))
      bad("has a size of " + std::to_string(d));
    return d;
  }

  int64_t product(std::initializer_list<int64_t> dims) const {
    int64_t n = 1;
    for (int64_t d : dims)
      if (__builtin_mul_overflow(n, dim(d), &n) || n > (int64_t(1) << 42))
        bad("sizes multiply past what any buffer can hold");
    return n;
  }

  int64_t elements(uint32_t b) const {
    int64_t e = elementBytes(buffer(b).dtype());
    return e ? buffer(b).bytes() / e : 0;
  }

  int64_t logicalElements(uint32_t b) const {
    int64_t n = 1;
    if (buffer(b).shape())
      for (int64_t d : *buffer(b).shape())
        if (__builtin_mul_overflow(n, dim(d), &n) || n > (int64_t(1) << 42))
          bad("a buffer's shape multiplies past what any buffer can hold");
    return n;
  }

  void holds(uint32_t b, int64_t count, const char *what) const {
    if (elements(b) < count)
      bad(std::string(what) + " needs " + std::to_string(count) + " elements, its buffer " + std::to_string(b) +
          " holds " + std::to_string(elements(b)));
  }
};

} // namespace

void checkCalls(const bin::Model &m, const std::string &file) {
  CallChecker checker(m, file);
  for (auto [program, name] : {std::pair{m.train(), "train_step"}, {m.eval(), "eval_step"}})
    for (size_t i = 0; i < program->calls()->size(); ++i)
      checker.check(*program->calls()->Get(static_cast<uint32_t>(i)), name, i);
}

} // namespace kcc::rt
