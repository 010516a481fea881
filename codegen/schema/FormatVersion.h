//===- FormatVersion.h - the model.bin format version ---------------------===//
//
// Shared by kcc (writer) and krun (reader); bump on any change of meaning in
// model.fbs so that krun refuses files it would misread.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_CODEGEN_SCHEMA_FORMATVERSION_H
#define KCC_CODEGEN_SCHEMA_FORMATVERSION_H

#include <cstdint>

namespace kcc::bin {
inline constexpr uint32_t kFormatVersion = 2; // 2: lstm_backward sums the weight gradients
} // namespace kcc::bin

#endif // KCC_CODEGEN_SCHEMA_FORMATVERSION_H
