//===- Npy.cpp - numpy .npy files (float32 / int32, C order) --------------===//

#include "core/Npy.h"

#include "core/RuntimeError.h"
#include "data/DataError.h"
#include "data/NumpyFiles.h"
#include "support/Output.h"

#include <cstdio>
#include <cstring>

namespace kcc::rt {

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

NpyArray readNpy(const std::string &path) {
  data::NpyArrayView v;
  try {
    v = data::open_npy(path);
  } catch (const data::DataError &e) {
    throw RuntimeError(e.what());
  }
  NpyArray a;
  a.shape = v.shape;
  if (v.kind == 'f' && v.itemsize == 4)
    a.dtype = 'f', a.f32.resize(a.size()), std::memcpy(a.f32.data(), v.data, a.f32.size() * 4);
  else if (v.kind == 'i' && v.itemsize == 4)
    a.dtype = 'i', a.i32.resize(a.size()), std::memcpy(a.i32.data(), v.data, a.i32.size() * 4);
  else
    throw RuntimeError(path + ": expected dtype float32 or int32, found " + v.dtype());
  return a;
}

void writeNpy(const std::string &path, const std::vector<int64_t> &shape, const void *data, char dtype) {
  // Python's tuple repr: (), (5,), (3, 4).
  std::string dims;
  int64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    dims += (i ? ", " : "") + std::to_string(shape[i]);
    n *= shape[i];
  }
  if (shape.size() == 1)
    dims += ",";
  std::string header = std::string("{'descr': '") + (dtype == 'i' ? "<i4" : "<f4") +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  bytes.append(reinterpret_cast<const char *>(&len), 2);
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(data), static_cast<size_t>(n) * 4);
  if (std::string err = support::writeAtomically(path, bytes); !err.empty())
    throw RuntimeError(err);
}

} // namespace kcc::rt
