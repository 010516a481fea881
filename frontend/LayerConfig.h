//===- LayerConfig.h - typed, validated access to a layer's config --------===//
//
// Every accessor takes the key names of all Keras generations (Keras 1's
// "output_dim" for Keras 2's "units", ...) and reports a located error when
// a value is missing or malformed, so one bad layer yields one clear message
// and the import carries on to find the next.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_FRONTEND_LAYERCONFIG_H
#define KCC_FRONTEND_LAYERCONFIG_H

#include "frontend/KerasModel.h"

#include "ir/Graph/IR/GraphDialect.h"

#include <initializer_list>

namespace kcc::frontend {

/// Keras's relu(x, negative_slope, max_value, threshold) beyond plain relu
/// (graph.relu): LeakyReLU, ReLU with a cap, relu6.
struct ReluSpec {
  double negativeSlope = 0.0, threshold = 0.0;
  std::optional<double> maxValue;
};

/// A Keras activation: an elementwise kind, softmax (its own op) or a relu
/// with settings (graph.relu).
/// Activations built from several graph ops: x times a gate of x (swish,
/// hard_swish, mish), and gelu (graph.gelu).
enum class CompositeActivation { none, swish, hard_swish, mish, gelu };

struct ActivationSpec {
  bool softmax = false;
  graph::Activation kind = graph::Activation::linear;
  std::optional<ReluSpec> relu; // set: graph.relu with these settings
  CompositeActivation composite = CompositeActivation::none;

  /// One graph.activation kind (what recurrent cells and fused epilogues take).
  bool isPlainKind() const { return !softmax && !relu && composite == CompositeActivation::none; }
};

class LayerConfig {
public:
  /// Largest size a layer option may give (units, filters, kernel sizes):
  /// Keras keeps them in int32; products of a few stay inside int64.
  static constexpr int64_t kMaxSize = (int64_t(1) << 31) - 1;

  LayerConfig(const Layer &layer, Generation gen, Diagnostics &diag, std::string version = "")
      : layer(layer), gen(gen), diag(diag), version(std::move(version)) {}

  using Keys = std::initializer_list<const char *>;

  /// The first of |keys| present in the config, or null.
  const rapidjson::Value *find(Keys keys) const;
  std::string keyOf(Keys keys) const;

  std::optional<int64_t> positiveInt(Keys keys);
  /// A pair such as kernel_size or strides: [a, b] or a single int;
  /// |fallback| if absent (null |fallback| makes it required).
  std::optional<std::vector<int64_t>> pair(Keys keys, std::optional<std::vector<int64_t>> fallback);
  double number(Keys keys, double fallback);
  bool flag(Keys keys, bool fallback);
  std::string string(Keys keys, const std::string &fallback);
  std::optional<std::string> oneOf(Keys keys, const std::string &fallback,
                                   std::initializer_list<const char *> allowed);

  std::optional<ActivationSpec> activation(Keys keys, const std::string &fallback);
  graph::InitializerAttr initializer(mlir::MLIRContext *ctx, Keys keys, const std::string &fallback);
  std::optional<graph::DataFormat> dataFormat();
  std::optional<graph::Padding> padding();

  /// The L2 factor of the weight regularizer under |keys| (0 without one):
  /// Keras's L2 and L1L2 in every generation's spelling, and the "l2" short
  /// name. An L1 term is refused (nullopt after reporting it).
  std::optional<double> l2Regularizer(Keys keys);

  /// Reports |key| if it holds anything but null/false/0/empty: a feature
  /// kcc does not implement.
  void unsupportedIfSet(const char *key, const std::string &what);

  void error(Keys keys, const std::string &message);
  Generation generation() const { return gen; }
  const Layer &getLayer() const { return layer; }

private:
  const Layer &layer;
  Generation gen;
  Diagnostics &diag;
  std::string version; // keras_version as written, may be empty
};

/// Parses a Keras initializer ({"class_name", "config"} or a Keras 1 name)
/// with the meaning Keras |gen| (version |version|, may be empty) gave it.
/// Returns null and sets |error| if unsupported.
graph::InitializerAttr parseInitializer(mlir::MLIRContext *ctx, const rapidjson::Value *v,
                                        Generation gen, const std::string &version,
                                        std::string &error);

} // namespace kcc::frontend

#endif // KCC_FRONTEND_LAYERCONFIG_H
