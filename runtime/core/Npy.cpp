//===- Npy.cpp - numpy .npy files (float32 / int32, C order) --------------===//

#include "core/Npy.h"

#include "core/RuntimeError.h"
#include "support/Output.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace kcc::rt {

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

NpyArray readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(path + ": cannot open the .npy file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&](const std::string &m) { throw RuntimeError(path + ": not a usable .npy file: " + m); };
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    bad("missing the \\x93NUMPY magic");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, start;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      bad("truncated header");
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    headerLen = len;
    start = 12;
  } else {
    bad("unknown version " + std::to_string(major));
  }
  if (start + headerLen > bytes.size())
    bad("truncated header");
  std::string header(bytes.data() + start, headerLen);
  NpyArray a;
  if (header.find("'<f4'") != std::string::npos)
    a.dtype = 'f';
  else if (header.find("'<i4'") != std::string::npos)
    a.dtype = 'i';
  else
    bad("dtype must be little-endian float32 ('<f4') or int32 ('<i4'); header: " + header);
  if (header.find("'fortran_order': True") != std::string::npos)
    bad("Fortran order is not supported");
  size_t lp = header.find('(', header.find("'shape'")), rp = header.find(')', lp);
  if (lp == std::string::npos || rp == std::string::npos)
    bad("no shape in header");
  std::stringstream dims(header.substr(lp + 1, rp - lp - 1));
  std::string tok;
  while (std::getline(dims, tok, ','))
    if (tok.find_first_not_of(" ") != std::string::npos)
      a.shape.push_back(std::stoll(tok));
  size_t data = start + headerLen, need = static_cast<size_t>(a.size()) * 4;
  if (bytes.size() - data < need)
    bad("expected " + std::to_string(need) + " bytes of data, found " + std::to_string(bytes.size() - data));
  if (a.dtype == 'f') {
    a.f32.resize(a.size());
    std::memcpy(a.f32.data(), bytes.data() + data, need);
  } else {
    a.i32.resize(a.size());
    std::memcpy(a.i32.data(), bytes.data() + data, need);
  }
  return a;
}

void writeNpy(const std::string &path, const std::vector<int64_t> &shape, const float *data) {
  // Python's tuple repr: (), (5,), (3, 4).
  std::string dims;
  int64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    dims += (i ? ", " : "") + std::to_string(shape[i]);
    n *= shape[i];
  }
  if (shape.size() == 1)
    dims += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
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
