//===- LowerGraphToExec.cpp - graph-lower-to-exec -------------------------===//
//
// For each step function (@train_step, @eval_step):
//   1. Create an argument-less exec program of the same name; step inputs
//      become persistent buffers with their #graph.step_role (named
//      "x:<input>" or after the role), returned values outputs with the
//      roles loss, correct and pred.
//   2. Walk the graph ops in order; loads bind the variable's buffer, and
//      every other op is handed to its family's lowering (Lower*.cpp).
//   3. Replace the graph functions (and @forward) by the programs.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHLOWERTOEXEC
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::lowering;

namespace kcc::lowering {

std::string layerName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (std::string n = layerName(l); !n.empty())
        return n;
  if (auto cs = dyn_cast<CallSiteLoc>(loc))
    return layerName(cs.getCallee());
  return "";
}

std::string prefixFor(Operation *op, StringRef fallback) {
  std::string layer = layerName(op->getLoc());
  if (!layer.empty())
    return layer;
  return fallback.empty() ? op->getName().stripDialect().str() : fallback.str();
}

Value LoweringContext::bufferOf(Value tensor) const {
  Value b = buffers.lookup(tensor);
  assert(b && "tensor lowered before its producer");
  return b;
}

Value LoweringContext::alloc(Location loc, ArrayRef<int64_t> shape, Type elementType,
                             exec::BufferKind kind) {
  auto type = exec::BufferType::get(builder.getContext(), shape, elementType, StringAttr());
  return builder.create<exec::AllocOp>(loc, type, kind, StringAttr(), IntegerAttr(),
                                       IntegerAttr(), graph::StepRoleAttr());
}

Value LoweringContext::named(Location loc, StringRef name, RankedTensorType type,
                             exec::BufferKind kind, std::optional<graph::StepRole> role) {
  if (Value v = namedBuffers.lookup(name))
    return v;
  auto btype = exec::BufferType::get(builder.getContext(), type.getShape(),
                                     type.getElementType(), StringAttr());
  // Persistent buffers are declared at the top of the program.
  OpBuilder top = OpBuilder::atBlockBegin(&program.getBody().front());
  Value v = top.create<exec::AllocOp>(
      loc, btype, kind, top.getStringAttr(name), IntegerAttr(), IntegerAttr(),
      role ? graph::StepRoleAttr::get(top.getContext(), *role) : graph::StepRoleAttr());
  namedBuffers[name] = v;
  return v;
}

/// Roles of a step's results, in order: (loss, correct, predictions).
static std::optional<graph::StepRole> outputRole(unsigned i) {
  static const graph::StepRole roles[] = {graph::StepRole::loss, graph::StepRole::correct, graph::StepRole::pred};
  return i < 3 ? std::optional(roles[i]) : std::nullopt;
}

Value LoweringContext::resultBuffer(Value tensor, exec::BufferKind kind) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  Value buffer;
  for (OpOperand &use : tensor.getUses()) {
    if (auto st = dyn_cast<graph::StoreOp>(use.getOwner())) {
      auto var = module.lookupSymbol<graph::VariableOp>(st.getVariableAttr());
      buffer = named(tensor.getLoc(), st.getVariable(), type,
                     var.getRole() == graph::VariableRole::weight ? exec::BufferKind::weight
                                                                  : exec::BufferKind::optimizer_state);
      break;
    }
    auto role = outputRole(use.getOperandNumber());
    if (isa<func::ReturnOp>(use.getOwner()) && role) {
      buffer = named(tensor.getLoc(), graph::stringifyStepRole(*role), type, exec::BufferKind::output, role);
      break;
    }
  }
  if (inBackward && kind == exec::BufferKind::activation)
    kind = exec::BufferKind::gradient;
  if (!buffer)
    buffer = alloc(tensor.getLoc(), type.getShape(), type.getElementType(), kind);
  bind(tensor, buffer);
  return buffer;
}

Value LoweringContext::view(Location loc, Value buffer, ArrayRef<int64_t> shape,
                            int64_t offset) {
  auto src = llvm::cast<exec::BufferType>(buffer.getType());
  if (offset == 0 && src.getShape() == shape)
    return buffer;
  return builder.create<exec::ViewOp>(loc, src.withShape(shape), buffer,
                                      builder.getI64IntegerAttr(offset));
}

} // namespace kcc::lowering

