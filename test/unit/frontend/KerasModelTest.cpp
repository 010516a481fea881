//===- KerasModelTest.cpp - reading every generation of Keras model JSON ---===//

#include "FrontendTestSupport.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unistd.h>
#include <fstream>

using namespace kcc::frontend;
using namespace kcc::test;

namespace {

const char *kKeras1Sequential = R"({
 "class_name": "Sequential", "keras_version": "1.2.2",
 "config": [
  {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 16, "init": "glorot_uniform",
                                     "activation": "relu", "batch_input_shape": [null, 8], "input_dtype": "float32"}},
  {"class_name": "Dropout", "config": {"name": "dropout_1", "p": 0.5}},
  {"class_name": "Dense", "config": {"name": "dense_2", "output_dim": 3, "init": "glorot_uniform",
                                     "activation": "softmax"}}],
 "training_config": {"optimizer_config": {"class_name": "RMSprop", "config": {"lr": 0.001}},
                     "loss": "categorical_crossentropy"}
})";

const char *kKeras1NoVersion = R"({
 "class_name": "Sequential",
 "config": [
  {"class_name": "Dense", "config": {"name": "d", "output_dim": 4, "init": "uniform", "input_dim": 3}},
  {"class_name": "Activation", "config": {"name": "a", "activation": "softmax"}}],
 "kcc": {"loss": "categorical_crossentropy"}
})";

// Keras 2.0.8: Sequential config is a bare list.
const char *kKeras208 = R"({
 "class_name": "Sequential", "keras_version": "2.0.8", "backend": "tensorflow",
 "config": [
  {"class_name": "Dense", "config": {"name": "dense_1", "units": 10, "activation": "relu",
                                     "batch_input_shape": [null, 6]}},
  {"class_name": "Dense", "config": {"name": "dense_2", "units": 2, "activation": "softmax"}}],
 "training_config": {"optimizer_config": {"class_name": "RMSprop", "config": {"lr": 0.001, "rho": 0.9,
                                          "decay": 0.0}},
                     "loss": "categorical_crossentropy", "metrics": ["accuracy"]}
})";

// Keras 2.2.3+: Sequential config is {"name", "layers"}.
const char *kKeras224 = R"({
 "class_name": "Sequential", "keras_version": "2.2.4", "backend": "tensorflow",
 "config": {"name": "sequential_1", "layers": [
  {"class_name": "Dense", "config": {"name": "dense_1", "units": 10, "activation": "relu",
                                     "batch_input_shape": [null, 6]}},
  {"class_name": "Dense", "config": {"name": "dense_2", "units": 2, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "RMSprop", "config": {"lr": 0.001}},
                     "loss": "categorical_crossentropy"}
})";

// tf.keras 2.x: an explicit InputLayer and the "Functional" class.
const char *kTfKerasFunctional = R"({
 "class_name": "Functional", "keras_version": "2.9.0", "backend": "tensorflow",
 "config": {"name": "model", "layers": [
  {"class_name": "InputLayer", "name": "in", "config": {"batch_input_shape": [null, 5], "dtype": "float32",
                                                        "sparse": false, "ragged": false, "name": "in"},
   "inbound_nodes": []},
  {"class_name": "Dense", "name": "hidden", "config": {"name": "hidden", "units": 7, "activation": "tanh"},
   "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "out", "config": {"name": "out", "units": 3, "activation": "softmax"},
   "inbound_nodes": [[["hidden", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["out", 0, 0]]},
 "training_config": {"optimizer_config": {"class_name": "Adam", "config": {"name": "Adam",
                       "learning_rate": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
                       "amsgrad": false}},
                     "loss": "categorical_crossentropy"}
})";

// Keras 3 functional (to_json): module keys, {"args", "kwargs"} calls with
// __keras_tensor__ objects, bare input/output triples.
const char *kKeras3Functional = R"({
 "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
 "config": {"name": "functional", "trainable": true, "layers": [
  {"module": "keras.layers", "class_name": "InputLayer", "name": "input_layer",
   "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer"},
   "inbound_nodes": []},
  {"module": "keras.layers", "class_name": "Dense", "name": "dense",
   "config": {"name": "dense", "units": 3, "activation": "softmax"},
   "build_config": {"input_shape": [null, 4]},
   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                "config": {"shape": [null, 4], "dtype": "float32",
                                           "keras_history": ["input_layer", 0, 0]}}],
                      "kwargs": {}}]}],
  "input_layers": ["input_layer", 0, 0], "output_layers": ["dense", 0, 0]},
 "compile_config": {"optimizer": "adam", "loss": "categorical_crossentropy", "metrics": ["accuracy"]}
})";

