//===- TrainingConfig.cpp - optimizer, loss and run settings of a model ---===//

#include "frontend/TrainingConfig.h"

#include "frontend/Json.h"

#include "mlir/IR/Builders.h"

#include <cctype>

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
    if (s.loss.empty())
      diag.error("", "no loss is given: add Keras's \"training_config\" (or \"compile_config\") "
                     "or a \"kcc\" block with \"loss\" (see docs/model-json.md)");
    if (s.batchSize < 1)
      diag.error("/kcc/batch_size", "batch size must be positive, got " + std::to_string(s.batchSize));
    return s;
  }

private:
  const KerasModel &model;
  Diagnostics &diag;

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
    if (auto str = json::string(loss)) {
      name = *str;
    } else if (auto cls = json::string(member(loss, "class_name"))) {
      name = *cls;
      const Value *cfg = member(loss, "config");
      if (json::boolean(member(cfg, "from_logits")).value_or(false))
        diag.error(path, "losses with from_logits=True are not supported (use a softmax output)");
      if (json::number(member(cfg, "label_smoothing")).value_or(0.0) != 0.0)
        diag.error(path, "label smoothing is not supported");
    } else if (loss && loss->IsObject() && loss->MemberCount() == 1) {
      diag.error(path, "one loss per output is supported; this model names several");
      return;
    } else if (loss && !loss->IsNull()) {
      diag.error(path, "expected a loss name, found " + json::render(loss));
      return;
    } else {
      return;
    }
    std::string n = lower(name);
    if (n == "categoricalcrossentropy")
      s.loss = "categorical_crossentropy";
    else if (n == "sparsecategoricalcrossentropy")
      s.loss = "sparse_categorical_crossentropy";
    else
      diag.error(path, "unsupported loss '" + name +
                           "' (supported: categorical_crossentropy, sparse_categorical_crossentropy)");
  }

  void readMetrics(const Value *metrics, TrainingSettings &s) {
    if (!metrics || !metrics->IsArray())
      return;
    for (auto &m : metrics->GetArray()) {
      if (auto str = json::string(&m))
        s.metrics.push_back(*str);
      else if (auto cls = json::string(member(&m, "class_name")))
        s.metrics.push_back(*cls);
      else if (m.IsArray()) // tf.keras: one list per output
        readMetrics(&m, s);
    }
  }

  /// Keras 1/2 optimizer: {"class_name": "RMSprop", "config": {"lr": ...}}.
  void readKeras2Optimizer(const Value *opt, const std::string &path, TrainingSettings &s) {
    OptimizerSettings &o = s.optimizer;
    std::string cls = json::string(member(opt, "class_name")).value_or("");
    const Value *cfg = member(opt, "config");
    std::string n = lower(cls);
    // Keras 2.1.3 moved the default epsilon from 1e-8 to K.epsilon() = 1e-7.
    double defaultEps = versionBefore(model.kerasVersion, 2, 1, 3) ? 1e-8 : 1e-7;
    auto lr = [&](double def) {
      const Value *v = member(cfg, "lr") ? member(cfg, "lr") : member(cfg, "learning_rate");
      return json::number(v).value_or(def);
    };
    o.decay = num(cfg, "decay", 0.0, path + "/config");
    if (json::isNull(member(cfg, "epsilon")) && member(cfg, "epsilon"))
      defaultEps = 1e-7; // epsilon=None means K.epsilon()
    if (n == "rmsprop") {
      o = {"rmsprop", lr(1e-3), num(cfg, "rho", 0.9, path), num(cfg, "epsilon", defaultEps, path), o.decay};
    } else if (n == "adadelta") {
      o = {"adadelta", lr(1.0), num(cfg, "rho", 0.95, path), num(cfg, "epsilon", defaultEps, path), o.decay};
    } else if (n == "adam") {
      o.name = "adam";
      o.lr = lr(1e-3);
      o.beta1 = num(cfg, "beta_1", 0.9, path);
      o.beta2 = num(cfg, "beta_2", 0.999, path);
      o.epsilon = num(cfg, "epsilon", defaultEps, path);
      if (json::boolean(member(cfg, "amsgrad")).value_or(false))
        diag.error(path, "Adam with amsgrad is not supported");
    } else if (n == "sgd") {
      o.name = "sgd";
      o.lr = lr(0.01);
      o.momentum = num(cfg, "momentum", 0.0, path);
      o.nesterov = json::boolean(member(cfg, "nesterov")).value_or(false);
    } else {
      diag.error(path + "/class_name", "unsupported optimizer '" + cls +
                                           "' (supported: SGD, RMSprop, Adadelta, Adam)");
    }
  }

  void readKeras2(const Value *tc, const std::string &path, TrainingSettings &s) {
    if (const Value *opt = member(tc, "optimizer_config"))
      readKeras2Optimizer(opt, path + "/optimizer_config", s);
    else if (const Value *opt = member(tc, "optimizer"))
      readKeras2Optimizer(opt, path + "/optimizer", s);
    readLoss(member(tc, "loss"), path + "/loss", s);
    readMetrics(member(tc, "metrics"), s);
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
      const Value *lr = member(cfg, "learning_rate");
      if (auto d = json::number(lr)) {
        o.lr = *d;
      } else if (auto sched = json::string(member(lr, "class_name"))) {
        const Value *sc = member(lr, "config");
        if (*sched != "InverseTimeDecay" || json::boolean(member(sc, "staircase")).value_or(false)) {
          diag.error(p + "/learning_rate", "unsupported learning-rate schedule '" + *sched +
                                               "' (supported: InverseTimeDecay without staircase)");
        } else {
          o.lr = num(sc, "initial_learning_rate", o.lr, p + "/learning_rate/config");
          o.decay = num(sc, "decay_rate", 0.0, p) / num(sc, "decay_steps", 1.0, p);
        }
      }
      o.epsilon = num(cfg, "epsilon", o.epsilon, p);
      o.rho = num(cfg, "rho", o.rho, p);
      o.beta1 = num(cfg, "beta_1", o.beta1, p);
      o.beta2 = num(cfg, "beta_2", o.beta2, p);
      o.momentum = num(cfg, "momentum", o.momentum, p);
      o.nesterov = json::boolean(member(cfg, "nesterov")).value_or(false);
      for (const char *key : {"weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
                              "loss_scale_factor", "gradient_accumulation_steps"})
        if (!json::isNull(member(cfg, key)))
          diag.error(p + "/" + key, std::string("optimizer option '") + key + "' is not supported");
      for (const char *key : {"use_ema", "amsgrad", "centered"})
        if (json::boolean(member(cfg, key)).value_or(false))
          diag.error(p + "/" + key, std::string("optimizer option '") + key + "' is not supported");
      if (o.name == "rmsprop" && o.momentum != 0.0)
        diag.error(p + "/momentum", "RMSprop with momentum is not supported");
    }
    readLoss(member(cc, "loss"), path + "/loss", s);
    readMetrics(member(cc, "metrics"), s);
  }

  OptimizerSettings keras3Defaults(const std::string &n, const std::string &path) {
    OptimizerSettings o;
    o.keras3 = true;
    o.epsilon = 1e-7;
    if (n == "rmsprop")
      o.name = "rmsprop", o.lr = 1e-3, o.rho = 0.9;
    else if (n == "adadelta")
      o.name = "adadelta", o.lr = 1e-3, o.rho = 0.95;
    else if (n == "adam")
      o.name = "adam", o.lr = 1e-3;
    else if (n == "sgd")
      o.name = "sgd", o.lr = 0.01;
    else
      diag.error(path, "unsupported optimizer '" + n + "' (supported: SGD, RMSprop, Adadelta, Adam)");
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
    readMetrics(member(k, "metrics"), s);
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
    s.shuffle = json::boolean(member(k, "shuffle")).value_or(s.shuffle);
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
    if (auto v = json::string(member(k, "validation")))
      s.validation = *v;
    if (const Value *aug = member(k, "augmentation")) {
      s.augment = true;
      s.widthShift = num(aug, "width_shift_range", 0.0, path + "/augmentation");
      s.heightShift = num(aug, "height_shift_range", 0.0, path + "/augmentation");
      s.horizontalFlip = json::boolean(member(aug, "horizontal_flip")).value_or(false);
      auto fill = json::string(member(aug, "fill_mode")).value_or("nearest");
      if (fill != "nearest")
        diag.error(path + "/augmentation/fill_mode", "only fill_mode 'nearest' is supported");
    }
  }
};

} // namespace

