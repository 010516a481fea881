#include "data/Augment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "data/Random.h"

namespace kcc::data {
namespace {

// Nearest-neighbour source index for output index `i` under shift `shift`:
// scipy's order-0 rounding (floor(c + 0.5)) and mode 'nearest' clamping.
int64_t source_index(int64_t i, double shift, int64_t len) {
  const double c = static_cast<double>(i) + shift;
  const auto r = static_cast<int64_t>(std::floor(c + 0.5));
  return std::clamp<int64_t>(r, 0, len - 1);
}

}  // namespace

ShiftFlip shift_flip_from_uniforms(const AugmentOptions& o, const ImageGeometry& g, double u_rows,
                                   double u_cols, double u_flip) {
  ShiftFlip p;
  if (o.height_shift_range != 0.0)
    p.tx = (-o.height_shift_range + 2.0 * o.height_shift_range * u_rows) * static_cast<double>(g.rows);
  if (o.width_shift_range != 0.0)
    p.ty = (-o.width_shift_range + 2.0 * o.width_shift_range * u_cols) * static_cast<double>(g.cols);
  p.flip = o.horizontal_flip && u_flip < 0.5;
  return p;
}

ShiftFlip draw_shift_flip(const AugmentOptions& o, const ImageGeometry& g, uint64_t key) {
  SplitMix64 rng(key);
  const double u_rows = rng.next_unit();
  const double u_cols = rng.next_unit();
  const double u_flip = rng.next_unit();
  return shift_flip_from_uniforms(o, g, u_rows, u_cols, u_flip);
}

void apply_shift_flip(const float* src, float* dst, const ImageGeometry& g, const ShiftFlip& p) {
  // Source row/column per output row/column, computed once per image so the
  // pixel loops are plain gathers. thread_local: no allocation per image
  // (the batch worker reuses it), and no cap on the image size.
  thread_local std::vector<int64_t> rows, cols;
  rows.resize(static_cast<size_t>(g.rows));
  cols.resize(static_cast<size_t>(g.cols));
  for (int64_t i = 0; i < g.rows; ++i) rows[i] = source_index(i, p.tx, g.rows);
  for (int64_t j = 0; j < g.cols; ++j) cols[j] = source_index(p.flip ? g.cols - 1 - j : j, p.ty, g.cols);

  if (g.channels_first) {
    const int64_t plane = g.rows * g.cols;
    for (int64_t c = 0; c < g.channels; ++c)
      for (int64_t i = 0; i < g.rows; ++i)
        for (int64_t j = 0; j < g.cols; ++j)
          dst[c * plane + i * g.cols + j] = src[c * plane + rows[i] * g.cols + cols[j]];
  } else {
    for (int64_t i = 0; i < g.rows; ++i)
      for (int64_t j = 0; j < g.cols; ++j) {
        const float* s = src + (rows[i] * g.cols + cols[j]) * g.channels;
        float* d = dst + (i * g.cols + j) * g.channels;
        std::copy(s, s + g.channels, d);
      }
  }
}

}  // namespace kcc::data
