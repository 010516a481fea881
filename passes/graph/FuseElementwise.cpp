//===- FuseElementwise.cpp - graph-fuse-elementwise -----------------------===//
//
// Groups are formed in one pass over each function body:
//   1. For an elementwise op X, look for an operand produced by a member of
//      a group G with X's shape.
//   2. X may join G if no op outside G located before X reads a value of G
//      (the fused op will sit where X is; such a reader would precede it).
//   3. Otherwise X starts a group of its own.
// Groups of two or more ops become one graph.fused op at their last member;
// member values used outside the group become its results.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/Graph/IR/ops/Common.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHFUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::graph;

namespace {

struct Group {
  SmallVector<Operation *> members;
  llvm::SmallPtrSet<Operation *, 8> set;
  ArrayRef<int64_t> shape;
};

/// The element shape an elementwise op iterates over.
ArrayRef<int64_t> iterationShape(Operation *op) { return shapeOf(op->getResult(0)); }

struct GraphFuseElementwisePass
    : public kcc::impl::GraphFuseElementwiseBase<GraphFuseElementwisePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      fuseBlock(func.getBody().front());
  }

  /// May |x| join |g|? Every outside reader of g's values must come after x.
  static bool canJoin(const Group &g, Operation *x) {
    for (Operation *m : g.members)
      for (Operation *user : m->getUsers())
        if (user != x && !g.set.contains(user) && user->isBeforeInBlock(x))
          return false;
    return true;
  }

  void fuseBlock(Block &block) {
    std::vector<std::unique_ptr<Group>> groups;
    llvm::DenseMap<Operation *, Group *> groupOf;
    for (Operation &op : block) {
      if (!isa<ElementwiseOpInterface>(op))
        continue;
      Group *target = nullptr;
      for (Value v : op.getOperands()) {
        Operation *def = v.getDefiningOp();
        Group *g = def ? groupOf.lookup(def) : nullptr;
        if (g && g->shape == iterationShape(&op) && canJoin(*g, &op)) {
          target = g;
          break;
        }
      }
      if (!target) {
        groups.push_back(std::make_unique<Group>());
        target = groups.back().get();
        target->shape = iterationShape(&op);
      }
      target->members.push_back(&op);
      target->set.insert(&op);
      groupOf[&op] = target;
    }
    for (auto &g : groups)
      if (g->members.size() > 1)
        materialize(*g);
  }

  void materialize(Group &g) {
    Operation *last = g.members.back();
    llvm::SetVector<Value> inputs;
    SmallVector<Value> outputs;
    for (Operation *m : g.members) {
      for (Value v : m->getOperands())
        if (!v.getDefiningOp() || !g.set.contains(v.getDefiningOp()))
          inputs.insert(v);
      for (Value r : m->getResults())
        if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !g.set.contains(u); }))
          outputs.push_back(r);
    }
    OpBuilder b(last->getContext());
    b.setInsertionPointAfter(last);
    auto fused = b.create<FusedOp>(fusedLoc(g), ValueRange(outputs).getTypes(),
                                   inputs.getArrayRef());
    Block *body = new Block();
    fused.getBody().push_back(body);
    IRMapping mapping;
    for (Value v : inputs)
      mapping.map(v, body->addArgument(v.getType(), v.getLoc()));
    OpBuilder inner = OpBuilder::atBlockEnd(body);
    for (Operation *m : g.members)
      inner.clone(*m, mapping);
    SmallVector<Value> yielded;
    for (Value v : outputs)
      yielded.push_back(mapping.lookup(v));
    inner.create<YieldOp>(fused.getLoc(), yielded);
    for (auto [v, r] : llvm::zip(outputs, fused.getResults()))
      v.replaceAllUsesWith(r);
    for (Operation *m : llvm::reverse(g.members))
      m->erase();
  }

  /// The members' locations, so profiles can trace time back to layers.
  static Location fusedLoc(Group &g) {
    SmallVector<Location> locs;
    for (Operation *m : g.members)
      locs.push_back(m->getLoc());
    return FusedLoc::get(g.members.front()->getContext(), locs);
  }
};

} // namespace
