//===- OpGradientTest.cpp - every gradient rule vs finite differences -----===//
//
// Each test builds a one-op function, draws float64 inputs (away from the
// kinks of relu/hard_sigmoid/max), and compares the gradient that the op's
// GradientOpInterface builds (evaluated by the reference) with central
// differences of sum(R * op(x)).
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "ir/Graph/IR/GraphDialect.h"

#include "gtest/gtest.h"

#include <cmath>
#include <set>
#include <sstream>

using namespace kcc::test;

namespace {

std::string tensorType(const std::vector<int64_t> &shape, const std::string &elem = "f32") {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + elem + ">";
}

/// func.func @f(%a0: t0, %a1: t1, ...) -> result { %r = <op text> : (...) -> result }
/// |op| is everything up to the colon; operand names are %a0, %a1, ...
std::string oneOpModule(const std::vector<std::string> &argTypes, const std::string &op,
                        const std::string &resultType) {
  std::ostringstream os;
  os << "func.func @f(";
  for (size_t i = 0; i < argTypes.size(); ++i)
    os << (i ? ", " : "") << "%a" << i << ": " << argTypes[i];
  os << ") -> " << resultType << " {\n  %r = " << op << " : (";
  for (size_t i = 0; i < argTypes.size(); ++i)
    os << (i ? ", " : "") << argTypes[i];
  os << ") -> " << resultType << "\n  return %r : " << resultType << "\n}\n";
  return os.str();
}

void expectGradientsMatch(const OpGradientCase &c) {
  OpGradientResult r = checkOpGradient(c);
  ASSERT_TRUE(r.error.empty()) << r.error << "\nmodule:\n" << c.moduleText;
  EXPECT_GT(r.checked, 0);
  EXPECT_TRUE(r.mismatches.empty()) << describe(r.mismatches) << "\nmodule:\n"
                                    << c.moduleText << "\ngradient:\n"
                                    << r.gradientIR;
}

/// Every argument differentiable.
std::vector<bool> all(size_t n) { return std::vector<bool>(n, true); }

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatMulParam {
  bool ta, tb;
  std::vector<int64_t> a, b, result;
  bool bias;
  std::string activation; // "" = linear
  std::string bug = "";   // non-empty: a known compiler bug, reported and skipped
};

void PrintTo(const MatMulParam &p, std::ostream *os) {
  *os << (p.ta ? "transpose_a " : "") << (p.tb ? "transpose_b " : "") << "rank-" << p.a.size() << " a"
      << (p.bias ? " with bias" : "") << (p.activation.empty() ? "" : " " + p.activation);
}

std::string matmulName(const testing::TestParamInfo<MatMulParam> &info) {
  const MatMulParam &p = info.param;
  std::string s = std::string(p.ta ? "Ta" : "A") + (p.tb ? "Tb" : "B") + "_rank" + std::to_string(p.a.size());
  if (p.bias)
    s += "_bias";
  if (!p.activation.empty())
    s += "_" + p.activation;
  return s;
}

// transpose_a with a rank-3 a (not produced by the frontend, but part of the
// op's definition): b's gradient must use a's [M, K] matrix view
// (regression: it used to keep a's leading dimensions).
class MatMulGradient : public testing::TestWithParam<MatMulParam> {};

TEST_P(MatMulGradient, MatchesFiniteDifferences) {
  const MatMulParam &p = GetParam();
  if (!p.bug.empty())
    GTEST_SKIP() << p.bug;
  Random rng(11);
  std::vector<std::string> types = {tensorType(p.a), tensorType(p.b)};
  OpGradientCase c;
  c.args = {rng.tensor(p.a), rng.tensor(p.b)};
  std::string op = "graph.matmul %a0, %a1";
  if (p.bias) {
    types.push_back(tensorType({p.result.back()}));
    c.args.push_back(rng.tensor({p.result.back()}, -0.5, 0.5));
    op += ", %a2";
  }
  std::vector<std::string> attrs;
  if (p.ta)
    attrs.push_back("transpose_a");
  if (p.tb)
    attrs.push_back("transpose_b");
  if (!p.activation.empty())
    attrs.push_back("activation = #graph.activation<" + p.activation + ">");
  if (!attrs.empty()) {
    op += " {";
    for (size_t i = 0; i < attrs.size(); ++i)
      op += (i ? ", " : "") + attrs[i];
    op += "}";
  }
  c.moduleText = oneOpModule(types, op, tensorType(p.result));
  c.differentiable = all(c.args.size());
  expectGradientsMatch(c);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, MatMulGradient,
    testing::Values(
        MatMulParam{false, false, {3, 4}, {4, 5}, {3, 5}, false, ""},
        MatMulParam{true, false, {4, 3}, {4, 5}, {3, 5}, false, ""},
        MatMulParam{false, true, {3, 4}, {5, 4}, {3, 5}, false, ""},
        MatMulParam{true, true, {4, 3}, {5, 4}, {3, 5}, false, ""},
        // Dense on a 3-D input keeps the leading dimensions.
        MatMulParam{false, false, {2, 3, 4}, {4, 5}, {2, 3, 5}, false, ""},
        MatMulParam{false, true, {2, 3, 4}, {5, 4}, {2, 3, 5}, true, "tanh"},
        // transpose_a folds the leading dimensions of a 3-D a into K.
        MatMulParam{true, false, {2, 3, 4}, {6, 5}, {4, 5}, false, "", ""},
        MatMulParam{false, false, {3, 4}, {4, 5}, {3, 5}, true, ""},
        MatMulParam{false, false, {3, 4}, {4, 5}, {3, 5}, true, "relu"},
        MatMulParam{false, false, {3, 4}, {4, 5}, {3, 5}, true, "tanh"},
        MatMulParam{false, false, {3, 4}, {4, 5}, {3, 5}, true, "sigmoid"},
        MatMulParam{false, false, {3, 4}, {4, 5}, {3, 5}, true, "elu"},
        MatMulParam{true, true, {4, 3}, {5, 4}, {3, 5}, true, "softplus"},
        MatMulParam{false, false, {2, 3, 4}, {4, 5}, {2, 3, 5}, true, "relu"}),
    matmulName);

//===----------------------------------------------------------------------===//
// bias_add, reduce_sum
//===----------------------------------------------------------------------===//

TEST(BiasAddGradient, LastAxis) {
  Random rng(3);
  OpGradientCase c;
  c.args = {rng.tensor({3, 4}), rng.tensor({4})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({3, 4}), tensorType({4})},
                             "graph.bias_add %a0, %a1 {axis = -1 : i64}", tensorType({3, 4}));
  expectGradientsMatch(c);
}

