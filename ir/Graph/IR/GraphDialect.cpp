//===- GraphDialect.cpp - graph dialect registration ----------------------===//

#include "ir/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kcc::graph;

#include "ir/Graph/IR/GraphDialect.cpp.inc"
#include "ir/Graph/IR/GraphEnums.cpp.inc"
#include "ir/Graph/IR/GraphInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "ir/Graph/IR/GraphAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "ir/Graph/IR/GraphOps.cpp.inc"

void GraphDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ir/Graph/IR/GraphAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "ir/Graph/IR/GraphOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// InitializerAttr
//===----------------------------------------------------------------------===//

LogicalResult
InitializerAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        StringAttr kind, DictionaryAttr params) {
  // Each kind names the numbers it needs; the runtime relies on them.
  static const std::pair<const char *, std::vector<const char *>> kinds[] = {
      {"zeros", {}},
      {"ones", {}},
      {"constant", {"value"}},
      {"variance_scaling", {"scale", "mode", "distribution"}},
      {"random_uniform", {"minval", "maxval"}},
      {"random_normal", {"mean", "stddev"}},
      {"truncated_normal", {"mean", "stddev"}},
      {"orthogonal", {"gain"}},
      {"lstm_bias", {}},
  };
  for (const auto &[name, required] : kinds) {
    if (kind.getValue() != name)
      continue;
    for (const char *key : required)
      if (!params.get(key))
        return emitError() << "initializer '" << name << "' needs parameter '"
                           << key << "'";
    if (kind.getValue() == "variance_scaling") {
      auto mode = params.getAs<StringAttr>("mode");
      auto dist = params.getAs<StringAttr>("distribution");
      if (!mode || !llvm::is_contained({"fan_in", "fan_out", "fan_avg"},
                                       mode.getValue()))
        return emitError() << "variance_scaling mode must be fan_in, fan_out "
                              "or fan_avg";
      if (!dist || !llvm::is_contained({"uniform", "normal", "truncated_normal",
                                        "truncated_normal_unscaled", "untruncated_normal"},
                                       dist.getValue()))
        return emitError() << "variance_scaling distribution must be uniform, normal, "
                              "truncated_normal, truncated_normal_unscaled or untruncated_normal";
    }
    return success();
  }
  return emitError() << "unknown initializer kind '" << kind.getValue() << "'";
}

LogicalResult TrainingAttr::verify(function_ref<InFlightDiagnostic()> emitError, LossKind loss, APFloat lossEpsilonF,
                                   bool fromLogits, APFloat labelSmoothingF, ArrayAttr metrics, OptimizerAttr optimizer, int64_t batchSize, int64_t epochs,
                                   int64_t stepsPerEpoch, bool, StringRef, StringRef, StringRef, Validation,
                                   APFloat validationSplitF, bool, APFloat widthShiftF, APFloat heightShiftF, bool,
                                   int64_t ranks) {
  double lossEpsilon = lossEpsilonF.convertToDouble(), validationSplit = validationSplitF.convertToDouble();
  double widthShift = widthShiftF.convertToDouble(), heightShift = heightShiftF.convertToDouble();
  // The frontend checks the user's values with their JSON paths; this keeps
  // hand-written IR (tests, kcc-opt) to the same ranges krun relies on.
  if (batchSize <= 0 || epochs <= 0 || stepsPerEpoch < 0)
    return emitError() << "batch_size and epochs must be positive and steps_per_epoch not negative";
  if (ranks < 1 || ranks > batchSize)
    return emitError() << "ranks must be in [1, batch_size]";
  if (fromLogits && loss != LossKind::categorical_crossentropy && loss != LossKind::sparse_categorical_crossentropy &&
      loss != LossKind::binary_crossentropy)
    return emitError() << "from_logits applies to the crossentropy losses only";
  double labelSmoothing = labelSmoothingF.convertToDouble();
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    return emitError() << "label_smoothing must be in [0, 1]";
  if (labelSmoothing != 0 && loss != LossKind::categorical_crossentropy && loss != LossKind::binary_crossentropy)
    return emitError() << "label_smoothing applies to categorical and binary crossentropy only";
  if (!(lossEpsilon >= 0 && lossEpsilon < 1))
    return emitError() << "loss_epsilon must be in [0, 1)";
  if (metrics && !llvm::all_of(metrics, [](Attribute a) { return llvm::isa<StringAttr>(a); }))
    return emitError() << "metrics must be strings";
  if (!(optimizer.getLr().convertToDouble() >= 0))
    return emitError() << "the learning rate must not be negative";
  if (!(validationSplit >= 0 && validationSplit < 1))
    return emitError() << "validation_split must be in [0, 1)";
  if (!(widthShift >= 0 && widthShift < 1 && heightShift >= 0 && heightShift < 1))
    return emitError() << "shift ranges must be in [0, 1)";
  return success();
}
