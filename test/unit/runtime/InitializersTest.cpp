//===- InitializersTest.cpp - Keras initializers of the runtime -------------===//
//
// Distributions are checked against their definitions with statistical
// bounds of several standard errors (the streams are deterministic, so the
// tests are too).
//
//===----------------------------------------------------------------------===//

#include "core/Initializers.h"
#include "core/RuntimeError.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace kcc;

namespace {

/// A bin::Initializer table held in its own buffer.
class Init {
public:
  static Init make(const std::string &kind, double scale = 0, const std::string &mode = "",
                   const std::string &distribution = "", double minval = 0, double maxval = 0, double mean = 0,
                   double stddev = 0, double gain = 0, double value = 0) {
    Init i;
    auto off = bin::CreateInitializer(i.fbb, i.fbb.CreateString(kind), scale, i.fbb.CreateString(mode),
                                      i.fbb.CreateString(distribution), minval, maxval, mean, stddev, gain, value);
    i.fbb.Finish(off);
    return i;
  }
  const bin::Initializer &get() const {
    return *flatbuffers::GetRoot<bin::Initializer>(fbb.GetBufferPointer());
  }

private:
  flatbuffers::FlatBufferBuilder fbb;
};

std::vector<float> draw(const Init &init, const std::vector<int64_t> &shape, uint64_t seed = 1,
                        const std::string &name = "layer.kernel") {
  std::vector<float> out;
  rt::initialize(init.get(), shape, seed, name, out);
  return out;
}

struct Moments {
  double mean = 0, variance = 0, maxAbs = 0;
};

Moments moments(const std::vector<float> &v) {
  Moments m;
  for (float x : v)
    m.mean += x, m.maxAbs = std::max(m.maxAbs, static_cast<double>(std::fabs(x)));
  m.mean /= v.size();
  for (float x : v)
    m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= v.size();
  return m;
}

TEST(Initializers, ConstantKinds) {
  EXPECT_EQ(draw(Init::make("zeros"), {3, 4}), std::vector<float>(12, 0.0f));
  EXPECT_EQ(draw(Init::make("ones"), {5}), std::vector<float>(5, 1.0f));
  EXPECT_EQ(draw(Init::make("constant", 0, "", "", 0, 0, 0, 0, 0, 0.25), {1}), std::vector<float>(1, 0.25f));
  EXPECT_EQ(draw(Init::make("constant", 0, "", "", 0, 0, 0, 0, 0, -3.5), {2, 2}), std::vector<float>(4, -3.5f));
}

TEST(Initializers, ShapeGivesTheElementCount) {
  EXPECT_EQ(draw(Init::make("variance_scaling", 1, "fan_avg", "uniform"), {3, 3, 2, 5}).size(), 90u);
  EXPECT_EQ(draw(Init::make("random_normal", 0, "", "", 0, 0, 0, 1), {7}).size(), 7u);
  EXPECT_EQ(draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1), {4, 6}).size(), 24u);
}

TEST(Initializers, KerasFans) {
  double in, out;
  rt::kerasFans({784, 512}, in, out);
  EXPECT_EQ(in, 784);
  EXPECT_EQ(out, 512);
  rt::kerasFans({3, 3, 16, 32}, in, out); // HWIO: receptive field 9
  EXPECT_EQ(in, 144);
  EXPECT_EQ(out, 288);
  rt::kerasFans({10}, in, out);
  EXPECT_EQ(in, 10);
  EXPECT_EQ(out, 10);
}

TEST(Initializers, GlorotUniformLimitAndVariance) {
  // glorot_uniform = variance_scaling(1, fan_avg, uniform): U(-l, l) with
  // l = sqrt(6 / (fan_in + fan_out)), variance l^2 / 3.
  const int64_t fanIn = 200, fanOut = 300;
  std::vector<float> v = draw(Init::make("variance_scaling", 1.0, "fan_avg", "uniform"), {fanIn, fanOut});
  double limit = std::sqrt(6.0 / (fanIn + fanOut));
  Moments m = moments(v);
  EXPECT_LE(m.maxAbs, limit * (1 + 1e-6));
  EXPECT_GT(m.maxAbs, 0.999 * limit); // 60000 draws reach the edges
  double n = static_cast<double>(v.size()), var = limit * limit / 3;
  // Standard error of the sample variance of U(-l, l): l^2 sqrt(4/45) / sqrt(n).
  EXPECT_NEAR(m.variance, var, 5 * limit * limit * std::sqrt(4.0 / 45) / std::sqrt(n));
  EXPECT_NEAR(m.mean, 0.0, 5 * std::sqrt(var / n));
}

