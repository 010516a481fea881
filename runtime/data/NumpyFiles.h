// Arrays a user brings in numpy's own formats: .npy files (memory-mapped,
// so a large training set is not copied into the process) and .npz archives
// (numpy's zip of .npy members, read with libzip). Any numeric dtype numpy
// writes is accepted and converted to what the model's buffer holds
// (float32 or int32); a float32/int32 file is used in place.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace kcc::data {

// One array as stored: its header and where its elements are.
struct NpyArrayView {
  std::string what;             // "x.npy" or "data.npz:x_train", for messages
  char kind = 'f';              // numpy dtype kind: f (float), i (int), u (unsigned), b (bool)
  int itemsize = 4;             // bytes per element
  std::vector<int64_t> shape;
  const unsigned char* data = nullptr;
  std::shared_ptr<const void> owner;  // keeps `data` alive (a mapping or a buffer)

  int64_t elements() const;
  std::string dtype() const;    // numpy's name: "float32", "uint8", ...
  std::string shape_text() const;  // "(60000, 28, 28)"
};

// Parses a .npy image (header and data) held in |bytes|; |what| names it in
// errors. Throws DataError for anything but a little-endian, C-order array
// of a numeric dtype whose data is all there.
NpyArrayView parse_npy(const unsigned char* bytes, size_t size, const std::string& what);

// Maps |path| read-only and parses it.
NpyArrayView open_npy(const std::string& path);

// The member names of an .npz archive, without their ".npy" suffix.
std::vector<std::string> npz_keys(const std::string& path);
// Reads member |key| (key + ".npy") of an .npz archive into memory.
NpyArrayView open_npz_member(const std::string& path, const std::string& key);

// The array as |want|: a view of the same memory when the dtype already
// matches, else a converted copy. Integers outside int32 and floats that are
// not whole numbers are refused for I32; NaN and infinities are refused in
// float data (numpy data with a NaN would train to NaN).
Array to_array(const NpyArrayView& a, Array::DType want);

}  // namespace kcc::data