namespace {

/// A copy kernel, for the rare value that must move into a named buffer.
void copyInto(LoweringContext &ctx, Location loc, Value from, Value to) {
  auto t = llvm::cast<exec::BufferType>(from.getType());
  ctx.launch(loc, "copy", from, to, t.getNumElements(),
             [](OpBuilder &b, Location l, ValueRange m, Value begin, Value end) {
               forLoop(b, l, begin, end, [&](OpBuilder &nb, Value i) {
                 store(nb, l, load(nb, l, m[0], i), m[1], i);
               });
             }, /*serial=*/false, /*elementwise=*/true);
}

struct GraphLowerToExecPass
    : public kcc::impl::GraphLowerToExecBase<GraphLowerToExecPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool any = false;
    for (StringRef name : {"train_step", "eval_step"}) {
      auto step = module.lookupSymbol<func::FuncOp>(name);
      if (!step)
        continue;
      any = true;
      if (failed(lowerStep(module, step)))
        return signalPassFailure();
    }
    if (!any) {
      module.emitError("nothing to lower: no @train_step or @eval_step");
      return signalPassFailure();
    }
    if (auto forward = module.lookupSymbol<func::FuncOp>("forward"))
      forward.erase();
  }

  LogicalResult lowerStep(ModuleOp module, func::FuncOp step) {
    std::string name = step.getSymName().str();
    if (step.getNumResults() > 3)
      return step.emitError() << "@" << name << " returns " << step.getNumResults()
                              << " values; a step returns at most (loss, correct, predictions)";
    step.setSymName(name + ".graph");
    OpBuilder b(step);
    auto program = b.create<func::FuncOp>(step.getLoc(), name, b.getFunctionType({}, {}));
    program->setAttr(exec::kProgramAttrName, b.getUnitAttr());
    Block *entry = program.addEntryBlock();
    LoweringContext ctx(module, program);

    SmallVector<Attribute> inputNames;
    for (BlockArgument arg : step.getArguments()) {
      auto role = step.getArgAttrOfType<graph::StepRoleAttr>(arg.getArgNumber(), kRoleAttr);
      auto argName = step.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "kcc.name");
      if (!role)
        return step.emitError() << "argument " << arg.getArgNumber() << " has no kcc.role = #graph.step_role<...>";
      bool input = role.getValue() == graph::StepRole::input;
      std::string bufferName = input ? "x:" + (argName ? argName.getValue().str() : std::to_string(arg.getArgNumber()))
                                     : graph::stringifyStepRole(role.getValue()).str();
      if (input)
        inputNames.push_back(b.getStringAttr(bufferName));
      ctx.bind(arg, ctx.named(step.getLoc(), bufferName, llvm::cast<RankedTensorType>(arg.getType()),
                              exec::BufferKind::input, role.getValue()));
    }

    // Model inputs in the order the runtime must fill them.
    program->setAttr("exec.inputs", b.getArrayAttr(inputNames));
    for (Operation &op : llvm::make_early_inc_range(step.getBody().front())) {
      ctx.builder.setInsertionPointToEnd(entry);
      if (failed(lowerOp(ctx, &op)))
        return failure();
      if (isa<graph::CrossEntropyOp, graph::ElementLossOp>(op))
        ctx.inBackward = true;
    }
    ctx.builder.setInsertionPointToEnd(entry);
    ctx.builder.create<func::ReturnOp>(step.getLoc());
    step.erase();
    return success();
  }

  LogicalResult lowerOp(LoweringContext &ctx, Operation *op) {
    Location loc = op->getLoc();
    if (auto load = dyn_cast<graph::LoadOp>(op)) {
      auto var = ctx.module.lookupSymbol<graph::VariableOp>(load.getVariableAttr());
      ctx.bind(load.getResult(),
               ctx.named(loc, load.getVariable(), llvm::cast<RankedTensorType>(load.getType()),
                         var.getRole() == graph::VariableRole::weight
                             ? exec::BufferKind::weight
                             : exec::BufferKind::optimizer_state));
      return success();
    }
    if (auto st = dyn_cast<graph::StoreOp>(op)) {
      Value target = ctx.named(loc, st.getVariable(),
                               llvm::cast<RankedTensorType>(st.getValue().getType()),
                               exec::BufferKind::weight);
      if (ctx.bufferOf(st.getValue()) != target)
        copyInto(ctx, loc, ctx.bufferOf(st.getValue()), target);
      return success();
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        auto role = outputRole(i);
        Value target = ctx.named(loc, graph::stringifyStepRole(*role), llvm::cast<RankedTensorType>(v.getType()),
                                 exec::BufferKind::output, role);
        if (ctx.bufferOf(v) != target)
          copyInto(ctx, loc, ctx.bufferOf(v), target);
      }
      return success();
    }
    if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      auto dense = llvm::dyn_cast<DenseElementsAttr>(cst.getValue());
      if (!dense || !dense.isSplat())
        return op->emitError("only splat tensor constants can be lowered");
      Value buf = ctx.resultBuffer(cst.getResult());
      ctx.builder.create<exec::FillOp>(
          loc, ValueRange{}, buf,
          ctx.builder.getF64FloatAttr(dense.getSplatValue<APFloat>().convertToDouble()));
      return success();
    }
    bool handled = false;
    for (auto lower :
         {lowerElementwise, lowerLibraryCall, lowerSmallKernel, lowerNormalization, lowerDepthwiseConv}) {
      if (failed(lower(ctx, op, handled)))
        return failure();
      if (handled)
        return success();
    }
    return op->emitError("has no lowering to exec");
  }
};

} // namespace
