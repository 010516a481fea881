//===- Bf16.h - float32 to bfloat16 rounding -------------------*- C++ -*-===//
//
// The runtime's own f32 -> bf16 conversion (oneDNN's reorder was three
// times slower than memory speed for blocked activations). IEEE rounding to
// nearest even on the top 16 bits, except for NaN: adding the rounding bias
// to a NaN whose payload lies only in the low 16 bits would carry into the
// exponent and give Inf (or wrap the sign), so NaNs keep their top bits and
// get the quiet bit instead.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CPU_BF16_H
#define KCC_RUNTIME_CPU_BF16_H

#include <cstdint>

namespace kcc::rt::cpu {

inline uint16_t bf16FromF32Bits(uint32_t x) {
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((x >> 16) | 0x0040u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

} // namespace kcc::rt::cpu

#endif // KCC_RUNTIME_CPU_BF16_H