TEST(Initializers, HeNormalIsTruncatedWithTheRightVariance) {
  // he_normal = variance_scaling(2, fan_in, truncated_normal): the truncated
  // distribution itself has variance 2 / fan_in and is cut at two standard
  // deviations of the underlying normal.
  std::vector<int64_t> shape = {3, 3, 16, 64};
  std::vector<float> v = draw(Init::make("variance_scaling", 2.0, "fan_in", "truncated_normal"), shape);
  double var = 2.0 / 144, stddev = std::sqrt(var) / 0.87962566103423978;
  Moments m = moments(v);
  EXPECT_LE(m.maxAbs, 2 * stddev * (1 + 1e-6));
  double n = static_cast<double>(v.size());
  EXPECT_NEAR(m.variance, var, 5 * var * std::sqrt(2.0 / n));
  EXPECT_NEAR(m.mean, 0.0, 5 * std::sqrt(var / n));
}

TEST(Initializers, LecunNormalUntruncated) {
  std::vector<float> v = draw(Init::make("variance_scaling", 1.0, "fan_in", "untruncated_normal"), {100, 400});
  double var = 1.0 / 100;
  Moments m = moments(v);
  double n = static_cast<double>(v.size());
  EXPECT_NEAR(m.variance, var, 5 * var * std::sqrt(2.0 / n));
  EXPECT_GT(m.maxAbs, 3 * std::sqrt(var)) << "an untruncated normal has tails beyond 3 sigma in 40000 draws";
}

TEST(Initializers, FanOutMode) {
  std::vector<float> v = draw(Init::make("variance_scaling", 1.0, "fan_out", "uniform"), {50, 800});
  double limit = std::sqrt(3.0 / 800);
  Moments m = moments(v);
  EXPECT_LE(m.maxAbs, limit * (1 + 1e-6));
  EXPECT_GT(m.maxAbs, 0.99 * limit);
}

TEST(Initializers, RandomUniformRange) {
  std::vector<float> v = draw(Init::make("random_uniform", 0, "", "", -0.05, 0.15), {20000});
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  EXPECT_GE(*lo, -0.05f);
  EXPECT_LE(*hi, 0.15f);
  EXPECT_LT(*lo, -0.049f);
  EXPECT_GT(*hi, 0.149f);
  Moments m = moments(v);
  EXPECT_NEAR(m.mean, 0.05, 5 * 0.2 / std::sqrt(12.0 * 20000));
}

TEST(Initializers, RandomAndTruncatedNormal) {
  std::vector<float> v = draw(Init::make("random_normal", 0, "", "", 0, 0, 0.5, 0.1), {40000});
  Moments m = moments(v);
  EXPECT_NEAR(m.mean, 0.5, 5 * 0.1 / std::sqrt(40000.0));
  EXPECT_NEAR(std::sqrt(m.variance), 0.1, 5 * 0.1 / std::sqrt(2 * 40000.0));
  std::vector<float> t = draw(Init::make("truncated_normal", 0, "", "", 0, 0, 0.0, 0.2), {40000});
  Moments mt = moments(t);
  EXPECT_LE(mt.maxAbs, 0.4 * (1 + 1e-6));
  EXPECT_GT(mt.maxAbs, 0.39);
  // Variance of N(0, s) truncated at +-2s: (0.87962566 s)^2.
  EXPECT_NEAR(std::sqrt(mt.variance), 0.2 * 0.87962566103423978, 0.2 * 5 / std::sqrt(2 * 40000.0));
}

/// Max |(A A^T)_ij - gain^2 delta_ij| over the rows of a rows x cols matrix
/// (or of its columns with |columns|).
double orthonormalityError(const std::vector<float> &a, int64_t rows, int64_t cols, bool columns, double gain) {
  int64_t n = columns ? cols : rows, len = columns ? rows : cols;
  auto at = [&](int64_t vec, int64_t k) { return columns ? a[k * cols + vec] : a[vec * cols + k]; };
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t k = 0; k < len; ++k)
        dot += static_cast<double>(at(i, k)) * at(j, k);
      worst = std::max(worst, std::fabs(dot - (i == j ? gain * gain : 0.0)));
    }
  return worst;
}

