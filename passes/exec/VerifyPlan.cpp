//===- VerifyPlan.cpp - exec-verify-plan ----------------------------------===//
//
// The memory plan trusts call operands: a transient buffer lives from the
// first to the last call that names it. This pass replays every program
// over the placed arena with what each call really reads and writes on the
// target, and fails compilation if a call would read bytes another buffer
// has overwritten (or bytes nothing in the program wrote). What a call
// reads beyond its inputs is listed in callAccesses: that list is the
// backends' side of the contract (runtime/cpu, runtime/cuda), kept here so
// a backend that starts reading more has exactly one place to say so.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "llvm/ADT/DenseMap.h"

namespace kcc {
#define GEN_PASS_DEF_EXECVERIFYPLAN
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::exec;

namespace {

/// A buffer's bytes in the arena and the allocation it belongs to.
struct Placed {
  AllocOp root;
  int64_t begin = 0, end = 0;
};

Placed place(Value v) {
  int64_t viewBytes = 0;
  auto type = llvm::cast<BufferType>(v.getType());
  Value source = v;
  while (auto view = source.getDefiningOp<ViewOp>()) {
    auto src = llvm::cast<BufferType>(view.getSource().getType());
    viewBytes += view.getOffset() * (src.getElementType().getIntOrFloatBitWidth() / 8);
    source = view.getSource();
  }
  auto root = source.getDefiningOp<AllocOp>();
  if (!root || !root.getOffset())
    return {};
  int64_t begin = *root.getOffset() + viewBytes;
  int64_t bytes = v == source ? root.getSizeInBytes() : type.getPlainBytes();
  return {root, begin, begin + bytes};
}

struct Accesses {
  SmallVector<Value, 8> reads, writes;
};

/// What |op| reads and writes when |target| runs it.
Accesses callAccesses(exec::CallOpInterface call, StringRef target) {
  Operation *op = call.getOperation();
  Accesses a;
  llvm::append_range(a.reads, call.getInputs());
  llvm::append_range(a.writes, call.getOutputs());
  if (auto mm = dyn_cast<MatMulOp>(op); mm && mm.getAccumulate())
    a.reads.push_back(call.getOutputs()[0]); // C += A B
  if (isa<LSTMForwardOp>(op))
    a.reads.push_back(call.getOutputs()[0]); // the gates hold x W + b on entry
  if (target == "cuda")
    if (auto backward = dyn_cast<MaxPool2DBackwardOp>(op)) {
      // cudnnPoolingBackward re-reads the forward's input and output (found
      // through the workspace the forward wrote), not a workspace of indices.
      Value ws = backward.getInputs()[1];
      for (Operation *user : ws.getUsers())
        if (auto forward = dyn_cast<MaxPool2DOp>(user); forward && forward.getOutputs().size() == 2 &&
                                                          forward.getOutputs()[1] == ws) {
          a.reads.push_back(forward.getInputs()[0]);
          a.reads.push_back(forward.getOutputs()[0]);
        }
    }
  return a;
}

/// Bytes of a buffer that another buffer's write overwrote.
struct Clobber {
  int64_t begin, end;
  Operation *by;
};

struct BufferState {
  bool written = false;
  SmallVector<Clobber> clobbers;
};

/// Removes [begin, end) from |clobbers| (a fresh write makes those bytes good).
void heal(SmallVector<Clobber> &clobbers, int64_t begin, int64_t end) {
  SmallVector<Clobber> kept;
  for (const Clobber &c : clobbers) {
    if (c.begin < begin)
      kept.push_back({c.begin, std::min(c.end, begin), c.by});
    if (c.end > end)
      kept.push_back({std::max(c.begin, end), c.end, c.by});
  }
  clobbers = std::move(kept);
}

struct ExecVerifyPlanPass : public kcc::impl::ExecVerifyPlanBase<ExecVerifyPlanPass> {
  using ExecVerifyPlanBase::ExecVerifyPlanBase;

  void runOnOperation() override {
    if (target != "cpu" && target != "cuda") {
      getOperation().emitError() << "exec-verify-plan: unknown target '" << target << "'";
      return signalPassFailure();
    }
    for (auto program : getOperation().getOps<func::FuncOp>())
      if (program->hasAttr(kProgramAttrName) && failed(verify(program)))
        return signalPassFailure();
  }

  LogicalResult verify(func::FuncOp program) {
    SmallVector<AllocOp> transients;
    for (auto alloc : program.getOps<AllocOp>())
      if (!alloc.isPersistent() && alloc.getOffset())
        transients.push_back(alloc);
    llvm::DenseMap<Operation *, BufferState> state;
    for (Operation &op : program.getBody().front()) {
      auto call = dyn_cast<exec::CallOpInterface>(&op);
      if (!call)
        continue;
      Accesses accesses = callAccesses(call, target);
      for (Value v : accesses.reads)
        if (failed(checkRead(&op, v, state)))
          return failure();
      for (Value v : accesses.writes) {
        Placed w = place(v);
        if (!w.root || w.root.isPersistent())
          continue;
        BufferState &own = state[w.root];
        own.written = true;
        heal(own.clobbers, w.begin, w.end);
        for (AllocOp other : transients) {
          Placed o = place(other.getResult());
          if (other != w.root && o.begin < w.end && w.begin < o.end)
            state[other].clobbers.push_back({std::max(o.begin, w.begin), std::min(o.end, w.end), &op});
        }
      }
    }
    return success();
  }

  LogicalResult checkRead(Operation *op, Value v, llvm::DenseMap<Operation *, BufferState> &state) {
    Placed r = place(v);
    if (!r.root || r.root.isPersistent())
      return success();
    BufferState &s = state[r.root];
    if (!s.written)
      return op->emitError() << "reads a transient buffer (arena bytes [" << r.begin << ", " << r.end
                             << ")) that no earlier call of @"
                             << op->getParentOfType<func::FuncOp>().getName()
                             << " wrote: it holds whatever the last step left there";
    for (const Clobber &c : s.clobbers)
      if (c.begin < r.end && r.begin < c.end) {
        InFlightDiagnostic d = op->emitError()
                               << "reads arena bytes [" << r.begin << ", " << r.end << ") on target '" << target
                               << "', but the memory plan gave bytes [" << c.begin << ", " << c.end
                               << ") to another buffer in between: a read the call's operands do not show";
        d.attachNote(c.by->getLoc()) << "overwritten here by " << c.by->getName();
        d.attachNote(r.root.getLoc()) << "the buffer read";
        return failure();
      }
    return success();
  }
};

} // namespace