// Keras 3 Sequential from a .keras archive's config.json: no InputLayer, the
// shape only in build_config.
const char *kKeras3BuiltSequential = R"({
 "module": "keras", "class_name": "Sequential",
 "config": {"name": "sequential", "layers": [
  {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 3,
                                                               "activation": "softmax"}}],
  "build_input_shape": [null, 6]},
 "build_config": {"input_shape": [null, 6]},
 "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "SGD",
                                  "config": {"learning_rate": 0.05}},
                    "loss": "categorical_crossentropy"}
})";

TEST(KerasModel, Keras1Sequential) {
  Parsed p = parse(kKeras1Sequential);
  ASSERT_TRUE(p.model) << p.errors();
  EXPECT_EQ(p.model->generation, Generation::Keras1);
  EXPECT_EQ(p.model->kerasVersion, "1.2.2");
  // Keras synthesises "<first layer>_input".
  ASSERT_EQ(p.model->layers.size(), 4u);
  EXPECT_EQ(p.model->layers[0].name, "dense_1_input");
  EXPECT_EQ(p.model->layers[0].className, "InputLayer");
  ASSERT_EQ(p.model->inputs.size(), 1u);
  EXPECT_EQ(p.model->inputs[0].layer, "dense_1_input");
  ASSERT_EQ(p.model->outputs.size(), 1u);
  EXPECT_EQ(p.model->outputs[0].layer, "dense_2");
  // Each layer is called once on the previous layer's output.
  ASSERT_EQ(p.model->layers[2].calls.size(), 1u);
  EXPECT_EQ(p.model->layers[2].calls[0][0].layer, "dense_1");
  EXPECT_EQ(p.model->layers[1].jsonPath, "/config/0");
  EXPECT_NE(p.model->trainingConfig, nullptr);
}

TEST(KerasModel, Keras1DetectedWithoutAVersion) {
  Parsed p = parse(kKeras1NoVersion);
  ASSERT_TRUE(p.model) << p.errors();
  EXPECT_EQ(p.model->generation, Generation::Keras1);
  EXPECT_EQ(p.model->kerasVersion, "");
  EXPECT_NE(p.model->kccConfig, nullptr);
}

TEST(KerasModel, Keras2ListAndDictSequentials) {
  for (const char *json : {kKeras208, kKeras224}) {
    Parsed p = parse(json);
    ASSERT_TRUE(p.model) << p.errors();
    EXPECT_EQ(p.model->generation, Generation::Keras2);
    ASSERT_EQ(p.model->layers.size(), 3u);
    EXPECT_EQ(p.model->layers[0].name, "dense_1_input");
    EXPECT_EQ(p.model->layers[2].name, "dense_2");
    EXPECT_EQ(p.model->layers[2].calls[0][0].layer, "dense_1");
  }
  EXPECT_EQ(parse(kKeras224).model->name, "sequential_1");
  EXPECT_EQ(parse(kKeras224).model->layers[1].jsonPath, "/config/layers/0");
}

TEST(KerasModel, TfKerasFunctional) {
  Parsed p = parse(kTfKerasFunctional);
  ASSERT_TRUE(p.model) << p.errors();
  EXPECT_EQ(p.model->generation, Generation::Keras2);
  EXPECT_EQ(p.model->kerasVersion, "2.9.0");
  ASSERT_EQ(p.model->layers.size(), 3u);
  EXPECT_TRUE(p.model->layers[0].calls.empty());
  ASSERT_EQ(p.model->layers[2].calls.size(), 1u);
  EXPECT_EQ(p.model->layers[2].calls[0][0].layer, "hidden");
  EXPECT_EQ(p.model->outputs[0].layer, "out");
}

