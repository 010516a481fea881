// CIFAR-10 against the (JPEG-derived) files in shared/datasets: counts,
// shapes, label order/histograms, and pixel spot checks from an independent
// Python decode of the same files.
#include <gtest/gtest.h>

#include <array>

#include "TestSupport.h"

namespace kcc::data {
namespace {

using test::cached;

std::array<int, 10> histogram(const std::vector<int32_t>& labels, size_t begin, size_t end) {
  std::array<int, 10> h{};
  for (size_t i = begin; i < end; ++i) ++h.at(static_cast<size_t>(labels[i]));
  return h;
}

// Pixel (row, col, channel) of sample n in channels_last data, as a byte.
float px(const Array& a, int64_t n, int r, int c, int ch) {
  return a.f32[static_cast<size_t>(((n * 32 + r) * 32 + c) * 3 + ch)] * 255.f;
}

TEST(Cifar10, CountsShapesLabels) {
  const Dataset& ds = cached("cifar10");
  EXPECT_EQ(ds.num_classes, 10);
  ASSERT_EQ(ds.train.size(), 50000);
  ASSERT_EQ(ds.test.size(), 10000);
  EXPECT_EQ(ds.train.inputs[0].shape, (std::vector<int64_t>{50000, 32, 32, 3}));
  EXPECT_EQ(ds.test.inputs[0].shape, (std::vector<int64_t>{10000, 32, 32, 3}));
  EXPECT_EQ(ds.train.inputs[0].f32.size(), 50000u * 3072u);

  EXPECT_EQ(std::vector<int32_t>(ds.train.labels.begin(), ds.train.labels.begin() + 10),
            (std::vector<int32_t>{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}));
  EXPECT_EQ(std::vector<int32_t>(ds.train.labels.begin() + 9997, ds.train.labels.begin() + 10000),
            (std::vector<int32_t>{1, 1, 5}));
  // Per-batch histograms, in data_batch_1..5 order, then the totals.
  const std::array<std::array<int, 10>, 5> batches = {{
      {1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981},
      {984, 1007, 1010, 995, 1010, 988, 1008, 1026, 987, 985},
      {994, 1042, 965, 997, 990, 1029, 978, 1015, 961, 1029},
      {1003, 963, 1041, 976, 1004, 1021, 1004, 981, 1024, 983},
      {1014, 1014, 952, 1016, 997, 1025, 980, 977, 1003, 1022},
  }};
  for (size_t b = 0; b < 5; ++b)
    EXPECT_EQ(histogram(ds.train.labels, b * 10000, (b + 1) * 10000), batches[b]) << "data_batch_" << b + 1;
  std::array<int, 10> all;
  all.fill(5000);
  EXPECT_EQ(histogram(ds.train.labels, 0, 50000), all);
  all.fill(1000);
  EXPECT_EQ(histogram(ds.test.labels, 0, 10000), all);
  // This copy's test set is interleaved: record 10k+c has class c.
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(ds.test.labels[i], i % 10) << "test record " << i;
}

TEST(Cifar10, PixelSpotChecks) {
  const Dataset& ds = cached("cifar10");
  const Array& x = ds.train.inputs[0];
  // train #0: R row 0 starts 61 48 56; B row 31 ends 140 95 67; G(5,7) = 76.
  EXPECT_FLOAT_EQ(px(x, 0, 0, 0, 0), 61.f);
  EXPECT_FLOAT_EQ(px(x, 0, 0, 1, 0), 48.f);
  EXPECT_FLOAT_EQ(px(x, 0, 0, 2, 0), 56.f);
  EXPECT_FLOAT_EQ(px(x, 0, 31, 29, 2), 140.f);
  EXPECT_FLOAT_EQ(px(x, 0, 31, 30, 2), 95.f);
  EXPECT_FLOAT_EQ(px(x, 0, 31, 31, 2), 67.f);
  EXPECT_FLOAT_EQ(px(x, 0, 5, 7, 1), 76.f);
  // train #49999 (last of data_batch_5): label 1, R(31,31)=159, G(0,0)=234, B(10,20)=35.
  EXPECT_EQ(ds.train.labels[49999], 1);
  EXPECT_FLOAT_EQ(px(x, 49999, 31, 31, 0), 159.f);
  EXPECT_FLOAT_EQ(px(x, 49999, 0, 0, 1), 234.f);
  EXPECT_FLOAT_EQ(px(x, 49999, 10, 20, 2), 35.f);
  // test #0: R row 0 starts 141 159 168 187.
  const Array& t = ds.test.inputs[0];
  EXPECT_FLOAT_EQ(px(t, 0, 0, 0, 0), 141.f);
  EXPECT_FLOAT_EQ(px(t, 0, 0, 1, 0), 159.f);
  EXPECT_FLOAT_EQ(px(t, 0, 0, 2, 0), 168.f);
  EXPECT_FLOAT_EQ(px(t, 0, 0, 3, 0), 187.f);
  for (float v : x.f32) ASSERT_TRUE(v >= 0.f && v <= 1.f);
}

TEST(Cifar10, ChannelsFirstIsThePlanarTranspose) {
  DatasetOptions o;
  o.image_layout = "channels_first";
  Dataset cf = load_dataset("cifar10", test::data_root(), o);
  const Dataset& cl = cached("cifar10");
  ASSERT_EQ(cf.train.inputs[0].shape, (std::vector<int64_t>{50000, 3, 32, 32}));
  ASSERT_EQ(cf.test.inputs[0].shape, (std::vector<int64_t>{10000, 3, 32, 32}));
  EXPECT_EQ(cf.train.labels, cl.train.labels);
  for (int64_t n : {int64_t{0}, int64_t{12345}, int64_t{49999}})
    for (int ch = 0; ch < 3; ++ch)
      for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c)
          ASSERT_EQ(cf.train.inputs[0].f32[static_cast<size_t>(((n * 3 + ch) * 32 + r) * 32 + c)],
                    cl.train.inputs[0].f32[static_cast<size_t>(((n * 32 + r) * 32 + c) * 3 + ch)])
              << "sample " << n << " ch " << ch << " (" << r << "," << c << ")";
}

}  // namespace
}  // namespace kcc::data
