//===- Importer.h - Keras model -> graph dialect ---------------------------===//
//
// Builds a module with one graph.variable per weight and a @forward function
// (model inputs, dropout seed and step -> predictions). Each op is shaped as
// it is created, through the op's own shape rule, because weight shapes
// depend on input shapes just as in Keras's build(). Layer-specific code is
// in ImportLayers.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_FRONTEND_IMPORTER_H
#define KCC_FRONTEND_IMPORTER_H

#include "frontend/KerasModel.h"
#include "frontend/LayerConfig.h"
#include "frontend/TrainingConfig.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>

namespace kcc::frontend {

struct ImportOptions {
  TrainingOverrides overrides;
};

/// Imports |model|; on failure every problem is in |diag| and null returned.
mlir::OwningOpRef<mlir::ModuleOp> importKerasModel(mlir::MLIRContext &ctx, const KerasModel &model,
                                                   const ImportOptions &options, Diagnostics &diag);

class Importer;

/// What a layer's import function gets for one call of the layer.
struct LayerCall {
  Importer &imp;
  const Layer &layer;
  LayerConfig cfg;
  llvm::SmallVector<mlir::Value> inputs;
  /// Name used for the layer's weights (a wrapper's inner layer keeps its own).
  std::string weightOwner;
  /// Keras 3's .weights.h5 group holding the weights' "vars" (for a
  /// recurrent layer its cell's: layers/lstm/cell).
  std::string saveGroup;
};

/// The group under which Keras 3 saves the variables of a layer of class
/// |className| saved at |path|: recurrent layers keep them in their cell.
std::string kerasVarsGroup(const std::string &path, const std::string &className);

/// Imports one call; appends the layer's outputs. Returns false after
/// reporting an error.
using LayerImportFn = bool (*)(LayerCall &call, llvm::SmallVectorImpl<mlir::Value> &outputs);
LayerImportFn findLayerImporter(const std::string &className);

class Importer {
public:
  Importer(mlir::MLIRContext &ctx, const KerasModel &model, Diagnostics &diag)
      : ctx(ctx), model(model), diag(diag), b(&ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> run(const TrainingSettings &settings);

  //===--- for layer import functions -------------------------------------===//
  mlir::MLIRContext &ctx;
  const KerasModel &model;
  Diagnostics &diag;
  mlir::OpBuilder b;
  mlir::Value seed, step;
  int64_t batch = 0;

  mlir::Location loc(const Layer &layer);
  /// Reads weight |name| of |owner| (creating its variable on first use).
  /// A |trainable| false weight is state the layer updates itself (Batch-
  /// Normalization's moving statistics); a frozen layer freezes all of its.
  /// The weight's L2 regularizer (kernel_regularizer, ...) is read here.
  mlir::Value weight(LayerCall &call, llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                     graph::InitializerAttr init, bool trainable = true);
  /// Creates an OpT with |results| results and shapes it with its shape
  /// rule; null if that fails (the rule's error has been reported).
  template <typename OpT>
  OpT createOp(const Layer &layer, mlir::ValueRange operands, llvm::ArrayRef<mlir::NamedAttribute> attrs = {},
               unsigned results = 1) {
    llvm::SmallVector<mlir::Type> types(results, mlir::UnrankedTensorType::get(b.getF32Type()));
    auto op = b.create<OpT>(loc(layer), types, operands, attrs);
    if (mlir::failed(llvm::cast<graph::ShapeInferenceOpInterface>(op.getOperation()).inferShapes()))
      return nullptr;
    return op;
  }
  template <typename OpT>
  mlir::Value create(const Layer &layer, mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    OpT op = createOp<OpT>(layer, operands, attrs);
    return op ? op->getResult(0) : mlir::Value();
  }
  int64_t nextDropoutStream() { return ++dropoutStreams; }

private:
  mlir::ModuleOp module;
  std::map<std::tuple<std::string, int, int>, mlir::Value> tensors;
  struct WeightRecord {
    int layerIndex, local;
    graph::VariableOp var;
    std::string saveGroup;
  };
  std::vector<WeightRecord> weights;
  int64_t dropoutStreams = 0;

  bool declareInputs(mlir::func::FuncOp &forward);
  bool importCalls();
  void numberWeights();
  std::optional<std::vector<int64_t>> inputShape(const Layer &layer);
  bool feedsEmbedding(const std::string &layerName) const;
  /// Reports, naming |layer|, a tensor too large for any machine.
  bool checkSize(const Layer &layer, mlir::Type type, const char *what);
};

} // namespace kcc::frontend

#endif // KCC_FRONTEND_IMPORTER_H
