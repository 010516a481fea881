//===- TrainStepGradientTest.cpp - graph-build-train-step vs finite diffs -===//
//
// Imports small Keras models with the real frontend, runs the real pipeline
// up to the autodiff phase (graph-infer-shapes, graph-build-train-step, CSE),
// evaluates @train_step with the float64 Interpreter and checks every
// gradient it returns against central differences of the loss of
// @eval_step (the same model in inference mode) with respect to the
// variable's elements.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "frontend/Importer.h"
#include "ir/Graph/IR/GraphDialect.h"
#include "ir/Graph/Reference/Interpreter.h"
#include "passes/Passes.h"
#include "passes/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <map>

using namespace kcc::test;
using namespace mlir;

namespace {

/// A model imported and differentiated, with random weights and a batch.
struct Prepared {
  std::string error;
  OwningOpRef<ModuleOp> module;
  std::map<std::string, RefTensor> weights;
  std::vector<RefTensor> inputs; // model inputs, in @train_step order
  RefTensor target, mask;
};

/// Imports |json| and runs the pipeline up to |phase|.
OwningOpRef<ModuleOp> compileTo(MLIRContext &ctx, const std::string &json, kcc::Phase phase,
                                std::string &error) {
  kcc::frontend::Diagnostics diag("model.json");
  auto model = kcc::frontend::parseKerasModel(json, "model.json", diag);
  OwningOpRef<ModuleOp> module;
  if (model)
    module = kcc::frontend::importKerasModel(ctx, *model, {}, diag);
  if (!module) {
    for (const std::string &m : diag.all())
      error += m + "\n";
    return nullptr;
  }
  std::string text;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    text += d.str() + "\n";
    return success();
  });
  PassManager pm(&ctx);
  kcc::addGraphPasses(pm, phase);
  if (failed(pm.run(*module))) {
    error = "pipeline failed:\n" + text;
    return nullptr;
  }
  return module;
}

Prepared prepare(MLIRContext &ctx, const std::string &json, int64_t idBound, uint64_t seed) {
  Prepared p;
  p.module = compileTo(ctx, json, kcc::Phase::Autodiff, p.error);
  if (!p.module)
    return p;
  Random rng(seed);
  for (auto var : p.module->getOps<kcc::graph::VariableOp>()) {
    auto type = cast<RankedTensorType>(var.getType());
    p.weights[var.getSymName().str()] =
        rng.tensor(std::vector<int64_t>(type.getShape().begin(), type.getShape().end()), -0.5, 0.5);
  }
  auto train = p.module->lookupSymbol<func::FuncOp>("train_step");
  if (!train) {
    p.error = "no @train_step";
    return p;
  }
  for (unsigned i = 0; i < train.getNumArguments(); ++i) {
    auto role = train.getArgAttrOfType<kcc::graph::StepRoleAttr>(i, kcc::kRoleAttr);
    auto type = cast<RankedTensorType>(train.getArgument(i).getType());
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    bool integer = isa<IntegerType>(type.getElementType());
    StringRef r = role ? kcc::graph::stringifyStepRole(role.getValue()) : "";
    if (r == "input") {
      RefTensor x(shape);
      for (double &v : x.data)
        v = integer ? static_cast<double>(rng.integer(0, idBound - 1)) : rng.uniform(-1, 1);
      p.inputs.push_back(x);
    } else if (r == "target") {
      RefTensor t(shape);
      if (integer) {
        int64_t classes = cast<RankedTensorType>(train.getResultTypes()[2]).getShape().back();
        for (double &v : t.data)
          v = static_cast<double>(rng.integer(0, classes - 1));
      } else {
        for (int64_t row = 0; row < shape[0]; ++row)
          t[row * shape[1] + rng.integer(0, shape[1] - 1)] = 1.0;
      }
      p.target = t;
    } else if (r == "mask") {
      // A short last batch: the final row is padding.
      p.mask = RefTensor(shape, 1.0);
      p.mask[shape[0] - 1] = 0.0;
    }
  }
  return p;
}

RefTensor scalar(double v) {
  RefTensor t(std::vector<int64_t>{});
  t[0] = v;
  return t;
}

