//===- TrainingConfig.cpp - optimizer, loss and run settings of a model ---===//

#include "frontend/TrainingConfig.h"

#include "frontend/Json.h"

#include "mlir/IR/Builders.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace kcc::frontend {

using json::member;
using rapidjson::Value;

namespace {

std::string lower(std::string s) {
  std::string out;
  for (char c : s)
    if (c != '_')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// True if |version| (e.g. "2.0.8") is before major.minor.patch.
bool versionBefore(const std::string &version, int major, int minor, int patch) {
  int v[3] = {0, 0, 0};
  if (sscanf(version.c_str(), "%d.%d.%d", &v[0], &v[1], &v[2]) < 1)
    return false;
  int want[3] = {major, minor, patch};
  for (int i = 0; i < 3; ++i)
    if (v[i] != want[i])
      return v[i] < want[i];
  return false;
}

/// One optimizer's (or the augmentation's) config object. Every key must be taken by a reader
/// (honoured), be one that does not change training (`name`), or hold its
/// Keras default; finish() refuses the rest, so no option is dropped.
class OptionSet {
public:
  OptionSet(const Value *cfg, std::string path, Diagnostics &diag) : cfg(cfg), path(std::move(path)), diag(diag) {
    if (cfg && !cfg->IsObject())
      diag.error(this->path, "expected an object of options, found " + json::render(cfg));
  }

  /// A number in [lo, hi] (hi excluded when |hiOpen|); null means |fallback|.
  double number(const char *key, double fallback, double lo, double hi, bool hiOpen = false, bool loOpen = false) {
    const Value *v = take(key);
    if (json::isNull(v))
      return fallback;
    auto d = json::number(v);
    if (!d) {
      diag.error(path + "/" + key, "expected a number, found " + json::render(v));
      return fallback;
    }
    if (!std::isfinite(*d) || (loOpen ? *d <= lo : *d < lo) || (hiOpen ? *d >= hi : *d > hi)) {
      std::string range = std::isinf(hi) ? ">= " + fmt(lo)
                                         : std::string("in ") + (loOpen ? "(" : "[") + fmt(lo) + ", " + fmt(hi) +
                                               (hiOpen ? ")" : "]");
      diag.error(path + "/" + key, "expected a number " + range + ", found " + json::render(v));
      return fallback;
    }
    return *d;
  }

  bool flag(const char *key, bool fallback) {
    const Value *v = take(key);
    if (json::isNull(v))
      return fallback;
    if (auto b = json::boolean(v))
      return *b;
    diag.error(path + "/" + key, "expected true or false, found " + json::render(v));
    return fallback;
  }

  /// The value of |key|, marked as read (null if absent).
  const Value *take(const char *key) {
    used.insert(key);
    return member(cfg, key);
  }

  /// Keys that do not change what training computes.
  void ignore(std::initializer_list<const char *> keys) { used.insert(keys.begin(), keys.end()); }

  /// Options kcc does not implement: accepted only at their Keras default
  /// (null, false or 0), refused otherwise.
  void refuseUnlessDefault(std::initializer_list<const char *> keys) {
    for (const char *key : keys) {
      const Value *v = take(key);
      bool isDefault = json::isNull(v) || (v->IsBool() && !v->GetBool()) || (v->IsNumber() && v->GetDouble() == 0);
      if (!isDefault)
        diag.error(path + "/" + key, std::string("optimizer option '") + key + "' (" + json::render(v) +
                                         ") is not supported by kcc yet");
    }
  }

  /// An error about the options as a whole, at the config's path.
  void error(const std::string &message) { diag.error(path, message); }

  void finish(const std::string &what = "optimizer option") {
    if (!cfg || !cfg->IsObject())
      return;
    for (auto &m : cfg->GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (!used.count(key))
        diag.error(path + "/" + key, "unknown " + what + " '" + key + "'" +
                                         (what == "optimizer option" ? " for this optimizer" : "") +
                                         "; kcc refuses options it would otherwise ignore");
    }
  }

private:
  const Value *cfg;
  std::string path;
  Diagnostics &diag;
  std::set<std::string> used;

  static std::string fmt(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", d);
    return buf;
  }
};

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The maths options of each optimizer, shared by every Keras generation.
/// |globalClipnorm|: the file's `clipnorm` is Keras 1/2's joint norm over all
/// gradients (tf.keras and Keras 3 clip each gradient by its own norm).
void readOptimizerMaths(OptionSet &opts, OptimizerSettings &o, bool globalClipnorm) {
  o.decay = opts.number("decay", o.decay, 0, kInf);
  if (o.name == "rmsprop" || o.name == "adadelta") {
    o.rho = opts.number("rho", o.rho, 0, 1);
    o.epsilon = opts.number("epsilon", o.epsilon, 0, kInf);
  } else if (o.name == "adagrad") {
    o.initialAccumulator = opts.number("initial_accumulator_value", o.initialAccumulator, 0, kInf);
    o.epsilon = opts.number("epsilon", o.epsilon, 0, kInf);
  } else if (o.name == "adam" || o.name == "adamax" || o.name == "nadam") {
    if (o.name == "nadam" && !o.keras3) // tf.keras keeps 0.004 without writing it
      o.scheduleDecay = opts.number("schedule_decay", 0.004, 0, kInf);
    o.beta1 = opts.number("beta_1", o.beta1, 0, 1, /*hiOpen=*/true);
    o.beta2 = opts.number("beta_2", o.beta2, 0, 1, /*hiOpen=*/true);
    o.epsilon = opts.number("epsilon", o.epsilon, 0, kInf);
  } else if (o.name == "lion") { // Keras refuses beta_1 = 0 (SignSGD)
    o.beta1 = opts.number("beta_1", o.beta1, 0, 1, /*hiOpen=*/false, /*loOpen=*/true);
    o.beta2 = opts.number("beta_2", o.beta2, 0, 1);
  } else if (o.name == "sgd") {
    o.momentum = opts.number("momentum", o.momentum, 0, 1);
    o.nesterov = opts.flag("nesterov", o.nesterov);
  }
  if (o.name == "rmsprop")
    opts.refuseUnlessDefault({"momentum", "centered"});
  if (o.name == "adam")
    o.amsgrad = opts.flag("amsgrad", false);
  // Present in every tf.keras / Keras 3 optimizer config.
  opts.ignore({"name", "jit_compile", "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency"});
  o.weightDecay = opts.number("weight_decay", o.weightDecay, 0, kInf);
  double clipnorm = opts.number("clipnorm", 0, 0, kInf);
  (globalClipnorm ? o.globalClipnorm : o.clipnorm) = clipnorm;
  if (!globalClipnorm)
    o.globalClipnorm = opts.number("global_clipnorm", 0, 0, kInf);
  o.clipvalue = opts.number("clipvalue", 0, 0, kInf);
  if (o.keras3 && (o.clipnorm > 0) + (o.globalClipnorm > 0) + (o.clipvalue > 0) > 1)
    opts.error("only one of clipnorm, clipvalue and global_clipnorm can be set (as in Keras 3)");
  opts.refuseUnlessDefault({"use_ema", "loss_scale_factor", "gradient_accumulation_steps"});
}

class SettingsReader {
public:
  SettingsReader(const KerasModel &model, Diagnostics &diag) : model(model), diag(diag) {}

  TrainingSettings read(const TrainingOverrides &overrides) {
    TrainingSettings s;
    if (const Value *cc = model.compileConfig)
      readKeras3(cc, s);
    else if (const Value *tc = model.trainingConfig)
      readKeras2(tc, "/training_config", s);
    if (const Value *k = model.kccConfig)
      readKcc(k, s);
    if (overrides.batchSize)
      s.batchSize = *overrides.batchSize;
    if (overrides.ranks)
      s.ranks = *overrides.ranks;
    if (overrides.loss || overrides.optimizer) {
      rapidjson::Document flags;
      if (overrides.loss) {
        s.loss.clear();
        readLoss(&flags.SetString(overrides.loss->c_str(), flags.GetAllocator()), "--loss", s);
      }
      if (overrides.optimizer) {
        if (model.generation == Generation::Keras3) {
          s.optimizer = keras3Defaults(lower(*overrides.optimizer), "--optimizer");
        } else {
          flags.SetObject();
          flags.AddMember("class_name", rapidjson::Value(overrides.optimizer->c_str(), flags.GetAllocator()),
                          flags.GetAllocator());
          readKeras2Optimizer(&flags, "--optimizer", s);
        }
      }
    }
    // Standalone Keras up to 2.3 (and tf.keras before TF 2.2) measured
    // "accuracy" with a binary crossentropy as binary_accuracy whatever the
    // output's shape; later versions go by the shape (BuildTrainStep).
    const std::string &v = model.kerasVersion;
    bool byLoss = model.generation != Generation::Keras3 &&
                  (versionBefore(v, 2, 3, 0) || (v.rfind("2.3.", 0) == 0 && v.find("-tf") == std::string::npos));
    if (byLoss && s.loss == "binary_crossentropy")
      for (std::string &m : s.metrics)
        if (lower(m) == "accuracy" || lower(m) == "acc")
          m = "binary_accuracy";
    if (s.loss.empty() && !lossNamed)
      diag.error("", "no loss is given: pass --loss (and --optimizer), or add Keras's \"training_config\" "
                     "(or \"compile_config\") or a \"kcc\" block with \"loss\" (see docs/model-json.md)");
    if (s.batchSize < 1)
      diag.error("/kcc/batch_size", "batch size must be positive, got " + std::to_string(s.batchSize));
    else if (s.ranks > s.batchSize)
      diag.error("", "--ranks " + std::to_string(s.ranks) + " is more processes than the batch size " +
                         std::to_string(s.batchSize) + " has rows (each process trains a share of every batch)");
    return s;
  }

private:
  const KerasModel &model;
  Diagnostics &diag;
  bool lossNamed = false; // a loss was given, supported or not

  double num(const Value *obj, const char *key, double fallback, const std::string &path) {
    const Value *v = member(obj, key);
    if (json::isNull(v))
      return fallback;
    if (auto d = json::number(v))
      return *d;
    diag.error(path + "/" + key, std::string("expected a number, found ") + json::render(v));
    return fallback;
  }

  void readLoss(const Value *loss, const std::string &path, TrainingSettings &s) {
    std::string name;
    if (loss && !loss->IsNull())
      lossNamed = true;
    if (auto str = json::string(loss)) {
      name = *str;
    } else if (auto cls = json::string(member(loss, "class_name"))) {
      name = *cls;
      const Value *cfg = member(loss, "config");
      s.fromLogits = json::boolean(member(cfg, "from_logits")).value_or(false);
      if (!json::isNull(member(cfg, "ignore_class")))
        diag.error(path + "/config/ignore_class", "ignore_class is not supported (found " +
                                                      json::render(member(cfg, "ignore_class")) + ")");
      if (const Value *ls = member(cfg, "label_smoothing"); !json::isNull(ls)) {
        auto v = json::number(ls);
        if (!v || !(*v >= 0 && *v <= 1))
          diag.error(path + "/config/label_smoothing", "expected a number in [0, 1], found " + json::render(ls));
        else
          s.labelSmoothing = *v;
      }
      std::string reduction = json::string(member(cfg, "reduction")).value_or("auto");
      if (reduction != "auto" && reduction != "sum_over_batch_size")
        diag.error(path + "/config/reduction", "loss reduction '" + reduction +
                                                   "' is not supported (only the mean, sum_over_batch_size)");
      if (json::integer(member(cfg, "axis")).value_or(-1) != -1)
        diag.error(path + "/config/axis", "a loss over an axis other than the last is not supported");
      if (const Value *delta = member(cfg, "delta"); !json::isNull(delta) && json::number(delta).value_or(0) != 1.0)
        diag.error(path + "/config/delta", "Huber's delta must be 1.0 (its default), found " + json::render(delta));
    } else if (loss && loss->IsObject() && loss->MemberCount() == 1) {
      diag.error(path, "one loss per output is supported; this model names several");
      return;
    } else if (loss && !loss->IsNull()) {
      diag.error(path, "expected a loss name, found " + json::render(loss));
      return;
    } else {
      return;
    }
    // Keras's names, class names and short aliases, without case or '_'.
    static const std::pair<const char *, const char *> known[] = {
        {"categoricalcrossentropy", "categorical_crossentropy"},
        {"sparsecategoricalcrossentropy", "sparse_categorical_crossentropy"},
        {"binarycrossentropy", "binary_crossentropy"}, {"bce", "binary_crossentropy"},
        {"meansquarederror", "mean_squared_error"}, {"mse", "mean_squared_error"},
        {"meanabsoluteerror", "mean_absolute_error"}, {"mae", "mean_absolute_error"},
        {"hinge", "hinge"}, {"squaredhinge", "squared_hinge"}, {"poisson", "poisson"},
        {"logcosh", "log_cosh"}, {"huber", "huber"}, {"huberloss", "huber"},
        {"kldivergence", "kl_divergence"}, {"kld", "kl_divergence"},
        {"kullbackleiblerdivergence", "kl_divergence"},
        {"meansquaredlogarithmicerror", "mean_squared_logarithmic_error"}, {"msle", "mean_squared_logarithmic_error"},
        {"meanabsolutepercentageerror", "mean_absolute_percentage_error"},
        {"mape", "mean_absolute_percentage_error"}};
    std::string n = lower(name);
    for (const auto &[alias, canonical] : known)
      if (n == alias) {
        s.loss = canonical;
        if (s.fromLogits && s.loss.find("crossentropy") == std::string::npos)
          diag.error(path + "/config/from_logits", "from_logits applies to the crossentropy losses, not to " + s.loss);
        if (s.labelSmoothing != 0 && s.loss != "categorical_crossentropy" && s.loss != "binary_crossentropy")
          diag.error(path + "/config/label_smoothing",
                     "label_smoothing applies to categorical and binary crossentropy, not to " + s.loss);
        return;
      }
    diag.error(path, "unsupported loss '" + name +
                         "' (supported: categorical_crossentropy, sparse_categorical_crossentropy, "
                         "binary_crossentropy, mean_squared_error, mean_absolute_error, hinge, squared_hinge, "
                         "poisson, log_cosh, huber, kl_divergence, mean_squared_logarithmic_error, "
                         "mean_absolute_percentage_error)");
  }

  /// kcc reports loss and accuracy; any other metric is refused, not dropped.
  void readMetrics(const Value *metrics, const std::string &path, TrainingSettings &s) {
    if (json::isNull(metrics))
      return;
    if (!metrics->IsArray()) {
      diag.error(path, "expected a list of metrics, found " + json::render(metrics));
      return;
    }
    for (rapidjson::SizeType i = 0; i < metrics->Size(); ++i) {
      const Value &m = (*metrics)[i];
      std::string at = path + "/" + std::to_string(i);
      if (m.IsArray()) { // tf.keras: one list per output
        readMetrics(&m, at, s);
        continue;
      }
      auto name = json::string(&m);
      if (!name) // tf.keras wraps a metric function: {"class_name": "MeanMetricWrapper", "config": {"fn": ...}}
        name = json::string(member(member(&m, "config"), "fn"));
      if (!name)
        name = json::string(member(&m, "class_name"));
      if (!name) {
        diag.error(at, "expected a metric name, found " + json::render(&m));
        continue;
      }
      std::string n = lower(*name);
      if (n == "binaryaccuracy")
        s.metrics.push_back("binary_accuracy");
      else if (n == "accuracy" || n == "acc" || n == "categoricalaccuracy" || n == "sparsecategoricalaccuracy")
        s.metrics.push_back(*name);
      else
        diag.error(at, "unsupported metric '" + *name + "' (kcc reports the loss and accuracy)");
    }
  }

  /// Keras 1/2 optimizer: {"class_name": "RMSprop", "config": {"lr": ...}},
  /// or its name alone ("rmsprop", as compile() takes it) for the defaults.
  void readKeras2Optimizer(const Value *opt, const std::string &path, TrainingSettings &s) {
    OptimizerSettings &o = s.optimizer;
    auto named = json::string(opt);
    std::optional<std::string> cls = named ? named : json::string(member(opt, "class_name"));
    if (!cls) {
      diag.error(path, "expected an optimizer name or {\"class_name\", \"config\"}, found " + json::render(opt));
      return;
    }
    std::string n = lower(*cls);
    OptionSet opts(member(opt, "config"), path + "/config", diag);
    // Keras 2.1.3 moved the default epsilon from 1e-8 to K.epsilon() = 1e-7.
    double defaultEps = versionBefore(model.kerasVersion, 2, 1, 3) ? 1e-8 : 1e-7;
    if (const Value *eps = member(member(opt, "config"), "epsilon"); eps && eps->IsNull())
      defaultEps = 1e-7; // epsilon=None means K.epsilon()
    if (n == "rmsprop")
      o = {"rmsprop", 1e-3, 0.9, defaultEps};
    else if (n == "adadelta")
      o = {"adadelta", 1.0, 0.95, defaultEps};
    else if (n == "adam" || n == "adamw") {
      o = {"adam", 1e-3, 0.9, defaultEps};
      o.weightDecay = n == "adamw" ? 0.004 : 0.0; // tf.keras's AdamW default
    } else if (n == "adagrad") { // Keras 1/2 start the accumulator at 0; tf.keras writes its 0.1
      o = {"adagrad", 0.01, 0.9, defaultEps};
      o.initialAccumulator = 0.0;
    } else if (n == "adamax")
      o = {"adamax", 0.002, 0.9, defaultEps};
    else if (n == "nadam")
      o = {"nadam", 0.002, 0.9, defaultEps};
    else if (n == "lion") { // tf.keras's defaults
      o = {"lion", 1e-4, 0.9, defaultEps};
      o.beta2 = 0.99;
    }
    else if (n == "sgd")
      o = {"sgd", 0.01, 0.9, defaultEps};
    else {
      diag.error(named ? path : path + "/class_name",
                 "unsupported optimizer '" + *cls + "' (supported: SGD, RMSprop, Adadelta, Adam, AdamW, Adagrad, Adamax, Nadam, Lion)");
      return;
    }
    const char *lrKey = member(member(opt, "config"), "lr") ? "lr" : "learning_rate";
    o.lr = opts.number(lrKey, o.lr, 0, kInf);
    // tf.keras's optimizers write their name; Keras 1/2's do not, and their clipnorm is global.
    readOptimizerMaths(opts, o, /*globalClipnorm=*/!member(member(opt, "config"), "name"));
    opts.finish();
  }

  void readKeras2(const Value *tc, const std::string &path, TrainingSettings &s) {
    if (const Value *opt = member(tc, "optimizer_config"))
      readKeras2Optimizer(opt, path + "/optimizer_config", s);
    else if (const Value *opt = member(tc, "optimizer"))
      readKeras2Optimizer(opt, path + "/optimizer", s);
    readLossAndMetrics(tc, path, s);
  }

  void readKeras3(const Value *cc, TrainingSettings &s) {
    const std::string path = "/compile_config";
    const Value *opt = member(cc, "optimizer");
    if (auto str = json::string(opt)) { // stored as passed, e.g. "adam"
      s.optimizer = keras3Defaults(lower(*str), path + "/optimizer");
    } else if (opt && opt->IsObject()) {
      std::string cls = json::string(member(opt, "class_name")).value_or("");
      const Value *cfg = member(opt, "config");
      std::string p = path + "/optimizer/config";
      OptimizerSettings &o = s.optimizer;
      o = keras3Defaults(lower(cls), path + "/optimizer/class_name");
      if (o.name.empty())
        return readLossAndMetrics(cc, path, s);
      OptionSet opts(cfg, p, diag);
      const Value *lr = member(cfg, "learning_rate");
      if (auto sched = json::string(member(lr, "class_name"))) {
        opts.ignore({"learning_rate"});
        const Value *sc = member(lr, "config");
        std::string sp = p + "/learning_rate/config";
        if (*sched != "InverseTimeDecay" || json::boolean(member(sc, "staircase")).value_or(false)) {
          diag.error(p + "/learning_rate", "unsupported learning-rate schedule '" + *sched +
                                               "' (supported: InverseTimeDecay without staircase)");
        } else {
          o.lr = num(sc, "initial_learning_rate", o.lr, sp);
          double steps = num(sc, "decay_steps", 1.0, sp), rate = num(sc, "decay_rate", 0.0, sp);
          if (!(steps > 0) || !(rate >= 0) || !(o.lr >= 0))
            diag.error(sp, "expected initial_learning_rate >= 0, decay_steps > 0 and decay_rate >= 0");
          else
            o.decay = rate / steps;
        }
      } else {
        o.lr = opts.number("learning_rate", o.lr, 0, kInf);
      }
      readOptimizerMaths(opts, o, /*globalClipnorm=*/false);
      opts.finish();
    }
    readLossAndMetrics(cc, path, s);
  }

  void readLossAndMetrics(const Value *cc, const std::string &path, TrainingSettings &s) {
    readLoss(member(cc, "loss"), path + "/loss", s);
    readMetrics(member(cc, "metrics"), path + "/metrics", s);
  }

  OptimizerSettings keras3Defaults(const std::string &n, const std::string &path) {
    OptimizerSettings o;
    o.keras3 = true;
    o.epsilon = 1e-7;
    if (n == "rmsprop")
      o.name = "rmsprop", o.lr = 1e-3, o.rho = 0.9;
    else if (n == "adadelta")
      o.name = "adadelta", o.lr = 1e-3, o.rho = 0.95;
    else if (n == "adam" || n == "adamw") // AdamW: Adam with weight_decay 0.004 by default
      o.name = "adam", o.lr = 1e-3, o.weightDecay = n == "adamw" ? 0.004 : 0.0;
    else if (n == "sgd")
      o.name = "sgd", o.lr = 0.01;
    else if (n == "adagrad")
      o.name = "adagrad", o.lr = 1e-3, o.initialAccumulator = 0.1;
    else if (n == "adamax")
      o.name = "adamax", o.lr = 1e-3;
    else if (n == "nadam")
      o.name = "nadam", o.lr = 1e-3;
    else if (n == "lion")
      o.name = "lion", o.lr = 1e-3, o.beta2 = 0.99;
    else
      diag.error(path, "unsupported optimizer '" + n + "' (supported: SGD, RMSprop, Adadelta, Adam, AdamW, Adagrad, Adamax, Nadam, Lion)"), o.name = "";
    return o;
  }

  void readKcc(const Value *k, TrainingSettings &s) {
    const std::string path = "/kcc";
    if (!k->IsObject()) {
      diag.error(path, "expected an object");
      return;
    }
    if (const Value *opt = member(k, "optimizer"))
      readKeras2Optimizer(opt, path + "/optimizer", s);
    if (member(k, "loss"))
      readLoss(member(k, "loss"), path + "/loss", s);
    readMetrics(member(k, "metrics"), path + "/metrics", s);
    auto positive = [&](const char *key, int64_t &out) {
      const Value *v = member(k, key);
      if (!v)
        return;
      auto i = json::integer(v);
      if (!i || *i < 1)
        diag.error(path + "/" + key, "expected a positive integer, found " + json::render(v));
      else
        out = *i;
    };
    positive("batch_size", s.batchSize);
    positive("epochs", s.epochs);
    positive("steps_per_epoch", s.stepsPerEpoch);
    if (const Value *v = member(k, "shuffle")) {
      if (auto b = json::boolean(v))
        s.shuffle = *b;
      else
        diag.error(path + "/shuffle", "expected true or false, found " + json::render(v));
    }
    const Value *ds = member(k, "dataset");
    if (auto name = json::string(ds)) {
      s.dataset = *name;
    } else if (ds) {
      s.dataset = json::string(member(ds, "name")).value_or("");
      s.datasetTask = json::string(member(ds, "task")).value_or("");
      s.datasetSet = json::string(member(ds, "set")).value_or("");
      if (s.dataset.empty())
        diag.error(path + "/dataset", "expected a dataset name");
    }
    if (const Value *split = member(k, "validation_split")) {
      s.validationSplit = json::number(split).value_or(0.0);
      if (!(s.validationSplit > 0.0 && s.validationSplit < 1.0))
        diag.error(path + "/validation_split", "expected a fraction in (0, 1), found " + json::render(split));
      s.validation = "split";
    }
    if (const Value *v = member(k, "validation")) {
      auto name = json::string(v);
      if (name && (*name == "test" || *name == "split" || *name == "none"))
        s.validation = *name;
      else
        diag.error(path + "/validation", "expected \"test\", \"split\" or \"none\", found " + json::render(v));
    }
    if (const Value *aug = member(k, "augmentation")) {
      s.augment = true;
      OptionSet opts(aug, path + "/augmentation", diag);
      // Fractions of the image, as Keras's ImageDataGenerator reads values < 1.
      s.widthShift = opts.number("width_shift_range", 0.0, 0, 1, /*hiOpen=*/true);
      s.heightShift = opts.number("height_shift_range", 0.0, 0, 1, /*hiOpen=*/true);
      s.horizontalFlip = opts.flag("horizontal_flip", false);
      opts.take("fill_mode");
      opts.finish("augmentation option");
      auto fill = json::string(member(aug, "fill_mode")).value_or("nearest");
      if (fill != "nearest")
        diag.error(path + "/augmentation/fill_mode", "only fill_mode 'nearest' is supported");
    }
    // A misspelt key ("epoch") would otherwise be dropped without a word.
    OptionSet keys(k, path, diag);
    keys.ignore({"optimizer", "loss", "metrics", "batch_size", "epochs", "steps_per_epoch", "shuffle", "dataset",
                 "validation_split", "validation", "augmentation"});
    keys.finish("key");
  }
};

} // namespace

TrainingSettings readTrainingSettings(const KerasModel &model, const TrainingOverrides &overrides,
                                      Diagnostics &diag) {
  return SettingsReader(model, diag).read(overrides);
}

graph::TrainingAttr trainingAttr(mlir::MLIRContext *ctx, const TrainingSettings &s) {
  mlir::Builder b(ctx);
  const OptimizerSettings &o = s.optimizer;
  auto f64 = [](double v) { return llvm::APFloat(v); };
  // Unknown names have been reported with their JSON paths by now; the
  // fallbacks only keep the module well formed until the errors are printed.
  auto optimizer = graph::OptimizerAttr::get(
      ctx, graph::symbolizeOptimizerKind(o.name).value_or(graph::OptimizerKind::rmsprop), f64(o.lr), f64(o.rho),
      f64(o.epsilon), f64(o.decay), f64(o.momentum), f64(o.beta1), f64(o.beta2), o.nesterov,
      o.keras3 ? graph::KerasVersion::keras3 : graph::KerasVersion::keras2, f64(o.weightDecay),
      f64(o.initialAccumulator), f64(o.clipnorm), f64(o.globalClipnorm), f64(o.clipvalue),
      f64(o.name == "nadam" && !o.keras3 ? o.scheduleDecay : 1.0), o.amsgrad);
  llvm::SmallVector<mlir::Attribute> metrics;
  for (const std::string &m : s.metrics)
    metrics.push_back(b.getStringAttr(m));
  return graph::TrainingAttr::get(
      ctx, graph::symbolizeLossKind(s.loss).value_or(graph::LossKind::categorical_crossentropy), f64(s.lossEpsilon),
      s.fromLogits, f64(s.labelSmoothing), b.getArrayAttr(metrics), optimizer, std::max<int64_t>(s.batchSize, 1), std::max<int64_t>(s.epochs, 1),
      std::max<int64_t>(s.stepsPerEpoch, 0), s.shuffle, s.dataset, s.datasetTask, s.datasetSet,
      graph::symbolizeValidation(s.validation).value_or(graph::Validation::test),
      f64(std::clamp(s.validationSplit, 0.0, 0.99)), s.augment, f64(s.widthShift), f64(s.heightShift),
      s.horizontalFlip, std::max<int64_t>(s.ranks, 1));
}

} // namespace kcc::frontend
