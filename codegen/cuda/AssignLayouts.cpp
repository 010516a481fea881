//===- AssignLayouts.cpp - exec-cuda-assign-layouts -----------------------===//
//
// Filters to KRSC: find every buffer a convolution uses as a filter, give
// it (and, for a weight, its optimizer slots in every program) the layout
// "acdb" over (O, I, H, W), and record the dims and the plain HWIO tag so
// the runtime can convert Keras-order weights on upload and download.
// Conv1D reads its [k, cin, cout] kernel (and writes its gradient) through
// views as [1, k, cin, cout]: the layout follows such views both ways, the
// bytes being the same. It also follows a data-parallel gradient through
// exec.all_reduce, whose sum the optimizer's kernel reads next to the
// filter and its slots (elementwise kernels need one layout for all).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

namespace kcc::codegen {
#define GEN_PASS_DEF_CUDAASSIGNLAYOUTS
#include "codegen/Passes.h.inc"
} // namespace kcc::codegen

using namespace mlir;
using namespace kcc;
using namespace kcc::exec;

namespace {

struct CudaAssignLayoutsPass : public kcc::codegen::impl::CudaAssignLayoutsBase<CudaAssignLayoutsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<SmallVector<int64_t>> filterNames; // weight name -> O,I,H,W
    llvm::DenseMap<Value, SmallVector<int64_t>> filters;
    module.walk([&](Operation *op) {
      if (!isa<Conv2DOp, Conv2DBackwardDataOp, Conv2DBackwardFilterOp>(op))
        return;
      auto i = [&](StringRef n) { return op->getAttrOfType<IntegerAttr>(n).getInt(); };
      SmallVector<int64_t> dims = {i("out_channels"), i("in_channels"), i("kernel_height"), i("kernel_width")};
      auto call = cast<exec::CallOpInterface>(op);
      Value filter = isa<Conv2DBackwardFilterOp>(op) ? call.getOutputs()[0] : call.getInputs()[1];
      filters[filter] = dims;
      if (auto alloc = filter.getDefiningOp<AllocOp>(); alloc && alloc.getName())
        filterNames[*alloc.getName()] = dims;
    });
    // Through views that only add or drop unit dims, to the buffers behind them.
    SmallVector<Value> work;
    for (auto &entry : filters)
      work.push_back(entry.first);
    while (!work.empty()) {
      Value v = work.pop_back_val();
      SmallVector<int64_t> dims = filters[v];
      SmallVector<Value> linked;
      if (auto view = v.getDefiningOp<ViewOp>(); view && view.onlyChangesUnitDims())
        linked.push_back(view.getSource());
      for (Operation *user : v.getUsers()) {
        if (auto view = dyn_cast<ViewOp>(user); view && view.getSource() == v && view.onlyChangesUnitDims())
          linked.push_back(view.getResult());
        if (auto sum = dyn_cast<AllReduceOp>(user)) // the gradient's sum, and the gradient of a sum
          linked.push_back(sum.getInputs()[0] == v ? sum.getOutputs()[0] : sum.getInputs()[0]);
      }
      for (Value l : linked)
        if (filters.try_emplace(l, dims).second) {
          work.push_back(l);
          if (auto alloc = l.getDefiningOp<AllocOp>(); alloc && alloc.getName())
            filterNames[*alloc.getName()] = dims;
        }
    }
    // Named filters (weights) and their slots, in every program.
    module.walk([&](AllocOp alloc) {
      if (!alloc.getName())
        return;
      StringRef name = *alloc.getName();
      for (auto &[weight, dims] : filterNames)
        if (name == weight || name.starts_with((weight + ".").str()))
          filters[alloc.getResult()] = dims;
    });
    Builder b(&getContext());
    for (auto &[value, dims] : filters) {
      value.setType(cast<BufferType>(value.getType()).withLayout("acdb"));
      Operation *def = value.getDefiningOp();
      if (!isa<AllocOp>(def))
        continue; // a view: model.bin takes the dims from its source
      def->setAttr(kcc::codegen::kLayoutDimsAttr, b.getDenseI64ArrayAttr(dims));
      def->setAttr(kcc::codegen::kPlainLayoutAttr, b.getStringAttr("cdba"));
    }
  }
};

} // namespace
