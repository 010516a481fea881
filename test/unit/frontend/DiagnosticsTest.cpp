//===- DiagnosticsTest.cpp - every problem reported, located, at once ------===//

#include "FrontendTestSupport.h"

#include "gtest/gtest.h"

using namespace kcc::frontend;
using namespace kcc::test;

namespace {

/// The messages of |m| that contain |needle|.
std::vector<std::string> matching(const Imported &m, const std::string &needle) {
  std::vector<std::string> out;
  for (const std::string &s : m.diag.all())
    if (s.find(needle) != std::string::npos)
      out.push_back(s);
  return out;
}

TEST(Diagnostics, FormatsFileWhereAndMessage) {
  Diagnostics d("models/x.json");
  EXPECT_FALSE(d.failed());
  d.error("layer 'a' (Dense) at /config/layers/0/config/units", "expected a positive integer, found -3");
  d.error("", "no loss is given");
  ASSERT_TRUE(d.failed());
  ASSERT_EQ(d.all().size(), 2u);
  EXPECT_EQ(d.all()[0],
            "models/x.json: layer 'a' (Dense) at /config/layers/0/config/units: expected a positive integer, found -3");
  EXPECT_EQ(d.all()[1], "models/x.json: no loss is given");
  std::string printed;
  llvm::raw_string_ostream os(printed);
  d.print(os);
  EXPECT_EQ(os.str(), "error: " + d.all()[0] + "\nerror: " + d.all()[1] + "\n");
}

TEST(Diagnostics, SeveralBadLayersAreAllReportedWithTheirPaths) {
  // Four independent problems in one Sequential model: a bad value, an
  // unsupported activation, a regularizer, an unsupported layer. All must
  // be reported, each with the file, the layer and the JSON path.
  Imported m = import(R"({
   "class_name": "Sequential", "keras_version": "2.2.4",
   "config": {"name": "s", "layers": [
    {"class_name": "Dense", "config": {"name": "dense_1", "units": -3, "batch_input_shape": [null, 4]}},
    {"class_name": "Dense", "config": {"name": "dense_2", "units": 3, "activation": "sparse_plus"}},
    {"class_name": "Dense", "config": {"name": "dense_3", "units": 2, "activation": "softmax",
                                       "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.01}}}},
    {"class_name": "LayerNormalization", "config": {"name": "ln_1"}}]},
   "training_config": {"loss": "categorical_crossentropy"}})");
  EXPECT_FALSE(m.module);
  ASSERT_GE(m.diag.all().size(), 4u) << m.errors();
  for (const std::string &s : m.diag.all())
    EXPECT_EQ(s.rfind("model.json: ", 0), 0u) << "every message starts with the file: " << s;

  auto units = matching(m, "dense_1");
  ASSERT_GE(units.size(), 1u) << m.errors();
  EXPECT_NE(units[0].find("layer 'dense_1' (Dense) at /config/layers/0/config/units"), std::string::npos)
      << units[0];
  EXPECT_NE(units[0].find("-3"), std::string::npos) << units[0];

  auto act = matching(m, "sparse_plus");
  ASSERT_EQ(act.size(), 1u) << m.errors();
  EXPECT_NE(act[0].find("layer 'dense_2' (Dense) at /config/layers/1/config/activation"), std::string::npos)
      << act[0];

  auto reg = matching(m, "kernel_regularizer");
  ASSERT_EQ(reg.size(), 1u) << m.errors();
  EXPECT_NE(reg[0].find("layer 'dense_3' (Dense) at /config/layers/2/config/kernel_regularizer"),
            std::string::npos)
      << reg[0];

  auto bn = matching(m, "LayerNormalization");
  ASSERT_EQ(bn.size(), 1u) << m.errors();
  EXPECT_NE(bn[0].find("layer 'ln_1' (LayerNormalization) at /config/layers/3"), std::string::npos) << bn[0];
}

TEST(Diagnostics, LayersAfterAnUnsupportedLayerAreStillChecked) {
  Imported m = import(R"({
   "class_name": "Sequential", "keras_version": "2.2.4",
   "config": {"name": "s", "layers": [
    {"class_name": "Dense", "config": {"name": "dense_1", "units": 8, "batch_input_shape": [null, 4]}},
    {"class_name": "LayerNormalization", "config": {"name": "ln_1"}},
    {"class_name": "GRU", "config": {"name": "gru_1", "units": 3}},
    {"class_name": "Dense", "config": {"name": "dense_2", "units": 2, "activation": "softmax"}}]},
   "training_config": {"loss": "categorical_crossentropy"}})");
  EXPECT_FALSE(m.module);
  EXPECT_EQ(matching(m, "layer 'ln_1' (LayerNormalization) at /config/layers/1").size(), 1u) << m.errors();
  EXPECT_EQ(matching(m, "layer 'gru_1' (GRU) at /config/layers/2").size(), 1u) << m.errors();
}

TEST(Diagnostics, FunctionalModelProblemsNameLayersAndPaths) {
  Imported m = import(R"({
   "class_name": "Model", "keras_version": "2.2.4",
   "config": {"name": "m", "layers": [
    {"name": "x", "class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 4]},
     "inbound_nodes": []},
    {"name": "g", "class_name": "GRU", "config": {"name": "g", "units": 3}, "inbound_nodes": [[["x", 0, 0, {}]]]},
    {"name": "ghost", "class_name": "Dense", "config": {"name": "ghost", "units": 3},
     "inbound_nodes": [[["nowhere", 0, 0, {}]]]},
    {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 2, "activation": "softmax"},
     "inbound_nodes": [[["g", 0, 0, {}]]]}],
    "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]},
   "kcc": {"loss": "categorical_crossentropy"}})");
  EXPECT_FALSE(m.module);
  auto gru = matching(m, "GRU");
  ASSERT_EQ(gru.size(), 1u) << m.errors();
  EXPECT_NE(gru[0].find("layer 'g' (GRU) at /config/layers/1"), std::string::npos) << gru[0];
  auto ghost = matching(m, "nowhere");
  ASSERT_EQ(ghost.size(), 1u) << m.errors();
  EXPECT_NE(ghost[0].find("layer 'ghost' (Dense) at /config/layers/2"), std::string::npos) << ghost[0];
}

