// Measures the machine's fp32 FMA peak: 16 independent accumulator chains
// of AVX-512 (or AVX2) FMAs per thread, best of several runs, on 1 and on
// all threads. Prints JSON: {"threads": N, "gflops_1": x, "gflops_all": y, "isa": "..."}.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {

#if defined(__AVX512F__)
constexpr const char *kIsa = "avx512";
using vec = __m512;
inline vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
inline vec splat(float x) { return _mm512_set1_ps(x); }
inline float first(vec v) { return _mm512_cvtss_f32(v); }
constexpr int kLanes = 16;
#else
constexpr const char *kIsa = "avx2";
using vec = __m256;
inline vec fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
inline vec splat(float x) { return _mm256_set1_ps(x); }
inline float first(vec v) { return _mm256_cvtss_f32(v); }
constexpr int kLanes = 8;
#endif

/// 16 chains x |iters| FMAs; returns a value so the work is not elided.
float chains(long iters) {
  vec acc[16];
  for (int i = 0; i < 16; ++i)
    acc[i] = splat(1.0f + i * 1e-3f);
  vec a = splat(0.999999f), b = splat(1e-7f);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < 16; ++i)
      acc[i] = fma(acc[i], a, b);
  float s = 0;
  for (int i = 0; i < 16; ++i)
    s += first(acc[i]);
  return s;
}

double gflops(int threads) {
  const long iters = 20'000'000;
  double best = 0;
  volatile float sink = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    { sink = sink + chains(iters); }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double flops = 2.0 * kLanes * 16 * iters * threads;
    best = std::max(best, flops / s / 1e9);
  }
  return best;
}

} // namespace

int main() {
  int all = omp_get_num_procs();
  double one = gflops(1), many = gflops(all);
  std::printf("{\"isa\": \"%s\", \"threads\": %d, \"gflops_1\": %.1f, \"gflops_all\": %.1f}\n", kIsa, all, one, many);
  return 0;
}
