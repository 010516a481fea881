//===- CompiledModel.cpp - compile a Keras JSON in-process for runtime tests ===//

#include "CompiledModel.h"

#include "codegen/Codegen.h"
#include "frontend/Importer.h"
#include "ir/Graph/IR/GraphDialect.h"
#include "ir/Graph/Reference/Interpreter.h"
#include "passes/Passes.h"
#include "passes/Pipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kcc::test {

struct CompiledModel::Impl {
  MLIRContext ctx;
  OwningOpRef<ModuleOp> reference;
  std::vector<uint8_t> binary;
  std::vector<ReferenceVariable> variables;
  std::vector<StepArgument> arguments;
  std::string diagnostics;
};

CompiledModel::CompiledModel() : impl(std::make_unique<Impl>()) {}
CompiledModel::~CompiledModel() = default;

const std::vector<uint8_t> &CompiledModel::binary() const { return impl->binary; }
const std::vector<ReferenceVariable> &CompiledModel::variables() const { return impl->variables; }
const std::vector<StepArgument> &CompiledModel::trainArguments() const { return impl->arguments; }

std::string CompiledModel::referenceIR() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  impl->reference->print(os);
  return s;
}

std::unique_ptr<CompiledModel> CompiledModel::compile(const std::string &json, std::string &error,
                                                      const std::string &precision) {
  std::unique_ptr<CompiledModel> m(new CompiledModel());
  Impl &d = *m->impl;
  d.ctx.loadDialect<graph::GraphDialect, func::FuncDialect, arith::ArithDialect>();
  ScopedDiagnosticHandler handler(&d.ctx, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(d.diagnostics);
    os << diag.str() << "\n";
    return success();
  });

  auto import = [&]() -> OwningOpRef<ModuleOp> {
    frontend::Diagnostics diag("model.json");
    auto model = frontend::parseKerasModel(json, "model.json", diag);
    OwningOpRef<ModuleOp> module;
    if (model)
      module = frontend::importKerasModel(d.ctx, *model, {}, diag);
    for (const std::string &msg : diag.all())
      d.diagnostics += msg + "\n";
    return module;
  };

  // The oracle: the same model at the optimizer phase.
  d.reference = import();
  if (!d.reference) {
    error = "import failed:\n" + d.diagnostics;
    return nullptr;
  }
  {
    PassManager pm(&d.ctx);
    addGraphPasses(pm, Phase::Optimizer);
    if (failed(pm.run(*d.reference))) {
      error = "the graph passes failed:\n" + d.diagnostics;
      return nullptr;
    }
  }
  // The binary, as tools/kcc.cpp builds it.
  OwningOpRef<ModuleOp> module = import();
  PassManager pm(&d.ctx);
  addGraphPasses(pm, Phase::Exec);
  codegen::addTargetLayoutPasses(pm, "cpu", precision);
  addPlanningPasses(pm, "cpu");
  if (failed(pm.run(*module))) {
    error = "the compile pipeline failed:\n" + d.diagnostics;
    return nullptr;
  }
  codegen::TargetOptions options;
  codegen::CodeObject code;
  if (failed(codegen::compileKernelsForCpu(*module, options, code)) ||
      failed(codegen::writeModel(*module, code, "cpu", d.binary))) {
    error = "code generation failed:\n" + d.diagnostics;
    return nullptr;
  }

  for (auto var : d.reference->getOps<graph::VariableOp>()) {
    ReferenceVariable v;
    v.name = var.getSymName().str();
    auto type = cast<RankedTensorType>(var.getType());
    v.shape.assign(type.getShape().begin(), type.getShape().end());
    v.optimizerState = var.getRole() == graph::VariableRole::optimizer_state;
    v.weightIndex = var.getWeightIndex() ? static_cast<int64_t>(*var.getWeightIndex()) : -1;
    v.init = var.getInit().getKind().getValue().str();
    d.variables.push_back(v);
  }
  auto train = d.reference->lookupSymbol<func::FuncOp>("train_step");
  if (!train) {
    error = "no @train_step in the optimizer-phase module";
    return nullptr;
  }
  for (unsigned i = 0; i < train.getNumArguments(); ++i) {
    StepArgument a;
    auto role = train.getArgAttrOfType<graph::StepRoleAttr>(i, kRoleAttr);
    auto name = train.getArgAttrOfType<StringAttr>(i, "kcc.name");
    a.role = role ? graph::stringifyStepRole(role.getValue()).str() : "";
    a.name = a.role == "input" ? "x:" + (name ? name.getValue().str() : std::to_string(i)) : a.role;
    auto type = cast<RankedTensorType>(train.getArgument(i).getType());
    a.shape.assign(type.getShape().begin(), type.getShape().end());
    a.integer = isa<IntegerType>(type.getElementType());
    d.arguments.push_back(a);
  }
  if (!d.diagnostics.empty()) {
    error = "unexpected diagnostics:\n" + d.diagnostics;
    return nullptr;
  }
  return m;
}

bool CompiledModel::referenceTrainStep(std::map<std::string, RefTensor> &vars, const std::vector<RefTensor> &args,
                                       std::vector<RefTensor> &results, std::string &error) {
  std::string text;
  ScopedDiagnosticHandler handler(&impl->ctx, [&](Diagnostic &diag) {
    text += diag.str() + "\n";
    return success();
  });
  graph::Interpreter interp(*impl->reference);
  interp.variables = vars;
  auto out = interp.call("train_step", args);
  if (failed(out)) {
    error = "the reference @train_step failed:\n" + text;
    return false;
  }
  results = std::move(*out);
  vars = std::move(interp.variables);
  return true;
}

} // namespace kcc::test
