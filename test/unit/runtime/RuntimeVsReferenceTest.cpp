//===- RuntimeVsReferenceTest.cpp - compiled train steps vs float64 ---------===//
//
// Each test compiles a small Keras model in-process, sets the same weights
// and batch on the compiled runtime (float32) and on the reference
// Interpreter running @train_step of the optimizer-phase module (float64),
// runs train steps on both and compares the loss, the predictions, the
// metric and every variable's update (weights and optimizer slots).
//
//===----------------------------------------------------------------------===//

#include "RuntimeHarness.h"

#include "oneapi/dnnl/dnnl.h"

#include "core/RuntimeError.h"

#include "gtest/gtest.h"

#include <algorithm>

using namespace kcc::test;

namespace {

struct Tolerances {
  double loss = 1e-4;     // relative
  double pred = 1e-4;     // relative, floor 1% of the largest probability
  double update = 1e-4;   // relative on each variable's change in the step
  double updateFloor = 0.01;
};

/// Runs one step of |batch| on both sides from their current states and
/// reports every disagreement. |rtVars| is the runtime's state before the
/// step (as read back), |refVars| the reference's; both are updated.
/// |reference| is normally h.model(); the self-tests pass another model.
std::string compareStep(Harness &h, CompiledModel &reference, std::map<std::string, std::vector<float>> &rtVars,
                        std::map<std::string, RefTensor> &refVars, const std::vector<RefTensor> &batch,
                        const Tolerances &tol, double *largestUpdate = nullptr) {
  std::string failures;
  h.runtimeStep(batch);
  std::map<std::string, RefTensor> refBefore = refVars;
  std::vector<RefTensor> results;
  std::string error;
  if (!reference.referenceTrainStep(refVars, batch, results, error))
    return error;

  float loss = h.readOutput("loss")[0];
  double refLoss = results[0][0];
  if (!(std::fabs(loss - refLoss) <= tol.loss * std::max(1.0, std::fabs(refLoss))))
    failures += "loss: runtime " + std::to_string(loss) + ", reference " + std::to_string(refLoss) + "\n";
  float correct = h.readOutput("correct")[0];
  if (correct != results[1][0])
    failures += "correct: runtime " + std::to_string(correct) + ", reference " + std::to_string(results[1][0]) + "\n";
  failures += compareTensor("pred", h.readOutput("pred"), results[2].data, tol.pred, 0.01, 1e-7);

  std::map<std::string, std::vector<float>> rtAfter = h.readVariables();
  double largest = 0;
  for (auto &[name, after] : rtAfter) {
    if (!refVars.count(name)) {
      failures += "variable " + name + " is not in the reference\n";
      continue;
    }
    const std::vector<float> &before = rtVars[name];
    std::vector<float> rtDelta(after.size());
    std::vector<double> refDelta(after.size());
    for (size_t i = 0; i < after.size(); ++i) {
      rtDelta[i] = static_cast<float>(static_cast<double>(after[i]) - before[i]);
      refDelta[i] = refVars[name][i] - refBefore[name][i];
      largest = std::max(largest, std::fabs(refDelta[i]));
    }
    // The update itself, judged on its own scale; float32 rounding of the
    // stored value adds up to half an ulp of the variable.
    double ulp = 0;
    for (float v : after)
      ulp = std::max(ulp, std::fabs(static_cast<double>(v)) * 6e-8);
    failures += compareTensor("update of " + name, rtDelta, refDelta, tol.update, tol.updateFloor, 2 * ulp + 1e-9);
  }
  rtVars = std::move(rtAfter);
  if (largestUpdate)
    *largestUpdate = largest;
  return failures;
}

std::string compareStep(Harness &h, std::map<std::string, std::vector<float>> &rtVars,
                        std::map<std::string, RefTensor> &refVars, const std::vector<RefTensor> &batch,
                        const Tolerances &tol, double *largestUpdate = nullptr) {
  return compareStep(h, h.model(), rtVars, refVars, batch, tol, largestUpdate);
}

/// Sets the same random state on both sides and compares |steps| steps on
/// fresh random batches.
void expectRuntimeMatchesReference(const std::string &json, int steps, int64_t idBound = 1,
                                   const Tolerances &tol = {}, uint64_t seed = 3, int threads = 1,
                                   double weightScale = 0.5, const std::string &precision = "f32") {
  std::unique_ptr<Harness> h;
  try {
    h = std::make_unique<Harness>(json, threads, precision);
  } catch (const std::exception &e) {
    FAIL() << e.what();
  }
  std::map<std::string, RefTensor> refVars = h->randomVariables(seed, weightScale);
  h->writeVariables(refVars);
  std::map<std::string, std::vector<float>> rtVars = h->readVariables();
  for (int step = 0; step < steps; ++step) {
    std::vector<RefTensor> batch = h->randomBatch(seed * 100 + step, idBound, step);
    double largest = 0;
    std::string failures = compareStep(*h, rtVars, refVars, batch, tol, &largest);
    EXPECT_TRUE(failures.empty()) << "step " << step << ":\n" << failures;
    EXPECT_GT(largest, 1e-6) << "step " << step << " changed no variable: the comparison would be vacuous";
    if (!failures.empty())
      break;
  }
}

//===----------------------------------------------------------------------===//
// Models, one step
//===----------------------------------------------------------------------===//

const char *kMlp = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 16, "activation": "relu", "batch_input_shape": [null, 10]}},
  {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.0}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 8, "activation": "tanh"}},
  {"class_name": "Dense", "config": {"name": "d3", "units": 4, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy", "metrics": ["accuracy"]},
 "kcc": {"batch_size": 8}
})";

