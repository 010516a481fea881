//===- KerasModel.h - a Keras model file, normalised across generations ---===//
//
// Keras 1, Keras 2 (standalone and tf.keras, incl. the 2.13+ hybrid), Keras 3
// `to_json`, Keras 3 `.keras` config.json, the HDF5 `model_config` attribute
// and TF.js `model.json` all describe the same thing differently. This reads
// any of them into one form: layers in config order, each with its calls and
// the tensors each call consumes. See docs/model-json.md.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_FRONTEND_KERASMODEL_H
#define KCC_FRONTEND_KERASMODEL_H

#include "frontend/Diagnostics.h"

#include "rapidjson/document.h"

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace kcc::frontend {

/// Which Keras wrote the file; decides defaults and names that changed.
enum class Generation { Keras1, Keras2, Keras3 };

/// Output |tensor| of call |node| of layer |layer|.
struct TensorRef {
  std::string layer;
  int node = 0;
  int tensor = 0;

  bool operator<(const TensorRef &o) const {
    return std::tie(layer, node, tensor) < std::tie(o.layer, o.node, o.tensor);
  }
};

struct Layer {
  std::string name;
  std::string className;
  std::string jsonPath;                    // e.g. /config/layers/3
  const rapidjson::Value *config = nullptr; // the layer's "config" object
  std::vector<std::vector<TensorRef>> calls; // inputs of each call
  int configIndex = 0;                     // position in the config's layer list (nested models inlined)
  bool frozenByModel = false;              // inside a nested model with trainable: false
  std::string savePath;                    // Keras 3's group in .weights.h5, e.g. layers/dense_1

  /// "layer 'dense_1' (Dense) at /config/layers/3" for messages.
  std::string where(const std::string &key = "") const;
};

struct KerasModel {
  std::string file;
  Generation generation = Generation::Keras2;
  std::string kerasVersion; // as written, may be empty
  std::string name;
  /// Keras 3 files: the model object as Keras reads it back (the file's
  /// model object without kcc's block), for a .keras archive's config.json.
  std::string keras3Config;
  std::vector<Layer> layers;
  std::vector<TensorRef> inputs, outputs;

  // Training-related objects found in the file (any may be null).
  const rapidjson::Value *compileConfig = nullptr;  // Keras 3
  const rapidjson::Value *trainingConfig = nullptr; // Keras 2 HDF5 / TF.js
  const rapidjson::Value *kccConfig = nullptr;      // our own block

  /// The JSON documents the pointers above refer into.
  std::vector<std::unique_ptr<rapidjson::Document>> documents;

  const Layer *find(const std::string &name) const;
};

/// Keras's naming.to_snake_case: the name Keras 3 saves an object under
/// ("GlobalMaxPooling1D" -> "global_max_pooling1d").
std::string kerasSnakeCase(const std::string &className);

/// Largest model file read: real Keras JSON is well under a MiB.
inline constexpr size_t kMaxModelFileBytes = size_t(64) << 20;

/// Reads and normalises |path|. Errors go to |diag|; returns nullopt if any.
std::optional<KerasModel> loadKerasModel(const std::string &path, Diagnostics &diag);

/// Same, from text already in memory (|name| is used in messages).
std::optional<KerasModel> parseKerasModel(const std::string &text, const std::string &name,
                                          Diagnostics &diag);

} // namespace kcc::frontend

#endif // KCC_FRONTEND_KERASMODEL_H