struct ModelCase {
  std::string name;
  std::string json;
  int64_t idBound = 1;
  double h = 1e-6;
  Tolerance tol{1e-6, 2e-8};
  int64_t maxElementsPerVariable = 24;
  /// Finite differences of @train_step's own loss instead of @eval_step's
  /// (models with dropout: the train loss is a fixed function of the weights
  /// for a fixed seed and step, the eval loss is another function).
  bool differentiateTrainLoss = false;
  std::string bug = ""; // non-empty: a known compiler bug, reported and skipped
};

/// What one train-step check found.
struct TrainStepCheck {
  std::string error;
  double trainLoss = 0, evalLoss = 0;
  std::map<std::string, RefTensor> grads;
  std::map<std::string, std::vector<int64_t>> indices;
  std::map<std::string, std::vector<double>> numeric;
  std::vector<std::string> missing; // weights without a gradient result
  std::vector<Mismatch> mismatches;
  int64_t checked = 0;
};

TrainStepCheck runTrainStepCheck(const ModelCase &c) {
  TrainStepCheck res;
  MLIRContext ctx;
  prepareContext(ctx);
  std::string diagText;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diagText += d.str() + "\n";
    return success();
  });
  Prepared p = prepare(ctx, c.json, c.idBound, 5);
  if (!p.error.empty()) {
    res.error = p.error;
    return res;
  }
  auto train = p.module->lookupSymbol<func::FuncOp>("train_step");
  kcc::graph::Interpreter interp(*p.module);
  interp.variables = p.weights;
  std::vector<RefTensor> trainArgs = p.inputs;
  trainArgs.insert(trainArgs.end(), {p.target, p.mask, scalar(1), scalar(0)});
  auto out = interp.call("train_step", trainArgs);
  if (failed(out) || out->size() < 3) {
    res.error = "@train_step failed in the reference:\n" + diagText;
    return res;
  }
  res.trainLoss = (*out)[0][0];

  std::vector<RefTensor> evalArgs = p.inputs;
  evalArgs.insert(evalArgs.end(), {p.target, p.mask});
  auto lossAt = [&](const std::map<std::string, RefTensor> &weights, bool trainLoss) {
    kcc::graph::Interpreter again(*p.module);
    again.variables = weights;
    auto r = trainLoss ? again.call("train_step", trainArgs) : again.call("eval_step", evalArgs);
    return succeeded(r) ? (*r)[0][0] : std::nan("");
  };
  res.evalLoss = lossAt(p.weights, false);

  for (unsigned i = 0; i < train.getNumResults(); ++i)
    if (auto var = train.getResultAttrOfType<FlatSymbolRefAttr>(i, kcc::kGradientOfAttr)) {
      std::string name = var.getValue().str();
      if (res.grads.count(name))
        res.error += "two gradients for " + name + "\n";
      if (!p.weights.count(name))
        res.error += "a gradient for unknown variable " + name + "\n";
      else if ((*out)[i].shape != p.weights[name].shape)
        res.error += "the gradient of " + name + " has the wrong shape\n";
      res.grads[name] = (*out)[i];
    }
  for (auto var : p.module->getOps<kcc::graph::VariableOp>()) // frozen state has none
    if (var.getTrainable() && !res.grads.count(var.getSymName().str()))
      res.missing.push_back(var.getSymName().str());
  if (!res.error.empty())
    return res;

  Random rng(17);
  for (auto &[name, g] : res.grads) {
    std::vector<int64_t> &indices = res.indices[name];
    indices = sampleIndices(g.size(), c.maxElementsPerVariable, rng);
    std::map<std::string, RefTensor> w = p.weights;
    for (int64_t idx : indices) {
      double x0 = w[name][idx];
      w[name][idx] = x0 + c.h;
      double up = lossAt(w, c.differentiateTrainLoss);
      w[name][idx] = x0 - c.h;
      double down = lossAt(w, c.differentiateTrainLoss);
      w[name][idx] = x0;
      res.numeric[name].push_back((up - down) / (2 * c.h));
    }
    compareGradients(name, g, indices, res.numeric[name], c.tol, res.mismatches);
    res.checked += static_cast<int64_t>(indices.size());
  }
  if (!diagText.empty())
    res.error = "unexpected diagnostics:\n" + diagText;
  return res;
}