const char *kCnn = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 4, "kernel_size": [3, 3], "padding": "valid",
                                      "activation": "relu", "batch_input_shape": [null, 8, 8, 2]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 3, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "relu"}},
  {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 2]}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

const char *kCnnChannelsFirst = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn_cf", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 4, "kernel_size": [3, 3], "padding": "same",
                                      "strides": [2, 2], "data_format": "channels_first", "activation": "tanh",
                                      "batch_input_shape": [null, 2, 7, 7]}},
  {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [3, 3], "strides": [1, 1],
                                            "padding": "same", "data_format": "channels_first"}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

const char *kLstm = R"({
 "class_name": "Sequential", "keras_version": "2.1.6",
 "config": [
  {"class_name": "LSTM", "config": {"name": "l1", "units": 5, "return_sequences": true,
                                    "recurrent_activation": "hard_sigmoid", "batch_input_shape": [null, 4, 3]}},
  {"class_name": "LSTM", "config": {"name": "l2", "units": 4, "return_sequences": false,
                                    "recurrent_activation": "hard_sigmoid"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}],
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.5}},
                     "loss": "sparse_categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

const char *kLstmSigmoidBackwards = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "rnn", "layers": [
  {"class_name": "LSTM", "config": {"name": "l1", "units": 4, "go_backwards": true,
                                    "recurrent_activation": "sigmoid", "batch_input_shape": [null, 5, 2]}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.5}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

const char *kEmbeddingRepeatAdd = R"({
 "class_name": "Model", "keras_version": "2.1.2",
 "config": {"name": "qa", "layers": [
  {"name": "story", "class_name": "InputLayer",
   "config": {"name": "story", "batch_input_shape": [null, 6], "dtype": "int32"}, "inbound_nodes": []},
  {"name": "emb_s", "class_name": "Embedding", "config": {"name": "emb_s", "input_dim": 9, "output_dim": 5},
   "inbound_nodes": [[["story", 0, 0, {}]]]},
  {"name": "question", "class_name": "InputLayer",
   "config": {"name": "question", "batch_input_shape": [null, 3], "dtype": "int32"}, "inbound_nodes": []},
  {"name": "emb_q", "class_name": "Embedding", "config": {"name": "emb_q", "input_dim": 9, "output_dim": 5},
   "inbound_nodes": [[["question", 0, 0, {}]]]},
  {"name": "lq", "class_name": "LSTM", "config": {"name": "lq", "units": 5},
   "inbound_nodes": [[["emb_q", 0, 0, {}]]]},
  {"name": "rep", "class_name": "RepeatVector", "config": {"name": "rep", "n": 6},
   "inbound_nodes": [[["lq", 0, 0, {}]]]},
  {"name": "sum", "class_name": "Add", "config": {"name": "sum"},
   "inbound_nodes": [[["emb_s", 0, 0, {}], ["rep", 0, 0, {}]]]},
  {"name": "l2", "class_name": "LSTM", "config": {"name": "l2", "units": 4},
   "inbound_nodes": [[["sum", 0, 0, {}]]]},
  {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 9, "activation": "softmax"},
   "inbound_nodes": [[["l2", 0, 0, {}]]]}],
  "input_layers": [["story", 0, 0], ["question", 0, 0]],
  "output_layers": [["out", 0, 0]]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.5}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