TEST(BiasAddGradient, ChannelsFirstAxis) {
  Random rng(4);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 2, 2}), rng.tensor({3})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({2, 3, 2, 2}), tensorType({3})},
                             "graph.bias_add %a0, %a1 {axis = 1 : i64}", tensorType({2, 3, 2, 2}));
  expectGradientsMatch(c);
}

TEST(BiasAddGradient, ChannelsLastAxisOfImage) {
  Random rng(5);
  OpGradientCase c;
  c.args = {rng.tensor({2, 2, 3, 4}), rng.tensor({4})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({2, 2, 3, 4}), tensorType({4})},
                             "graph.bias_add %a0, %a1 {axis = 3 : i64}", tensorType({2, 2, 3, 4}));
  expectGradientsMatch(c);
}

TEST(ReduceSumGradient, SumOverTimeAxis) {
  Random rng(6);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 4})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3, 4})}, "graph.reduce_sum %a0 {axes = array<i64: 1>}",
                             tensorType({2, 4}));
  expectGradientsMatch(c);
}

TEST(ReduceSumGradient, LeadingAxes) {
  Random rng(7);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 4})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3, 4})}, "graph.reduce_sum %a0 {axes = array<i64: 0>}",
                             tensorType({3, 4}));
  expectGradientsMatch(c);
}

TEST(ReduceSumGradient, SpatialAxesOfAMap) {
  // A global average pooling's sum over height and width.
  Random rng(8);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 2, 4})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3, 2, 4})}, "graph.reduce_sum %a0 {axes = array<i64: 1, 2>}",
                             tensorType({2, 4}));
  expectGradientsMatch(c);
}

TEST(ReduceSumGradient, EveryAxisToAScalar) {
  // A weight regularizer's sum of squares.
  Random rng(9);
  OpGradientCase c;
  c.args = {rng.tensor({3, 4})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({3, 4})}, "graph.reduce_sum %a0 {axes = array<i64: 0, 1>}", "tensor<f32>");
  expectGradientsMatch(c);
}

