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

/// The optimizer as the frontend normalised it (every field present).
struct OptimizerConfig {
  std::string name;
  DictionaryAttr params;

  double get(StringRef key) const {
    auto a = params.getAs<FloatAttr>(key);
    return a ? a.getValueAsDouble() : 0.0;
  }
  bool flag(StringRef key) const { return static_cast<bool>(params.getAs<UnitAttr>(key)) ||
                                           (params.getAs<BoolAttr>(key) && params.getAs<BoolAttr>(key).getValue()); }
  /// Names of the per-parameter slots this optimizer keeps.
  SmallVector<StringRef> slots() const {
    if (name == "sgd")
      return get("momentum") != 0.0 ? SmallVector<StringRef>{"velocity"} : SmallVector<StringRef>{};
    if (name == "rmsprop")
      return {"accumulator"};
    if (name == "adadelta")
      return {"accumulator", "delta_accumulator"};
    return {"m", "v"}; // adam
  }
};

struct GraphApplyOptimizerPass
    : public kcc::impl::GraphApplyOptimizerBase<GraphApplyOptimizerPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto train = module.lookupSymbol<func::FuncOp>("train_step");
    auto training = module->getAttrOfType<DictionaryAttr>(kTrainingAttr);
    auto opt = training ? training.getAs<DictionaryAttr>("optimizer") : nullptr;
    if (!train || !opt) {
      module.emitError("needs @train_step and an optimizer in kcc.training");
      return signalPassFailure();
    }
    auto name = opt.getAs<StringAttr>("name");
    if (!name) {
      module.emitError("the optimizer in kcc.training has no name");
      return signalPassFailure();
    }
    OptimizerConfig cfg{name.str(), opt};
    if (!llvm::is_contained({"sgd", "rmsprop", "adadelta", "adam"}, cfg.name)) {
      module.emitError() << "unsupported optimizer '" << cfg.name << "'";
      return signalPassFailure();
    }

    Block &body = train.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    OpBuilder b(ret);
    Value step;
    for (unsigned i = 0; i < train.getNumArguments(); ++i)
      if (auto role = train.getArgAttrOfType<StringAttr>(i, kRoleAttr); role && role.getValue() == "step")
        step = train.getArgument(i);
    if (!step) {
      train.emitError("@train_step has no argument with kcc.role = \"step\" (the optimizer needs the step count)");
      return signalPassFailure();
    }

    SmallVector<Value> kept;
    SmallVector<Attribute> keptAttrs;
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
      if (failed(update(b, module, cfg, var, v, step)))
        return signalPassFailure();
    }
    b.create<func::ReturnOp>(ret.getLoc(), kept);
    ret.erase();
    train.setType(b.getFunctionType(train.getArgumentTypes(), ValueRange(kept).getTypes()));
    train.setAllResultAttrs(keptAttrs);
  }

  LogicalResult update(OpBuilder &b, ModuleOp module, const OptimizerConfig &cfg,
                       FlatSymbolRefAttr varRef, Value grad, Value step) {
    auto var = module.lookupSymbol<VariableOp>(varRef);
    Location loc = var.getLoc();
    Type type = var.getType();
    Value param = b.create<LoadOp>(loc, type, varRef);

    SmallVector<Value> operands = {param, grad, step};
    SmallVector<FlatSymbolRefAttr> slotRefs;
    for (StringRef slot : cfg.slots()) {
      std::string name = (var.getSymName() + "." + slot).str();
      OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
      mb.setInsertionPointAfter(var);
      mb.create<VariableOp>(loc, name, llvm::cast<RankedTensorType>(type),
                            InitializerAttr::get(b.getContext(), b.getStringAttr("zeros"),
                                                 b.getDictionaryAttr({})),
                            VariableRole::optimizer_state, var.getLayer(), IntegerAttr());
      slotRefs.push_back(FlatSymbolRefAttr::get(b.getContext(), name));
      operands.push_back(b.create<LoadOp>(loc, type, slotRefs.back()));
    }

    auto f64 = [&](StringRef key) { return b.getNamedAttr(key, b.getF64FloatAttr(cfg.get(key))); };
    SmallVector<NamedAttribute> attrs = {f64("lr"), f64("decay")};
    SmallVector<Type> types(1 + slotRefs.size(), type);
    Operation *op;
    if (cfg.name == "sgd") {
      attrs.push_back(f64("momentum"));
      if (cfg.flag("nesterov"))
        attrs.push_back(b.getNamedAttr("nesterov", b.getUnitAttr()));
      op = b.create<SGDUpdateOp>(loc, types, operands, attrs);
    } else if (cfg.name == "rmsprop") {
      attrs.append({f64("rho"), f64("epsilon")});
      auto keras = cfg.params.getAs<StringAttr>("keras");
      attrs.push_back(b.getNamedAttr(
          "keras", KerasVersionAttr::get(b.getContext(), keras && keras.getValue() == "keras3"
                                                             ? KerasVersion::keras3
                                                             : KerasVersion::keras2)));
      op = b.create<RMSpropUpdateOp>(loc, types, operands, attrs);
    } else if (cfg.name == "adadelta") {
      attrs.append({f64("rho"), f64("epsilon")});
      op = b.create<AdadeltaUpdateOp>(loc, types, operands, attrs);
    } else {
      attrs.append({f64("beta_1"), f64("beta_2"), f64("epsilon")});
      op = b.create<AdamUpdateOp>(loc, types, operands, attrs);
    }
    b.create<StoreOp>(loc, op->getResult(0), varRef);
    for (auto [i, slot] : llvm::enumerate(slotRefs))
      b.create<StoreOp>(loc, op->getResult(i + 1), slot);
    return success();
  }
};

} // namespace