void PrintTo(const ModelCase &c, std::ostream *os) { *os << c.name; }

const char *kMlp = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 6, "activation": "relu", "batch_input_shape": [null, 5]}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 4, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy", "metrics": ["accuracy"]},
 "kcc": {"batch_size": 4}
})";

const char *kMlpDropout = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 8, "activation": "tanh", "batch_input_shape": [null, 5]}},
  {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.4}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

const char *kLstm = R"({
 "class_name": "Sequential", "keras_version": "2.1.6",
 "config": [
  {"class_name": "LSTM", "config": {"name": "lstm", "units": 3, "batch_input_shape": [null, 4, 3]}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}],
 "training_config": {"optimizer_config": {"class_name": "Adam", "config": {}},
                     "loss": "sparse_categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

const char *kLstmSequences = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "rnn", "layers": [
  {"class_name": "LSTM", "config": {"name": "l1", "units": 3, "return_sequences": true, "go_backwards": true,
                                    "recurrent_activation": "sigmoid", "batch_input_shape": [null, 3, 2]}},
  {"class_name": "Flatten", "config": {"name": "flat"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "RMSprop", "config": {}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

const char *kCnn = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 3, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "relu", "batch_input_shape": [null, 6, 6, 2]}},
  {"class_name": "MaxPooling2D", "config": {"name": "p1", "pool_size": [2, 2]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 2, "kernel_size": [2, 2], "padding": "valid",
                                      "activation": "tanh"}},
  {"class_name": "Flatten", "config": {"name": "flat"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "Adadelta", "config": {}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

// bAbI-like: two id inputs, embeddings, an LSTM summary repeated over the
// story, added to it, another LSTM, a softmax over the vocabulary.
const char *kEmbeddingRepeatAdd = R"({
 "class_name": "Model", "keras_version": "2.1.2",
 "config": {"name": "qa", "layers": [
  {"name": "story", "class_name": "InputLayer",
   "config": {"name": "story", "batch_input_shape": [null, 5], "dtype": "int32"}, "inbound_nodes": []},
  {"name": "emb_s", "class_name": "Embedding", "config": {"name": "emb_s", "input_dim": 7, "output_dim": 4},
   "inbound_nodes": [[["story", 0, 0, {}]]]},
  {"name": "question", "class_name": "InputLayer",
   "config": {"name": "question", "batch_input_shape": [null, 3], "dtype": "int32"}, "inbound_nodes": []},
  {"name": "emb_q", "class_name": "Embedding", "config": {"name": "emb_q", "input_dim": 7, "output_dim": 4},
   "inbound_nodes": [[["question", 0, 0, {}]]]},
  {"name": "lq", "class_name": "LSTM", "config": {"name": "lq", "units": 4},
   "inbound_nodes": [[["emb_q", 0, 0, {}]]]},
  {"name": "rep", "class_name": "RepeatVector", "config": {"name": "rep", "n": 5},
   "inbound_nodes": [[["lq", 0, 0, {}]]]},
  {"name": "sum", "class_name": "Add", "config": {"name": "sum"},
   "inbound_nodes": [[["emb_s", 0, 0, {}], ["rep", 0, 0, {}]]]},
  {"name": "l2", "class_name": "LSTM", "config": {"name": "l2", "units": 3},
   "inbound_nodes": [[["sum", 0, 0, {}]]]},
  {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 7, "activation": "softmax"},
   "inbound_nodes": [[["l2", 0, 0, {}]]]}],
  "input_layers": [["story", 0, 0], ["question", 0, 0]],
  "output_layers": [["out", 0, 0]]},
 "training_config": {"optimizer_config": {"class_name": "RMSprop", "config": {}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

// One Dense layer called twice (its weights get two contributions) and the
// two calls concatenated.
const char *kSharedConcat = R"({
 "class_name": "Model", "keras_version": "2.2.4",
 "config": {"name": "shared", "layers": [
  {"name": "x", "class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 4]},
   "inbound_nodes": []},
  {"name": "de", "class_name": "Dense", "config": {"name": "de", "units": 4, "activation": "tanh"},
   "inbound_nodes": [[["x", 0, 0, {}]]]},
  {"name": "ds", "class_name": "Dense", "config": {"name": "ds", "units": 3, "activation": "sigmoid"},
   "inbound_nodes": [[["x", 0, 0, {}]], [["de", 0, 0, {}]]]},
  {"name": "cat", "class_name": "Concatenate", "config": {"name": "cat", "axis": -1},
   "inbound_nodes": [[["ds", 0, 0, {}], ["ds", 1, 0, {}]]]},
  {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"},
   "inbound_nodes": [[["cat", 0, 0, {}]]]}],
  "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// Dense applied to every time step of a sequence (Keras 2 semantics): a
// matmul with a rank-3 a, whose kernel gradient contracts over N*T rows.
const char *kDenseOnSequence = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "seq", "layers": [
  {"class_name": "LSTM", "config": {"name": "l", "units": 3, "return_sequences": true,
                                    "batch_input_shape": [null, 4, 2]}},
  {"class_name": "Dense", "config": {"name": "td", "units": 5, "activation": "tanh"}},
  {"class_name": "Flatten", "config": {"name": "flat"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// The element losses (graph.element_loss): binary crossentropy on sigmoid
// outputs, squared and absolute error on linear ones, and a loss over a
// sequence output (mean over time steps and units).
std::string denseWithLoss(const char *activation, const char *loss) {
  return std::string(R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 6, "activation": "tanh", "batch_input_shape": [null, 5]}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 3, "activation": ")") +
         activation + R"("}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}}, "loss": ")" + loss + R"("},
 "kcc": {"batch_size": 4}
})";
}

const char *kSequenceMse = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "seq", "layers": [
  {"class_name": "LSTM", "config": {"name": "l", "units": 3, "return_sequences": true,
                                    "batch_input_shape": [null, 4, 2]}},
  {"class_name": "Dense", "config": {"name": "td", "units": 2, "activation": "linear"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {}}, "loss": "mse"},
 "kcc": {"batch_size": 3}
})";

// BatchNormalization in training mode: batch statistics over the rows the
// mask keeps (the last row is padding here), on a dense and a conv feature
// map in both data formats. The train loss is differentiated: the eval step
// normalises with the moving statistics instead.
const char *kDenseBatchNorm = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 6, "activation": "linear", "batch_input_shape": [null, 5]}},
  {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": -1, "momentum": 0.9, "epsilon": 0.001}},
  {"class_name": "Activation", "config": {"name": "a", "activation": "tanh"}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {}}, "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 5}
})";