TEST(ReduceSumGradient, UnsupportedAxesAreRejectedNotMiscomputed) {
  // Non-contiguous axes must fail loudly rather than return a wrong gradient.
  Random rng(6);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 4})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3, 4})}, "graph.reduce_sum %a0 {axes = array<i64: 0, 2>}",
                             tensorType({3}));
  OpGradientResult r = checkOpGradient(c);
  EXPECT_NE(r.error.find("buildGradients failed"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("only implemented"), std::string::npos) << r.error;
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

struct ConvParam {
  std::string name;
  bool channelsFirst;
  int64_t n, h, w, cin, kh, kw, cout;
  int64_t sh, sw, dh, dw;
  bool same;
  bool bias;
  std::string activation;
};

/// Keras output size, computed here independently of the compiler.
int64_t convOut(int64_t in, int64_t k, int64_t s, int64_t d, bool same) {
  if (same)
    return (in + s - 1) / s;
  int64_t span = (k - 1) * d + 1;
  return (in - span) / s + 1;
}

void PrintTo(const ConvParam &p, std::ostream *os) { *os << p.name; }

class Conv2DGradient : public testing::TestWithParam<ConvParam> {};

TEST_P(Conv2DGradient, MatchesFiniteDifferences) {
  const ConvParam &p = GetParam();
  int64_t oh = convOut(p.h, p.kh, p.sh, p.dh, p.same), ow = convOut(p.w, p.kw, p.sw, p.dw, p.same);
  std::vector<int64_t> in = p.channelsFirst ? std::vector<int64_t>{p.n, p.cin, p.h, p.w}
                                            : std::vector<int64_t>{p.n, p.h, p.w, p.cin};
  std::vector<int64_t> out = p.channelsFirst ? std::vector<int64_t>{p.n, p.cout, oh, ow}
                                             : std::vector<int64_t>{p.n, oh, ow, p.cout};
  std::vector<int64_t> filter = {p.kh, p.kw, p.cin, p.cout};
  Random rng(21);
  OpGradientCase c;
  c.args = {rng.tensor(in), rng.tensor(filter, -0.5, 0.5)};
  std::vector<std::string> types = {tensorType(in), tensorType(filter)};
  std::string op = "graph.conv2d %a0, %a1";
  if (p.bias) {
    c.args.push_back(rng.tensor({p.cout}, -0.3, 0.3));
    types.push_back(tensorType({p.cout}));
    op += ", %a2";
  }
  op += " {strides = array<i64: " + std::to_string(p.sh) + ", " + std::to_string(p.sw) +
        ">, dilations = array<i64: " + std::to_string(p.dh) + ", " + std::to_string(p.dw) +
        ">, padding = #graph.padding<" + (p.same ? "same" : "valid") + ">, data_format = #graph.data_format<" +
        (p.channelsFirst ? "channels_first" : "channels_last") + ">";
  if (!p.activation.empty())
    op += ", activation = #graph.activation<" + p.activation + ">";
  op += "}";
  c.moduleText = oneOpModule(types, op, tensorType(out));
  c.differentiable = all(c.args.size());
  c.maxElementsPerArg = 40;
  expectGradientsMatch(c);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, Conv2DGradient,
    testing::Values(
        ConvParam{"valid", false, 2, 5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false, false, ""},
        ConvParam{"same", false, 2, 5, 5, 2, 3, 3, 3, 1, 1, 1, 1, true, false, ""},
        ConvParam{"valid_strided", false, 2, 6, 5, 2, 3, 3, 2, 2, 2, 1, 1, false, false, ""},
        ConvParam{"same_strided", false, 2, 5, 6, 2, 3, 3, 2, 2, 2, 1, 1, true, false, ""},
        ConvParam{"same_even_kernel", false, 1, 5, 6, 2, 2, 3, 2, 1, 2, 1, 1, true, false, ""},
        ConvParam{"valid_dilated", false, 1, 6, 6, 2, 3, 3, 2, 1, 1, 2, 2, false, false, ""},
        ConvParam{"same_dilated", false, 1, 5, 5, 2, 3, 2, 2, 1, 1, 2, 1, true, false, ""},
        ConvParam{"channels_first_valid", true, 2, 5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false, false, ""},
        ConvParam{"channels_first_same_strided", true, 2, 5, 5, 3, 3, 3, 2, 2, 2, 1, 1, true, true, ""},
        ConvParam{"bias_relu", false, 2, 5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false, true, "relu"},
        ConvParam{"channels_first_bias_relu", true, 2, 5, 5, 2, 3, 3, 3, 1, 1, 1, 1, true, true, "relu"},
        ConvParam{"bias_tanh", false, 1, 4, 4, 2, 3, 3, 2, 1, 1, 1, 1, true, true, "tanh"}),
    [](const testing::TestParamInfo<ConvParam> &info) { return info.param.name; });

//===----------------------------------------------------------------------===//
// max_pool2d
//===----------------------------------------------------------------------===//

struct PoolParam {
  std::string name;
  bool channelsFirst;
  int64_t n, h, w, c, ph, pw, sh, sw;
  bool same;
};

void PrintTo(const PoolParam &p, std::ostream *os) { *os << p.name; }

class MaxPoolGradient : public testing::TestWithParam<PoolParam> {};

TEST_P(MaxPoolGradient, MatchesFiniteDifferences) {
  const PoolParam &p = GetParam();
  int64_t oh = convOut(p.h, p.ph, p.sh, 1, p.same), ow = convOut(p.w, p.pw, p.sw, 1, p.same);
  std::vector<int64_t> in = p.channelsFirst ? std::vector<int64_t>{p.n, p.c, p.h, p.w}
                                            : std::vector<int64_t>{p.n, p.h, p.w, p.c};
  std::vector<int64_t> out = p.channelsFirst ? std::vector<int64_t>{p.n, p.c, oh, ow}
                                             : std::vector<int64_t>{p.n, oh, ow, p.c};
  Random rng(31);
  OpGradientCase c;
  // Distinct values spaced far apart compared with h, so no window has a
  // near-tie that a perturbation could flip: a shuffled ramp.
  RefTensor x(in);
  std::vector<int64_t> order(x.size());
  for (int64_t i = 0; i < x.size(); ++i)
    order[i] = i;
  for (int64_t i = x.size() - 1; i > 0; --i)
    std::swap(order[i], order[rng.integer(0, i)]);
  for (int64_t i = 0; i < x.size(); ++i)
    x[order[i]] = -1.0 + 2.0 * i / x.size() + rng.uniform(0, 0.2 / x.size());
  c.args = {x};
  c.differentiable = all(1);
  c.maxElementsPerArg = 64;
  c.moduleText = oneOpModule(
      {tensorType(in)},
      "graph.max_pool2d %a0 {pool_size = array<i64: " + std::to_string(p.ph) + ", " + std::to_string(p.pw) +
          ">, strides = array<i64: " + std::to_string(p.sh) + ", " + std::to_string(p.sw) +
          ">, padding = #graph.padding<" + (p.same ? "same" : "valid") + ">, data_format = #graph.data_format<" +
          (p.channelsFirst ? "channels_first" : "channels_last") + ">}",
      tensorType(out));
  expectGradientsMatch(c);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, MaxPoolGradient,
    testing::Values(PoolParam{"valid_2x2", false, 2, 4, 4, 2, 2, 2, 2, 2, false},
                    PoolParam{"valid_odd_input", false, 2, 5, 5, 2, 2, 2, 2, 2, false},
                    PoolParam{"valid_overlapping", false, 1, 5, 5, 2, 3, 3, 1, 1, false},
                    PoolParam{"same_overlapping", false, 2, 5, 5, 2, 3, 3, 2, 2, true},
                    PoolParam{"same_2x2_odd", false, 1, 5, 5, 3, 2, 2, 2, 2, true},
                    PoolParam{"channels_first_valid", true, 2, 2, 4, 4, 2, 2, 2, 2, false},
                    PoolParam{"channels_first_same_overlapping", true, 1, 3, 5, 5, 3, 3, 2, 2, true}),
    [](const testing::TestParamInfo<PoolParam> &info) { return info.param.name; });

//===----------------------------------------------------------------------===//
// lstm
//===----------------------------------------------------------------------===//

struct LstmParam {
  std::string activation, recurrentActivation;
  bool returnSequences, goBackwards;
  double weightScale;
  bool gru = false; // cell = #graph.cell<gru>
};

std::string lstmName(const testing::TestParamInfo<LstmParam> &info) {
  const LstmParam &p = info.param;
  std::string s = p.activation + "_" + p.recurrentActivation;
  if (p.returnSequences)
    s += "_sequences";
  if (p.goBackwards)
    s += "_backwards";
  if (p.weightScale > 1)
    s += "_saturating";
  if (p.gru)
    s += "_gru";
  return s;
}

void PrintTo(const LstmParam &p, std::ostream *os) {
  *os << p.activation << "/" << p.recurrentActivation << (p.returnSequences ? " return_sequences" : "")
      << (p.goBackwards ? " go_backwards" : "") << " weight scale " << p.weightScale << (p.gru ? " gru" : "");
}

class LSTMGradient : public testing::TestWithParam<LstmParam> {};

TEST_P(LSTMGradient, MatchesFiniteDifferences) {
  const LstmParam &p = GetParam();
  const int64_t n = 2, t = 3, ch = 3, u = 2;
  std::vector<int64_t> out = p.returnSequences ? std::vector<int64_t>{n, t, u} : std::vector<int64_t>{n, u};
  Random rng(41);
  double s = p.weightScale;
  OpGradientCase c;
  c.args = {rng.tensor({n, t, ch}), rng.tensor({ch, 4 * u}, -0.6 * s, 0.6 * s),
            rng.tensor({u, 4 * u}, -0.6 * s, 0.6 * s), rng.tensor({4 * u}, -0.3 * s, 0.3 * s)};
  c.differentiable = all(4);
  std::string attrs = "units = " + std::to_string(u) + " : i64, activation = #graph.activation<" + p.activation +
                      ">, recurrent_activation = #graph.activation<" + p.recurrentActivation + ">";
  if (p.returnSequences)
    attrs += ", return_sequences";
  if (p.goBackwards)
    attrs += ", go_backwards";
  if (p.gru)
    attrs += ", cell = #graph.cell<gru>";
  c.moduleText = oneOpModule({tensorType({n, t, ch}), tensorType({ch, 4 * u}), tensorType({u, 4 * u}),
                              tensorType({4 * u})},
                             "graph.lstm %a0, %a1, %a2, %a3 {" + attrs + "}", tensorType(out));
  expectGradientsMatch(c);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, LSTMGradient,
    testing::Values(LstmParam{"tanh", "sigmoid", false, false, 1}, LstmParam{"tanh", "sigmoid", true, false, 1},
                    LstmParam{"tanh", "sigmoid", false, true, 1}, LstmParam{"tanh", "sigmoid", true, true, 1},
                    LstmParam{"tanh", "hard_sigmoid", false, false, 1},
                    LstmParam{"tanh", "hard_sigmoid", true, true, 1},
                    LstmParam{"tanh", "hard_sigmoid_v3", false, false, 1},
                    LstmParam{"tanh", "hard_sigmoid_v3", true, false, 1},
                    LstmParam{"tanh", "tanh", true, false, 1}, LstmParam{"tanh", "tanh", false, true, 1},
                    // Larger weights drive hard_sigmoid gates into saturation.
                    LstmParam{"tanh", "hard_sigmoid", true, false, 4},
                    LstmParam{"sigmoid", "sigmoid", true, false, 1},
                    LstmParam{"hard_sigmoid", "sigmoid", false, false, 1},
                    // GRU cells (the four slots z, r, x-part, h-part).
                    LstmParam{"tanh", "sigmoid", false, false, 1, true}, LstmParam{"tanh", "sigmoid", true, true, 1, true},
                    LstmParam{"tanh", "hard_sigmoid", true, false, 4, true},
                    LstmParam{"sigmoid", "tanh", false, true, 1, true}),
    lstmName);

TEST(LSTMGradient, WithoutInputGradient) {
  // An LSTM fed by an embedding or a model input needs no input gradient;
  // the weight gradients must not change.
  const int64_t n = 2, t = 3, ch = 2, u = 2;
  Random rng(42);
  OpGradientCase c;
  c.args = {rng.tensor({n, t, ch}), rng.tensor({ch, 4 * u}, -0.6, 0.6), rng.tensor({u, 4 * u}, -0.6, 0.6),
            rng.tensor({4 * u}, -0.3, 0.3)};
  c.differentiable = {false, true, true, true};
  c.moduleText = oneOpModule({tensorType({n, t, ch}), tensorType({ch, 4 * u}), tensorType({u, 4 * u}),
                              tensorType({4 * u})},
                             "graph.lstm %a0, %a1, %a2, %a3 {units = 2 : i64, activation = "
                             "#graph.activation<tanh>, recurrent_activation = #graph.activation<sigmoid>}",
                             tensorType({n, u}));
  expectGradientsMatch(c);
}

//===----------------------------------------------------------------------===//
// embedding, reshape, repeat, concat
//===----------------------------------------------------------------------===//

TEST(EmbeddingGradient, RepeatedIdsAccumulate) {
  Random rng(51);
  RefTensor ids({2, 4});
  ids.data = {1, 3, 1, 0, 4, 1, 3, 3}; // repeats: rows 1 and 3 get several contributions
  OpGradientCase c;
  c.args = {ids, rng.tensor({5, 3})};
  c.differentiable = {false, true};
  c.moduleText = oneOpModule({tensorType({2, 4}, "i32"), tensorType({5, 3})}, "graph.embedding %a0, %a1",
                             tensorType({2, 4, 3}));
  expectGradientsMatch(c);
  // Row 2 of the table is never looked up: its gradient must be exactly 0.
  OpGradientResult r = checkOpGradient(c);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (int64_t j = 0; j < 3; ++j)
    EXPECT_EQ(r.analytic[1][2 * 3 + j], 0.0);
}

TEST(EmbeddingGradient, Rank1Ids) {
  Random rng(52);
  RefTensor ids({5});
  ids.data = {0, 2, 2, 5, 1};
  OpGradientCase c;
  c.args = {ids, rng.tensor({6, 2})};
  c.differentiable = {false, true};
  c.moduleText = oneOpModule({tensorType({5}, "i32"), tensorType({6, 2})}, "graph.embedding %a0, %a1",
                             tensorType({5, 2}));
  expectGradientsMatch(c);
}

TEST(ReshapeGradient, Flatten) {
  Random rng(61);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 2, 2})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3, 2, 2})}, "graph.reshape %a0 {shape = array<i64: 2, -1>}",
                             tensorType({2, 12}));
  expectGradientsMatch(c);
}

