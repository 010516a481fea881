//===- Npy.h - numpy .npy files (float32 / int32, C order) ----------------===//
//
// The exchange format of `krun --init-weights/--batch/--dump`, which the
// Keras conformance suite reads and writes with numpy.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_NPY_H
#define KCC_RUNTIME_CORE_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::rt {

struct NpyArray {
  char dtype = 'f'; // 'f' float32, 'i' int32
  std::vector<int64_t> shape;
  std::vector<float> f32;
  std::vector<int32_t> i32;
  int64_t size() const;
};

/// Throws RuntimeError naming |path| if it is not a float32/int32 C-order
/// little-endian .npy file.
NpyArray readNpy(const std::string &path);
/// Writes through support::writeAtomically (never half-written).
/// |dtype|: 'f' float32 or 'i' int32.
void writeNpy(const std::string &path, const std::vector<int64_t> &shape, const void *data, char dtype = 'f');

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_NPY_H
