//===- ModelFile.h - load and verify a model.bin --------------------------===//

#ifndef KCC_RUNTIME_CORE_MODELFILE_H
#define KCC_RUNTIME_CORE_MODELFILE_H

#include "contract/model_generated.h"

#include <string>
#include <vector>

namespace kcc::rt {

/// A model.bin held in memory after every check passed: the "KCCM"
/// identifier, the Flatbuffers verifier, the format version and the
/// presence of every table krun needs.
/// Throws RuntimeError unless every call of |m| has the parameters of its
/// kind, the operands its executor reads and buffers as large as its sizes
/// (runtime/core/CallChecks.cpp). Buffer indices must already be in range.
void checkCalls(const bin::Model &m, const std::string &file);

/// The shape of a buffer of a checked model.bin, and its element count.
std::vector<int64_t> shapeOf(const bin::Buffer &b);
int64_t elementsOf(const bin::Buffer &b);

class ModelFile {
public:
  /// Flatbuffers buffers stop at 2 GiB; anything larger is not a model.bin.
  static constexpr size_t kMaxModelBytes = size_t(2) << 30;

  /// Throws RuntimeError naming |path| and what is wrong with it.
  static ModelFile load(const std::string &path);
  static ModelFile fromBytes(std::vector<uint8_t> bytes, const std::string &name);

  const bin::Model &model() const { return *bin::GetModel(bytes.data()); }
  const std::string &path() const { return name; }
  /// The CRC-32 kcc wrote in the trailer: identifies this compiled model.
  uint32_t checksum() const { return crc; }

private:
  std::vector<uint8_t> bytes;
  std::string name;
  uint32_t crc = 0;
};

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_MODELFILE_H
