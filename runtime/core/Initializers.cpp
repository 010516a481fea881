//===- Initializers.cpp - draw a variable's initial value -----------------===//

#include "core/Initializers.h"

#include "core/RuntimeError.h"

#include <cmath>
#include <random>

namespace kcc::rt {

namespace {

/// SplitMix64: mixes the seed and the name into one stream seed.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t streamSeed(uint64_t seed, const std::string &name) {
  uint64_t h = 1469598103934665603ull; // FNV-1a of the name
  for (unsigned char c : name)
    h = (h ^ c) * 1099511628211ull;
  return mix(seed ^ mix(h));
}

/// Uniform and normal draws with fixed algorithms (std::*_distribution is
/// implementation-defined, which would make runs differ between machines).
class Rng {
public:
  explicit Rng(uint64_t seed) : engine(seed) {}
  double uniform() { return (engine() >> 11) * 0x1.0p-53; } // [0, 1)
  double normal() {                                          // Box-Muller
    double u1 = uniform(), u2 = uniform();
    if (u1 <= 0)
      u1 = 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  /// Normal, redrawn until within two standard deviations (Keras/TF's
  /// truncated normal).
  double truncatedNormal() {
    for (;;) {
      double z = normal();
      if (std::fabs(z) <= 2.0)
        return z;
    }
  }

private:
  std::mt19937_64 engine;
};

int64_t product(const std::vector<int64_t> &s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i)
    p *= s[i];
  return p;
}

/// rows x cols with orthonormal rows or columns (whichever are fewer),
/// times |gain|: Gram-Schmidt on a Gaussian matrix, with the signs fixed as
/// in QR with a positive diagonal of R, so the result is Haar-distributed.
void orthogonal(int64_t rows, int64_t cols, double gain, Rng &rng, std::vector<float> &out) {
  bool transposed = rows < cols;
  int64_t n = transposed ? cols : rows, k = transposed ? rows : cols; // n >= k
  std::vector<double> q(n * k);                                       // k columns of length n
  for (double &v : q)
    v = rng.normal();
  for (int64_t j = 0; j < k; ++j) {
    double *cj = &q[j * n];
    for (int pass = 0; pass < 2; ++pass) // twice for numerical orthogonality
      for (int64_t i = 0; i < j; ++i) {
        const double *ci = &q[i * n];
        double dot = 0;
        for (int64_t t = 0; t < n; ++t)
          dot += ci[t] * cj[t];
        for (int64_t t = 0; t < n; ++t)
          cj[t] -= dot * ci[t];
      }
    double norm = 0;
    for (int64_t t = 0; t < n; ++t)
      norm += cj[t] * cj[t];
    norm = std::sqrt(norm);
    for (int64_t t = 0; t < n; ++t)
      cj[t] /= norm;
  }
  out.resize(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      // Column j of q, entry t: q[j*n + t]. Without transpose the matrix is
      // n x k = rows x cols; with it, k x n.
      double v = transposed ? q[r * n + c] : q[c * n + r];
      out[r * cols + c] = static_cast<float>(gain * v);
    }
}

} // namespace

void kerasFans(const std::vector<int64_t> &shape, double &fanIn, double &fanOut) {
  size_t r = shape.size();
  if (r == 0) {
    fanIn = fanOut = 1;
  } else if (r == 1) {
    fanIn = fanOut = static_cast<double>(shape[0]);
  } else if (r == 2) {
    fanIn = static_cast<double>(shape[0]);
    fanOut = static_cast<double>(shape[1]);
  } else { // convolution kernels: spatial dims first, then in, out
    double receptive = static_cast<double>(product(shape, 0, r - 2));
    fanIn = shape[r - 2] * receptive;
    fanOut = shape[r - 1] * receptive;
  }
}

void initialize(const bin::Initializer &init, const std::vector<int64_t> &shape, uint64_t seed,
                const std::string &variable, std::vector<float> &out) {
  int64_t n = product(shape, 0, shape.size());
  out.assign(n, 0.0f);
  std::string kind = init.kind() ? init.kind()->str() : "";
  Rng rng(streamSeed(seed, variable));
  if (kind == "zeros")
    return;
  if (kind == "ones" || kind == "constant") {
    float v = kind == "ones" ? 1.0f : static_cast<float>(init.value());
    std::fill(out.begin(), out.end(), v);
    return;
  }
  if (kind == "lstm_bias") { // zeros, forget-gate quarter one (unit_forget_bias)
    int64_t u = n / 4;
    std::fill(out.begin() + u, out.begin() + 2 * u, 1.0f);
    return;
  }
  if (kind == "random_uniform") {
    for (float &v : out)
      v = static_cast<float>(init.minval() + (init.maxval() - init.minval()) * rng.uniform());
    return;
  }
  if (kind == "random_normal" || kind == "truncated_normal") {
    bool truncated = kind == "truncated_normal";
    for (float &v : out)
      v = static_cast<float>(init.mean() + init.stddev() * (truncated ? rng.truncatedNormal() : rng.normal()));
    return;
  }
  if (kind == "variance_scaling") {
    double fanIn, fanOut;
    kerasFans(shape, fanIn, fanOut);
    std::string mode = init.mode() ? init.mode()->str() : "fan_in";
    double fan = mode == "fan_in" ? fanIn : mode == "fan_out" ? fanOut : (fanIn + fanOut) / 2;
    double scale = init.scale() / std::max(1.0, fan);
    std::string dist = init.distribution() ? init.distribution()->str() : "uniform";
    if (dist == "uniform") {
      double limit = std::sqrt(3.0 * scale);
      for (float &v : out)
        v = static_cast<float>(-limit + 2 * limit * rng.uniform());
    } else if (dist == "truncated_normal" || dist == "truncated_normal_unscaled") {
      // Keras 2.2.3+: stddev of the untruncated normal chosen so that the
      // truncated one has variance |scale| (0.8796... = std of N(0,1) cut at
      // +-2); Keras 2.0-2.2 cut sqrt(scale) without rescaling.
      double stddev = std::sqrt(scale) / (dist == "truncated_normal" ? 0.87962566103423978 : 1.0);
      for (float &v : out)
        v = static_cast<float>(stddev * rng.truncatedNormal());
    } else {
      double stddev = std::sqrt(scale);
      for (float &v : out)
        v = static_cast<float>(stddev * rng.normal());
    }
    return;
  }
  if (kind == "orthogonal") {
    if (shape.size() < 2)
      throw RuntimeError("orthogonal initializer needs a weight of rank >= 2 (variable " + variable + ")");
    orthogonal(product(shape, 0, shape.size() - 1), shape.back(), init.gain(), rng, out);
    return;
  }
  throw RuntimeError("unknown initializer '" + kind + "' for variable " + variable);
}

} // namespace kcc::rt
