//===- LayerConfig.cpp - typed, validated access to a layer's config ------===//

#include "frontend/LayerConfig.h"

#include "frontend/Json.h"

#include "mlir/IR/Builders.h"

#include <cstdio>
#include <tuple>

namespace kcc::frontend {

using json::member;
using rapidjson::Value;
using namespace kcc::graph;

const Value *LayerConfig::find(Keys keys) const {
  for (const char *k : keys)
    if (const Value *v = member(layer.config, k))
      return v;
  return nullptr;
}

std::string LayerConfig::keyOf(Keys keys) const {
  for (const char *k : keys)
    if (member(layer.config, k))
      return k;
  return *keys.begin();
}

void LayerConfig::error(Keys keys, const std::string &message) {
  diag.error(layer.where(keyOf(keys)), message);
}

std::optional<int64_t> LayerConfig::positiveInt(Keys keys) {
  const Value *v = find(keys);
  auto i = json::integer(v);
  if (!i || *i < 1) {
    error(keys, "expected a positive integer, found " + json::render(v));
    return std::nullopt;
  }
  return i;
}

std::optional<std::vector<int64_t>> LayerConfig::pair(Keys keys,
                                                      std::optional<std::vector<int64_t>> fallback) {
  const Value *v = find(keys);
  if (json::isNull(v)) {
    if (!fallback)
      error(keys, "is required");
    return fallback;
  }
  if (auto i = json::integer(v); i && *i > 0)
    return std::vector<int64_t>{*i, *i};
  if (v->IsArray() && v->Size() == 2) {
    auto a = json::integer(&(*v)[0]), b = json::integer(&(*v)[1]);
    if (a && b && *a > 0 && *b > 0)
      return std::vector<int64_t>{*a, *b};
  }
  error(keys, "expected two positive integers, found " + json::render(v));
  return std::nullopt;
}

double LayerConfig::number(Keys keys, double fallback) {
  const Value *v = find(keys);
  if (json::isNull(v))
    return fallback;
  if (auto d = json::number(v))
    return *d;
  error(keys, "expected a number, found " + json::render(v));
  return fallback;
}

bool LayerConfig::flag(Keys keys, bool fallback) {
  const Value *v = find(keys);
  if (json::isNull(v))
    return fallback;
  if (auto b = json::boolean(v))
    return *b;
  error(keys, "expected true or false, found " + json::render(v));
  return fallback;
}

std::string LayerConfig::string(Keys keys, const std::string &fallback) {
  const Value *v = find(keys);
  if (json::isNull(v))
    return fallback;
  if (auto s = json::string(v))
    return *s;
  error(keys, "expected a string, found " + json::render(v));
  return fallback;
}

std::optional<std::string> LayerConfig::oneOf(Keys keys, const std::string &fallback,
                                              std::initializer_list<const char *> allowed) {
  std::string s = string(keys, fallback);
  for (const char *a : allowed)
    if (s == a)
      return s;
  std::string list;
  for (const char *a : allowed)
    list += (list.empty() ? "" : ", ") + std::string(a);
  error(keys, "unsupported value '" + s + "' (supported: " + list + ")");
  return std::nullopt;
}

std::optional<ActivationSpec> LayerConfig::activation(Keys keys, const std::string &fallback) {
  const Value *v = find(keys);
  std::string name = fallback;
  if (auto s = json::string(v))
    name = *s;
  else if (auto cfgName = json::string(member(member(v, "config"), "name"))) // serialized function
    name = *cfgName;
  else if (!json::isNull(v)) {
    error(keys, "expected an activation name, found " + json::render(v));
    return std::nullopt;
  }
  ActivationSpec spec;
  if (name == "softmax") {
    spec.softmax = true;
    return spec;
  }
  if (name == "hard_sigmoid") {
    // The name means clip(0.2x+0.5) up to Keras 2 and clip(x/6+0.5) in Keras 3.
    spec.kind = gen == Generation::Keras3 ? Activation::hard_sigmoid_v3 : Activation::hard_sigmoid;
    return spec;
  }
  if (auto kind = symbolizeActivation(name); kind && name != "hard_sigmoid_v3") {
    spec.kind = *kind;
    return spec;
  }
  error(keys, "unsupported activation '" + name +
                  "' (supported: linear, relu, tanh, sigmoid, hard_sigmoid, softmax, elu, selu, "
                  "softplus, softsign, exponential)");
  return std::nullopt;
}

namespace {
/// VarianceScaling parameters of the named Keras initializers.
struct NamedScaling {
  const char *name;
  double scale;
  const char *mode, *distribution;
};
const NamedScaling kNamedScalings[] = {
    {"glorotuniform", 1.0, "fan_avg", "uniform"}, {"glorotnormal", 1.0, "fan_avg", "truncated_normal"},
    {"heuniform", 2.0, "fan_in", "uniform"},      {"henormal", 2.0, "fan_in", "truncated_normal"},
    {"lecununiform", 1.0, "fan_in", "uniform"},   {"lecunnormal", 1.0, "fan_in", "truncated_normal"},
};

std::string canonical(const std::string &s) {
  std::string out;
  for (char c : s)
    if (c != '_')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
} // namespace

InitializerAttr parseInitializer(mlir::MLIRContext *ctx, const Value *v, Generation gen,
                                 const std::string &version, std::string &error) {
  mlir::Builder b(ctx);
  auto make = [&](const char *kind, llvm::ArrayRef<mlir::NamedAttribute> params) {
    return InitializerAttr::get(ctx, b.getStringAttr(kind), b.getDictionaryAttr(params));
  };
  auto f = [&](const char *k, double d) { return b.getNamedAttr(k, b.getF64FloatAttr(d)); };
  auto s = [&](const char *k, llvm::StringRef str) { return b.getNamedAttr(k, b.getStringAttr(str)); };
  std::string cls;
  const Value *cfg = nullptr;
  if (auto name = json::string(v)) {
    cls = *name;
  } else if (auto name = json::string(member(v, "class_name"))) {
    cls = *name;
    cfg = member(v, "config");
  } else {
    error = "expected an initializer, found " + json::render(v);
    return nullptr;
  }
  auto num = [&](const char *k, double d) { return json::number(member(cfg, k)).value_or(d); };
  std::string c = canonical(cls);
  for (const NamedScaling &n : kNamedScalings)
    if (c == n.name) {
      // Keras 1 drew its *_normal initializers from an untruncated normal.
      std::string dist = n.distribution;
      if (gen == Generation::Keras1 && dist == "truncated_normal")
        dist = "untruncated_normal";
      return make("variance_scaling", {f("scale", n.scale), s("mode", n.mode), s("distribution", dist)});
    }
  if (c == "variancescaling") {
    std::string dist = json::string(member(cfg, "distribution")).value_or("truncated_normal");
    // "normal" is a normal truncated at 2 sigma; Keras 2.2.3 started scaling
    // it up so that its variance is the intended one.
    if (dist == "normal") {
      int v[3] = {0, 0, 0};
      bool old = gen != Generation::Keras3 &&
                 std::sscanf(version.c_str(), "%d.%d.%d", &v[0], &v[1], &v[2]) >= 2 &&
                 std::make_tuple(v[0], v[1], v[2]) < std::make_tuple(2, 2, 3);
      dist = old ? "truncated_normal_unscaled" : "truncated_normal";
    }
    return make("variance_scaling", {f("scale", num("scale", 1.0)),
                                     s("mode", json::string(member(cfg, "mode")).value_or("fan_in")),
                                     s("distribution", dist)});
  }
  if (c == "zeros" || c == "zero")
    return make("zeros", {});
  if (c == "ones" || c == "one")
    return make("ones", {});
  if (c == "constant")
    return make("constant", {f("value", num("value", 0.0))});
  if (c == "randomuniform" || c == "uniform")
    return make("random_uniform", {f("minval", num("minval", -0.05)), f("maxval", num("maxval", 0.05))});
  if (c == "randomnormal" || c == "normal")
    return make("random_normal", {f("mean", num("mean", 0.0)), f("stddev", num("stddev", 0.05))});
  if (c == "truncatednormal")
    return make("truncated_normal", {f("mean", num("mean", 0.0)), f("stddev", num("stddev", 0.05))});
  if (c == "orthogonal" || c == "orthogonalinitializer")
    return make("orthogonal", {f("gain", num("gain", 1.0))});
  error = "unsupported initializer '" + cls + "'";
  return nullptr;
}

InitializerAttr LayerConfig::initializer(mlir::MLIRContext *ctx, Keys keys,
                                         const std::string &fallback) {
  const Value *v = find(keys);
  rapidjson::Value fallbackValue(rapidjson::StringRef(fallback.c_str()));
  std::string err;
  InitializerAttr init = parseInitializer(ctx, json::isNull(v) ? &fallbackValue : v, gen, version, err);
  if (!init)
    error(keys, err);
  return init;
}

std::optional<DataFormat> LayerConfig::dataFormat() {
  std::string f = string({"data_format", "dim_ordering"}, "channels_last");
  if (f == "channels_last" || f == "tf" || f == "default")
    return DataFormat::channels_last;
  if (f == "channels_first" || f == "th")
    return DataFormat::channels_first;
  error({"data_format", "dim_ordering"}, "unsupported data format '" + f + "'");
  return std::nullopt;
}

std::optional<Padding> LayerConfig::padding() {
  auto p = oneOf({"padding", "border_mode"}, "valid", {"valid", "same"});
  if (!p)
    return std::nullopt;
  return *p == "same" ? Padding::same : Padding::valid;
}

void LayerConfig::unsupportedIfSet(const char *key, const std::string &what) {
  const Value *v = member(layer.config, key);
  if (json::isNull(v) || (v->IsBool() && !v->GetBool()) || (v->IsNumber() && v->GetDouble() == 0.0) ||
      (v->IsString() && v->GetStringLength() == 0))
    return;
  diag.error(layer.where(key), what + " is not supported (found " + json::render(v) + ")");
}

} // namespace kcc::frontend
