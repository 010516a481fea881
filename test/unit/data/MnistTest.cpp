// MNIST against the real files: counts, shapes, labels, pixel values. The
// expected numbers come from the datasets README and an independent Python
// decode of the same gz files.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "TestSupport.h"

namespace kcc::data {
namespace {

using test::cached;

std::array<int, 10> histogram(const std::vector<int32_t>& labels) {
  std::array<int, 10> h{};
  for (int32_t l : labels) ++h.at(static_cast<size_t>(l));
  return h;
}

TEST(Mnist, CountsShapesAndNames) {
  const Dataset& ds = cached("mnist");
  EXPECT_EQ(ds.name, "mnist");
  EXPECT_EQ(ds.num_classes, 10);
  EXPECT_EQ(ds.input_names, std::vector<std::string>{"image"});
  ASSERT_EQ(ds.train.inputs.size(), 1u);
  ASSERT_EQ(ds.test.inputs.size(), 1u);
  EXPECT_EQ(ds.train.size(), 60000);
  EXPECT_EQ(ds.test.size(), 10000);
  EXPECT_EQ(ds.train.inputs[0].shape, (std::vector<int64_t>{60000, 28, 28, 1}));
  EXPECT_EQ(ds.test.inputs[0].shape, (std::vector<int64_t>{10000, 28, 28, 1}));
  EXPECT_EQ(ds.train.inputs[0].dtype, Array::DType::F32);
  EXPECT_EQ(ds.train.inputs[0].f32.size(), 60000u * 784u);
  EXPECT_EQ(ds.test.inputs[0].f32.size(), 10000u * 784u);
  EXPECT_EQ(ds.validation.size(), 0);
}

TEST(Mnist, LabelHistogramsAndFirstLabels) {
  const Dataset& ds = cached("mnist");
  EXPECT_EQ(histogram(ds.train.labels),
            (std::array<int, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  EXPECT_EQ(histogram(ds.test.labels),
            (std::array<int, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
  EXPECT_EQ(std::vector<int32_t>(ds.train.labels.begin(), ds.train.labels.begin() + 10),
            (std::vector<int32_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}));
  EXPECT_EQ(std::vector<int32_t>(ds.test.labels.begin(), ds.test.labels.begin() + 10),
            (std::vector<int32_t>{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}));
}

TEST(Mnist, PixelsAreBytesOver255) {
  const Dataset& ds = cached("mnist");
  const std::vector<float>& x = ds.train.inputs[0].f32;
  auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  EXPECT_EQ(*lo, 0.f);
  EXPECT_EQ(*hi, 1.f);
  // Every value is exactly k/255.f for an integer k, and the byte total
  // matches an independent decode (sum of all training bytes).
  double byte_sum = 0;
  for (float v : x) {
    const float k = std::round(v * 255.f);
    ASSERT_EQ(v, k / 255.f);
    byte_sum += k;
  }
  EXPECT_EQ(byte_sum, 1567298545.0);
  // Image 0 (a 5): byte sum 27525, pixel (14,14) = 240, brightest pixel 255 at index 161.
  double img0 = 0;
  for (int i = 0; i < 784; ++i) img0 += std::round(x[i] * 255.f);
  EXPECT_EQ(img0, 27525.0);
  EXPECT_EQ(x[14 * 28 + 14], 240.f / 255.f);
  EXPECT_EQ(std::max_element(x.begin(), x.begin() + 784) - x.begin(), 161);
  const std::vector<float>& t = ds.test.inputs[0].f32;
  double last = 0;
  for (size_t i = t.size() - 784; i < t.size(); ++i) last += std::round(t[i] * 255.f);
  EXPECT_EQ(last, 41833.0);
}

TEST(Mnist, ChannelsFirstHasSameMemoryOrder) {
  DatasetOptions o;
  o.image_layout = "channels_first";
  Dataset cf = load_dataset("mnist", test::data_root(), o);
  EXPECT_EQ(cf.train.inputs[0].shape, (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(cf.test.inputs[0].shape, (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_TRUE(cf.train.inputs[0].f32 == cached("mnist").train.inputs[0].f32);
}

TEST(Mnist, ValidationSplitTakesTheTail) {
  DatasetOptions o;
  o.validation_split = 0.1;
  Dataset ds = load_dataset("mnist", test::data_root(), o);
  const Dataset& full = cached("mnist");
  ASSERT_EQ(ds.train.size(), 54000);
  ASSERT_EQ(ds.validation.size(), 6000);
  EXPECT_EQ(ds.train.inputs[0].shape[0], 54000);
  EXPECT_EQ(ds.validation.inputs[0].shape, (std::vector<int64_t>{6000, 28, 28, 1}));
  EXPECT_TRUE(std::equal(ds.validation.labels.begin(), ds.validation.labels.end(),
                         full.train.labels.begin() + 54000));
  EXPECT_TRUE(std::equal(ds.validation.inputs[0].f32.begin(), ds.validation.inputs[0].f32.end(),
                         full.train.inputs[0].f32.begin() + 54000 * 784));
  EXPECT_EQ(ds.test.size(), 10000);
}

}  // namespace
}  // namespace kcc::data