const char *kConcat = R"({
 "class_name": "Model", "keras_version": "2.2.4",
 "config": {"name": "two_towers", "layers": [
  {"name": "a", "class_name": "InputLayer", "config": {"name": "a", "batch_input_shape": [null, 5]},
   "inbound_nodes": []},
  {"name": "b", "class_name": "InputLayer", "config": {"name": "b", "batch_input_shape": [null, 3]},
   "inbound_nodes": []},
  {"name": "da", "class_name": "Dense", "config": {"name": "da", "units": 4, "activation": "relu"},
   "inbound_nodes": [[["a", 0, 0, {}]]]},
  {"name": "db", "class_name": "Dense", "config": {"name": "db", "units": 6, "activation": "sigmoid"},
   "inbound_nodes": [[["b", 0, 0, {}]]]},
  {"name": "cat", "class_name": "Concatenate", "config": {"name": "cat", "axis": -1},
   "inbound_nodes": [[["da", 0, 0, {}], ["db", 0, 0, {}]]]},
  {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"},
   "inbound_nodes": [[["cat", 0, 0, {}]]]}],
  "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["out", 0, 0]]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.2}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 5}
})";

// Every elementwise activation, in matmul epilogues and as Activation layers.
const char *kActivations = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "acts", "layers": [
  {"class_name": "Dense", "config": {"name": "d_elu", "units": 8, "activation": "elu", "batch_input_shape": [null, 6]}},
  {"class_name": "Dense", "config": {"name": "d_selu", "units": 8, "activation": "selu"}},
  {"class_name": "Dense", "config": {"name": "d_softplus", "units": 8, "activation": "softplus"}},
  {"class_name": "Dense", "config": {"name": "d_softsign", "units": 8, "activation": "softsign"}},
  {"class_name": "Dense", "config": {"name": "d_hard", "units": 8, "activation": "hard_sigmoid"}},
  {"class_name": "Dense", "config": {"name": "d_sigmoid", "units": 8, "activation": "sigmoid"}},
  {"class_name": "Dense", "config": {"name": "d_exp", "units": 8, "activation": "exponential"}},
  {"class_name": "Dense", "config": {"name": "d_lin", "units": 8}},
  {"class_name": "Activation", "config": {"name": "a_tanh", "activation": "tanh"}},
  {"class_name": "Activation", "config": {"name": "a_relu", "activation": "relu"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 4}},
  {"class_name": "Activation", "config": {"name": "a_softmax", "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 5}
})";

const char *kCnnStrided = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn2", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 4, "kernel_size": [3, 3], "padding": "same",
                                      "strides": [2, 2], "activation": "relu", "batch_input_shape": [null, 9, 9, 3]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 3, "kernel_size": [2, 2], "padding": "valid",
                                      "activation": "tanh"}},
  {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 2], "strides": [1, 1],
                                            "padding": "same"}},
  {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.25}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "sparse_categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

const char *kCnnDilated = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn3", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 4, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "relu", "batch_input_shape": [null, 7, 7, 2]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 3, "kernel_size": [2, 2], "padding": "valid",
                                      "dilation_rate": [2, 2], "activation": "tanh"}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 3}
})";

// Keras 3: LSTM's "hard_sigmoid" is x/6 + 1/2 and the default recurrent
// activation is sigmoid.
const char *kKeras3Lstm = R"({
 "module": "keras", "class_name": "Sequential",
 "config": {"name": "k3rnn", "layers": [
  {"module": "keras.layers", "class_name": "InputLayer",
   "config": {"name": "in", "batch_shape": [null, 4, 3], "dtype": "float32"}},
  {"module": "keras.layers", "class_name": "LSTM",
   "config": {"name": "l1", "units": 4, "recurrent_activation": "hard_sigmoid", "return_sequences": true}},
  {"module": "keras.layers", "class_name": "LSTM", "config": {"name": "l2", "units": 3}},
  {"module": "keras.layers", "class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "SGD",
                                  "config": {"learning_rate": 0.5}},
                    "loss": "sparse_categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// TimeDistributed folds time into the batch (Dense and LSTM inside).
const char *kTimeDistributed = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "hier", "layers": [
  {"class_name": "TimeDistributed", "config": {"name": "td_lstm", "batch_input_shape": [null, 3, 4, 2],
    "layer": {"class_name": "LSTM", "config": {"name": "inner_lstm", "units": 3}}}},
  {"class_name": "TimeDistributed", "config": {"name": "td_dense",
    "layer": {"class_name": "Dense", "config": {"name": "inner_dense", "units": 4, "activation": "relu"}}}},
  {"class_name": "LSTM", "config": {"name": "outer", "units": 3}},
  {"class_name": "Reshape", "config": {"name": "r", "target_shape": [3, 1]}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.5}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// Enough channels for oneDNN to choose blocked layouts (nChw8c/16c) and
// insert reorders between its calls and the generated kernels.
const char *kWideCnn = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "wide", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 16, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "relu", "batch_input_shape": [null, 8, 8, 3]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 32, "kernel_size": [3, 3], "padding": "valid",
                                      "activation": "relu"}},
  {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [3, 3], "strides": [2, 2],
                                            "padding": "same"}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "h", "units": 24, "activation": "relu"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 5, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.05, "momentum": 0.9}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// As kWideCnn with Dropout after the pooling (mnist_cnn's pattern): the