TEST(ReshapeGradient, Unfold) {
  Random rng(62);
  OpGradientCase c;
  c.args = {rng.tensor({6, 4})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({6, 4})}, "graph.reshape %a0 {shape = array<i64: 2, 3, 4>}",
                             tensorType({2, 3, 4}));
  expectGradientsMatch(c);
}

TEST(RepeatGradient, SumsOverRepeats) {
  Random rng(71);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3})}, "graph.repeat %a0 {times = 4 : i64}", tensorType({2, 4, 3}));
  expectGradientsMatch(c);
}

TEST(ConcatGradient, ThreeInputsLastAxis) {
  Random rng(81);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3}), rng.tensor({2, 1}), rng.tensor({2, 2})};
  c.differentiable = all(3);
  c.moduleText = oneOpModule({tensorType({2, 3}), tensorType({2, 1}), tensorType({2, 2})},
                             "graph.concat %a0, %a1, %a2 {axis = -1 : i64}", tensorType({2, 6}));
  expectGradientsMatch(c);
}

TEST(ConcatGradient, FirstAxis) {
  Random rng(82);
  OpGradientCase c;
  c.args = {rng.tensor({1, 3}), rng.tensor({2, 3})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({1, 3}), tensorType({2, 3})}, "graph.concat %a0, %a1 {axis = 0 : i64}",
                             tensorType({3, 3}));
  expectGradientsMatch(c);
}

TEST(ConcatGradient, MiddleAxisOfRank3) {
  Random rng(83);
  OpGradientCase c;
  c.args = {rng.tensor({2, 2, 3}), rng.tensor({2, 3, 3})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({2, 2, 3}), tensorType({2, 3, 3})},
                             "graph.concat %a0, %a1 {axis = 1 : i64}", tensorType({2, 5, 3}));
  expectGradientsMatch(c);
}

TEST(ConcatGradient, SameValueTwice) {
  Random rng(84);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3})};
  c.differentiable = all(1);
  c.moduleText = "func.func @f(%a0: tensor<2x3xf32>) -> tensor<2x6xf32> {\n"
                 "  %r = graph.concat %a0, %a0 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> "
                 "tensor<2x6xf32>\n  return %r : tensor<2x6xf32>\n}\n";
  expectGradientsMatch(c);
}

//===----------------------------------------------------------------------===//
// activation (every kind), add, dropout
//===----------------------------------------------------------------------===//

struct ActivationParam {
  std::string kind;
  double lo, hi;
  std::vector<double> kinks;
};

void PrintTo(const ActivationParam &p, std::ostream *os) { *os << p.kind; }

class ActivationGradient : public testing::TestWithParam<ActivationParam> {};

TEST_P(ActivationGradient, MatchesFiniteDifferences) {
  const ActivationParam &p = GetParam();
  Random rng(91);
  OpGradientCase c;
  c.args = {rng.tensorAwayFrom({4, 6}, p.lo, p.hi, p.kinks, 0.05)};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({4, 6})}, "graph.activation %a0 {kind = #graph.activation<" + p.kind + ">}",
                             tensorType({4, 6}));
  expectGradientsMatch(c);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, ActivationGradient,
    testing::Values(ActivationParam{"linear", -3, 3, {}}, ActivationParam{"relu", -2, 2, {0}},
                    ActivationParam{"tanh", -3, 3, {}}, ActivationParam{"sigmoid", -4, 4, {}},
                    // Both the linear part and the saturated ends of the hard sigmoids.
                    ActivationParam{"hard_sigmoid", -4, 4, {-2.5, 2.5}},
                    ActivationParam{"hard_sigmoid_v3", -5, 5, {-3, 3}}, ActivationParam{"elu", -3, 2, {0}},
                    ActivationParam{"softplus", -4, 4, {}}, ActivationParam{"softsign", -3, 3, {0}},
                    ActivationParam{"selu", -3, 2, {0}}, ActivationParam{"exponential", -2, 2, {}}),
    [](const testing::TestParamInfo<ActivationParam> &info) { return info.param.kind; });