TEST(Initializers, OrthogonalWideHasOrthonormalRows) {
  std::vector<float> v = draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1.0), {6, 10});
  EXPECT_LT(orthonormalityError(v, 6, 10, false, 1.0), 1e-5);
}

TEST(Initializers, OrthogonalTallHasOrthonormalColumns) {
  std::vector<float> v = draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1.0), {40, 16});
  EXPECT_LT(orthonormalityError(v, 40, 16, true, 1.0), 1e-5);
}

TEST(Initializers, OrthogonalSquareRecurrentKernelWithGain) {
  // An LSTM recurrent kernel [U, 4U] and a square matrix scaled by gain.
  std::vector<float> r = draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1.0), {8, 32});
  EXPECT_LT(orthonormalityError(r, 8, 32, false, 1.0), 1e-5);
  std::vector<float> s = draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 2.0), {12, 12});
  EXPECT_LT(orthonormalityError(s, 12, 12, false, 2.0), 1e-5 * 4);
  EXPECT_LT(orthonormalityError(s, 12, 12, true, 2.0), 1e-5 * 4);
}

TEST(Initializers, OrthogonalFoldsLeadingDimensions) {
  // A conv kernel [3, 3, 4, 8] is a 36 x 8 matrix with orthonormal columns.
  std::vector<float> v = draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1.0), {3, 3, 4, 8});
  EXPECT_LT(orthonormalityError(v, 36, 8, true, 1.0), 1e-5);
}

TEST(Initializers, OrthogonalNeedsAMatrix) {
  try {
    draw(Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1.0), {5}, 1, "dense.bias");
    FAIL() << "expected a RuntimeError";
  } catch (const rt::RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find("dense.bias"), std::string::npos) << e.what();
  }
}

TEST(Initializers, LstmBiasHasOnesInTheForgetQuarter) {
  const int64_t u = 5;
  std::vector<float> v = draw(Init::make("lstm_bias"), {4 * u});
  for (int64_t i = 0; i < 4 * u; ++i)
    EXPECT_EQ(v[i], (i >= u && i < 2 * u) ? 1.0f : 0.0f) << "element " << i << " (gates i, f, c, o)";
}

TEST(Initializers, SameSeedAndNameGiveTheSameValues) {
  Init glorot = Init::make("variance_scaling", 1.0, "fan_avg", "uniform");
  EXPECT_EQ(draw(glorot, {30, 20}, 42, "dense_1.kernel"), draw(glorot, {30, 20}, 42, "dense_1.kernel"));
  Init ortho = Init::make("orthogonal", 0, "", "", 0, 0, 0, 0, 1.0);
  EXPECT_EQ(draw(ortho, {8, 32}, 7, "lstm.recurrent_kernel"), draw(ortho, {8, 32}, 7, "lstm.recurrent_kernel"));
}

TEST(Initializers, DifferentVariableOrSeedGiveDifferentValues) {
  Init glorot = Init::make("variance_scaling", 1.0, "fan_avg", "uniform");
  std::vector<float> a = draw(glorot, {30, 20}, 42, "dense_1.kernel");
  std::vector<float> b = draw(glorot, {30, 20}, 42, "dense_2.kernel");
  std::vector<float> c = draw(glorot, {30, 20}, 43, "dense_1.kernel");
  auto sameCount = [](const std::vector<float> &x, const std::vector<float> &y) {
    size_t n = 0;
    for (size_t i = 0; i < x.size(); ++i)
      n += x[i] == y[i];
    return n;
  };
  EXPECT_LT(sameCount(a, b), 5u);
  EXPECT_LT(sameCount(a, c), 5u);
}

TEST(Initializers, UnknownKindNamesTheVariable) {
  try {
    draw(Init::make("he_magic"), {3}, 1, "conv_7.kernel");
    FAIL() << "expected a RuntimeError";
  } catch (const rt::RuntimeError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("he_magic"), std::string::npos) << m;
    EXPECT_NE(m.find("conv_7.kernel"), std::string::npos) << m;
  }
}

} // namespace