std::string convBatchNorm(const char *format, int axis) {
  std::string shape = std::string(format) == "channels_first" ? "[null, 2, 5, 5]" : "[null, 5, 5, 2]";
  return std::string(R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 3, "kernel_size": [3, 3], "padding": "valid",
                                      "data_format": ")") + format + R"(", "batch_input_shape": )" + shape + R"(}},
  {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": )" + std::to_string(axis) + R"(, "center": false}},
  {"class_name": "Activation", "config": {"name": "a", "activation": "relu"}},
  {"class_name": "Flatten", "config": {"name": "flat"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {}}, "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";
}

class TrainStepGradient : public testing::TestWithParam<ModelCase> {};

TEST_P(TrainStepGradient, EveryGradientMatchesFiniteDifferencesOfTheLoss) {
  const ModelCase &c = GetParam();
  if (!c.bug.empty())
    GTEST_SKIP() << c.bug;
  TrainStepCheck r = runTrainStepCheck(c);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(std::isfinite(r.trainLoss));
  if (!c.differentiateTrainLoss)
    EXPECT_NEAR(r.evalLoss, r.trainLoss, 1e-12 * std::max(1.0, std::fabs(r.trainLoss)))
        << "@eval_step and @train_step disagree on the loss of a model without dropout";
  for (const std::string &name : r.missing)
    ADD_FAILURE() << "no gradient returned for weight " << name;
  EXPECT_GE(r.checked, static_cast<int64_t>(r.grads.size()));
  EXPECT_TRUE(r.mismatches.empty()) << describe(r.mismatches);
  RecordProperty("checked_elements", static_cast<int>(r.checked));
}

ModelCase withTrainLoss(ModelCase c) {
  c.differentiateTrainLoss = true;
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Models, TrainStepGradient,
    testing::Values(ModelCase{"mlp", kMlp}, ModelCase{"lstm_hard_sigmoid_sparse", kLstm},
                    ModelCase{"lstm_sequences_backwards", kLstmSequences}, ModelCase{"cnn", kCnn},
                    ModelCase{"embedding_repeat_add", kEmbeddingRepeatAdd, 7},
                    ModelCase{"shared_layer_concat", kSharedConcat},
                    withTrainLoss(ModelCase{"mlp_dropout_train_loss", kMlpDropout}),
                    ModelCase{"dense_on_sequence", kDenseOnSequence},
                    ModelCase{"binary_crossentropy", denseWithLoss("sigmoid", "binary_crossentropy")},
                    ModelCase{"mean_squared_error", denseWithLoss("linear", "mean_squared_error")},
                    ModelCase{"mean_absolute_error", denseWithLoss("linear", "mae")},
                    ModelCase{"hinge", denseWithLoss("tanh", "hinge")},
                    ModelCase{"poisson", denseWithLoss("softplus", "poisson")},
                    ModelCase{"log_cosh", denseWithLoss("linear", "logcosh")},
                    ModelCase{"huber", denseWithLoss("linear", "huber_loss")},
                    ModelCase{"kl_divergence", denseWithLoss("softmax", "kld")},
                    ModelCase{"msle", denseWithLoss("softplus", "msle")},
                    ModelCase{"sequence_mse", kSequenceMse},
                    withTrainLoss(ModelCase{"dense_batchnorm", kDenseBatchNorm}),
                    withTrainLoss(ModelCase{"conv_batchnorm_channels_last", convBatchNorm("channels_last", 3)}),
                    withTrainLoss(ModelCase{"conv_batchnorm_channels_first", convBatchNorm("channels_first", 1)})),
    [](const testing::TestParamInfo<ModelCase> &info) { return info.param.name; });

TEST(TrainStep, TheCheckReportsAPerturbedGradient) {
  // Self-test of the train-step check: nudging one element of one returned
  // gradient by 1e-5 relative must be reported, at that element.
  TrainStepCheck r = runTrainStepCheck(ModelCase{"mlp", kMlp});
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.mismatches.empty()) << describe(r.mismatches);
  const std::string name = "d1.kernel";
  ASSERT_TRUE(r.grads.count(name));
  RefTensor wrong = r.grads[name];
  int64_t victim = r.indices[name][1];
  wrong[victim] += 1e-5 * std::max(1.0, std::fabs(wrong[victim]));
  std::vector<Mismatch> found;
  compareGradients(name, wrong, r.indices[name], r.numeric[name], Tolerance{1e-6, 2e-8}, found);
  ASSERT_EQ(found.size(), 1u) << describe(found);
  EXPECT_EQ(found[0].index, victim);
}