/// graph.relu's settings as Keras's relu arguments; inputs stay away from
/// the threshold, zero and the cap, where the derivative jumps.
struct ReluParam {
  std::string name, attrs;
  std::vector<double> kinks;
};

void PrintTo(const ReluParam &p, std::ostream *os) { *os << p.name; }

class ReluGradient : public testing::TestWithParam<ReluParam> {};

TEST_P(ReluGradient, MatchesFiniteDifferences) {
  const ReluParam &p = GetParam();
  Random rng(92);
  OpGradientCase c;
  c.args = {rng.tensorAwayFrom({4, 6}, -8, 8, p.kinks, 0.05)};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({4, 6})}, "graph.relu %a0 " + p.attrs, tensorType({4, 6}));
  expectGradientsMatch(c);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, ReluGradient,
    testing::Values(ReluParam{"leaky", "{negative_slope = 3.000000e-01 : f64}", {0}},
                    ReluParam{"relu6", "{max_value = 6.000000e+00 : f64}", {0, 6}},
                    ReluParam{"all_three",
                              "{negative_slope = 2.000000e-01 : f64, max_value = 5.000000e+00 : f64, "
                              "threshold = 1.500000e+00 : f64}",
                              {0, 1.5, 5}},
                    ReluParam{"negative_threshold",
                              "{negative_slope = 1.000000e-01 : f64, threshold = -2.000000e+00 : f64}", {-2, 0}}),
    [](const testing::TestParamInfo<ReluParam> &info) { return info.param.name; });

TEST(GeluGradient, MatchesFiniteDifferences) {
  Random rng(93);
  OpGradientCase c;
  c.args = {rng.tensor({4, 6}, -4, 4)};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({4, 6})}, "graph.gelu %a0", tensorType({4, 6}));
  expectGradientsMatch(c);
}

TEST(AddGradient, TwoOperands) {
  Random rng(101);
  OpGradientCase c;
  c.args = {rng.tensor({3, 4}), rng.tensor({3, 4})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({3, 4}), tensorType({3, 4})}, "graph.add %a0, %a1", tensorType({3, 4}));
  expectGradientsMatch(c);
}

TEST(AddGradient, SameOperandTwice) {
  Random rng(102);
  OpGradientCase c;
  c.args = {rng.tensor({5})};
  c.differentiable = all(1);
  c.moduleText = "func.func @f(%a0: tensor<5xf32>) -> tensor<5xf32> {\n"
                 "  %r = graph.add %a0, %a0 : (tensor<5xf32>, tensor<5xf32>) -> tensor<5xf32>\n"
                 "  return %r : tensor<5xf32>\n}\n";
  expectGradientsMatch(c);
}

TEST(DropoutGradient, FixedSeedAndStep) {
  Random rng(111);
  const double rate = 0.4;
  OpGradientCase c;
  RefTensor seed(std::vector<int64_t>{}), step(std::vector<int64_t>{});
  seed[0] = 1234;
  step[0] = 7;
  c.args = {rng.tensor({6, 8}), seed, step};
  c.differentiable = {true, false, false};
  c.maxElementsPerArg = 48;
  c.moduleText = oneOpModule({tensorType({6, 8}), "tensor<i64>", "tensor<i64>"},
                             "graph.dropout %a0, %a1, %a2 {rate = 4.000000e-01 : f64, stream = 3 : i64}",
                             tensorType({6, 8}));
  expectGradientsMatch(c);
  // The check above is only meaningful if the mask is non-trivial: some
  // elements dropped (gradient 0), the rest scaled by 1/(1-rate).
  OpGradientResult r = checkOpGradient(c);
  ASSERT_TRUE(r.error.empty()) << r.error;
  int64_t dropped = 0;
  for (int64_t i = 0; i < r.analytic[0].size(); ++i)
    dropped += r.analytic[0][i] == 0.0;
  EXPECT_GT(dropped, 48 * rate / 3);
  EXPECT_LT(dropped, 48 * (rate + (1 - rate) * 2 / 3));
}

TEST(DropoutGradient, DifferentStepGivesADifferentMask) {
  Random rng(112);
  RefTensor seed(std::vector<int64_t>{}), step(std::vector<int64_t>{});
  seed[0] = 99;
  OpGradientCase c;
  c.args = {rng.tensor({64}), seed, step};
  c.differentiable = {true, false, false};
  c.moduleText = oneOpModule({tensorType({64}), "tensor<i64>", "tensor<i64>"},
                             "graph.dropout %a0, %a1, %a2 {rate = 5.000000e-01 : f64, stream = 1 : i64}",
                             tensorType({64}));
  OpGradientResult a = checkOpGradient(c);
  c.args[2][0] = 1;
  OpGradientResult b = checkOpGradient(c);
  ASSERT_TRUE(a.error.empty() && b.error.empty()) << a.error << b.error;
  EXPECT_TRUE(a.mismatches.empty() && b.mismatches.empty());
  int64_t differ = 0;
  for (int64_t i = 0; i < 64; ++i)
    differ += (a.analytic[0][i] == 0.0) != (b.analytic[0][i] == 0.0);
  EXPECT_GT(differ, 8);
}

//===----------------------------------------------------------------------===//
// softmax, cross_entropy
//===----------------------------------------------------------------------===//

TEST(SoftmaxGradient, Rows) {
  Random rng(121);
  OpGradientCase c;
  c.args = {rng.tensor({3, 5}, -2, 2)};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({3, 5})}, "graph.softmax %a0", tensorType({3, 5}));
  expectGradientsMatch(c);
}

TEST(SoftmaxGradient, Rank3LastAxis) {
  Random rng(122);
  OpGradientCase c;
  c.args = {rng.tensor({2, 2, 4}, -2, 2)};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 2, 4})}, "graph.softmax %a0", tensorType({2, 2, 4}));
  expectGradientsMatch(c);
}

RefTensor vec(std::vector<double> v) {
  RefTensor t({static_cast<int64_t>(v.size())});
  t.data = std::move(v);
  return t;
}

