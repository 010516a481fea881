//===- ApplyOptimizer.cpp - graph-apply-optimizer -------------------------===//

#include "passes/Passes.h"

#include "ir/Graph/IR/ops/Common.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHAPPLYOPTIMIZER
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::graph;

namespace {

/// Names of the per-parameter slots |opt| keeps.
SmallVector<StringRef> slotsOf(OptimizerAttr opt) {
  switch (opt.getKind()) {
  case OptimizerKind::sgd:
    return !opt.getMomentum().isZero() ? SmallVector<StringRef>{"velocity"} : SmallVector<StringRef>{};
  case OptimizerKind::rmsprop:
    return {"accumulator"};
  case OptimizerKind::adadelta:
    return {"accumulator", "delta_accumulator"};
  case OptimizerKind::adam:
    return opt.getAmsgrad() ? SmallVector<StringRef>{"m", "v", "vhat"} : SmallVector<StringRef>{"m", "v"};
  case OptimizerKind::adagrad:
    return {"accumulator"};
  case OptimizerKind::adamax:
    return {"m", "u"};
  case OptimizerKind::nadam:
    return {"momentum", "velocity"};
  case OptimizerKind::lion:
    return {"momentum"};
  }
  llvm_unreachable("optimizer kinds are covered");
}

struct GraphApplyOptimizerPass
    : public kcc::impl::GraphApplyOptimizerBase<GraphApplyOptimizerPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto train = module.lookupSymbol<func::FuncOp>("train_step");
    auto training = module->getAttrOfType<TrainingAttr>(kTrainingAttr);
    if (!train || !training) {
      module.emitError() << "needs @train_step and a #graph.training attribute '" << kTrainingAttr << "'";
      return signalPassFailure();
    }
    OptimizerAttr opt = training.getOptimizer();

    Block &body = train.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    OpBuilder b(ret);
    Value step;
    for (unsigned i = 0; i < train.getNumArguments(); ++i)
      if (auto role = train.getArgAttrOfType<StepRoleAttr>(i, kRoleAttr); role && role.getValue() == StepRole::step)
        step = train.getArgument(i);
    if (!step) {
      train.emitError("@train_step has no argument with kcc.role = #graph.step_role<step> (the optimizer needs the step count)");
      return signalPassFailure();
    }

