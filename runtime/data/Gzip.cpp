#include "data/Gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>

#include "data/DataError.h"

namespace kcc::data {
namespace {

std::string prefix(const std::string& dataset, const std::string& path) {
  return dataset + ": " + path + ": ";
}

std::string hex_byte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", b);
  return buf;
}

struct InflateStream {
  z_stream z{};
  bool live = false;
  ~InflateStream() {
    if (live) inflateEnd(&z);
  }
};

}  // namespace

void throw_missing(const std::string& dataset, const std::string& path, const std::string& kind) {
  throw DataError(prefix(dataset, path) + kind +
                  " not found (point the runtime at the datasets root, the folder holding "
                  "mnist/, cifar10/ and babi/, with --data DIR or the KCC_DATA environment variable)");
}

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& dataset) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) throw_missing(dataset, path, "file");
    throw DataError(prefix(dataset, path) + "cannot access: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw DataError(prefix(dataset, path) + "expected a regular file");

  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw DataError(prefix(dataset, path) + "cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f.get());
  if (got != bytes.size() || std::ferror(f.get()))
    throw DataError(prefix(dataset, path) + "read error after " + std::to_string(got) + " of " +
                    std::to_string(bytes.size()) + " bytes");
  return bytes;
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& path,
                            const std::string& dataset) {
  const std::string where = prefix(dataset, path);
  if (in.size() < 2 || in[0] != 0x1f || in[1] != 0x8b) {
    std::string found = in.empty()     ? std::string("an empty file")
                        : in.size() < 2 ? "1 byte"
                                        : hex_byte(in[0]) + " " + hex_byte(in[1]);
    throw DataError(where + "expected gzip magic 1f 8b, found " + found);
  }

  // The gzip trailer's ISIZE (size mod 2^32 of the last member) is a good
  // guess for the output size when the file is intact, and garbage when it
  // is truncated. So it is only reserved (untouched pages cost nothing), capped
  // at deflate's maximum expansion (~1032:1), and the buffer is grown and
  // zero-filled step by step as output actually arrives.
  std::vector<uint8_t> out;
  if (in.size() >= 18) {
    size_t isize = uint32_t(in[in.size() - 4]) | uint32_t(in[in.size() - 3]) << 8 |
                   uint32_t(in[in.size() - 2]) << 16 | uint32_t(in[in.size() - 1]) << 24;
    out.reserve(std::min(isize, in.size() * 1032 + 1024));
  }
  auto grow = [&out] {
    size_t next = out.size() + std::max<size_t>(out.size(), size_t(1) << 16);
    if (out.capacity() > out.size()) next = std::min(next, out.capacity());
    out.resize(next);
  };

  InflateStream s;
  if (inflateInit2(&s.z, 16 + MAX_WBITS) != Z_OK) throw DataError(where + "zlib init failed");
  s.live = true;

  size_t in_pos = 0, out_pos = 0;
  constexpr size_t kChunk = size_t(1) << 30;  // z_stream counters are 32-bit
  for (;;) {
    if (out_pos == out.size()) grow();
    size_t in_len = std::min(in.size() - in_pos, kChunk);
    size_t out_len = std::min(out.size() - out_pos, kChunk);
    s.z.next_in = const_cast<Bytef*>(in.data() + in_pos);
    s.z.avail_in = static_cast<uInt>(in_len);
    s.z.next_out = out.data() + out_pos;
    s.z.avail_out = static_cast<uInt>(out_len);
    int rc = inflate(&s.z, Z_NO_FLUSH);
    in_pos += in_len - s.z.avail_in;
    out_pos += out_len - s.z.avail_out;

    if (rc == Z_STREAM_END) {
      // gzip(1) accepts concatenated members; zero padding after the last
      // member is ignored like gzip does, anything else is reported.
      size_t rest = in.size() - in_pos;
      if (rest >= 2 && in[in_pos] == 0x1f && in[in_pos + 1] == 0x8b) {
        inflateReset(&s.z);
        continue;
      }
      bool zeros = std::all_of(in.begin() + static_cast<std::ptrdiff_t>(in_pos), in.end(),
                               [](uint8_t b) { return b == 0; });
      if (!zeros)
        throw DataError(where + "expected end of file after the gzip stream, found " +
                        std::to_string(rest) + " more bytes");
      break;
    }
    if (rc == Z_DATA_ERROR)
      throw DataError(where + "corrupt gzip data at compressed byte " + std::to_string(in_pos) +
                      " (zlib: " + (s.z.msg ? s.z.msg : "data error") + ")");
    if (rc == Z_MEM_ERROR) throw DataError(where + "out of memory while decompressing");
    if (rc == Z_NEED_DICT) throw DataError(where + "expected plain gzip data, found a preset dictionary");
    // Z_OK / Z_BUF_ERROR: progress is only impossible when input ran out.
    if (in_pos == in.size() && s.z.avail_out != 0)
      throw DataError(where + "truncated gzip file: the compressed stream ends after " +
                      std::to_string(in.size()) + " bytes, before its end marker (" +
                      std::to_string(out_pos) + " bytes decompressed so far)");
  }
  out.resize(out_pos);
  return out;
}

std::vector<uint8_t> read_gzip_file(const std::string& path, const std::string& dataset) {
  return gunzip(read_file_bytes(path, dataset), path, dataset);
}

}  // namespace kcc::data
