//===- FrontendTestSupport.h - parse / import Keras JSON text in tests ------===//

#ifndef KCC_TEST_UNIT_FRONTEND_FRONTENDTESTSUPPORT_H
#define KCC_TEST_UNIT_FRONTEND_FRONTENDTESTSUPPORT_H

#include "frontend/Importer.h"
#include "frontend/KerasModel.h"
#include "frontend/TrainingConfig.h"
#include "ir/Graph/IR/GraphDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kcc::test {

inline std::string joined(const frontend::Diagnostics &diag) {
  std::string s;
  for (const std::string &m : diag.all())
    s += m + "\n";
  return s;
}

struct Parsed {
  frontend::Diagnostics diag{"model.json"};
  std::optional<frontend::KerasModel> model;
  std::string errors() const { return joined(diag); }
};

inline Parsed parse(const std::string &json) {
  Parsed p;
  p.model = frontend::parseKerasModel(json, "model.json", p.diag);
  return p;
}

/// The training settings of |json|; |errors| receives any diagnostics.
inline frontend::TrainingSettings settings(const std::string &json, std::string *errors = nullptr,
                                           frontend::TrainingOverrides overrides = {}) {
  frontend::Diagnostics diag("model.json");
  auto model = frontend::parseKerasModel(json, "model.json", diag);
  frontend::TrainingSettings s;
  if (model)
    s = frontend::readTrainingSettings(*model, overrides, diag);
  if (errors)
    *errors = joined(diag);
  return s;
}

/// A model imported into the graph dialect, with a few facts about it.
struct Imported {
  std::unique_ptr<mlir::MLIRContext> ctx = std::make_unique<mlir::MLIRContext>();
  frontend::Diagnostics diag{"model.json"};
  mlir::OwningOpRef<mlir::ModuleOp> module;
  frontend::Generation generation = frontend::Generation::Keras2;
  std::vector<std::string> inputTypes; // @forward's model inputs
  std::vector<std::string> weightOrder; // variables by weight_index
  std::string errors() const { return joined(diag); }
};

inline Imported import(const std::string &json, frontend::ImportOptions options = {}) {
  Imported m;
  auto model = frontend::parseKerasModel(json, "model.json", m.diag);
  if (!model)
    return m;
  m.generation = model->generation;
  m.module = frontend::importKerasModel(*m.ctx, *model, options, m.diag);
  if (!m.module)
    return m;
  auto forward = m.module->lookupSymbol<mlir::func::FuncOp>("forward");
  for (unsigned i = 0; forward && i < forward.getNumArguments(); ++i) {
    auto role = forward.getArgAttrOfType<kcc::graph::StepRoleAttr>(i, kRoleAttr);
    if (role && role.getValue() == kcc::graph::StepRole::input) {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << forward.getArgument(i).getType();
      m.inputTypes.push_back(s);
    }
  }
  std::vector<std::pair<int64_t, std::string>> weights;
  for (auto var : m.module->getOps<graph::VariableOp>())
    if (var.getWeightIndex())
      weights.push_back({static_cast<int64_t>(*var.getWeightIndex()), var.getSymName().str()});
  std::sort(weights.begin(), weights.end());
  for (size_t i = 0; i < weights.size(); ++i)
    m.weightOrder.push_back(weights[i].first == static_cast<int64_t>(i) ? weights[i].second
                                                                      : "<gap in weight_index>");
  return m;
}

} // namespace kcc::test

#endif // KCC_TEST_UNIT_FRONTEND_FRONTENDTESTSUPPORT_H
