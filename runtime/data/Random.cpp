#include "data/Random.h"

#include <numeric>
#include <utility>

namespace kcc::data {

uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  const uint64_t threshold = (0 - bound) % bound;  // = 2^64 mod bound
  for (;;) {
    const uint64_t r = engine();
    if (r >= threshold) return r % bound;
  }
}

void epoch_permutation(uint64_t seed, uint64_t epoch, std::vector<int64_t>& order) {
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 engine(stream_key(seed, epoch, 0));
  for (size_t i = order.size(); i > 1; --i) {
    const auto j = static_cast<size_t>(uniform_below(engine, i));
    std::swap(order[i - 1], order[j]);
  }
}

}  // namespace kcc::data