// pooled tensor is in a blocked layout.
const char *kWideCnnDropout = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "wide_drop", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 16, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "relu", "batch_input_shape": [null, 8, 8, 3]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 32, "kernel_size": [3, 3], "padding": "valid",
                                      "activation": "relu"}},
  {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [3, 3], "strides": [2, 2],
                                            "padding": "same"}},
  {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.25}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 5, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.05}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// Flatten straight after a conv whose output oneDNN keeps blocked.
const char *kWideCnnFlatten = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "wide_flat", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 16, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "relu", "batch_input_shape": [null, 8, 8, 3]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 32, "kernel_size": [3, 3], "padding": "valid",
                                      "activation": "relu"}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 5, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.05}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

// Regressions: forward and backward dropout masks used to differ when the
// dropout input was blocked, and Conv2D -> Flatten -> Dense produced a reorder
// without layout dims that krun rejected.

const char *kWideLstm = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "wide_rnn", "layers": [
  {"class_name": "LSTM", "config": {"name": "l1", "units": 24, "return_sequences": true,
                                    "batch_input_shape": [null, 6, 10]}},
  {"class_name": "LSTM", "config": {"name": "l2", "units": 16, "go_backwards": true}},
  {"class_name": "Dense", "config": {"name": "out", "units": 4, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.5}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 8}
})";

// Enough sequences (>= 64 rows a thread) for krun to sum the LSTM weight
// gradients step by step inside the recurrence instead of after it.
const char *kBatchedLstm = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "batched_rnn", "layers": [
  {"class_name": "LSTM", "config": {"name": "l1", "units": 8, "return_sequences": true,
                                    "batch_input_shape": [null, 4, 3]}},
  {"class_name": "LSTM", "config": {"name": "l2", "units": 6, "go_backwards": true}},
  {"class_name": "Dense", "config": {"name": "out", "units": 4, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.5}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 160}
})";

struct ModelCase {
  std::string name;
  const char *json;
  int64_t idBound = 1;
  std::string bug = ""; // non-empty: a known bug, reported and skipped
  double weightScale = 0.5;
};

// BatchNormalization's generated kernels (statistics, moving averages,
// backward) on a dense layer and on conv maps in both data formats.
const char *kBatchNormMlp = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 12, "activation": "linear", "batch_input_shape": [null, 7]}},
  {"class_name": "BatchNormalization", "config": {"name": "bn", "momentum": 0.8}},
  {"class_name": "Activation", "config": {"name": "a", "activation": "relu"}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 4, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}}, "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 6}
})";

const char *kBatchNormCnn = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 5, "kernel_size": [3, 3], "use_bias": false,
                                      "batch_input_shape": [null, 7, 7, 2]}},
  {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": 3, "epsilon": 0.01}},
  {"class_name": "Activation", "config": {"name": "a", "activation": "relu"}},
  {"class_name": "Flatten", "config": {"name": "flat"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "Adam", "config": {}}, "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

const char *kBatchNormCnnChannelsFirst = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "cnn", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 5, "kernel_size": [3, 3], "data_format": "channels_first",
                                      "batch_input_shape": [null, 2, 7, 7]}},
  {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": 1, "scale": false}},
  {"class_name": "Activation", "config": {"name": "a", "activation": "tanh"}},
  {"class_name": "Flatten", "config": {"name": "flat"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}}, "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

void PrintTo(const ModelCase &c, std::ostream *os) { *os << c.name; }

class RuntimeStep : public testing::TestWithParam<ModelCase> {};

TEST_P(RuntimeStep, OneTrainStepMatchesTheReference) {
  if (!GetParam().bug.empty())
    GTEST_SKIP() << GetParam().bug;
  expectRuntimeMatchesReference(GetParam().json, 1, GetParam().idBound, Tolerances{}, 3, 1,
                                GetParam().weightScale);
}

INSTANTIATE_TEST_SUITE_P(Models, RuntimeStep,
                         testing::Values(ModelCase{"mlp_dropout_0", kMlp}, ModelCase{"cnn", kCnn},
                                         ModelCase{"batchnorm_mlp", kBatchNormMlp},
                                         ModelCase{"batchnorm_cnn", kBatchNormCnn},
                                         ModelCase{"batchnorm_cnn_channels_first", kBatchNormCnnChannelsFirst},
                                         ModelCase{"cnn_channels_first", kCnnChannelsFirst},
                                         ModelCase{"cnn_dilated", kCnnDilated},
                                         ModelCase{"lstm_hard_sigmoid", kLstm},
                                         ModelCase{"lstm_sigmoid_go_backwards", kLstmSigmoidBackwards},
                                         ModelCase{"embedding_repeat_add", kEmbeddingRepeatAdd, 9},
                                         ModelCase{"concat", kConcat},
                                         ModelCase{"activations", kActivations},
                                         ModelCase{"cnn_strided_dropout_sparse", kCnnStrided},
                                         ModelCase{"keras3_lstm_hard_sigmoid_v3", kKeras3Lstm},
                                         ModelCase{"time_distributed_reshape", kTimeDistributed},
                                         ModelCase{"wide_cnn_blocked_layouts", kWideCnn, 1, "", 0.15},
                                         ModelCase{"wide_cnn_dropout_after_pool", kWideCnnDropout, 1,
                                                   "", 0.15},
                                         ModelCase{"wide_cnn_flatten_after_conv", kWideCnnFlatten, 1,
                                                   "", 0.15},
                                         ModelCase{"wide_lstm", kWideLstm, 1, "", 0.3},
                                         ModelCase{"batched_lstm_stepwise_gradients", kBatchedLstm, 1, "",
                                                   0.5}),
                         [](const testing::TestParamInfo<ModelCase> &info) { return info.param.name; });

// Channel-blocked bf16 convolutions without kinks (no relu, no max
// pooling, whose argmax may also flip).
const char *kSmoothCnn = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "smooth", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 16, "kernel_size": [3, 3], "padding": "same",
                                      "activation": "tanh", "batch_input_shape": [null, 8, 8, 16]}},
  {"class_name": "Conv2D", "config": {"name": "c2", "filters": 32, "kernel_size": [3, 3], "activation": "tanh"}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "out", "units": 5, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.05, "momentum": 0.9}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 8}
})";

