#include "data/Tar.h"

#include <algorithm>

#include "data/DataError.h"

namespace kcc::data {
namespace {

constexpr size_t kBlock = 512;

// Header fields as (offset, length), from POSIX.1-1988 ustar.
constexpr size_t kNameOff = 0, kNameLen = 100;
constexpr size_t kSizeOff = 124, kSizeLen = 12;
constexpr size_t kSumOff = 148, kSumLen = 8;
constexpr size_t kTypeOff = 156;
constexpr size_t kMagicOff = 257;
constexpr size_t kPrefixOff = 345, kPrefixLen = 155;

std::string field_string(const uint8_t* h, size_t off, size_t len) {
  const uint8_t* b = h + off;
  size_t n = 0;
  while (n < len && b[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(b), n);
}

// Numeric fields are octal text, or (GNU, for big values) base-256 with the
// top bit of the first byte set. Returns false on anything else.
bool field_number(const uint8_t* h, size_t off, size_t len, uint64_t& value) {
  const uint8_t* b = h + off;
  value = 0;
  if (b[0] & 0x80) {
    if (b[0] & 0x40) return false;  // negative
    value = b[0] & 0x3f;
    for (size_t i = 1; i < len; ++i) {
      if (value >> 55) return false;
      value = value << 8 | b[i];
    }
    return true;
  }
  size_t i = 0;
  while (i < len && b[i] == ' ') ++i;
  bool any = false;
  for (; i < len && b[i] >= '0' && b[i] <= '7'; ++i) {
    if (value >> 60) return false;
    value = value * 8 + (b[i] - '0');
    any = true;
  }
  for (; i < len; ++i)
    if (b[i] != ' ' && b[i] != 0) return false;
  return any;
}

// Pax records are "<len> <key>=<value>\n"; only path and size matter here.
void parse_pax(const uint8_t* p, size_t n, std::string& path, uint64_t& size, bool& has_size) {
  size_t i = 0;
  while (i < n) {
    size_t len = 0, j = i;
    while (j < n && p[j] >= '0' && p[j] <= '9') len = len * 10 + (p[j++] - '0');
    if (j >= n || p[j] != ' ' || len == 0 || i + len > n) return;  // malformed: ignore the rest
    std::string rec(reinterpret_cast<const char*>(p + j + 1), i + len - (j + 1));
    if (!rec.empty() && rec.back() == '\n') rec.pop_back();
    size_t eq = rec.find('=');
    if (eq != std::string::npos) {
      std::string key = rec.substr(0, eq), val = rec.substr(eq + 1);
      if (key == "path") path = val;
      if (key == "size" && !val.empty() &&
          val.find_first_not_of("0123456789") == std::string::npos) {
        size = std::stoull(val);
        has_size = true;
      }
    }
    i += len;
  }
}

}  // namespace

std::vector<TarEntry> list_tar(const std::vector<uint8_t>& tar, const std::string& path,
                               const std::string& dataset) {
  auto fail = [&](size_t at, const std::string& msg) -> void {
    throw DataError(dataset + ": " + path + ": tar header at byte " + std::to_string(at) + ": " + msg);
  };
  std::vector<TarEntry> entries;
  std::string next_name;  // from a preceding GNU 'L' or pax 'x' entry
  uint64_t next_size = 0;
  bool next_has_size = false;

  size_t pos = 0;
  while (pos < tar.size()) {
    if (tar.size() - pos < kBlock)
      fail(pos, "expected a 512-byte header, found " + std::to_string(tar.size() - pos) +
                    " bytes (truncated archive)");
    const uint8_t* h = tar.data() + pos;
    if (std::all_of(h, h + kBlock, [](uint8_t b) { return b == 0; })) break;  // end-of-archive

    uint64_t stored_sum = 0;
    if (!field_number(h, kSumOff, kSumLen, stored_sum)) fail(pos, "expected an octal checksum");
    uint64_t sum = 0;
    for (size_t i = 0; i < kBlock; ++i)
      sum += (i >= kSumOff && i < kSumOff + kSumLen) ? uint8_t(' ') : h[i];
    if (sum != stored_sum)
      fail(pos, "expected header checksum " + std::to_string(stored_sum) + ", found " +
                    std::to_string(sum) + " (not a tar archive, or corrupt)");

    uint64_t size = 0;
    if (!field_number(h, kSizeOff, kSizeLen, size)) fail(pos, "expected an octal size field");
    const char type = static_cast<char>(h[kTypeOff]);
    const bool meta = type == 'L' || type == 'x' || type == 'g';
    if (next_has_size && !meta) size = next_size;
    const size_t data = pos + kBlock;
    if (size > tar.size() - data)
      fail(pos, "entry claims " + std::to_string(size) + " bytes, only " +
                    std::to_string(tar.size() - data) + " remain (truncated archive)");

    std::string name = field_string(h, kNameOff, kNameLen);
    if (std::equal(h + kMagicOff, h + kMagicOff + 5, "ustar")) {
      std::string prefix = field_string(h, kPrefixOff, kPrefixLen);
      if (!prefix.empty()) name = prefix + "/" + name;
    }

    if (type == 'L') {  // GNU long name: the contents name the next entry
      next_name = field_string(tar.data() + data, 0, size);
    } else if (type == 'x') {  // pax extended header for the next entry
      parse_pax(tar.data() + data, size, next_name, next_size, next_has_size);
    } else if (type != 'g') {  // 'g' (pax global header) carries nothing we use
      if (!next_name.empty()) name = next_name;
      if (type == '0' || type == '\0' || type == '7') entries.push_back({name, data, size});
      next_name.clear();
      next_has_size = false;
    }
    const size_t padded = (size + kBlock - 1) / kBlock * kBlock;
    if (padded > tar.size() - data)
      fail(pos, "entry's 512-byte padding runs past the end (truncated archive)");
    pos = data + padded;
  }
  return entries;
}

}  // namespace kcc::data
