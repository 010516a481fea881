//===- CompiledModel.h - compile a Keras JSON in-process for runtime tests -===//
//
// The compiler side of the runtime tests, behind a plain C++ interface (no
// MLIR types) so that the runtime-side test files stay free of compiler
// headers. One compile produces
//   - model.bin bytes, through the same library calls as tools/kcc.cpp
//     (frontend -> addGraphPasses -> layout -> addPlanningPasses ->
//     compileKernelsForCpu -> writeModel), and
//   - the same model taken at the "optimizer" phase (full @train_step with
//     optimizer updates and stores, before fusion and lowering), which the
//     float64 reference Interpreter runs as the oracle.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_TEST_UNIT_RUNTIME_COMPILEDMODEL_H
#define KCC_TEST_UNIT_RUNTIME_COMPILEDMODEL_H

#include "ir/Graph/IR/RefTensor.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kcc::test {

using graph::RefTensor;

struct ReferenceVariable {
  std::string name;
  std::vector<int64_t> shape;
  bool optimizerState = false;
  int64_t weightIndex = -1;
  std::string init; // initializer kind
};

/// One argument of @train_step: role is input, target, mask, seed or step.
struct StepArgument {
  std::string role;
  std::string name; // the runtime buffer it is fed through ("x:<input>", "target", ...)
  std::vector<int64_t> shape;
  bool integer = false;
};

class CompiledModel {
public:
  /// Compiles |json| (a Keras model file's text). On failure returns null
  /// and sets |error| to every diagnostic. |precision| as kcc --precision.
  static std::unique_ptr<CompiledModel> compile(const std::string &json, std::string &error,
                                                const std::string &precision = "f32");
  ~CompiledModel();

  const std::vector<uint8_t> &binary() const;
  const std::vector<ReferenceVariable> &variables() const;
  const std::vector<StepArgument> &trainArguments() const;

  /// Runs @train_step of the optimizer-phase module in float64 on |vars|
  /// (every variable by name), which the step's stores update. |results|
  /// are (loss, correct, predictions).
  bool referenceTrainStep(std::map<std::string, RefTensor> &vars, const std::vector<RefTensor> &args,
                          std::vector<RefTensor> &results, std::string &error);

  /// The optimizer-phase IR, for failure messages.
  std::string referenceIR() const;

private:
  CompiledModel();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace kcc::test

#endif // KCC_TEST_UNIT_RUNTIME_COMPILEDMODEL_H
