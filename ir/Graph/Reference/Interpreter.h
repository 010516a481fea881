//===- Interpreter.h - float64 reference execution of graph functions -----===//
//
// Runs a func.func of the graph dialect op by op through each op's
// ReferenceOpInterface. Variables live in a name -> tensor map; stores become
// visible when the call returns, as they do between two training steps.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_GRAPH_REFERENCE_INTERPRETER_H
#define KCC_GRAPH_REFERENCE_INTERPRETER_H

#include "ir/Graph/IR/RefTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <map>
#include <string>
#include <vector>

namespace kcc::graph {

class Interpreter {
public:
  explicit Interpreter(mlir::ModuleOp module) : module(module) {}

  /// Current value of every variable, by symbol name.
  std::map<std::string, RefTensor> variables;

  /// Evaluates function |name| on |args|; errors are emitted as diagnostics.
  mlir::FailureOr<std::vector<RefTensor>> call(llvm::StringRef name,
                                               const std::vector<RefTensor> &args);

private:
  mlir::ModuleOp module;
};

} // namespace kcc::graph

#endif // KCC_GRAPH_REFERENCE_INTERPRETER_H
