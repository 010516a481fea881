//===- Bf16RoundingTest.cpp - the runtime's f32 -> bf16 conversion --------===//
//
// Checked two independent ways: against rounding worked out in double
// arithmetic from the two bf16 neighbours of each value, and bit for bit
// against oneDNN's own f32 -> bf16 reorder (except for denormal inputs,
// which the AVX512-BF16 instruction oneDNN uses treats as zero; krun runs
// with denormals flushed anyway).
//
//===----------------------------------------------------------------------===//

#include "cpu/Bf16.h"

#include <dnnl.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

using kcc::rt::cpu::bf16FromF32Bits;

float fromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

/// |value| of a bf16 bit pattern; the pattern after the largest finite one
/// stands for 2^128, where rounding would land without the exponent limit.
double bf16Magnitude(uint16_t h) {
  if ((h & 0x7fffu) == 0x7f80u)
    return std::ldexp(1.0, 128);
  return std::fabs(static_cast<double>(fromBits(static_cast<uint32_t>(h) << 16)));
}

bool isDenormal(uint32_t x) { return (x & 0x7f800000u) == 0 && (x & 0x007fffffu) != 0; }

bool isNanBf16(uint16_t h) { return (h & 0x7f80u) == 0x7f80u && (h & 0x007fu) != 0; }

/// Round to nearest, ties to even, from the two bf16 values around x.
uint16_t referenceRound(uint32_t x) {
  uint16_t down = static_cast<uint16_t>(x >> 16); // toward zero
  uint16_t up = static_cast<uint16_t>(down + 1);  // away from zero; 0x7f7f+1 is Inf
  double v = std::fabs(static_cast<double>(fromBits(x)));
  double dDown = v - bf16Magnitude(down), dUp = bf16Magnitude(up) - v;
  if (dDown < dUp || (x & 0xffffu) == 0)
    return down;
  if (dUp < dDown)
    return up;
  return (down & 1u) ? up : down;
}

std::vector<uint32_t> testValues() {
  std::vector<uint32_t> v = {0x00000000u, 0x80000000u, 0x3f800000u, 0x3f808000u, 0x3f818000u,
                             0x3f80ffffu, 0x7f7fffffu, 0x7f7f8000u, 0x7f7f7fffu, 0x00000001u,
                             0x807fffffu, 0x7f800000u, 0xff800000u};
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i)
    v.push_back(rng());
  return v;
}

TEST(Bf16Rounding, MatchesRoundToNearestEven) {
  for (uint32_t x : testValues()) {
    if (std::isnan(fromBits(x)))
      continue;
    ASSERT_EQ(bf16FromF32Bits(x), referenceRound(x)) << std::hex << "f32 bits 0x" << x;
  }
}

TEST(Bf16Rounding, NansStayNan) {
  // Payload only in the low half: the rounding bias used to carry into the
  // exponent and turn these into Inf (or, with the sign bit, wrap to +0).
  for (uint32_t x : {0x7f800001u, 0x7f80ffffu, 0xff800001u, 0xffffffffu, 0x7fc00000u, 0x7fffffffu}) {
    uint16_t h = bf16FromF32Bits(x);
    EXPECT_TRUE(isNanBf16(h)) << std::hex << "f32 bits 0x" << x << " -> 0x" << h;
    EXPECT_EQ(h & 0x8000u, (x >> 16) & 0x8000u) << "sign of 0x" << std::hex << x;
  }
}

TEST(Bf16Rounding, AgreesWithOneDnnReorder) {
  std::vector<uint32_t> in = testValues();
  std::vector<uint16_t> ours(in.size()), onednn(in.size());
  for (size_t i = 0; i < in.size(); ++i)
    ours[i] = bf16FromF32Bits(in[i]);
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  dnnl::memory::dims dims = {static_cast<dnnl::memory::dim>(in.size())};
  dnnl::memory src({dims, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a}, engine, in.data());
  dnnl::memory dst({dims, dnnl::memory::data_type::bf16, dnnl::memory::format_tag::a}, engine, onednn.data());
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
  int compared = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (std::isnan(fromBits(in[i]))) {
      EXPECT_TRUE(isNanBf16(ours[i]) && isNanBf16(onednn[i])) << std::hex << "f32 bits 0x" << in[i];
      continue;
    }
    if (isDenormal(in[i])) // VCVTNEPS2BF16 reads denormals as zero
      continue;
    // Without AVX512-BF16 (where krun has no bf16 path) oneDNN converts in
    // its reference code, which writes -0 as +0.
    if (in[i] == 0x80000000u && !__builtin_cpu_supports("avx512bf16")) {
      EXPECT_EQ(onednn[i] & 0x7fffu, 0u);
      continue;
    }
    ASSERT_EQ(ours[i], onednn[i]) << std::hex << "f32 bits 0x" << in[i];
    ++compared;
  }
  EXPECT_GT(compared, 90000);
}

} // namespace