TEST(CrossEntropyGradient, CategoricalWithPartialMask) {
  Random rng(131);
  OpGradientCase c;
  // Unnormalised probabilities (the op renormalises), a soft target, and a
  // mask that drops the last row as for a short last batch.
  RefTensor p = rng.tensor({4, 5}, 0.05, 1.0);
  RefTensor y = rng.tensor({4, 5}, 0.0, 1.0);
  c.args = {p, y, vec({1, 1, 1, 0})};
  c.differentiable = {true, false, false};
  c.moduleText = oneOpModule({tensorType({4, 5}), tensorType({4, 5}), tensorType({4})},
                             "graph.cross_entropy %a0, %a1, %a2 {epsilon = 1.000000e-07 : f64}", "tensor<f32>");
  expectGradientsMatch(c);
  OpGradientResult r = checkOpGradient(c);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (int64_t j = 0; j < 5; ++j)
    EXPECT_EQ(r.analytic[0][3 * 5 + j], 0.0) << "a masked row must get no gradient";
}

TEST(CrossEntropyGradient, CategoricalOneHot) {
  Random rng(132);
  RefTensor y({3, 4});
  for (int64_t i = 0; i < 3; ++i)
    y[i * 4 + rng.integer(0, 3)] = 1.0;
  OpGradientCase c;
  c.args = {rng.tensor({3, 4}, 0.1, 1.0), y, vec({1, 1, 1})};
  c.differentiable = {true, false, false};
  c.moduleText = oneOpModule({tensorType({3, 4}), tensorType({3, 4}), tensorType({3})},
                             "graph.cross_entropy %a0, %a1, %a2 {epsilon = 1.000000e-07 : f64}", "tensor<f32>");
  expectGradientsMatch(c);
}

TEST(CrossEntropyGradient, SparseWithPartialMask) {
  Random rng(133);
  OpGradientCase c;
  c.args = {rng.tensor({5, 3}, 0.05, 1.0), vec({2, 0, 1, 1, 2}), vec({1, 1, 0, 1, 0})};
  c.differentiable = {true, false, false};
  c.moduleText = oneOpModule({tensorType({5, 3}), tensorType({5}, "i32"), tensorType({5})},
                             "graph.cross_entropy %a0, %a1, %a2 {epsilon = 1.000000e-07 : f64}", "tensor<f32>");
  expectGradientsMatch(c);
}

TEST(CrossEntropyGradient, ClippedProbabilities) {
  // With epsilon 0.05: row 0's first class is clipped from below, row 1 is
  // saturated (first class above 1-eps, the rest below eps), row 2 is inside.
  OpGradientCase c;
  RefTensor p({3, 4});
  p.data = {0.01, 0.4, 0.3, 0.29, 0.97, 0.01, 0.01, 0.01, 0.2, 0.3, 0.1, 0.4};
  RefTensor y({3, 4});
  y.data = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0};
  c.args = {p, y, vec({1, 1, 1})};
  c.differentiable = {true, false, false};
  c.moduleText = oneOpModule({tensorType({3, 4}), tensorType({3, 4}), tensorType({3})},
                             "graph.cross_entropy %a0, %a1, %a2 {epsilon = 5.000000e-02 : f64}", "tensor<f32>");
  expectGradientsMatch(c);
}

//===----------------------------------------------------------------------===//
// element_loss, batch_norm
//===----------------------------------------------------------------------===//

OpGradientCase elementLossCase(const std::string &kind, std::vector<int64_t> shape, RefTensor pred, double eps,
                               const std::vector<double> &mask) {
  Random rng(77);
  OpGradientCase c;
  RefTensor y(shape);
  for (double &v : y.data)
    v = kind == "binary_crossentropy" || kind.find("hinge") != std::string::npos
            ? static_cast<double>(rng.integer(0, 1))
            : rng.uniform(0, 1);
  c.args = {pred, y, vec(mask)};
  c.differentiable = {true, false, false};
  std::ostringstream eps_text;
  eps_text << std::scientific << eps;
  c.moduleText = oneOpModule({tensorType(shape), tensorType(shape), tensorType({shape[0]})},
                             "graph.element_loss %a0, %a1, %a2 {kind = #graph.element_loss<" + kind +
                                 ">, epsilon = " + eps_text.str() + " : f64}",
                             "tensor<f32>");
  return c;
}

TEST(MulGradient, EachSideGetsTheOther) {
  Random rng(75);
  OpGradientCase c;
  c.args = {rng.tensor({2, 5}), rng.tensor({2, 5})};
  c.differentiable = {true, true};
  c.moduleText = oneOpModule({tensorType({2, 5}), tensorType({2, 5})}, "graph.mul %a0, %a1", tensorType({2, 5}));
  expectGradientsMatch(c);
}

TEST(ReverseGradient, ReversesBack) {
  Random rng(79);
  OpGradientCase c;
  c.args = {rng.tensor({2, 4, 3})};
  c.differentiable = {true};
  c.moduleText = oneOpModule({tensorType({2, 4, 3})}, "graph.reverse %a0 {axis = 1 : i64}", tensorType({2, 4, 3}));
  expectGradientsMatch(c);
}

TEST(PadGradient, SlicesThePaddedRange) {
  Random rng(74);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3, 2})};
  c.differentiable = {true};
  c.moduleText = oneOpModule({tensorType({2, 3, 2})}, "graph.pad %a0 {axis = 1 : i64, before = 2 : i64, after = 1 : i64}",
                             tensorType({2, 6, 2}));
  expectGradientsMatch(c);
}

/// Conv2DTranspose: conv2d_backward_data of a [n, ih, iw, cin] image with a
/// (kh, kw, cout, cin) kernel; |oh| x |ow| is Keras's transposed size.
void expectConvTransposeGradients(bool same, int64_t ih, int64_t iw, int64_t oh, int64_t ow, int64_t stride) {
  Random rng(78);
  OpGradientCase c;
  std::vector<int64_t> x = {2, ih, iw, 2}, filter = {3, 3, 3, 2};
  c.args = {rng.tensor(x), rng.tensor(filter, -0.5, 0.5)};
  c.differentiable = {true, true};
  std::string s = std::to_string(stride);
  c.moduleText = oneOpModule(
      {tensorType(x), tensorType(filter)},
      "graph.conv2d_backward_data %a0, %a1 {input_shape = array<i64: 2, " + std::to_string(oh) + ", " +
          std::to_string(ow) + ", 3>, strides = array<i64: " + s + ", " + s +
          ">, dilations = array<i64: 1, 1>, padding = #graph.padding<" + (same ? "same" : "valid") +
          ">, data_format = #graph.data_format<channels_last>}",
      tensorType({2, oh, ow, 3}));
  c.maxElementsPerArg = 40;
  expectGradientsMatch(c);
}

TEST(Conv2DBackwardDataGradient, SameStrided) { expectConvTransposeGradients(true, 3, 2, 6, 4, 2); }
TEST(Conv2DBackwardDataGradient, ValidStrided) { expectConvTransposeGradients(false, 3, 2, 7, 5, 2); }
TEST(Conv2DBackwardDataGradient, ValidUnitStride) { expectConvTransposeGradients(false, 2, 3, 4, 5, 1); }

