//===- TrainingConfig.h - optimizer, loss and run settings of a model -----===//
//
// Sources, most specific last: Keras 2's `training_config` (HDF5 attribute
// layout) or Keras 3's `compile_config`; then our own top-level "kcc" object
// (batch size, epochs, dataset, ...; see docs/model-json.md); then flags.
// Defaults follow the Keras generation that wrote the file.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_FRONTEND_TRAININGCONFIG_H
#define KCC_FRONTEND_TRAININGCONFIG_H

#include "frontend/KerasModel.h"

#include "ir/Graph/IR/GraphDialect.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace kcc::frontend {

struct OptimizerSettings {
  std::string name = "rmsprop"; // sgd | rmsprop | adadelta | adam | adagrad | adamax | nadam | lion
  double lr = 1e-3, rho = 0.9, epsilon = 1e-8, decay = 0.0;
  double momentum = 0.0, beta1 = 0.9, beta2 = 0.999;
  bool nesterov = false;
  bool amsgrad = false; // Adam's AMSGrad
  double weightDecay = 0.0; // Keras's decoupled weight decay (AdamW)
  double initialAccumulator = 0.1; // Adagrad
  double scheduleDecay = 0.004; // Nadam before Keras 3 (Keras 3: 1)
  // Gradient clipping (0: off). Keras 1/2's clipnorm is a global norm.
  double clipnorm = 0.0, globalClipnorm = 0.0, clipvalue = 0.0;
  bool keras3 = false; // Keras 3 maths where generations differ (RMSprop)
};

struct TrainingSettings {
  std::string loss;
  double lossEpsilon = 1e-7;
  bool fromLogits = false; // Keras's from_logits=True: the output is logits
  double labelSmoothing = 0.0; // Keras's label_smoothing (categorical and binary crossentropy)
  std::vector<std::string> metrics;
  OptimizerSettings optimizer;
  int64_t batchSize = 32;
  int64_t epochs = 1;
  int64_t stepsPerEpoch = 0; // 0: ceil(samples / batch)
  bool shuffle = true;
  std::string dataset, datasetTask, datasetSet;
  std::string validation = "test"; // "test" | "split" | "none"
  double validationSplit = 0.0;
  bool augment = false;
  double widthShift = 0.0, heightShift = 0.0;
  bool horizontalFlip = false;
  int64_t ranks = 1; // data-parallel processes (kcc --ranks)
};

/// Overrides from the command line.
struct TrainingOverrides {
  std::optional<int64_t> batchSize;
  std::optional<int64_t> ranks;
  /// A loss and an optimizer by Keras name (`kcc --loss/--optimizer`), for
  /// files without training settings (`model.to_json()`); they replace the
  /// file's. The optimizer gets the defaults of the file's Keras generation.
  std::optional<std::string> loss, optimizer;
};

/// Reads the training settings; problems are reported to |diag|.
TrainingSettings readTrainingSettings(const KerasModel &model, const TrainingOverrides &overrides,
                                      Diagnostics &diag);

/// The settings as the `kcc.training` module attribute the passes read.
graph::TrainingAttr trainingAttr(mlir::MLIRContext *ctx, const TrainingSettings &s);

} // namespace kcc::frontend

#endif // KCC_FRONTEND_TRAININGCONFIG_H
