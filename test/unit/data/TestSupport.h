// Helpers shared by the kcc_data tests: where the real data is, temporary
// directories, and writers for small gzip / tar files used as bad input.
#pragma once

#include "TempDir.h"

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace kcc::data::test {

// The datasets root from $KCC_DATA. Unset is a test failure, not a skip:
// these tests exist to check the real files. (Throwing makes GoogleTest fail
// the test with this message.)
inline std::string data_root() {
  const char* env = std::getenv("KCC_DATA");
  if (!env || !*env)
    throw std::runtime_error(
        "KCC_DATA is not set: point it at the datasets root (the folder holding mnist/, cifar10/, "
        "babi/), e.g. KCC_DATA=/work/shared/datasets; ctest sets it from the CMake variable "
        "KCC_DATA_DIR");
  return env;
}

// Loads each real dataset once per test process (CIFAR-10 takes seconds).
inline const Dataset& cached(const std::string& name, const DatasetOptions& options = {}) {
  static std::vector<std::pair<std::string, Dataset>> cache;
  const std::string key = name + "|" + options.image_layout + "|" + options.babi_task + "|" +
                          options.babi_set + "|" + std::to_string(options.validation_split);
  for (auto& [k, ds] : cache)
    if (k == key) return ds;
  cache.emplace_back(key, load_dataset(name, data_root(), options));
  return cache.back().second;
}

using TempDir = kcc::test::TempDir;

inline std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& raw, int level = 1) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&z, raw.size()));
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(z.total_out);
  return out;
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

inline void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// A minimal ustar archive: one 512-byte header per file, contents padded to
// 512, two zero blocks at the end.
inline std::vector<uint8_t> make_tar(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<uint8_t> tar;
  for (const auto& [name, text] : files) {
    uint8_t h[512] = {};
    std::memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
    std::snprintf(reinterpret_cast<char*>(h + 100), 8, "%07o", 0644);
    std::snprintf(reinterpret_cast<char*>(h + 108), 8, "%07o", 0);
    std::snprintf(reinterpret_cast<char*>(h + 116), 8, "%07o", 0);
    std::snprintf(reinterpret_cast<char*>(h + 124), 12, "%011o", static_cast<unsigned>(text.size()));
    std::snprintf(reinterpret_cast<char*>(h + 136), 12, "%011o", 0);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (uint8_t c : h) sum += c;
    std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum);  // NUL then the space already there
    h[155] = ' ';
    tar.insert(tar.end(), h, h + 512);
    tar.insert(tar.end(), text.begin(), text.end());
    tar.resize((tar.size() + 511) / 512 * 512, 0);
  }
  tar.resize(tar.size() + 1024, 0);
  return tar;
}

}  // namespace kcc::data::test