/// DepthwiseConv2D of a [2, h, w, 3] image with a (3, 3, 3, m) filter.
void expectDepthwiseGradients(bool same, int64_t h, int64_t w, int64_t m, int64_t stride, int64_t dilation) {
  Random rng(80);
  OpGradientCase c;
  std::vector<int64_t> x = {2, h, w, 3}, filter = {3, 3, 3, m};
  auto outSize = [&](int64_t in) {
    int64_t span = 2 * dilation + 1;
    return same ? (in + stride - 1) / stride : (in - span) / stride + 1;
  };
  c.args = {rng.tensor(x), rng.tensor(filter, -0.5, 0.5)};
  c.differentiable = {true, true};
  std::string s = std::to_string(stride), d = std::to_string(dilation);
  c.moduleText = oneOpModule({tensorType(x), tensorType(filter)},
                             "graph.depthwise_conv2d %a0, %a1 {strides = array<i64: " + s + ", " + s +
                                 ">, dilations = array<i64: " + d + ", " + d + ">, padding = #graph.padding<" +
                                 (same ? "same" : "valid") + ">}",
                             tensorType({2, outSize(h), outSize(w), 3 * m}));
  c.maxElementsPerArg = 40;
  expectGradientsMatch(c);
}

TEST(DepthwiseConv2DGradient, SameUnitStride) { expectDepthwiseGradients(true, 4, 5, 1, 1, 1); }
TEST(DepthwiseConv2DGradient, ValidStridedMultiplier) { expectDepthwiseGradients(false, 7, 6, 2, 2, 1); }
TEST(DepthwiseConv2DGradient, SameStridedDilated) { expectDepthwiseGradients(true, 6, 5, 2, 2, 2); }

TEST(SliceGradient, PadsBackToTheInput) {
  Random rng(79);
  OpGradientCase c;
  c.args = {rng.tensor({2, 6, 2})};
  c.differentiable = {true};
  c.moduleText = oneOpModule({tensorType({2, 6, 2})}, "graph.slice %a0 {axis = 1 : i64, start = 2 : i64, size = 3 : i64}",
                             tensorType({2, 3, 2}));
  expectGradientsMatch(c);
}

TEST(ScaleGradient, ScalesTheResultGradient) {
  Random rng(76);
  OpGradientCase c;
  c.args = {rng.tensor({3, 4})};
  c.differentiable = {true};
  c.moduleText = oneOpModule({tensorType({3, 4})}, "graph.scale %a0 {factor = 2.500000e-01 : f64}", tensorType({3, 4}));
  expectGradientsMatch(c);
}

TEST(ElementLossGradient, BinaryCrossentropyWithClipping) {
  // Epsilon 0.05: 0.01 and 0.99 are clipped (zero gradient), the rest inside.
  RefTensor p({3, 2});
  p.data = {0.01, 0.4, 0.99, 0.3, 0.7, 0.5};
  expectGradientsMatch(elementLossCase("binary_crossentropy", {3, 2}, p, 0.05, {1, 1, 1}));
}

TEST(ElementLossGradient, MeanSquaredErrorWithPartialMask) {
  Random rng(78);
  expectGradientsMatch(elementLossCase("mean_squared_error", {4, 3}, rng.tensor({4, 3}), 1e-7, {1, 1, 1, 0}));
}

TEST(ElementLossGradient, MeanAbsoluteErrorOverASequence) {
  Random rng(79);
  expectGradientsMatch(elementLossCase("mean_absolute_error", {2, 3, 2}, rng.tensor({2, 3, 2}, 2, 3), 1e-7, {1, 1}));
}

// The other element losses, each on predictions where it is smooth (away
// from the hinge's corner at t p = 1, percentage error's at p = y, inside
// the ranges where Poisson, KL divergence and the log error are defined).
TEST(ElementLossGradient, HingeLossesOnZeroOneTargets) {
  Random rng(80);
  expectGradientsMatch(elementLossCase("hinge", {4, 3}, rng.tensor({4, 3}, -0.9, 0.9), 1e-7, {1, 1, 0, 1}));
  expectGradientsMatch(elementLossCase("squared_hinge", {4, 3}, rng.tensor({4, 3}, -1.5, 1.5), 1e-7, {1, 1, 1, 1}));
}

TEST(ElementLossGradient, PoissonLogCoshHuber) {
  Random rng(81);
  expectGradientsMatch(elementLossCase("poisson", {3, 4}, rng.tensor({3, 4}, 0.1, 2), 1e-7, {1, 1, 1}));
  expectGradientsMatch(elementLossCase("log_cosh", {3, 4}, rng.tensor({3, 4}, -3, 3), 1e-7, {1, 0, 1}));
  // Both sides of delta = 1: errors up to 3.
  expectGradientsMatch(elementLossCase("huber", {3, 4}, rng.tensor({3, 4}, -2, 3), 1e-7, {1, 1, 1}));
}

TEST(ElementLossGradient, KlDivergenceSumsOverTheLastAxis) {
  Random rng(82);
  expectGradientsMatch(elementLossCase("kl_divergence", {2, 3, 4}, rng.tensor({2, 3, 4}, 0.05, 0.95), 1e-7, {1, 1}));
}

TEST(ElementLossGradient, LogarithmicAndPercentageErrors) {
  Random rng(83);
  expectGradientsMatch(
      elementLossCase("mean_squared_logarithmic_error", {3, 4}, rng.tensor({3, 4}, 0.1, 2), 1e-7, {1, 1, 1}));
  expectGradientsMatch(
      elementLossCase("mean_absolute_percentage_error", {3, 4}, rng.tensor({3, 4}, 2, 3), 1e-7, {1, 1, 0}));
}

/// graph.batch_norm on |shape| around |axis|; the function returns its
/// normalised output (the moving averages have no gradient).
OpGradientCase batchNormCase(std::vector<int64_t> shape, int64_t axis, const std::vector<double> &mask) {
  Random rng(81);
  int64_t c = shape[axis];
  OpGradientCase k;
  k.args = {rng.tensor(shape, -2, 2), rng.tensor({c}, 0.5, 1.5), rng.tensor({c}), rng.tensor({c}),
            rng.tensor({c}, 0.5, 1.5)};
  k.differentiable = {true, true, true, false, false};
  std::string x = tensorType(shape), ch = tensorType({c}), types = x + ", " + ch + ", " + ch + ", " + ch + ", " + ch;
  std::string operands = "%a0, %a1, %a2, %a3, %a4";
  std::string args = "%a0: " + x + ", %a1: " + ch + ", %a2: " + ch + ", %a3: " + ch + ", %a4: " + ch;
  if (!mask.empty()) {
    k.args.push_back(vec(mask));
    k.differentiable.push_back(false);
    std::string m = tensorType({shape[0]});
    types += ", " + m, operands += ", %a5", args += ", %a5: " + m;
  }
  k.moduleText = "func.func @f(" + args + ") -> " + x + " {\n  %r, %m, %v = graph.batch_norm " + operands +
                 " {axis = " + std::to_string(axis) + " : i64, epsilon = 1.000000e-03 : f64, momentum = "
                 "9.000000e-01 : f64} : (" + types + ") -> (" + x + ", " + ch + ", " + ch + ")\n  return %r : " +
                 x + "\n}\n";
  return k;
}