TrainingSettings readTrainingSettings(const KerasModel &model, const TrainingOverrides &overrides,
                                      Diagnostics &diag) {
  return SettingsReader(model, diag).read(overrides);
}

mlir::DictionaryAttr trainingAttr(mlir::MLIRContext *ctx, const TrainingSettings &s) {
  mlir::Builder b(ctx);
  const OptimizerSettings &o = s.optimizer;
  llvm::SmallVector<mlir::NamedAttribute> opt = {
      b.getNamedAttr("name", b.getStringAttr(o.name)),
      b.getNamedAttr("lr", b.getF64FloatAttr(o.lr)),
      b.getNamedAttr("rho", b.getF64FloatAttr(o.rho)),
      b.getNamedAttr("epsilon", b.getF64FloatAttr(o.epsilon)),
      b.getNamedAttr("decay", b.getF64FloatAttr(o.decay)),
      b.getNamedAttr("momentum", b.getF64FloatAttr(o.momentum)),
      b.getNamedAttr("beta_1", b.getF64FloatAttr(o.beta1)),
      b.getNamedAttr("beta_2", b.getF64FloatAttr(o.beta2)),
      b.getNamedAttr("nesterov", b.getBoolAttr(o.nesterov)),
      b.getNamedAttr("keras", b.getStringAttr(o.keras3 ? "keras3" : "keras2"))};
  llvm::SmallVector<mlir::Attribute> metrics;
  for (const std::string &m : s.metrics)
    metrics.push_back(b.getStringAttr(m));
  llvm::SmallVector<mlir::NamedAttribute> attrs = {
      b.getNamedAttr("loss", b.getStringAttr(s.loss)),
      b.getNamedAttr("loss_epsilon", b.getF64FloatAttr(s.lossEpsilon)),
      b.getNamedAttr("metrics", b.getArrayAttr(metrics)),
      b.getNamedAttr("optimizer", b.getDictionaryAttr(opt)),
      b.getNamedAttr("batch_size", b.getI64IntegerAttr(s.batchSize)),
      b.getNamedAttr("epochs", b.getI64IntegerAttr(s.epochs)),
      b.getNamedAttr("steps_per_epoch", b.getI64IntegerAttr(s.stepsPerEpoch)),
      b.getNamedAttr("shuffle", b.getBoolAttr(s.shuffle)),
      b.getNamedAttr("dataset", b.getStringAttr(s.dataset)),
      b.getNamedAttr("dataset_task", b.getStringAttr(s.datasetTask)),
      b.getNamedAttr("dataset_set", b.getStringAttr(s.datasetSet)),
      b.getNamedAttr("validation", b.getStringAttr(s.validation)),
      b.getNamedAttr("validation_split", b.getF64FloatAttr(s.validationSplit)),
      b.getNamedAttr("augment", b.getBoolAttr(s.augment)),
      b.getNamedAttr("width_shift_range", b.getF64FloatAttr(s.widthShift)),
      b.getNamedAttr("height_shift_range", b.getF64FloatAttr(s.heightShift)),
      b.getNamedAttr("horizontal_flip", b.getBoolAttr(s.horizontalFlip))};
  return b.getDictionaryAttr(attrs);
}

} // namespace kcc::frontend