/// Runs @train_step of |module| once in the reference from |weights|
/// (optimizer slots start at zero); returns the step's results followed by
/// every variable's value after the step, in name order.
std::vector<RefTensor> referenceStep(ModuleOp module, const std::map<std::string, RefTensor> &weights,
                                     const std::vector<RefTensor> &args, std::string &error) {
  kcc::graph::Interpreter interp(module);
  for (auto var : module.getOps<kcc::graph::VariableOp>()) {
    auto type = cast<RankedTensorType>(var.getType());
    auto it = weights.find(var.getSymName().str());
    interp.variables[var.getSymName().str()] =
        it != weights.end() ? it->second
                            : RefTensor(std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
  }
  auto out = interp.call("train_step", args);
  if (failed(out)) {
    error = "reference evaluation failed";
    return {};
  }
  std::vector<RefTensor> all = *out;
  for (auto &[name, t] : interp.variables)
    all.push_back(t);
  return all;
}

class FusedTrainStep : public testing::TestWithParam<ModelCase> {};

TEST_P(FusedTrainStep, ComputesTheSameStepAsBeforeFusion) {
  // graph-fuse-epilogues and graph-fuse-elementwise must not change what the
  // step computes: the optimizer-phase and fused-phase modules, run by the
  // float64 reference from the same state, agree to rounding.
  const ModelCase &c = GetParam();
  MLIRContext ctx;
  prepareContext(ctx);
  std::string diagText;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diagText += d.str() + "\n";
    return success();
  });
  Prepared p = prepare(ctx, c.json, c.idBound, 21);
  ASSERT_TRUE(p.error.empty()) << p.error;
  std::string error;
  OwningOpRef<ModuleOp> before = compileTo(ctx, c.json, kcc::Phase::Optimizer, error);
  OwningOpRef<ModuleOp> after = compileTo(ctx, c.json, kcc::Phase::Fused, error);
  ASSERT_TRUE(before && after) << error;
  bool fusedSomething = false;
  after->walk([&](kcc::graph::FusedOp) { fusedSomething = true; });
  after->walk([&](kcc::graph::MatMulOp op) { fusedSomething |= static_cast<bool>(op.getBias()); });
  EXPECT_TRUE(fusedSomething) << "the fused module contains no fused op: the comparison would be vacuous";
  std::vector<RefTensor> args = p.inputs;
  args.insert(args.end(), {p.target, p.mask, scalar(3), scalar(2)});
  std::vector<RefTensor> a = referenceStep(*before, p.weights, args, error);
  std::vector<RefTensor> b = referenceStep(*after, p.weights, args, error);
  ASSERT_TRUE(error.empty()) << error << diagText;
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].shape, b[i].shape) << "result " << i;
    for (int64_t k = 0; k < a[i].size(); ++k)
      ASSERT_NEAR(a[i][k], b[i][k], 1e-12 * std::max(1.0, std::fabs(a[i][k]))) << "result " << i << "[" << k << "]";
  }
}

