//===- FormatVersion.h - the model.bin format version and trailer ---------===//
//
// Shared by kcc (writer) and krun (reader); bump on any change of meaning in
// model.fbs so that krun refuses files it would misread.
//
// A model.bin is the Flatbuffers buffer followed by a 16-byte trailer:
//   "KCCSUM01" | CRC-32 (zlib) of the buffer, u32 LE | buffer length, u32 LE
// The checksum covers everything, the kernel object included, so a damaged
// or edited file is refused before any of it is parsed or run.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_CODEGEN_SCHEMA_FORMATVERSION_H
#define KCC_CODEGEN_SCHEMA_FORMATVERSION_H

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace kcc::bin {
// 2: lstm_backward sums the weight gradients. 3: checksum trailer.
// 4: buffers carry their step role; the model its image data format.
// 5: the eval program writes the predictions; variables carry their Keras 3
//    .weights.h5 path and the model its Keras 3 config.
inline constexpr uint32_t kFormatVersion = 5;

inline constexpr char kTrailerMagic[8] = {'K', 'C', 'C', 'S', 'U', 'M', '0', '1'};
inline constexpr size_t kTrailerBytes = 16;

inline uint32_t checksum(const uint8_t *data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) { // crc32 takes a uInt length
    uInt chunk = static_cast<uInt>(size > (1u << 30) ? (1u << 30) : size);
    crc = crc32(crc, data, chunk);
    data += chunk, size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

/// Appends the trailer to a finished Flatbuffers buffer.
inline void appendTrailer(std::vector<uint8_t> &bytes) {
  uint32_t words[2] = {checksum(bytes.data(), bytes.size()), static_cast<uint32_t>(bytes.size())};
  bytes.insert(bytes.end(), kTrailerMagic, kTrailerMagic + 8);
  const auto *w = reinterpret_cast<const uint8_t *>(words); // x86/arm64: little endian
  bytes.insert(bytes.end(), w, w + sizeof words);
}

/// What the trailer of |bytes| says.
struct Trailer {
  bool present = false;   // the magic is there
  uint32_t length = 0;    // of the Flatbuffers buffer
  uint32_t stored = 0;    // checksum written by kcc
  uint32_t computed = 0;  // checksum of the first |length| bytes, if length fits
  bool lengthFits = false;
};

inline Trailer readTrailer(const std::vector<uint8_t> &bytes) {
  Trailer t;
  if (bytes.size() < kTrailerBytes)
    return t;
  const uint8_t *end = bytes.data() + bytes.size() - kTrailerBytes;
  t.present = std::memcmp(end, kTrailerMagic, 8) == 0;
  std::memcpy(&t.stored, end + 8, 4);
  std::memcpy(&t.length, end + 12, 4);
  t.lengthFits = t.present && t.length == bytes.size() - kTrailerBytes;
  if (t.lengthFits)
    t.computed = checksum(bytes.data(), t.length);
  return t;
}
} // namespace kcc::bin

#endif // KCC_CODEGEN_SCHEMA_FORMATVERSION_H
