// Portable, reproducible randomness for the input pipeline.
//
// std::shuffle and std::uniform_*_distribution are implementation-defined,
// so the same seed could give different orders with libstdc++ and libc++.
// Everything here is fully specified: the only engine is std::mt19937_64
// (whose output the C++ standard fixes) plus the SplitMix64 mixer below.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace kcc::data {

// SplitMix64 finalizer (Steele, Lea, Flood 2014): a fixed bijection on 64
// bits with good avalanche, used to turn (seed, epoch, ...) into seeds.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Seed of one random stream: mix64(mix64(mix64(seed) ^ epoch) ^ stream).
// `stream` separates independent uses (shuffle = 0, augmentation = 1 + sample position).
inline uint64_t stream_key(uint64_t seed, uint64_t epoch, uint64_t stream) {
  return mix64(mix64(mix64(seed) ^ epoch) ^ stream);
}

// Uniform double in [0, 1) from the top 53 bits of a 64-bit draw.
inline double unit_double(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// Unbiased integer in [0, bound) by rejection: draws below 2^64 mod bound are
// discarded so every residue is equally likely. bound must be > 0.
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound);

// The epoch's sample order: order = 0..n-1 (n = order.size()), then a
// Fisher-Yates shuffle from the back, for i = n-1 down to 1 swapping order[i]
// with order[uniform_below(engine, i+1)], where engine is
// std::mt19937_64(stream_key(seed, epoch, 0)). Writes into `order` in place
// so a pipeline can reuse the buffer every epoch.
void epoch_permutation(uint64_t seed, uint64_t epoch, std::vector<int64_t>& order);

// A tiny counter-based generator: draw k of a stream is
// mix64(key + k * 0x9E3779B97F4A7C15) (SplitMix64). Used per sample so
// augmentation does not depend on which thread or batch handles the sample.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t key) : state_(key) {}
  uint64_t next() {
    uint64_t out = mix64(state_);
    state_ += 0x9E3779B97F4A7C15ull;
    return out;
  }
  double next_unit() { return unit_double(next()); }

 private:
  uint64_t state_;
};

}  // namespace kcc::data