INSTANTIATE_TEST_SUITE_P(Models, FusedTrainStep,
                         testing::Values(ModelCase{"mlp", kMlp}, ModelCase{"lstm", kLstm}, ModelCase{"cnn", kCnn},
                                         ModelCase{"embedding_repeat_add", kEmbeddingRepeatAdd, 7},
                                         ModelCase{"shared_layer_concat", kSharedConcat},
                                         ModelCase{"mlp_dropout", kMlpDropout}),
                         [](const testing::TestParamInfo<ModelCase> &info) { return info.param.name; });

TEST(TrainStep, DropoutModelUsesTheMaskInTrainingOnly) {
  // The train loss of a dropout model differs from its eval loss (same
  // weights and batch) and the eval loss equals the dropout-free forward.
  MLIRContext ctx;
  prepareContext(ctx);
  Prepared p = prepare(ctx, kMlpDropout, 1, 9);
  ASSERT_TRUE(p.error.empty()) << p.error;
  kcc::graph::Interpreter interp(*p.module);
  interp.variables = p.weights;
  std::vector<RefTensor> trainArgs = p.inputs, evalArgs = p.inputs;
  trainArgs.insert(trainArgs.end(), {p.target, p.mask, scalar(3), scalar(1)});
  evalArgs.insert(evalArgs.end(), {p.target, p.mask});
  auto train = interp.call("train_step", trainArgs);
  auto eval = interp.call("eval_step", evalArgs);
  ASSERT_TRUE(succeeded(train) && succeeded(eval));
  EXPECT_GT(std::fabs((*train)[0][0] - (*eval)[0][0]), 1e-6);
}

TEST(TrainStep, InterpreterRunsTheTrainStepWithoutTestShims) {
  MLIRContext ctx;
  prepareContext(ctx);
  std::string diagText;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diagText += d.str() + "\n";
    return success();
  });
  Prepared p = prepare(ctx, kMlp, 1, 5);
  ASSERT_TRUE(p.error.empty()) << p.error;
  kcc::graph::Interpreter interp(*p.module);
  interp.variables = p.weights;
  std::vector<RefTensor> args = p.inputs;
  args.insert(args.end(), {p.target, p.mask, scalar(1), scalar(0)});
  auto out = interp.call("train_step", args);
  ASSERT_TRUE(succeeded(out)) << diagText;
  EXPECT_TRUE(std::isfinite((*out)[0][0]));
}

} // namespace
