// CIFAR-10 from the "binary version" batches (stored gzipped as .bin.gz).
//
// Each batch holds 10000 records of 3073 bytes: a label byte 0..9, then the
// 1024 R, 1024 G and 1024 B bytes of a 32x32 image, each plane row-major.
// Train = data_batch_1..5 in that order (50000), test = test_batch (10000).
// Pixels become float32 byte/255; channels_first keeps the record's planar
// order [N,3,32,32], channels_last interleaves it to [N,32,32,3], matching
// keras.datasets.cifar10.load_data() followed by astype('float32')/255.
#include <cstdint>
#include <string>
#include <vector>

#include "data/DataError.h"
#include "data/Gzip.h"
#include "data/Loaders.h"

namespace kcc::data::detail {
namespace {

constexpr const char* kName = "cifar10";
constexpr int64_t kSide = 32, kPlane = kSide * kSide, kChannels = 3;
constexpr int64_t kRecord = 1 + kChannels * kPlane;  // 3073
constexpr int64_t kPerBatch = 10000;

// Appends the records of one batch file to `images` (already sized) at sample `first`.
void read_batch(const std::string& path, bool chw, Array& images, std::vector<int32_t>& labels,
                int64_t first) {
  std::vector<uint8_t> b = read_gzip_file(path, kName);
  if (static_cast<int64_t>(b.size()) != kPerBatch * kRecord)
    throw DataError(std::string(kName) + ": " + path + ": expected " +
                    std::to_string(kPerBatch * kRecord) + " bytes (" + std::to_string(kPerBatch) +
                    " records of 3073) after decompression, found " + std::to_string(b.size()));
  for (int64_t r = 0; r < kPerBatch; ++r) {
    const uint8_t* rec = b.data() + r * kRecord;
    if (rec[0] > 9)
      throw DataError(std::string(kName) + ": " + path + ": expected labels 0..9, found " +
                      std::to_string(rec[0]) + " at record " + std::to_string(r));
    const int64_t n = first + r;
    labels[n] = rec[0];
    float* dst = images.f32.data() + n * kChannels * kPlane;
    const uint8_t* px = rec + 1;
    if (chw) {
      for (int64_t i = 0; i < kChannels * kPlane; ++i) dst[i] = static_cast<float>(px[i]) / 255.f;
    } else {
      for (int64_t p = 0; p < kPlane; ++p)
        for (int64_t c = 0; c < kChannels; ++c)
          dst[p * kChannels + c] = static_cast<float>(px[c * kPlane + p]) / 255.f;
    }
  }
}

Split read_split(const std::string& dir, const std::vector<std::string>& files, bool chw) {
  const int64_t n = kPerBatch * static_cast<int64_t>(files.size());
  Split s;
  Array images;
  images.dtype = Array::DType::F32;
  images.shape = chw ? std::vector<int64_t>{n, kChannels, kSide, kSide}
                     : std::vector<int64_t>{n, kSide, kSide, kChannels};
  images.f32.resize(static_cast<size_t>(n * kChannels * kPlane));
  s.labels.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < files.size(); ++i)
    read_batch(dir + "/" + files[i], chw, images, s.labels, static_cast<int64_t>(i) * kPerBatch);
  s.inputs.push_back(std::move(images));
  return s;
}

}  // namespace

Dataset load_cifar10(const std::string& root, const DatasetOptions& options) {
  const bool chw = channels_first(kName, options.image_layout);
  const std::string dir = root + "/cifar10/cifar-10-batches-bin";
  require_directory(kName, dir);
  Dataset ds;
  ds.train = read_split(dir,
                        {"data_batch_1.bin.gz", "data_batch_2.bin.gz", "data_batch_3.bin.gz",
                         "data_batch_4.bin.gz", "data_batch_5.bin.gz"},
                        chw);
  ds.test = read_split(dir, {"test_batch.bin.gz"}, chw);
  ds.num_classes = 10;
  ds.input_names = {"image"};
  return ds;
}

}  // namespace kcc::data::detail
