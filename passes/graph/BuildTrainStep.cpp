//===- BuildTrainStep.cpp - graph-build-train-step ------------------------===//
//
// Reverse-mode autodiff over the straight-line @forward:
//   1. Clone @forward into @train_step, then add the loss and the metric.
//   2. Activity analysis: a value is "varied" if it depends on a weight.
//   3. Walk the cloned ops backwards from the loss (seeded with 1); each op
//      with a result gradient asks its GradientOpInterface for the gradients
//      of its varied operands; several contributions to one value are summed.
//   4. The gradient reaching each weight's graph.load is returned, tagged
//      with the variable it belongs to (graph-apply-optimizer consumes them).
// @eval_step is @forward in inference mode plus loss, metric and predictions.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/Graph/IR/ops/Common.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"

namespace kcc {
#define GEN_PASS_DEF_GRAPHBUILDTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace kcc

using namespace mlir;
using namespace kcc;
using namespace kcc::graph;

namespace {

std::optional<StepRole> roleOf(func::FuncOp f, unsigned arg) {
  auto role = f.getArgAttrOfType<StepRoleAttr>(arg, kRoleAttr);
  return role ? std::optional(role.getValue()) : std::nullopt;
}

/// Loss settings read from the module's kcc.training attribute.
struct LossConfig {
  LossKind kind = LossKind::categorical_crossentropy;
  double epsilon = 1e-7;
  bool fromLogits = false;
  double labelSmoothing = 0.0;
  bool binaryAccuracy = false; // the file asks for binary_accuracy by name

  bool sparse() const { return kind == LossKind::sparse_categorical_crossentropy; }
  /// The per-element loss, for every loss but the two categorical ones.
  std::optional<ElementLoss> element() const {
    switch (kind) {
    case LossKind::categorical_crossentropy:
    case LossKind::sparse_categorical_crossentropy:
      return std::nullopt;
    case LossKind::binary_crossentropy:
      return ElementLoss::binary_crossentropy;
    case LossKind::mean_squared_error:
      return ElementLoss::mean_squared_error;
    case LossKind::mean_absolute_error:
      return ElementLoss::mean_absolute_error;
    case LossKind::hinge:
      return ElementLoss::hinge;
    case LossKind::squared_hinge:
      return ElementLoss::squared_hinge;
    case LossKind::poisson:
      return ElementLoss::poisson;
    case LossKind::log_cosh:
      return ElementLoss::log_cosh;
    case LossKind::huber:
      return ElementLoss::huber;
    case LossKind::kl_divergence:
      return ElementLoss::kl_divergence;
    case LossKind::mean_squared_logarithmic_error:
      return ElementLoss::mean_squared_logarithmic_error;
    case LossKind::mean_absolute_percentage_error:
      return ElementLoss::mean_absolute_percentage_error;
    }
    llvm_unreachable("losses are covered");
  }
};

FailureOr<LossConfig> readLoss(ModuleOp module) {
  auto training = module->getAttrOfType<TrainingAttr>(kTrainingAttr);
  if (!training)
    return module.emitError() << "module has no #graph.training attribute '" << kTrainingAttr << "'";
  LossConfig cfg{training.getLoss(), training.getLossEpsilon().convertToDouble(), training.getFromLogits(),
                 training.getLabelSmoothing().convertToDouble()};
  if (ArrayAttr metrics = training.getMetrics())
    for (Attribute m : metrics)
      cfg.binaryAccuracy |= cast<StringAttr>(m).getValue() == "binary_accuracy";
  return cfg;
}

/// Builds a step function whose arguments are @forward's model inputs
/// followed by |extra| (role, type) arguments; maps @forward's inputs, and
/// its seed/step arguments when |extra| provides them, through |mapping|.
func::FuncOp createStep(ModuleOp module, func::FuncOp forward, StringRef name,
                        ArrayRef<std::pair<StepRole, Type>> extra,
                        IRMapping &mapping, SmallVectorImpl<Value> &extraArgs) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<unsigned> inputArgs;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
    if (roleOf(forward, i) != StepRole::input)
      continue;
    inputArgs.push_back(i);
    types.push_back(forward.getArgument(i).getType());
    argAttrs.push_back(forward.getArgAttrDict(i));
  }
  for (auto [role, type] : extra) {
    types.push_back(type);
    argAttrs.push_back(b.getDictionaryAttr({b.getNamedAttr(kRoleAttr, StepRoleAttr::get(b.getContext(), role))}));
  }
  auto func = b.create<func::FuncOp>(forward.getLoc(), name, b.getFunctionType(types, {}));
  func.setAllArgAttrs(argAttrs);
  Block *entry = func.addEntryBlock();
  for (auto [k, i] : llvm::enumerate(inputArgs))
    mapping.map(forward.getArgument(i), entry->getArgument(k));
  for (auto [k, e] : llvm::enumerate(extra)) {
    Value arg = entry->getArgument(inputArgs.size() + k);
    extraArgs.push_back(arg);
    for (unsigned i = 0; i < forward.getNumArguments(); ++i)
      if (roleOf(forward, i) == e.first)
        mapping.map(forward.getArgument(i), arg);
  }
  return func;
}

