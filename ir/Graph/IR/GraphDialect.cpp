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