    SmallVector<Value> kept;
    SmallVector<Attribute> keptAttrs;
    SmallVector<std::pair<FlatSymbolRefAttr, Value>> gradients;
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      auto var = train.getResultAttrOfType<FlatSymbolRefAttr>(i, kGradientOfAttr);
      if (!var) {
        kept.push_back(v);
        keptAttrs.push_back(train.getResultAttrDict(i) ? Attribute(train.getResultAttrDict(i))
                                                       : b.getDictionaryAttr({}));
        continue;
      }
      if (!module.lookupSymbol<VariableOp>(var)) {
        train.emitError() << "result " << i << " is the gradient of unknown variable " << var;
        return signalPassFailure();
      }
      gradients.push_back({var, v});
    }
    // Keras clips every gradient before it updates any variable; a global
    // norm needs all of them first.
    Value globalSumSq;
    if (!opt.getGlobalClipnorm().isZero())
      for (auto &[var, grad] : gradients) {
        Value s = sumOfSquares(b, grad);
        globalSumSq = globalSumSq ? b.create<AddOp>(grad.getLoc(), s.getType(), globalSumSq, s) : s;
      }
    for (auto &[var, grad] : gradients)
      if (failed(update(b, module, opt, var, clip(b, opt, grad, globalSumSq), step)))
        return signalPassFailure();
    b.create<func::ReturnOp>(ret.getLoc(), kept);
    ret.erase();
    train.setType(b.getFunctionType(train.getArgumentTypes(), ValueRange(kept).getTypes()));
    train.setAllResultAttrs(keptAttrs);
  }

  /// sum(g^2) over all of |grad|, as a rank-0 tensor.
  static Value sumOfSquares(OpBuilder &b, Value grad) {
    auto type = llvm::cast<RankedTensorType>(grad.getType());
    Value sq = b.create<MulOp>(grad.getLoc(), type, grad, grad);
    auto axes = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    return b.create<ReduceSumOp>(grad.getLoc(), RankedTensorType::get({}, type.getElementType()), sq,
                                 b.getDenseI64ArrayAttr(axes));
  }

  /// |grad| after the optimizer's clipnorm / global_clipnorm and clipvalue.
  static Value clip(OpBuilder &b, OptimizerAttr opt, Value grad, Value globalSumSq) {
    double norm = opt.getClipnorm().convertToDouble(), global = opt.getGlobalClipnorm().convertToDouble();
    double value = opt.getClipvalue().convertToDouble();
    Value sumSq = norm > 0 ? sumOfSquares(b, grad) : global > 0 ? globalSumSq : Value();
    if (!sumSq && value == 0)
      return grad;
    return b.create<ClipGradientOp>(grad.getLoc(), grad.getType(), grad, sumSq,
                                    b.getF64FloatAttr(norm > 0 ? norm : global), b.getF64FloatAttr(value));
  }

  LogicalResult update(OpBuilder &b, ModuleOp module, OptimizerAttr opt, FlatSymbolRefAttr varRef, Value grad,
                       Value step) {
    auto var = module.lookupSymbol<VariableOp>(varRef);
    Location loc = var.getLoc();
    Type type = var.getType();
    Value param = b.create<LoadOp>(loc, type, varRef);

    SmallVector<Value> slots;
    SmallVector<FlatSymbolRefAttr> slotRefs;
    // Adagrad's accumulator starts at initial_accumulator_value, others at 0.
    double first = opt.getKind() == OptimizerKind::adagrad ? opt.getInitialAccumulatorValue().convertToDouble() : 0;
    InitializerAttr init =
        first == 0 ? InitializerAttr::get(b.getContext(), b.getStringAttr("zeros"), b.getDictionaryAttr({}))
                   : InitializerAttr::get(b.getContext(), b.getStringAttr("constant"),
                                          b.getDictionaryAttr(b.getNamedAttr("value", b.getF64FloatAttr(first))));
    for (StringRef slot : slotsOf(opt)) {
      std::string name = (var.getSymName() + "." + slot).str();
      OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
      mb.setInsertionPointAfter(var);
      mb.create<VariableOp>(loc, name, llvm::cast<RankedTensorType>(type), init,
                            VariableRole::optimizer_state, var.getLayer(), IntegerAttr(), /*trainable=*/true,
                            APFloat(0.0), StringAttr());
      slotRefs.push_back(FlatSymbolRefAttr::get(b.getContext(), name));
      slots.push_back(b.create<LoadOp>(loc, type, slotRefs.back()));
    }

    auto f64 = [&](const APFloat &v) { return b.getF64FloatAttr(v.convertToDouble()); };
    if (!opt.getWeightDecay().isZero()) // Keras decays the variable first, at the current learning rate
      param = b.create<WeightDecayOp>(loc, type, param, step, f64(opt.getLr()), f64(opt.getDecay()),
                                      f64(opt.getWeightDecay()));
    Operation *op = nullptr;
    switch (opt.getKind()) {
    case OptimizerKind::sgd:
      op = b.create<SGDUpdateOp>(loc, type, slots.empty() ? Type() : type, param, grad, step,
                                 slots.empty() ? Value() : slots[0], f64(opt.getLr()), f64(opt.getMomentum()),
                                 f64(opt.getDecay()), opt.getNesterov() ? b.getUnitAttr() : UnitAttr());
      break;
    case OptimizerKind::rmsprop:
      op = b.create<RMSpropUpdateOp>(loc, type, type, param, grad, step, slots[0], f64(opt.getLr()),
                                     f64(opt.getRho()), f64(opt.getEpsilon()), f64(opt.getDecay()),
                                     KerasVersionAttr::get(b.getContext(), opt.getKeras()));
      break;
    case OptimizerKind::adadelta:
      op = b.create<AdadeltaUpdateOp>(loc, type, type, type, param, grad, step, slots[0], slots[1],
                                      f64(opt.getLr()), f64(opt.getRho()), f64(opt.getEpsilon()),
                                      f64(opt.getDecay()));
      break;
    case OptimizerKind::adam:
      if (opt.getAmsgrad()) {
        op = b.create<AMSGradUpdateOp>(loc, type, type, type, type, param, grad, step, slots[0], slots[1], slots[2],
                                       f64(opt.getLr()), f64(opt.getBeta_1()), f64(opt.getBeta_2()),
                                       f64(opt.getEpsilon()), f64(opt.getDecay()));
        break;
      }
      op = b.create<AdamUpdateOp>(loc, type, type, type, param, grad, step, slots[0], slots[1], f64(opt.getLr()),
                                  f64(opt.getBeta_1()), f64(opt.getBeta_2()), f64(opt.getEpsilon()),
                                  f64(opt.getDecay()));
      break;
    case OptimizerKind::adagrad:
      op = b.create<AdagradUpdateOp>(loc, type, type, param, grad, step, slots[0], f64(opt.getLr()),
                                     f64(opt.getEpsilon()), f64(opt.getDecay()),
                                     KerasVersionAttr::get(b.getContext(), opt.getKeras()));
      break;
    case OptimizerKind::adamax:
      op = b.create<AdamaxUpdateOp>(loc, type, type, type, param, grad, step, slots[0], slots[1], f64(opt.getLr()),
                                    f64(opt.getBeta_1()), f64(opt.getBeta_2()), f64(opt.getEpsilon()),
                                    f64(opt.getDecay()));
      break;
    case OptimizerKind::nadam:
      op = b.create<NadamUpdateOp>(loc, type, type, type, param, grad, step, slots[0], slots[1], f64(opt.getLr()),
                                   f64(opt.getBeta_1()), f64(opt.getBeta_2()), f64(opt.getEpsilon()),
                                   f64(opt.getDecay()), f64(opt.getScheduleDecay()));
      break;
    case OptimizerKind::lion:
      op = b.create<LionUpdateOp>(loc, type, type, param, grad, step, slots[0], f64(opt.getLr()),
                                  f64(opt.getBeta_1()), f64(opt.getBeta_2()), f64(opt.getDecay()));
      break;
    }
    b.create<StoreOp>(loc, op->getResult(0), varRef);
    for (auto [i, slot] : llvm::enumerate(slotRefs))
      b.create<StoreOp>(loc, op->getResult(i + 1), slot);
    return success();
  }
};

} // namespace
