// The Keras shift/flip augmentation on small hand-worked images.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "data/Augment.h"
#include "data/Random.h"

namespace kcc::data {
namespace {

using Image = std::vector<float>;

// A 3x4 one-channel image holding 0..11 row-major:
//    0  1  2  3
//    4  5  6  7
//    8  9 10 11
const Image kSrc = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
const ImageGeometry kGeom{3, 4, 1, false};

Image run(const Image& src, const ImageGeometry& g, double tx, double ty, bool flip) {
  Image dst(src.size(), -1.f);
  apply_shift_flip(src.data(), dst.data(), g, ShiftFlip{tx, ty, flip});
  return dst;
}

TEST(Augment, ZeroShiftNoFlipIsIdentity) { EXPECT_EQ(run(kSrc, kGeom, 0, 0, false), kSrc); }

TEST(Augment, VerticalShiftReadsRowIPlusTxAndClampsAtTheEdge) {
  // tx = +1: output row i shows input row i+1; the last row repeats row 2.
  EXPECT_EQ(run(kSrc, kGeom, 1, 0, false), (Image{4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11}));
  // tx = -2: rows 0 and 1 clamp to row 0, row 2 shows row 0.
  EXPECT_EQ(run(kSrc, kGeom, -2, 0, false), (Image{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}));
  // Far outside: every row is the edge row.
  EXPECT_EQ(run(kSrc, kGeom, 7.9, 0, false), (Image{8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11}));
}

TEST(Augment, HorizontalShiftReadsColJPlusTy) {
  // ty = -1: output column j shows column j-1; column 0 repeats column 0.
  EXPECT_EQ(run(kSrc, kGeom, 0, -1, false), (Image{0, 0, 1, 2, 4, 4, 5, 6, 8, 8, 9, 10}));
  // ty = +2 and tx = -1 together.
  EXPECT_EQ(run(kSrc, kGeom, -1, 2, false), (Image{2, 3, 3, 3, 2, 3, 3, 3, 6, 7, 7, 7}));
}

TEST(Augment, FractionalShiftsRoundHalfUp) {
  // scipy order=0 takes floor(c + 0.5): +0.5 rounds up to +1, -0.5 rounds to 0.
  EXPECT_EQ(run(kSrc, kGeom, 0.5, 0, false), run(kSrc, kGeom, 1, 0, false));
  EXPECT_EQ(run(kSrc, kGeom, -0.5, 0, false), kSrc);
  EXPECT_EQ(run(kSrc, kGeom, 0.49, 0, false), kSrc);
  EXPECT_EQ(run(kSrc, kGeom, -0.51, 0, false), run(kSrc, kGeom, -1, 0, false));
  EXPECT_EQ(run(kSrc, kGeom, 0, 1.4999, false), run(kSrc, kGeom, 0, 1, false));
  EXPECT_EQ(run(kSrc, kGeom, 0, -2.6, false), run(kSrc, kGeom, 0, -3, false));
}

TEST(Augment, FlipReversesColumnsAfterTheShift) {
  EXPECT_EQ(run(kSrc, kGeom, 0, 0, true), (Image{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}));
  // Shift first (ty=+1 gives rows "1 2 3 3"), then flip: "3 3 2 1".
  EXPECT_EQ(run(kSrc, kGeom, 0, 1, true), (Image{3, 3, 2, 1, 7, 7, 6, 5, 11, 11, 10, 9}));
}

TEST(Augment, ChannelsLastAndFirstAgree) {
  // Two channels: channel c holds 100*c + the 0..11 pattern.
  Image hwc(24), chw(24);
  for (int p = 0; p < 12; ++p)
    for (int c = 0; c < 2; ++c) {
      hwc[p * 2 + c] = static_cast<float>(100 * c + p);
      chw[c * 12 + p] = static_cast<float>(100 * c + p);
    }
  const Image a = run(hwc, ImageGeometry{3, 4, 2, false}, 1, -1, true);
  const Image b = run(chw, ImageGeometry{3, 4, 2, true}, 1, -1, true);
  // Shift: row i shows row i+1, column j shows column j-1 -> "4 4 5 6" for
  // row 0; the flip then gives "6 5 4 4".
  const Image one = run(kSrc, kGeom, 1, -1, true);
  EXPECT_EQ(one, (Image{6, 5, 4, 4, 10, 9, 8, 8, 10, 9, 8, 8}));
  for (int p = 0; p < 12; ++p)
    for (int c = 0; c < 2; ++c) {
      EXPECT_EQ(a[p * 2 + c], one[p] + 100 * c);
      EXPECT_EQ(b[c * 12 + p], one[p] + 100 * c);
    }
}

TEST(Augment, UniformsMapToKerasRanges) {
  const AugmentOptions o;  // 0.1, 0.1, flip
  const ImageGeometry g{32, 32, 3, false};
  ShiftFlip p = shift_flip_from_uniforms(o, g, 0.0, 0.5, 0.49);
  EXPECT_NEAR(p.tx, -3.2, 1e-12);
  EXPECT_NEAR(p.ty, 0.0, 1e-12);
  EXPECT_TRUE(p.flip);
  p = shift_flip_from_uniforms(o, g, 0.75, 0.25, 0.5);
  EXPECT_NEAR(p.tx, 1.6, 1e-12);
  EXPECT_NEAR(p.ty, -1.6, 1e-12);
  EXPECT_FALSE(p.flip);
  AugmentOptions off{0.0, 0.0, false};
  p = shift_flip_from_uniforms(off, g, 0.0, 0.0, 0.0);
  EXPECT_EQ(p.tx, 0.0);
  EXPECT_EQ(p.ty, 0.0);
  EXPECT_FALSE(p.flip);
}

TEST(Augment, DrawUsesSplitMix64Stream) {
  // Draws for key = stream_key(42, 0, 1), from an independent Python
  // reimplementation: u = 0.47528428371494047, 0.7649922332932483, 0.2445019784512832.
  const uint64_t key = stream_key(42, 0, 1);
  EXPECT_EQ(key, 13151335708014940318ull);
  const ImageGeometry g{32, 32, 3, false};
  ShiftFlip p = draw_shift_flip(AugmentOptions{}, g, key);
  EXPECT_DOUBLE_EQ(p.tx, (-0.1 + 0.2 * 0.47528428371494047) * 32);
  EXPECT_DOUBLE_EQ(p.ty, (-0.1 + 0.2 * 0.7649922332932483) * 32);
  EXPECT_TRUE(p.flip);
}

TEST(Augment, DrawStatistics) {
  const ImageGeometry g{32, 32, 3, false};
  int flips = 0;
  double sum = 0;
  std::set<int> row_shifts;
  const int n = 20000;
  for (int k = 0; k < n; ++k) {
    ShiftFlip p = draw_shift_flip(AugmentOptions{}, g, stream_key(7, 1, 1 + k));
    ASSERT_GE(p.tx, -3.2);
    ASSERT_LT(p.tx, 3.2);
    ASSERT_GE(p.ty, -3.2);
    ASSERT_LT(p.ty, 3.2);
    sum += p.tx;
    flips += p.flip;
    row_shifts.insert(static_cast<int>(std::floor(p.tx + 0.5)));
  }
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(static_cast<double>(flips) / n, 0.5, 0.02);
  EXPECT_EQ(row_shifts, (std::set<int>{-3, -2, -1, 0, 1, 2, 3}));
}

}  // namespace
}  // namespace kcc::data