TEST(Diagnostics, ShapeErrorsFromOpRulesNameTheLayer) {
  // Concatenating [N, 3] with [N, 4, 2] fails in the op's shape rule; the
  // message must still say which layer.
  Imported m = import(R"({
   "class_name": "Model", "keras_version": "2.2.4",
   "config": {"name": "m", "layers": [
    {"name": "a", "class_name": "InputLayer", "config": {"name": "a", "batch_input_shape": [null, 3]},
     "inbound_nodes": []},
    {"name": "b", "class_name": "InputLayer", "config": {"name": "b", "batch_input_shape": [null, 4, 2]},
     "inbound_nodes": []},
    {"name": "cat", "class_name": "Concatenate", "config": {"name": "cat", "axis": -1},
     "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]},
    {"name": "out", "class_name": "Dense", "config": {"name": "out", "units": 2, "activation": "softmax"},
     "inbound_nodes": [[["cat", 0, 0, {}]]]}],
    "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["out", 0, 0]]},
   "kcc": {"loss": "categorical_crossentropy"}})");
  EXPECT_FALSE(m.module);
  auto cat = matching(m, "layer 'cat' (Concatenate) at /config/layers/2");
  ASSERT_GE(cat.size(), 1u) << m.errors();
  EXPECT_NE(cat[0].find("rank"), std::string::npos) << cat[0];
}

TEST(Diagnostics, TrainingProblemsAreReportedWithJsonPaths) {
  Imported m = import(R"({
   "class_name": "Sequential", "keras_version": "2.2.4",
   "config": {"name": "s", "layers": [
    {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax", "batch_input_shape": [null, 3]}}]},
   "training_config": {"optimizer_config": {"class_name": "Ftrl", "config": {}}, "loss": "cosine_similarity"},
   "kcc": {"batch_size": -1}})");
  EXPECT_FALSE(m.module);
  EXPECT_EQ(matching(m, "/training_config/optimizer_config/class_name").size(), 1u) << m.errors();
  EXPECT_EQ(matching(m, "/training_config/loss").size(), 1u) << m.errors();
  EXPECT_EQ(matching(m, "/kcc/batch_size").size(), 1u) << m.errors();
}

TEST(Diagnostics, StaticShapesAreRequired) {
  Imported m = import(R"({
   "class_name": "Sequential", "keras_version": "2.2.4",
   "config": {"name": "s", "layers": [
    {"class_name": "LSTM", "config": {"name": "l", "units": 2, "batch_input_shape": [null, null, 3]}},
    {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax"}}]},
   "kcc": {"loss": "categorical_crossentropy"}})");
  EXPECT_FALSE(m.module);
  auto shape = matching(m, "static input shapes");
  ASSERT_EQ(shape.size(), 1u) << m.errors();
  EXPECT_NE(shape[0].find("layer 'l_input'"), std::string::npos) << shape[0];
}

TEST(Diagnostics, AGoodModelReportsNothing) {
  Imported m = import(R"({
   "class_name": "Sequential", "keras_version": "2.2.4",
   "config": {"name": "s", "layers": [
    {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "batch_input_shape": [null, 5, 5, 1]}},
    {"class_name": "MaxPooling2D", "config": {"name": "p"}},
    {"class_name": "Flatten", "config": {"name": "f"}},
    {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
    {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax"}}]},
   "kcc": {"loss": "categorical_crossentropy", "batch_size": 3}})");
  ASSERT_TRUE(m.module) << m.errors();
  EXPECT_TRUE(m.diag.all().empty());
  EXPECT_EQ(m.inputTypes, (std::vector<std::string>{"tensor<3x5x5x1xf32>"}));
  EXPECT_EQ(m.weightOrder, (std::vector<std::string>{"c.kernel", "c.bias", "d.kernel", "d.bias"}));
}

} // namespace