TEST(KerasModel, Keras3Functional) {
  Parsed p = parse(kKeras3Functional);
  ASSERT_TRUE(p.model) << p.errors();
  EXPECT_EQ(p.model->generation, Generation::Keras3);
  ASSERT_EQ(p.model->inputs.size(), 1u);
  EXPECT_EQ(p.model->inputs[0].layer, "input_layer");
  EXPECT_EQ(p.model->outputs[0].layer, "dense");
  const Layer *dense = p.model->find("dense");
  ASSERT_NE(dense, nullptr);
  ASSERT_EQ(dense->calls.size(), 1u);
  ASSERT_EQ(dense->calls[0].size(), 1u);
  EXPECT_EQ(dense->calls[0][0].layer, "input_layer");
  EXPECT_NE(p.model->compileConfig, nullptr);
}

TEST(KerasModel, Keras3SequentialWithOnlyABuildShapeImports) {
  Imported m = import(kKeras3BuiltSequential);
  ASSERT_TRUE(m.module) << m.errors();
  EXPECT_EQ(m.generation, Generation::Keras3);
  EXPECT_EQ(m.inputTypes, (std::vector<std::string>{"tensor<32x6xf32>"}));
}

TEST(KerasModel, TfJsModelTopology) {
  // TF.js layers model: the Keras model under modelTopology, training
  // settings beside it.
  std::string json = std::string(R"({"format": "layers-model", "generatedBy": "keras v2.4.0",
    "modelTopology": {"keras_version": "2.4.0", "backend": "tensorflow", "model_config": )") +
                     R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax",
                                           "batch_input_shape": [null, 3]}}]}},
      "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.3}},
                          "loss": "categorical_crossentropy"}},
    "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": []}]})";
  Parsed p = parse(json);
  ASSERT_TRUE(p.model) << p.errors();
  EXPECT_EQ(p.model->generation, Generation::Keras2);
  EXPECT_EQ(p.model->kerasVersion, "2.4.0");
  EXPECT_EQ(p.model->layers.back().jsonPath, "/modelTopology/model_config/config/layers/0");
  TrainingSettings s = settings(json);
  EXPECT_EQ(s.optimizer.name, "sgd");
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.3);
  EXPECT_EQ(s.loss, "categorical_crossentropy");
}

TEST(KerasModel, Hdf5AttributesWithJsonStrings) {
  // h5py dumps of model.save(): model_config and training_config are JSON
  // documents stored as strings.
  std::string model = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax", "batch_input_shape": [null, 3]}}]}})";
  std::string training = R"({"optimizer_config": {"class_name": "Adam", "config": {"lr": 0.01}}, "loss": "sparse_categorical_crossentropy"})";
  auto quote = [](const std::string &s) {
    std::string out = "\"";
    for (char c : s)
      out += c == '"' ? std::string("\\\"") : std::string(1, c);
    return out + "\"";
  };
  std::string json = "{\"keras_version\": \"2.1.6\", \"backend\": \"tensorflow\", \"model_config\": " + quote(model) +
                     ", \"training_config\": " + quote(training) + "}";
  Parsed p = parse(json);
  ASSERT_TRUE(p.model) << p.errors();
  EXPECT_EQ(p.model->kerasVersion, "2.1.6");
  EXPECT_EQ(p.model->layers.back().name, "d");
  TrainingSettings s = settings(json);
  EXPECT_EQ(s.optimizer.name, "adam");
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.01);
  EXPECT_DOUBLE_EQ(s.optimizer.epsilon, 1e-7);
  EXPECT_EQ(s.loss, "sparse_categorical_crossentropy");
}