// kcc --precision bf16: matmuls and convolutions read bf16 copies (8-bit
// mantissas, relative rounding 2^-9), so agreement is to a few percent.
// Smooth activations: a relu whose input sits near zero may flip between
// bf16 and float64 and change that unit's gradient outright.
std::string smooth(std::string json) {
  for (size_t at; (at = json.find("\"relu\"")) != std::string::npos;)
    json.replace(at, 6, "\"tanh\"");
  return json;
}

TEST(Bf16, StepsMatchTheReferenceWithinBf16Rounding) {
  if (dnnl_get_effective_cpu_isa() < dnnl_cpu_isa_avx512_core_bf16)
    GTEST_SKIP() << "this CPU has no native bf16 (kcc refuses --precision bf16 here)";
  // Updates sum thousands of rounded products, often cancelling: each is
  // judged against a tenth of its tensor's largest update (a wrong layout
  // or a stale copy is off by the whole scale).
  Tolerances bf16{2e-2, 3e-2, 0.1, 1.0};
  expectRuntimeMatchesReference(smooth(kMlp), 3, 1, bf16, 3, 1, 0.5, "bf16");
  expectRuntimeMatchesReference(kSmoothCnn, 2, 1, bf16, 5, 2, 0.15, "bf16");
}

TEST(Bf16, ToleranceSelfTest) {
  // The same comparison at float32 tolerances must notice bf16's rounding.
  if (dnnl_get_effective_cpu_isa() < dnnl_cpu_isa_avx512_core_bf16)
    GTEST_SKIP() << "this CPU has no native bf16";
  Harness h(kSmoothCnn, 1, "bf16");
  std::map<std::string, RefTensor> refVars = h.randomVariables(5, 0.15);
  h.writeVariables(refVars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  std::string failures = compareStep(h, h.model(), rtVars, refVars, h.randomBatch(1), Tolerances{});
  EXPECT_FALSE(failures.empty());
}

TEST(RuntimeThreads, TwoThreadsMatchTheReference) {
  // The generated kernels and oneDNN split work across OpenMP threads.
  expectRuntimeMatchesReference(kWideCnn, 2, 1, Tolerances{}, 5, /*threads=*/2, 0.15);
  expectRuntimeMatchesReference(kWideLstm, 1, 1, Tolerances{}, 5, /*threads=*/2, 0.3);
  // Each thread sums its rows' LSTM weight gradients; krun adds the partials.
  expectRuntimeMatchesReference(kBatchedLstm, 2, 1, Tolerances{}, 5, /*threads=*/2, 0.5);
}

//===----------------------------------------------------------------------===//
// Optimizers, three steps
//===----------------------------------------------------------------------===//

std::string mlpWithOptimizer(const std::string &optimizer, const std::string &version = "2.2.4") {
  return R"({
 "class_name": "Sequential", "keras_version": ")" +
         version + R"(",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 12, "activation": "tanh", "batch_input_shape": [null, 6]}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 4, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": )" +
         optimizer + R"(, "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 6}
})";
}

