//===- PlanMemory.cpp - exec-plan-memory ----------------------------------===//
//
// Algorithm:
//   1. Persistent buffers: one slot per name across all programs, laid out
//      one after another from offset 0.
//   2. Transient buffers, per program: the live interval of a buffer runs
//      from the first to the last call that touches it or a view of it.
//   3. Greedy by decreasing size: each buffer goes to the lowest offset
//      where it overlaps no placed buffer that is live at the same time.
//   4. Programs never run concurrently, so their transient regions overlap;
//      the arena is persistent + the largest transient region.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "llvm/ADT/MapVector.h"

namespace kcc {
#define GEN_PASS_DEF_EXECPLANMEMORY
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::exec;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t v) { return (v + kAlignment - 1) / kAlignment * kAlignment; }

/// The exec.alloc a buffer value ultimately refers to.
AllocOp rootAlloc(Value v) {
  while (auto view = v.getDefiningOp<ViewOp>())
    v = view.getSource();
  return v.getDefiningOp<AllocOp>();
}

struct Interval {
  AllocOp alloc;
  int64_t first = INT64_MAX, last = -1, size = 0, offset = 0;
};

struct ExecPlanMemoryPass : public kcc::impl::ExecPlanMemoryBase<ExecPlanMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::MapVector<StringRef, int64_t> persistentOffset;
    llvm::StringMap<int64_t> bytesByKind, unplannedByKind;
    int64_t persistent = 0;
    SmallVector<func::FuncOp> programs;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr(kProgramAttrName))
        programs.push_back(f);

    // 1. Persistent slots.
    for (func::FuncOp program : programs)
      for (auto alloc : program.getOps<AllocOp>()) {
        if (!alloc.isPersistent())
          continue;
        StringRef name = *alloc.getName();
        auto it = persistentOffset.find(name);
        if (it == persistentOffset.end()) {
          it = persistentOffset.insert({name, persistent}).first;
          persistent = alignUp(persistent + alloc.getSizeInBytes());
          bytesByKind[stringifyBufferKind(alloc.getKind())] += alloc.getSizeInBytes();
        }
        alloc.setOffset(it->second);
      }

    // 2-3. Transient buffers per program.
    int64_t transient = 0;
    for (func::FuncOp program : programs) {
      llvm::MapVector<Operation *, Interval> intervals;
      int64_t index = 0;
      for (Operation &op : program.getBody().front()) {
        for (Value v : op.getOperands()) {
          AllocOp root = rootAlloc(v);
          if (!root || root.isPersistent())
            continue;
          Interval &iv = intervals[root];
          iv.alloc = root;
          iv.first = std::min(iv.first, index);
          iv.last = std::max(iv.last, index);
        }
        ++index;
      }
      SmallVector<Interval *> order;
      for (auto &[op, iv] : intervals) {
        iv.size = alignUp(iv.alloc.getSizeInBytes());
        unplannedByKind[stringifyBufferKind(iv.alloc.getKind())] += iv.size;
        order.push_back(&iv);
      }
      llvm::stable_sort(order, [](Interval *a, Interval *b) { return a->size > b->size; });
      SmallVector<Interval *> placed;
      int64_t top = 0;
      for (Interval *iv : order) {
        SmallVector<std::pair<int64_t, int64_t>> busy; // address ranges live with iv
        for (Interval *p : placed)
          if (p->first <= iv->last && iv->first <= p->last)
            busy.push_back({p->offset, p->offset + p->size});
        llvm::sort(busy);
        int64_t offset = 0;
        for (auto [lo, hi] : busy) {
          if (offset + iv->size <= lo)
            break;
          offset = std::max(offset, hi);
        }
        iv->offset = offset;
        top = std::max(top, offset + iv->size);
        placed.push_back(iv);
      }
      for (Interval *iv : placed)
        iv->alloc.setOffset(persistent + iv->offset);
      // Allocations no call touches still need a (harmless) address.
      for (auto alloc : program.getOps<AllocOp>())
        if (!alloc.getOffset())
          alloc.setOffset(persistent);
      transient = std::max(transient, top);
    }

    // 4. What kcc --report-memory prints.
    Builder b(module.getContext());
    SmallVector<NamedAttribute> report = {
        b.getNamedAttr("arena_bytes", b.getI64IntegerAttr(persistent + transient)),
        b.getNamedAttr("persistent_bytes", b.getI64IntegerAttr(persistent)),
        b.getNamedAttr("transient_bytes", b.getI64IntegerAttr(transient))};
    for (auto &[kind, bytes] : bytesByKind)
      report.push_back(b.getNamedAttr(kind, b.getI64IntegerAttr(bytes)));
    for (auto &[kind, bytes] : unplannedByKind)
      report.push_back(b.getNamedAttr((kind + "_unshared").str(), b.getI64IntegerAttr(bytes)));
    module->setAttr(kMemoryAttr, b.getDictionaryAttr(report));
  }
};

} // namespace