struct GraphBuildTrainStepPass
    : public kcc::impl::GraphBuildTrainStepBase<GraphBuildTrainStepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward) {
      module.emitError("no @forward function to differentiate");
      return signalPassFailure();
    }
    FailureOr<LossConfig> loss = readLoss(module);
    if (failed(loss))
      return signalPassFailure();
    if (forward.getNumResults() != 1) {
      forward.emitError() << "models with " << forward.getNumResults()
                          << " outputs are not supported (one output expected)";
      return signalPassFailure();
    }
    if (failed(buildTrainStep(module, forward, *loss)) ||
        failed(buildEvalStep(module, forward, *loss)))
      return signalPassFailure();
  }

  /// Types of the target and mask arguments for predictions of |pred|.
  static std::pair<Type, Type> targetAndMaskTypes(Type pred, bool sparse) {
    auto p = llvm::cast<RankedTensorType>(pred);
    int64_t n = p.getDimSize(0);
    Type target = sparse ? Type(RankedTensorType::get(p.getShape().drop_back(), IntegerType::get(p.getContext(), 32)))
                         : Type(p);
    return {target, RankedTensorType::get({n}, p.getElementType())};
  }

  /// A crossentropy over an output with steps, [N, S..., K] (sequence
  /// tagging, per-pixel classes), is Keras's mean over every (sample, step):
  /// the classification ops see [N*S, K] rows, each weighing 1/S of its
  /// sample's mask, so that the masked mean and the accuracy count (per
  /// sample, the fraction of its steps that match) are Keras's.
  struct ClassRows {
    Value pred, target, mask;
  };
  static ClassRows classRows(OpBuilder &b, Location loc, Value pred, Value target, Value mask,
                             const LossConfig &cfg) {
    auto p = llvm::cast<RankedTensorType>(pred.getType());
    if (cfg.element() || p.getRank() <= 2)
      return {pred, target, mask};
    int64_t n = p.getDimSize(0), k = p.getShape().back(), steps = p.getNumElements() / (n * k);
    auto reshaped = [&](Value v, ArrayRef<int64_t> shape) {
      auto type = RankedTensorType::get(shape, llvm::cast<RankedTensorType>(v.getType()).getElementType());
      return b.create<ReshapeOp>(loc, type, v, b.getDenseI64ArrayAttr(shape)).getResult();
    };
    Type f32 = b.getF32Type();
    Value repeated = b.create<RepeatOp>(loc, RankedTensorType::get({n, steps, 1}, f32), reshaped(mask, {n, 1}),
                                        b.getI64IntegerAttr(steps));
    Value rowMask = b.create<ScaleOp>(loc, RankedTensorType::get({n * steps}, f32), reshaped(repeated, {n * steps}),
                                      b.getF64FloatAttr(1.0 / static_cast<double>(steps)), b.getF64FloatAttr(0.0));
    return {reshaped(pred, {n * steps, k}),
            cfg.sparse() ? reshaped(target, {n * steps}) : reshaped(target, {n * steps, k}), rowMask};
  }

  static Value appendLoss(OpBuilder &b, Location loc, Value pred, Value target, Value mask,
                          const LossConfig &cfg) {
    Type scalar = RankedTensorType::get({}, b.getF32Type());
    ClassRows rows = classRows(b, loc, pred, target, mask, cfg);
    pred = rows.pred, target = rows.target, mask = rows.mask;
    if (double s = cfg.labelSmoothing; s != 0) { // Keras smooths the loss's targets only
      double classes = cfg.element() ? 2.0 : static_cast<double>(llvm::cast<RankedTensorType>(pred.getType()).getShape().back());
      target = b.create<ScaleOp>(loc, target.getType(), target, b.getF64FloatAttr(1 - s),
                                 b.getF64FloatAttr(s / classes));
    }
    if (cfg.fromLogits && cfg.element()) // binary crossentropy (the frontend allows no other)
      pred = b.create<ActivationOp>(loc, pred.getType(), pred,
                                    ActivationAttr::get(b.getContext(), Activation::sigmoid));
    else if (cfg.fromLogits)
      pred = b.create<SoftmaxOp>(loc, pred.getType(), pred);
    if (auto element = cfg.element())
      return b.create<ElementLossOp>(loc, scalar, pred, target, mask,
                                     ElementLossAttr::get(b.getContext(), *element),
                                     b.getF64FloatAttr(cfg.epsilon));
    return b.create<CrossEntropyOp>(loc, scalar, pred, target, mask, b.getF64FloatAttr(cfg.epsilon));
  }

  /// |loss| plus Keras's weight regularization, l2 * sum(w^2) per weight
  /// with an L2 regularizer (Keras reports it in the loss of fit and
  /// evaluate alike).
  static Value withRegularization(OpBuilder &b, ModuleOp module, Value loss) {
    Type scalar = loss.getType();
    for (VariableOp var : module.getOps<VariableOp>()) {
      double l2 = var.getL2().convertToDouble();
      if (l2 == 0)
        continue;
      Location loc = var.getLoc();
      auto type = llvm::cast<RankedTensorType>(var.getType());
      Value w = b.create<LoadOp>(loc, type, FlatSymbolRefAttr::get(var.getSymNameAttr()));
      Value squares = b.create<MulOp>(loc, type, w, w);
      SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
      Value sum = b.create<ReduceSumOp>(loc, scalar, squares, b.getDenseI64ArrayAttr(axes));
      loss = b.create<AddOp>(loc, scalar, loss, b.create<ScaleOp>(loc, scalar, sum, b.getF64FloatAttr(l2), b.getF64FloatAttr(0.0)));
    }
    return loss;
  }

  /// Keras's "accuracy" is binary_accuracy for a one-unit output, else
  /// categorical (tf.keras and Keras 3 choose by shape; the frontend names
  /// binary_accuracy for older files that chose by the loss).
  static Value appendAccuracy(OpBuilder &b, Location loc, Value pred, Value target, Value mask,
                              const LossConfig &cfg) {
    ClassRows rows = classRows(b, loc, pred, target, mask, cfg);
    pred = rows.pred, target = rows.target, mask = rows.mask;
    auto shape = llvm::cast<RankedTensorType>(pred.getType()).getShape();
    bool binary = !cfg.sparse() && (cfg.binaryAccuracy || shape.back() == 1 || (cfg.element() && shape.size() != 2));
    return b.create<AccuracyOp>(loc, RankedTensorType::get({}, b.getF32Type()), pred, target, mask,
                                binary ? b.getUnitAttr() : UnitAttr());
  }

  LogicalResult buildEvalStep(ModuleOp module, func::FuncOp forward,
                              const LossConfig &cfg) {
    Type pred = forward.getResultTypes()[0];
    auto [targetType, maskType] = targetAndMaskTypes(pred, cfg.sparse());
    IRMapping mapping;
    SmallVector<Value> extra;
    func::FuncOp eval = createStep(module, forward, "eval_step",
                                   {{StepRole::target, targetType}, {StepRole::mask, maskType}}, mapping, extra);
    OpBuilder b = OpBuilder::atBlockEnd(&eval.getBody().front());
    Value result;
    for (Operation &op : forward.getBody().front()) {
      if (auto drop = dyn_cast<DropoutOp>(op)) {
        mapping.map(drop.getResult(), mapping.lookup(drop.getInput()));
        continue;
      }
      if (auto bn = dyn_cast<BatchNormOp>(op)) { // inference mode: the moving statistics
        auto lookup = [&](Value v) { return mapping.lookup(v); };
        Value y = b.create<BatchNormInferenceOp>(bn.getLoc(), bn.getResult().getType(), lookup(bn.getInput()),
                                                 lookup(bn.getGamma()), lookup(bn.getBeta()),
                                                 lookup(bn.getMovingMean()), lookup(bn.getMovingVariance()),
                                                 bn.getAxisAttr(), bn.getEpsilonAttr());
        mapping.map(bn.getResult(), y);
        continue;
      }
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        result = mapping.lookup(ret.getOperand(0));
        break;
      }
      for (Value v : op.getOperands())
        if (!mapping.contains(v))
          return op.emitError("uses the dropout seed or step outside a dropout");
      b.clone(op, mapping);
    }
    Location loc = forward.getLoc();
    Value l = withRegularization(b, module, appendLoss(b, loc, result, extra[0], extra[1], cfg));
    Value acc = appendAccuracy(b, loc, result, extra[0], extra[1], cfg);
    // The predictions too, so that krun --predict runs this program.
    b.create<func::ReturnOp>(loc, ValueRange{l, acc, result});
    eval.setType(b.getFunctionType(eval.getArgumentTypes(), {l.getType(), acc.getType(), result.getType()}));
    return success();
  }

  /// Batch statistics over the rows of the batch (|mask|), and the moving
  /// averages stored back to the variables they were loaded from.
  static LogicalResult trainBatchNorm(OpBuilder &b, BatchNormOp bn, Value mask) {
    if (!bn.getMask())
      bn->insertOperands(bn->getNumOperands(), mask);
    for (auto [loaded, updated] : {std::pair{bn.getMovingMean(), bn.getNewMovingMean()},
                                   std::pair{bn.getMovingVariance(), bn.getNewMovingVariance()}}) {
      auto load = loaded.getDefiningOp<LoadOp>();
      if (!load)
        return bn.emitError("moving statistics must be loaded from their variables");
      b.create<StoreOp>(bn.getLoc(), updated, load.getVariableAttr());
    }
    return success();
  }

  LogicalResult buildTrainStep(ModuleOp module, func::FuncOp forward,
                               const LossConfig &cfg) {
    Type pred = forward.getResultTypes()[0];
    auto [targetType, maskType] = targetAndMaskTypes(pred, cfg.sparse());
    MLIRContext *ctx = module.getContext();
    Type i64Scalar = RankedTensorType::get({}, IntegerType::get(ctx, 64));
    bool hasSeed = false;
    for (unsigned i = 0; i < forward.getNumArguments(); ++i)
      hasSeed |= roleOf(forward, i) == StepRole::seed;
    if (!hasSeed)
      return forward.emitError("@forward has no argument with kcc.role = #graph.step_role<seed>");
    IRMapping mapping;
    SmallVector<Value> extra;
    func::FuncOp train = createStep(module, forward, "train_step",
                                    {{StepRole::target, targetType}, {StepRole::mask, maskType},
                                     {StepRole::seed, i64Scalar}, {StepRole::step, i64Scalar}},
                                    mapping, extra);
    Block &entry = train.getBody().front();
    OpBuilder b = OpBuilder::atBlockEnd(&entry);
    Value result;
    for (Operation &op : forward.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        result = mapping.lookup(ret.getOperand(0));
        break;
      }
      Operation *copy = b.clone(op, mapping);
      if (auto bn = dyn_cast<BatchNormOp>(copy))
        if (failed(trainBatchNorm(b, bn, extra[1])))
          return failure();
    }
    Location loc = forward.getLoc();
    Value lossValue = withRegularization(b, module, appendLoss(b, loc, result, extra[0], extra[1], cfg));
    Value correct = appendAccuracy(b, loc, result, extra[0], extra[1], cfg);

    llvm::MapVector<StringAttr, Value> weightGrads;
    if (failed(differentiate(b, entry, lossValue, weightGrads)))
      return failure();

    SmallVector<Value> results = {lossValue, correct, result};
    SmallVector<Attribute> resultAttrs(3, b.getDictionaryAttr({}));
    for (auto &[var, grad] : weightGrads) {
      results.push_back(grad);
      resultAttrs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr(kGradientOfAttr, FlatSymbolRefAttr::get(var))}));
    }
    b.create<func::ReturnOp>(loc, results);
    train.setType(b.getFunctionType(train.getArgumentTypes(), ValueRange(results).getTypes()));
    train.setAllResultAttrs(resultAttrs);
    return success();
  }

  /// Reverse sweep from |loss| over the ops of |body|; fills |weightGrads|
  /// with the summed gradient of every trainable variable that is read.
  LogicalResult differentiate(OpBuilder &b, Block &body, Value loss,
                              llvm::MapVector<StringAttr, Value> &weightGrads) {
    ModuleOp module = getOperation();
    // Activity analysis: forward propagation of "depends on a weight".
    llvm::DenseSet<Value> varied;
    SmallVector<Operation *> ops;
    for (Operation &op : body) {
      ops.push_back(&op);
      if (auto load = dyn_cast<LoadOp>(op)) {
        auto var = module.lookupSymbol<VariableOp>(load.getVariableAttr());
        if (var && var.getRole() == VariableRole::weight && var.getTrainable())
          varied.insert(load.getResult());
        continue;
      }
      if (llvm::any_of(op.getOperands(), [&](Value v) { return varied.contains(v); }))
        for (Value r : op.getResults())
          varied.insert(r);
    }

    llvm::DenseMap<Value, Value> grads;
    auto accumulate = [&](Value v, Value g) {
      Value &slot = grads[v];
      slot = slot ? makeOp<AddOp>(b, v.getLoc(), v.getType(), {slot, g}) : g;
    };
    Location loc = loss.getLoc();
    grads[loss] = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), 1.0f));

    for (Operation *op : llvm::reverse(ops)) {
      SmallVector<Value> resultGrads;
      bool any = false;
      for (Value r : op->getResults()) {
        resultGrads.push_back(grads.lookup(r));
        any |= static_cast<bool>(resultGrads.back());
      }
      if (!any)
        continue;
      if (auto load = dyn_cast<LoadOp>(op)) {
        Value &slot = weightGrads[load.getVariableAttr().getAttr()];
        slot = slot ? makeOp<AddOp>(b, load.getLoc(), load.getType(), {slot, resultGrads[0]})
                    : resultGrads[0];
        continue;
      }
      SmallVector<bool> need;
      for (Value v : op->getOperands())
        need.push_back(varied.contains(v));
      if (llvm::none_of(need, [](bool n) { return n; }))
        continue;
      auto rule = dyn_cast<GradientOpInterface>(op);
      if (!rule)
        return op->emitError("has no gradient rule, so the model cannot be trained through it");
      SmallVector<Value> operandGrads;
      b.setInsertionPointToEnd(&body);
      if (failed(rule.buildGradients(b, resultGrads, need, operandGrads)))
        return failure();
      assert(operandGrads.size() == op->getNumOperands() && "one gradient slot per operand");
      for (auto [v, g] : llvm::zip(op->getOperands(), operandGrads))
        if (g && varied.contains(v))
          accumulate(v, g);
    }
    b.setInsertionPointToEnd(&body);
    return success();
  }
};

} // namespace