// Keras 3 (compile_config): RMSprop puts epsilon inside the square root.
const char *kKeras3RmsProp = R"({
 "module": "keras", "class_name": "Sequential",
 "config": {"name": "k3", "layers": [
  {"module": "keras.layers", "class_name": "InputLayer",
   "config": {"name": "in", "batch_shape": [null, 6], "dtype": "float32"}},
  {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d1", "units": 12, "activation": "tanh"}},
  {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d2", "units": 4, "activation": "softmax"}}]},
 "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "RMSprop",
                                  "config": {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-3}},
                    "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 6}
})";

struct OptimizerCase {
  std::string name;
  std::string json;
};

void PrintTo(const OptimizerCase &c, std::ostream *os) { *os << c.name; }

class OptimizerSteps : public testing::TestWithParam<OptimizerCase> {};

TEST_P(OptimizerSteps, ThreeStepsMatchTheReference) { expectRuntimeMatchesReference(GetParam().json, 3); }

INSTANTIATE_TEST_SUITE_P(
    Optimizers, OptimizerSteps,
    testing::Values(
        OptimizerCase{"sgd", mlpWithOptimizer(R"({"class_name": "SGD", "config": {"lr": 0.1}})")},
        OptimizerCase{"sgd_momentum_decay",
                      mlpWithOptimizer(R"({"class_name": "SGD", "config": {"lr": 0.1, "momentum": 0.9,
                                          "decay": 0.1}})")},
        OptimizerCase{"sgd_nesterov", mlpWithOptimizer(R"({"class_name": "SGD", "config": {"lr": 0.1,
                                                         "momentum": 0.8, "nesterov": true}})")},
        OptimizerCase{"rmsprop", mlpWithOptimizer(R"({"class_name": "RMSprop", "config": {"lr": 0.01,
                                                    "rho": 0.9, "epsilon": 1e-4, "decay": 0.05}})")},
        OptimizerCase{"rmsprop_keras3", kKeras3RmsProp},
        OptimizerCase{"adadelta", mlpWithOptimizer(R"({"class_name": "Adadelta", "config": {"lr": 1.0,
                                                     "rho": 0.95, "epsilon": 1e-6, "decay": 0.0}})")},
        OptimizerCase{"adam_decay", mlpWithOptimizer(R"({"class_name": "Adam", "config": {"lr": 0.01,
                                                       "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-4,
                                                       "decay": 0.1}})")},
        OptimizerCase{"adagrad", mlpWithOptimizer(R"({"class_name": "Adagrad", "config": {"lr": 0.05,
                                                    "epsilon": 1e-4, "decay": 0.1}})")},
        OptimizerCase{"adagrad_initial_accumulator",
                      mlpWithOptimizer(R"({"class_name": "Adagrad", "config": {"name": "Adagrad",
                                          "learning_rate": 0.05, "initial_accumulator_value": 0.3}})")},
        OptimizerCase{"adamax_decay", mlpWithOptimizer(R"({"class_name": "Adamax", "config": {"lr": 0.01,
                                                         "beta_1": 0.8, "beta_2": 0.99, "decay": 0.1}})")},
        OptimizerCase{"amsgrad_decay", mlpWithOptimizer(R"({"class_name": "Adam", "config": {"lr": 0.01,
                                                          "beta_1": 0.9, "beta_2": 0.8, "epsilon": 1e-4,
                                                          "decay": 0.1, "amsgrad": true}})")},
        OptimizerCase{"lion_decay", mlpWithOptimizer(R"({"class_name": "Lion", "config": {"name": "Lion",
                                                       "learning_rate": 0.003, "beta_1": 0.8, "beta_2": 0.95,
                                                       "decay": 0.1}})")},
        OptimizerCase{"nadam_keras2", mlpWithOptimizer(R"({"class_name": "Nadam", "config": {"lr": 0.01,
                                                         "schedule_decay": 0.004}})")},
        OptimizerCase{"nadam_fast_schedule", mlpWithOptimizer(R"({"class_name": "Nadam", "config": {"lr": 0.01,
                                                                "schedule_decay": 0.5, "decay": 0.1}})")},
        OptimizerCase{"global_clipnorm_clipvalue",
                      mlpWithOptimizer(R"({"class_name": "SGD", "config": {"lr": 0.5, "clipnorm": 0.05,
                                          "clipvalue": 0.004}})")},
        OptimizerCase{"clipnorm_per_gradient",
                      mlpWithOptimizer(R"({"class_name": "SGD", "config": {"name": "SGD", "learning_rate": 0.5,
                                          "clipnorm": 0.02}})")}),
    [](const testing::TestParamInfo<OptimizerCase> &info) { return info.param.name; });