TEST(BatchNormGradient, FeaturesWithPartialMask) {
  expectGradientsMatch(batchNormCase({5, 3}, 1, {1, 1, 1, 1, 0}));
}

TEST(BatchNormGradient, ChannelsLastMap) { expectGradientsMatch(batchNormCase({2, 3, 2, 3}, 3, {})); }

TEST(BatchNormGradient, ChannelsFirstMapWithPartialMask) {
  expectGradientsMatch(batchNormCase({3, 2, 2, 3}, 1, {1, 0, 1}));
}

/// A frozen BatchNormalization (inference mode): the input's gradient only.
TEST(BatchNormGradient, FrozenLayerInInferenceMode) {
  Random rng(83);
  std::vector<int64_t> shape = {2, 3, 2, 4};
  OpGradientCase k;
  k.args = {rng.tensor(shape, -2, 2), rng.tensor({4}, 0.5, 1.5), rng.tensor({4}), rng.tensor({4}),
            rng.tensor({4}, 0.5, 1.5)};
  k.differentiable = {true, false, false, false, false};
  std::string x = tensorType(shape), ch = tensorType({4});
  k.moduleText = oneOpModule({x, ch, ch, ch, ch},
                             "graph.batch_norm_inference %a0, %a1, %a2, %a3, %a4 {axis = 3 : i64, epsilon = 1.000000e-03 : f64}",
                             x);
  expectGradientsMatch(k);
}

//===----------------------------------------------------------------------===//
// Coverage and self-checks
//===----------------------------------------------------------------------===//

TEST(GradientCoverage, EveryDifferentiableOpIsChecked) {
  // Ops with a gradient rule that this file exercises. A new rule must get a
  // finite-difference test here.
  const std::set<std::string> covered = {
      "graph.matmul",  "graph.bias_add", "graph.reduce_sum", "graph.conv2d",  "graph.max_pool2d",
      "graph.lstm",    "graph.embedding", "graph.reshape",   "graph.repeat",  "graph.concat",
      "graph.activation", "graph.add",    "graph.dropout",   "graph.softmax", "graph.cross_entropy",
      "graph.element_loss", "graph.batch_norm", "graph.scale", "graph.mul", "graph.pad",
      "graph.conv2d_backward_data", "graph.slice", "graph.relu", "graph.reverse", "graph.depthwise_conv2d", "graph.gelu",
      "graph.batch_norm_inference"};
  mlir::MLIRContext ctx;
  prepareContext(ctx);
  std::set<std::string> withRule;
  for (mlir::RegisteredOperationName name : ctx.getRegisteredOperations())
    if (name.getDialectNamespace() == "graph" && name.hasInterface<kcc::graph::GradientOpInterface>())
      withRule.insert(name.getStringRef().str());
  EXPECT_FALSE(withRule.empty());
  for (const std::string &op : withRule)
    EXPECT_TRUE(covered.count(op)) << op << " has a gradient rule but no finite-difference test";
  for (const std::string &op : covered)
    EXPECT_TRUE(withRule.count(op)) << op << " is listed as covered but has no gradient rule";
}

OpGradientCase tanhCase(const std::string &kind) {
  Random rng(141);
  OpGradientCase c;
  c.args = {rng.tensor({3, 4}, -2, 2)};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({3, 4})}, "graph.activation %a0 {kind = #graph.activation<" + kind + ">}",
                             tensorType({3, 4}));
  return c;
}

TEST(GradientCheckSelfTest, ReportsAPerturbedElement) {
  Random rng(11);
  OpGradientCase c;
  c.args = {rng.tensor({3, 4}), rng.tensor({4, 5})};
  c.differentiable = all(2);
  c.moduleText = oneOpModule({tensorType({3, 4}), tensorType({4, 5})}, "graph.matmul %a0, %a1", tensorType({3, 5}));
  OpGradientResult r = checkOpGradient(c);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.mismatches.empty()) << describe(r.mismatches);
  // Nudge one analytic element by 1e-5 relative, ten times the tolerance.
  RefTensor wrong = r.analytic[1];
  int64_t victim = r.indices[1][r.indices[1].size() / 2];
  wrong[victim] += 1e-5 * std::max(1.0, std::fabs(wrong[victim]));
  std::vector<Mismatch> found;
  compareGradients("b", wrong, r.indices[1], r.numeric[1], c.tol, found);
  ASSERT_EQ(found.size(), 1u) << describe(found);
  EXPECT_EQ(found[0].index, victim);
  EXPECT_EQ(found[0].what, "b");
  // And NaN never passes.
  wrong = r.analytic[0];
  wrong[r.indices[0][0]] = std::nan("");
  found.clear();
  compareGradients("a", wrong, r.indices[0], r.numeric[0], c.tol, found);
  EXPECT_EQ(found.size(), 1u);
}

TEST(GradientCheckSelfTest, ReportsAWrongRule) {
  // The analytic gradient of sigmoid compared with finite differences of
  // tanh at the same point (same inputs, same R): every element must differ.
  OpGradientResult t = checkOpGradient(tanhCase("tanh"));
  OpGradientResult s = checkOpGradient(tanhCase("sigmoid"));
  ASSERT_TRUE(t.error.empty() && s.error.empty()) << t.error << s.error;
  ASSERT_TRUE(t.mismatches.empty() && s.mismatches.empty());
  ASSERT_EQ(t.indices[0], s.indices[0]);
  std::vector<Mismatch> found;
  compareGradients("x", s.analytic[0], t.indices[0], t.numeric[0], Tolerance{}, found);
  EXPECT_EQ(found.size(), t.indices[0].size()) << describe(found);
}

TEST(GradientCheckSelfTest, ReportsAShapeRuleDisagreement) {
  // A wrongly declared result shape is caught before any comparison.
  Random rng(12);
  OpGradientCase c;
  c.args = {rng.tensor({2, 3})};
  c.differentiable = all(1);
  c.moduleText = oneOpModule({tensorType({2, 3})}, "graph.repeat %a0 {times = 4 : i64}", tensorType({2, 3, 3}));
  OpGradientResult r = checkOpGradient(c);
  EXPECT_NE(r.error.find("shape rule"), std::string::npos) << r.error;
}

} // namespace
