// MNIST from the four original IDX files (gzipped, as distributed).
//
// IDX is big-endian: images = magic 2051, count, rows, cols, then count*rows*cols
// bytes; labels = magic 2049, count, then count bytes. Images become float32
// byte/255 with shape [N,28,28,1] (channels_last) or [N,1,28,28]
// (channels_first); both have the same memory order, as do the [N,784] and
// [N,28,28] views the MLP and hierarchical-RNN models reshape them to.
#include <cstdint>
#include <string>
#include <vector>

#include "data/DataError.h"
#include "data/Gzip.h"
#include "data/Loaders.h"
#include "data/NumpyFiles.h"

namespace kcc::data::detail {
namespace {

constexpr const char* kName = "mnist";
constexpr uint32_t kImageMagic = 2051;
constexpr uint32_t kLabelMagic = 2049;
constexpr uint32_t kRows = 28, kCols = 28;

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
}

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  throw DataError(std::string(kName) + ": " + path + ": " + msg);
}

void expect_u32(const std::string& path, const char* what, uint32_t expected, uint32_t found) {
  if (expected != found)
    fail(path, std::string("expected ") + what + " " + std::to_string(expected) + ", found " +
                   std::to_string(found));
}

// Decodes one images file; `expected_count` is 60000 or 10000.
Array read_images(const std::string& path, uint32_t expected_count, bool chw) {
  std::vector<uint8_t> b = read_gzip_file(path, kName);
  if (b.size() < 16) fail(path, "expected a 16-byte IDX header, found " + std::to_string(b.size()) + " bytes");
  expect_u32(path, "IDX magic", kImageMagic, be32(b, 0));
  expect_u32(path, "image count", expected_count, be32(b, 4));
  expect_u32(path, "rows", kRows, be32(b, 8));
  expect_u32(path, "columns", kCols, be32(b, 12));
  const size_t pixels = size_t(expected_count) * kRows * kCols;
  if (b.size() != 16 + pixels)
    fail(path, "expected " + std::to_string(16 + pixels) + " bytes after decompression, found " +
                   std::to_string(b.size()));

  Array a;
  a.dtype = Array::DType::F32;
  a.shape = chw ? std::vector<int64_t>{expected_count, 1, kRows, kCols}
                : std::vector<int64_t>{expected_count, kRows, kCols, 1};
  a.f32.resize(pixels);
  for (size_t i = 0; i < pixels; ++i) a.f32[i] = static_cast<float>(b[16 + i]) / 255.f;
  return a;
}

std::vector<int32_t> read_labels(const std::string& path, uint32_t expected_count) {
  std::vector<uint8_t> b = read_gzip_file(path, kName);
  if (b.size() < 8) fail(path, "expected an 8-byte IDX header, found " + std::to_string(b.size()) + " bytes");
  expect_u32(path, "IDX magic", kLabelMagic, be32(b, 0));
  expect_u32(path, "label count", expected_count, be32(b, 4));
  if (b.size() != 8 + size_t(expected_count))
    fail(path, "expected " + std::to_string(8 + size_t(expected_count)) +
                   " bytes after decompression, found " + std::to_string(b.size()));
  std::vector<int32_t> labels(expected_count);
  for (uint32_t i = 0; i < expected_count; ++i) {
    uint8_t v = b[8 + i];
    if (v > 9)
      fail(path, "expected labels 0..9, found " + std::to_string(v) + " at record " + std::to_string(i));
    labels[i] = v;
  }
  return labels;
}

Split read_split(const std::string& dir, const std::string& stem, uint32_t count, bool chw) {
  Split s;
  s.inputs.push_back(read_images(dir + "/" + stem + "-images-idx3-ubyte.gz", count, chw));
  s.labels = read_labels(dir + "/" + stem + "-labels-idx1-ubyte.gz", count);
  return s;
}

}  // namespace

Dataset load_mnist(const std::string& root, const DatasetOptions& options) {
  const bool chw = channels_first(kName, options.image_layout);
  const std::string dir = root + "/mnist";
  require_directory(kName, dir);
  Dataset ds;
  ds.train = read_split(dir, "train", 60000, chw);
  ds.test = read_split(dir, "t10k", 10000, chw);
  ds.num_classes = 10;
  ds.input_names = {"image"};
  return ds;
}

Dataset load_mnist_npz(const std::string& file, const DatasetOptions& options) {
  const bool chw = channels_first(kName, options.image_layout);
  auto part = [&](const char* x_key, const char* y_key, int64_t n) {
    NpyArrayView x = open_npz_member(file, x_key), y = open_npz_member(file, y_key);
    if (x.kind != 'u' || x.itemsize != 1 || x.shape != std::vector<int64_t>{n, kRows, kCols})
      fail(file, std::string("expected ") + x_key + " uint8 of shape (" + std::to_string(n) + ", 28, 28), found " +
                     x.dtype() + " " + x.shape_text());
    if (y.kind != 'u' || y.itemsize != 1 || y.shape != std::vector<int64_t>{n})
      fail(file, std::string("expected ") + y_key + " uint8 of shape (" + std::to_string(n) + ",), found " +
                     y.dtype() + " " + y.shape_text());
    Split s;
    Array a;
    a.shape = chw ? std::vector<int64_t>{n, 1, kRows, kCols} : std::vector<int64_t>{n, kRows, kCols, 1};
    a.f32.resize(static_cast<size_t>(n * kRows * kCols));
    for (size_t i = 0; i < a.f32.size(); ++i) a.f32[i] = static_cast<float>(x.data[i]) / 255.f;
    s.inputs.push_back(std::move(a));
    for (int64_t i = 0; i < n; ++i) {
      if (y.data[i] > 9)
        fail(file, std::string(y_key) + ": expected labels 0..9, found " + std::to_string(y.data[i]) +
                       " at record " + std::to_string(i));
      s.labels.push_back(y.data[i]);
    }
    return s;
  };
  Dataset ds;
  ds.train = part("x_train", "y_train", 60000);
  ds.test = part("x_test", "y_test", 10000);
  ds.num_classes = 10;
  ds.input_names = {"image"};
  return ds;
}

}  // namespace kcc::data::detail