TEST(KerasModel, LayersListedBeforeTheirInputsImportInDependencyOrder) {
  const char *json = R"({
   "class_name": "Model", "keras_version": "2.2.4",
   "config": {"name": "m", "layers": [
    {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 2, "activation": "softmax"},
     "inbound_nodes": [[["h", 0, 0, {}]]]},
    {"name": "h", "class_name": "Dense", "config": {"name": "h", "units": 4}, "inbound_nodes": [[["x", 0, 0, {}]]]},
    {"name": "x", "class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 3]},
     "inbound_nodes": []}],
    "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]},
   "kcc": {"loss": "categorical_crossentropy", "batch_size": 2}})";
  Imported m = import(json);
  ASSERT_TRUE(m.module) << m.errors();
  // Every weight is numbered once; within a layer, kernel before bias.
  ASSERT_EQ(m.weightOrder.size(), 4u);
  auto pos = [&](const std::string &n) {
    return std::find(m.weightOrder.begin(), m.weightOrder.end(), n) - m.weightOrder.begin();
  };
  EXPECT_LT(pos("h.kernel"), pos("h.bias"));
  EXPECT_LT(pos("out.kernel"), pos("out.bias"));
  EXPECT_LT(pos("h.bias"), 4);
  EXPECT_LT(pos("out.bias"), 4);
}

TEST(KerasModel, IntegerInputsFeedingEmbeddingsAreI32) {
  const char *json = R"({
   "class_name": "Sequential", "keras_version": "2.2.4",
   "config": {"name": "s", "layers": [
    {"class_name": "Embedding", "config": {"name": "e", "input_dim": 10, "output_dim": 3,
                                           "batch_input_shape": [null, 5]}},
    {"class_name": "Flatten", "config": {"name": "f"}},
    {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax"}}]},
   "kcc": {"loss": "sparse_categorical_crossentropy", "batch_size": 4}})";
  Imported m = import(json);
  ASSERT_TRUE(m.module) << m.errors();
  EXPECT_EQ(m.inputTypes, (std::vector<std::string>{"tensor<4x5xi32>"}));
}

/// The recurrent activation of the (single) LSTM in |m|.
std::string recurrentActivationOf(Imported &m) {
  std::string out;
  m.module->walk([&](kcc::graph::LSTMOp op) {
    out = kcc::graph::stringifyActivation(op.getRecurrentActivation()).str();
  });
  return out;
}

TEST(KerasModel, Keras1LayerNamesImport) {
  Imported m = import(R"({
   "class_name": "Sequential", "keras_version": "1.2.2",
   "config": [
    {"class_name": "Convolution2D", "config": {"name": "conv", "nb_filter": 4, "nb_row": 3, "nb_col": 2,
      "border_mode": "same", "subsample": [1, 1], "dim_ordering": "tf", "init": "he_normal",
      "activation": "relu", "batch_input_shape": [null, 6, 6, 1]}},
    {"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [2, 2], "dim_ordering": "tf"}},
    {"class_name": "Flatten", "config": {"name": "flat"}},
    {"class_name": "Dense", "config": {"name": "out", "output_dim": 3, "init": "glorot_uniform",
                                       "activation": "softmax"}}],
   "training_config": {"optimizer_config": {"class_name": "Adadelta", "config": {}},
                       "loss": "categorical_crossentropy"},
   "kcc": {"batch_size": 2}})");
  ASSERT_TRUE(m.module) << m.errors();
  std::map<std::string, std::string> shapes;
  for (auto var : m.module->getOps<kcc::graph::VariableOp>()) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << var.getType();
    shapes[var.getSymName().str()] = s;
  }
  EXPECT_EQ(shapes["conv.kernel"], "tensor<3x2x1x4xf32>");
  EXPECT_EQ(shapes["out.kernel"], "tensor<36x3xf32>"); // 3x3 pooled x 4 filters
}

