//===- TestFiles.h - files for the runtime's file tests -------------------===//

#ifndef KCC_TEST_UNIT_RUNTIME_TESTFILES_H
#define KCC_TEST_UNIT_RUNTIME_TESTFILES_H

#include "core/RuntimeError.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

namespace kcc::test {

inline void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Runs |f|, which must throw a RuntimeError whose message contains every
/// string of |needles|.
template <typename F>
void expectRuntimeError(F f, std::initializer_list<std::string> needles) {
  try {
    f();
    ADD_FAILURE() << "expected a RuntimeError";
  } catch (const rt::RuntimeError &e) {
    std::string m = e.what();
    for (const std::string &n : needles)
      EXPECT_NE(m.find(n), std::string::npos) << "'" << n << "' not in: " << m;
  }
}

/// A .npy file as numpy writes it (version 1.0 header padded to 64 bytes).
inline std::vector<uint8_t> npyBytes(const std::string &descr, const std::string &shape, const void *data, size_t bytes,
                              bool fortran = false, int major = 1) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  uint32_t len = static_cast<uint32_t>(header.size());
  out.push_back(len & 0xff);
  out.push_back((len >> 8) & 0xff);
  if (major != 1) {
    out.push_back((len >> 16) & 0xff);
    out.push_back((len >> 24) & 0xff);
  }
  out.insert(out.end(), header.begin(), header.end());
  const uint8_t *p = static_cast<const uint8_t *>(data);
  out.insert(out.end(), p, p + bytes);
  return out;
}

} // namespace kcc::test

#endif // KCC_TEST_UNIT_RUNTIME_TESTFILES_H
