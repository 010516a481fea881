//===- ImplementationTest.cpp - library calls land on oneDNN's fast code ---===//
//
// oneDNN silently falls back to its reference code (10-100x slower) when the
// layouts it is handed differ from what its fast kernels accept. The layout
// pass must never let that happen to a convolution, pooling or matmul of
// the reference models.
//
//===----------------------------------------------------------------------===//

#include "RuntimeHarness.h"

#include "oneapi/dnnl/dnnl.h"

#include "gtest/gtest.h"

#include <fstream>
#include <sstream>

using namespace kcc;
using namespace kcc::test;

namespace {

std::string readModel(const std::string &name) {
  std::ifstream in(std::string(KCC_MODELS_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void expectNoReferenceCode(rt::Session &s) {
  int library = 0;
  for (const auto *stats : {&s.trainStats, &s.evalStats})
    for (const rt::CallStats &c : *stats) {
      EXPECT_EQ(c.implementation.find("onednn:ref"), std::string::npos)
          << c.kind << " of " << c.layer << " runs " << c.implementation;
      library += c.implementation.rfind("onednn:", 0) == 0;
    }
  EXPECT_GT(library, 0);
}

// Regression: a one-channel input convolution with a fused relu; oneDNN
// chose `abcd` for its input, kcc recorded the byte-identical `acdb`, and
// krun's primitive (made with the relu post-op) ran the reference code at
// 450 ms a step.
TEST(Implementation, OneChannelInputConvolutionUsesTheJit) {
  const char *json = R"({
   "class_name": "Sequential", "keras_version": "2.0.8",
   "config": [
    {"class_name": "Conv2D", "config": {"name": "c1", "filters": 32, "kernel_size": [3, 3],
      "activation": "relu", "batch_input_shape": [null, 28, 28, 1]}},
    {"class_name": "Conv2D", "config": {"name": "c2", "filters": 32, "kernel_size": [3, 3], "activation": "relu"}},
    {"class_name": "Flatten", "config": {"name": "f"}},
    {"class_name": "Dense", "config": {"name": "d", "units": 10, "activation": "softmax"}}],
   "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.01}},
                       "loss": "categorical_crossentropy"},
   "kcc": {"batch_size": 32}
  })";
  Harness h(json);
  expectNoReferenceCode(h.runtime());
}

class ReferenceModel : public ::testing::TestWithParam<const char *> {};

TEST_P(ReferenceModel, UsesNoOneDnnReferenceCode) {
  Harness h(readModel(GetParam()));
  expectNoReferenceCode(h.runtime());
}

TEST(Implementation, Bf16RunsOneDnnBf16Kernels) {
  if (dnnl_get_effective_cpu_isa() < dnnl_cpu_isa_avx512_core_bf16)
    GTEST_SKIP() << "this CPU has no native bf16";
  Harness h(readModel("mnist_cnn.json"), 1, "bf16");
  expectNoReferenceCode(h.runtime());
  int bf16 = 0, convolutions = 0;
  for (const rt::CallStats &c : h.runtime().trainStats) {
    bool isBf16 = c.implementation.find("bf16") != std::string::npos;
    bf16 += isBf16 && (c.kind == "matmul" || c.kind.rfind("conv2d", 0) == 0);
    convolutions += c.kind.rfind("conv2d", 0) == 0;
  }
  // Every matmul (6) and all but the one-channel forward convolution (5 of 6).
  EXPECT_EQ(bf16, 6 + convolutions - 1);
}

INSTANTIATE_TEST_SUITE_P(Models, ReferenceModel,
                         ::testing::Values("mnist_mlp.json", "mnist_cnn.json", "cifar10_cnn.json",
                                           "mnist_hierarchical_rnn.json", "babi_rnn.json"));

} // namespace