TEST(KerasModel, LstmRecurrentActivationPerGeneration) {
  auto lstm = [](const std::string &header, const std::string &lstmConfig) {
    return R"({"class_name": "Sequential", )" + header + R"(, "config": {"name": "s", "layers": [
      {"class_name": "LSTM", "config": {"name": "l", "units": 2, "batch_input_shape": [null, 3, 2])" +
           lstmConfig + R"(}},
      {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax"}}]},
      "kcc": {"loss": "categorical_crossentropy"}})";
  };
  // Keras 2 defaulted to hard_sigmoid (0.2x + 0.5).
  Imported k2 = import(lstm(R"("keras_version": "2.2.4")", ""));
  ASSERT_TRUE(k2.module) << k2.errors();
  EXPECT_EQ(recurrentActivationOf(k2), "hard_sigmoid");
  // Keras 1 named it inner_activation.
  Imported k1 = import(lstm(R"("keras_version": "1.2.2")", R"(, "inner_activation": "sigmoid")"));
  ASSERT_TRUE(k1.module) << k1.errors();
  EXPECT_EQ(recurrentActivationOf(k1), "sigmoid");
  // Keras 3 defaults to sigmoid, and its "hard_sigmoid" is x/6 + 0.5.
  Imported k3 = import(lstm(R"("module": "keras", "keras_version": "3.3.3")", ""));
  ASSERT_TRUE(k3.module) << k3.errors();
  EXPECT_EQ(k3.generation, Generation::Keras3);
  EXPECT_EQ(recurrentActivationOf(k3), "sigmoid");
  Imported k3h = import(lstm(R"("module": "keras", "keras_version": "3.3.3")",
                             R"(, "recurrent_activation": "hard_sigmoid")"));
  ASSERT_TRUE(k3h.module) << k3h.errors();
  EXPECT_EQ(recurrentActivationOf(k3h), "hard_sigmoid_v3");
}

TEST(KerasModel, RejectsNonModels) {
  Parsed bad = parse("{\"class_name\": \"Sequential\", \"config\": [");
  EXPECT_FALSE(bad.model);
  EXPECT_NE(bad.errors().find("invalid JSON at line 1"), std::string::npos) << bad.errors();

  Parsed array = parse("[1, 2]");
  EXPECT_FALSE(array.model);
  EXPECT_NE(array.errors().find("expected a JSON object"), std::string::npos) << array.errors();

  Parsed noClass = parse("{\"config\": {}}");
  EXPECT_FALSE(noClass.model);
  EXPECT_NE(noClass.errors().find("class_name"), std::string::npos) << noClass.errors();

  Parsed other = parse(R"({"class_name": "Graph", "config": {}})");
  EXPECT_FALSE(other.model);
  EXPECT_NE(other.errors().find("/class_name"), std::string::npos) << other.errors();
  EXPECT_NE(other.errors().find("'Graph'"), std::string::npos) << other.errors();

  Parsed nested = parse(R"({"class_name": "Sequential", "keras_version": "2.2.4", "config": {"name": "s", "layers": [
      {"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": [null, 3]}},
      {"class_name": "Sequential", "config": {"name": "inner", "layers": []}}]}})");
  EXPECT_FALSE(nested.model); // a nested model is inlined, and this one is empty
  EXPECT_NE(nested.errors().find("/config/layers/1/config/layers: a Sequential model needs a non-empty list"),
            std::string::npos)
      << nested.errors();
}

TEST(KerasModel, LoadNamesTheFile) {
  // Names unique to this process: test runs may overlap.
  std::string dir = std::filesystem::temp_directory_path().string() + "/kcc_frontend_test_" +
                    std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string missing = dir + "/kcc_frontend_no_such_model.json";
  Diagnostics diag(missing);
  EXPECT_FALSE(loadKerasModel(missing, diag));
  ASSERT_EQ(diag.all().size(), 1u);
  EXPECT_EQ(diag.all()[0].rfind(missing + ": ", 0), 0u) << diag.all()[0];

  std::string archive = dir + "/kcc_frontend_test_archive.keras";
  {
    std::ofstream out(archive, std::ios::binary);
    out << "PK\x03\x04" << std::string(40, '\0');
  }
  Diagnostics diag2(archive);
  EXPECT_FALSE(loadKerasModel(archive, diag2));
  ASSERT_EQ(diag2.all().size(), 1u);
  EXPECT_NE(diag2.all()[0].find("a .keras archive, but cannot be read as a zip archive"), std::string::npos)
      << diag2.all()[0];
  std::remove(archive.c_str());

  std::string good = dir + "/kcc_frontend_test_model.json";
  {
    std::ofstream out(good);
    out << kKeras224;
  }
  Diagnostics diag3(good);
  auto model = loadKerasModel(good, diag3);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->file, good);
  std::remove(good.c_str());
  std::filesystem::remove_all(dir);
}

} // namespace
