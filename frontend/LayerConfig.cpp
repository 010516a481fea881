//===- LayerConfig.cpp - typed, validated access to a layer's config ------===//

#include "frontend/LayerConfig.h"

#include "frontend/Json.h"

#include "mlir/IR/Builders.h"

#include <cmath>
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
  if (!i || *i < 1 || *i > kMaxSize) {
    error(keys, "expected a positive integer (at most 2^31-1), found " + json::render(v));
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
  auto fits = [](std::optional<int64_t> i) { return i && *i > 0 && *i <= kMaxSize; };
  if (auto i = json::integer(v); fits(i))
    return std::vector<int64_t>{*i, *i};
  if (v->IsArray() && v->Size() == 2) {
    auto a = json::integer(&(*v)[0]), b = json::integer(&(*v)[1]);
    if (fits(a) && fits(b))
      return std::vector<int64_t>{*a, *b};
  }
  error(keys, "expected two positive integers (at most 2^31-1), found " + json::render(v));
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
  if (name == "relu6" || name == "leaky_relu") { // Keras 3's leaky_relu leaks 0.2
    spec.relu = name == "relu6" ? ReluSpec{0.0, 0.0, 6.0} : ReluSpec{0.2, 0.0, std::nullopt};
    return spec;
  }
  static const std::pair<const char *, CompositeActivation> composites[] = {
      {"swish", CompositeActivation::swish},           {"silu", CompositeActivation::swish},
      {"hard_swish", CompositeActivation::hard_swish}, {"hard_silu", CompositeActivation::hard_swish},
      {"mish", CompositeActivation::mish},             {"gelu", CompositeActivation::gelu}};
  for (const auto &[alias, composite] : composites)
    if (name == alias) {
      spec.composite = composite;
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
                  "' (supported: linear, relu, relu6, leaky_relu, tanh, sigmoid, hard_sigmoid, softmax, elu, "
                  "selu, softplus, softsign, exponential, swish/silu, hard_swish/hard_silu, mish, gelu)");
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
  // A parameter that is present must be a finite number in range: a bad one
  // is reported, never replaced by the default.
  auto num = [&](const char *k, double d, double lo = -HUGE_VAL, bool loOpen = false) {
    const Value *p = member(cfg, k);
    if (json::isNull(p))
      return d;
    auto x = json::number(p);
    if (!x || !std::isfinite(*x) || *x < lo || (loOpen && *x == lo)) {
      if (error.empty())
        error = cls + " initializer: '" + k + "' must be a finite number" +
                (lo == -HUGE_VAL ? std::string() : std::string(loOpen ? " > " : " >= ") + std::to_string(lo)) +
                ", found " + json::render(p);
      return d;
    }
    return *x;
  };
  auto checked = [&](InitializerAttr a) { return error.empty() ? a : nullptr; };
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
    std::string mode = json::string(member(cfg, "mode")).value_or("fan_in");
    if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg")
      error = "VarianceScaling initializer: mode must be fan_in, fan_out or fan_avg, found '" + mode + "'";
    if (dist != "truncated_normal" && dist != "truncated_normal_unscaled" && dist != "untruncated_normal" &&
        dist != "uniform")
      error = "VarianceScaling initializer: distribution must be truncated_normal, untruncated_normal, normal "
              "or uniform, found '" + dist + "'";
    return checked(make("variance_scaling", {f("scale", num("scale", 1.0, 0.0, true)), s("mode", mode),
                                             s("distribution", dist)}));
  }
  if (c == "zeros" || c == "zero")
    return make("zeros", {});
  if (c == "ones" || c == "one")
    return make("ones", {});
  if (c == "constant")
    return checked(make("constant", {f("value", num("value", 0.0))}));
  if (c == "randomuniform" || c == "uniform") {
    double lo = num("minval", -0.05), hi = num("maxval", 0.05);
    if (error.empty() && !(lo <= hi))
      error = cls + " initializer: minval " + std::to_string(lo) + " is above maxval " + std::to_string(hi);
    return checked(make("random_uniform", {f("minval", lo), f("maxval", hi)}));
  }
  if (c == "randomnormal" || c == "normal")
    return checked(make("random_normal", {f("mean", num("mean", 0.0)), f("stddev", num("stddev", 0.05, 0.0))}));
  if (c == "truncatednormal")
    return checked(make("truncated_normal", {f("mean", num("mean", 0.0)), f("stddev", num("stddev", 0.05, 0.0))}));
  if (c == "orthogonal" || c == "orthogonalinitializer")
    return checked(make("orthogonal", {f("gain", num("gain", 1.0))}));
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

std::optional<double> LayerConfig::l2Regularizer(Keys keys) {
  const Value *v = find(keys);
  if (json::isNull(v))
    return 0.0;
  double l1 = 0, l2 = 0;
  if (auto name = json::string(v)) { // "l2": Keras's default factor
    if (*name != "l2") {
      error(keys, "unsupported regularizer '" + *name + "' (supported: L2, L1L2 with l1 = 0)");
      return std::nullopt;
    }
    l2 = 0.01;
  } else {
    // {"class_name": "L2"|"L1L2", "config": {...}} or Keras 1's flat
    // {"name": "WeightRegularizer", "l1": ..., "l2": ...}.
    const Value *cfg = member(v, "config") ? member(v, "config") : v;
    std::string cls = json::string(member(v, "class_name")).value_or(json::string(member(v, "name")).value_or(""));
    if (cls != "L2" && cls != "L1L2" && cls != "WeightRegularizer") {
      error(keys, "unsupported regularizer " + json::render(v) + " (supported: L2, L1L2 with l1 = 0)");
      return std::nullopt;
    }
    auto number = [&](const char *key, double fallback) {
      const Value *n = member(cfg, key);
      return json::isNull(n) ? std::optional<double>(fallback) : json::number(n);
    };
    auto a = number("l1", 0.0), b = number("l2", cls == "L2" ? 0.01 : 0.0);
    if (!a || !b || !(*b >= 0)) {
      error(keys, "expected numbers l1 and l2 >= 0 in the regularizer, found " + json::render(v));
      return std::nullopt;
    }
    l1 = *a, l2 = *b;
  }
  if (l1 != 0) {
    error(keys, "L1 weight regularization is not supported (L2 is)");
    return std::nullopt;
  }
  return l2;
}

void LayerConfig::unsupportedIfSet(const char *key, const std::string &what) {
  const Value *v = member(layer.config, key);
  if (json::isNull(v) || (v->IsBool() && !v->GetBool()) || (v->IsNumber() && v->GetDouble() == 0.0) ||
      (v->IsString() && v->GetStringLength() == 0))
    return;
  diag.error(layer.where(key), what + " is not supported (found " + json::render(v) + ")");
}

} // namespace kcc::frontend