//===----------------------------------------------------------------------===//
// Self-tests: the comparison notices small errors
//===----------------------------------------------------------------------===//

TEST(ComparisonSelfTest, NoticesAWrongLearningRate) {
  // The runtime of a model with lr 0.1 against the reference of the same
  // model with lr 0.1001: loss and predictions agree, the updates must not.
  Harness h(mlpWithOptimizer(R"({"class_name": "SGD", "config": {"lr": 0.1}})"));
  std::string error;
  auto other = CompiledModel::compile(mlpWithOptimizer(R"({"class_name": "SGD", "config": {"lr": 0.1001}})"), error);
  ASSERT_TRUE(other) << error;
  std::map<std::string, RefTensor> refVars = h.randomVariables(3);
  h.writeVariables(refVars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  std::string failures = compareStep(h, *other, rtVars, refVars, h.randomBatch(4), Tolerances{});
  EXPECT_NE(failures.find("update of d1.kernel"), std::string::npos) << failures;
  EXPECT_EQ(failures.find("loss"), std::string::npos) << failures;
}

TEST(ComparisonSelfTest, NoticesASlightlyDifferentWeight) {
  Harness h(kMlp);
  std::map<std::string, RefTensor> refVars = h.randomVariables(3);
  h.writeVariables(refVars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  refVars["d2.kernel"][5] += 1e-2;
  std::string failures = compareStep(h, rtVars, refVars, h.randomBatch(4), Tolerances{});
  EXPECT_NE(failures.find("pred"), std::string::npos) << failures;
}

//===----------------------------------------------------------------------===//
// Partial batches, dropout
//===----------------------------------------------------------------------===//

TEST(PartialBatch, MaskedRowsContributeNothing) {
  Harness h(kMlp);
  std::map<std::string, RefTensor> vars = h.randomVariables(7);
  std::vector<RefTensor> batch = h.randomBatch(8);
  RefTensor &mask = batch[h.argIndex("mask")];
  const int64_t n = mask.size(), valid = n - 3;
  for (int64_t r = valid; r < n; ++r)
    mask[r] = 0.0;

  // Against the reference, with the mask.
  h.writeVariables(vars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  std::map<std::string, RefTensor> refVars = vars;
  std::string failures = compareStep(h, rtVars, refVars, batch, Tolerances{});
  EXPECT_TRUE(failures.empty()) << failures;
  float loss1 = h.readOutput("loss")[0];
  float correct1 = h.readOutput("correct")[0];
  std::map<std::string, std::vector<float>> after1 = h.readVariables();
  EXPECT_LE(correct1, static_cast<float>(valid));

  // Different data (inputs and targets) in the padding rows: same loss, same
  // metric, same updates.
  RefTensor &x = batch[h.argIndex("input")];
  RefTensor &y = batch[h.argIndex("target")];
  int64_t xw = x.size() / n, yw = y.size() / n;
  Draw draw(99);
  for (int64_t r = valid; r < n; ++r) {
    for (int64_t j = 0; j < xw; ++j)
      x[r * xw + j] = draw.uniform(-5, 5);
    for (int64_t j = 0; j < yw; ++j)
      y[r * yw + j] = j == (r % yw) ? 1.0 : 0.0;
  }
  h.writeVariables(vars);
  h.runtimeStep(batch);
  EXPECT_NEAR(h.readOutput("loss")[0], loss1, 1e-6 * std::max(1.0f, std::fabs(loss1)));
  EXPECT_EQ(h.readOutput("correct")[0], correct1);
  std::map<std::string, std::vector<float>> after2 = h.readVariables();
  for (auto &[name, v] : after1)
    EXPECT_TRUE(compareTensor(name, after2[name], std::vector<double>(v.begin(), v.end()), 1e-6, 0.01, 1e-9).empty())
        << "padding rows changed the update of " << name;

  // The loss is the mean over the valid rows only: with the padding rows
  // weighted in (mask all ones) it differs.
  for (int64_t r = valid; r < n; ++r)
    mask[r] = 1.0;
  h.writeVariables(vars);
  h.runtimeStep(batch);
  EXPECT_GT(std::fabs(h.readOutput("loss")[0] - loss1), 1e-4);
}

TEST(PartialBatch, BatchNormStatisticsSkipThePaddingRows) {
  // The kernels' statistics, moving averages and gradients over the valid
  // rows only, against the reference; then padding rows with other data
  // change nothing.
  Harness h(kBatchNormMlp);
  std::map<std::string, RefTensor> vars = h.randomVariables(23);
  h.writeVariables(vars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  std::map<std::string, RefTensor> refVars = vars;
  std::vector<RefTensor> batch = h.randomBatch(24);
  RefTensor &mask = batch[h.argIndex("mask")];
  const int64_t n = mask.size();
  mask[n - 1] = mask[n - 2] = 0.0;
  std::string failures = compareStep(h, rtVars, refVars, batch, Tolerances{});
  EXPECT_TRUE(failures.empty()) << failures;
  std::map<std::string, std::vector<float>> after1 = h.readVariables();
  RefTensor &x = batch[h.argIndex("input")];
  int64_t xw = x.size() / n;
  for (int64_t j = 0; j < 2 * xw; ++j)
    x[(n - 2) * xw + j] = 50.0 + j;
  h.writeVariables(vars);
  h.runtimeStep(batch);
  std::map<std::string, std::vector<float>> after2 = h.readVariables();
  for (auto &[name, v] : after1)
    EXPECT_TRUE(compareTensor(name, after2[name], std::vector<double>(v.begin(), v.end()), 1e-6, 0.01, 1e-9).empty())
        << "padding rows changed " << name;
}

TEST(PartialBatch, SparseTargetsWithPaddingMatchTheReference) {
  Harness h(kLstm);
  std::map<std::string, RefTensor> refVars = h.randomVariables(17);
  h.writeVariables(refVars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  std::vector<RefTensor> batch = h.randomBatch(18);
  RefTensor &mask = batch[h.argIndex("mask")];
  mask[mask.size() - 1] = 0.0;
  std::string failures = compareStep(h, rtVars, refVars, batch, Tolerances{});
  EXPECT_TRUE(failures.empty()) << failures;
}

std::string dropoutMlp(double rate) {
  return R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "mlp", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 32, "activation": "relu", "batch_input_shape": [null, 8]}},
  {"class_name": "Dropout", "config": {"name": "drop", "rate": )" +
         std::to_string(rate) + R"(}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 8}
})";
}

TEST(Dropout, MaskMatchesTheReferencePhilox) {
  // With rate 0.5 and these seeds/steps, a wrong mask on any of the 256
  // dropout elements changes the loss, the predictions and the updates.
  Harness h(dropoutMlp(0.5));
  std::map<std::string, RefTensor> refVars = h.randomVariables(11);
  h.writeVariables(refVars);
  std::map<std::string, std::vector<float>> rtVars = h.readVariables();
  for (int64_t step : {0, 1, 5}) {
    std::vector<RefTensor> batch = h.randomBatch(12 + step, 1, step, /*seed=*/1234567);
    std::string failures = compareStep(h, rtVars, refVars, batch, Tolerances{});
    EXPECT_TRUE(failures.empty()) << "step " << step << ":\n" << failures;
  }
}

TEST(Dropout, SameSeedAndStepGiveTheSameResult) {
  Harness h(dropoutMlp(0.4));
  std::map<std::string, RefTensor> vars = h.randomVariables(21);
  auto run = [&](int64_t seed, int64_t step) {
    h.writeVariables(vars);
    h.runtimeStep(h.randomBatch(22, 1, step, seed));
    std::vector<float> out = h.readOutput("pred");
    out.push_back(h.readOutput("loss")[0]);
    for (auto &[name, v] : h.readVariables())
      out.insert(out.end(), v.begin(), v.end());
    return out;
  };
  std::vector<float> a = run(5, 3), b = run(5, 3);
  EXPECT_EQ(a, b) << "same seed and step must reproduce the step exactly";
  std::vector<float> otherStep = run(5, 4), otherSeed = run(6, 3);
  EXPECT_NE(a, otherStep) << "the dropout mask must change with the step";
  EXPECT_NE(a, otherSeed) << "the dropout mask must change with the seed";
}

TEST(Dropout, RateZeroIsTheIdentity) {
  // Dropout(0) compiles to nothing: the step equals the dropout-free model.
  std::string withDropout = dropoutMlp(0.0);
  std::string without = withDropout;
  size_t a = without.find("  {\"class_name\": \"Dropout\"");
  size_t b = without.find('\n', a);
  without.erase(a, b - a + 1);
  Harness h1(withDropout), h2(without);
  std::map<std::string, RefTensor> vars = h1.randomVariables(31);
  h1.writeVariables(vars);
  h2.writeVariables(vars);
  std::vector<RefTensor> batch = h1.randomBatch(32);
  h1.runtimeStep(batch);
  h2.runtimeStep(batch);
  EXPECT_EQ(h1.readOutput("pred"), h2.readOutput("pred"));
  EXPECT_EQ(h1.readOutput("loss"), h2.readOutput("loss"));
}

} // namespace
