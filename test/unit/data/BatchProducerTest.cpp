// The batch pipeline on synthetic splits whose contents encode the sample id,
// so every row of every batch can be checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <set>
#include <thread>

#include "data/BatchProducer.h"
#include "data/DataError.h"
#include "data/Random.h"

namespace kcc::data {
namespace {

// n samples: input 0 float [n,2] = (id, -id); input 1 int32 [n,3] = id*10+k;
// label = id % 3.
Split make_split(int64_t n) {
  Split s;
  Array f, i;
  f.dtype = Array::DType::F32;
  f.shape = {n, 2};
  i.dtype = Array::DType::I32;
  i.shape = {n, 3};
  for (int64_t id = 0; id < n; ++id) {
    f.f32.push_back(static_cast<float>(id));
    f.f32.push_back(-static_cast<float>(id));
    for (int k = 0; k < 3; ++k) i.i32.push_back(static_cast<int32_t>(id * 10 + k));
    s.labels.push_back(static_cast<int32_t>(id % 3));
  }
  s.inputs = {f, i};
  return s;
}

BatchOptions opts(int64_t batch, bool shuffle, uint64_t seed = 1) {
  BatchOptions o;
  o.batch_size = batch;
  o.shuffle = shuffle;
  o.seed = seed;
  o.num_classes = 3;
  return o;
}

// Runs one epoch, checking each row against its sample id; returns the ids in order.
std::vector<int64_t> run_epoch(BatchProducer& p, int64_t epoch, std::vector<int64_t>* valid_per_batch = nullptr) {
  p.start_epoch(epoch);
  std::vector<int64_t> ids;
  Batch b;
  int64_t step = 0;
  while (p.next(b)) {
    EXPECT_EQ(b.step, step++);
    const int64_t B = p.batch_size();
    EXPECT_EQ(b.inputs[0].shape, (std::vector<int64_t>{B, 2}));
    EXPECT_EQ(b.inputs[1].shape, (std::vector<int64_t>{B, 3}));
    EXPECT_EQ(b.label_shape, (std::vector<int64_t>{B, 3}));
    for (int64_t r = 0; r < b.valid; ++r) {
      const int64_t id = b.sample_ids[r];
      ids.push_back(id);
      EXPECT_EQ(b.inputs[0].f32[r * 2], static_cast<float>(id));
      EXPECT_EQ(b.inputs[0].f32[r * 2 + 1], -static_cast<float>(id));
      for (int k = 0; k < 3; ++k) EXPECT_EQ(b.inputs[1].i32[r * 3 + k], id * 10 + k);
      for (int c = 0; c < 3; ++c) EXPECT_EQ(b.labels_f32[r * 3 + c], c == id % 3 ? 1.f : 0.f);
    }
    for (int64_t r = b.valid; r < B; ++r) {  // padding rows are all zero
      EXPECT_EQ(b.inputs[0].f32[r * 2], 0.f);
      EXPECT_EQ(b.inputs[0].f32[r * 2 + 1], 0.f);
      for (int k = 0; k < 3; ++k) EXPECT_EQ(b.inputs[1].i32[r * 3 + k], 0);
      for (int c = 0; c < 3; ++c) EXPECT_EQ(b.labels_f32[r * 3 + c], 0.f);
    }
    if (valid_per_batch) valid_per_batch->push_back(b.valid);
  }
  EXPECT_FALSE(p.next(b));  // stays finished
  return ids;
}

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(Shuffle, PermutationIsPortableGolden) {
  // From an independent Python implementation of mt19937_64 + SplitMix64.
  std::vector<int64_t> o(10);
  epoch_permutation(42, 0, o);
  EXPECT_EQ(o, (std::vector<int64_t>{9, 2, 4, 8, 5, 7, 1, 0, 6, 3}));
  epoch_permutation(42, 1, o);
  EXPECT_EQ(o, (std::vector<int64_t>{2, 3, 9, 1, 5, 7, 4, 0, 8, 6}));
  std::vector<int64_t> p(20);
  epoch_permutation(7, 3, p);
  EXPECT_EQ(p, (std::vector<int64_t>{4, 8, 1, 16, 13, 7, 6, 2, 15, 17, 9, 5, 0, 12, 18, 11, 10, 3, 14, 19}));
  std::mt19937_64 standard;  // the engine itself: the standard fixes its 10000th output
  standard.discard(9999);
  EXPECT_EQ(standard(), 9981545732273789042ull);
}

TEST(BatchProducer, EveryPartialLastBatchAndZeroPadding) {
  const Split s = make_split(10);
  BatchProducer p(s, opts(4, true));
  EXPECT_EQ(p.steps_per_epoch(), 3);
  EXPECT_EQ(p.samples_per_epoch(), 10);
  std::vector<int64_t> valid;
  std::vector<int64_t> ids = run_epoch(p, 0, &valid);
  EXPECT_EQ(valid, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(sorted(ids), iota(10));
  EXPECT_NE(ids, iota(10));  // shuffled
}

TEST(BatchProducer, KerasFitStepCounts) {
  // 60000/128: 468 full batches and one of 96. The data is tiny per sample.
  const Split s = make_split(60000);
  BatchProducer p(s, opts(128, true));
  EXPECT_EQ(p.steps_per_epoch(), 469);
  std::vector<int64_t> valid;
  std::vector<int64_t> ids = run_epoch(p, 3, &valid);
  ASSERT_EQ(valid.size(), 469u);
  EXPECT_TRUE(std::all_of(valid.begin(), valid.end() - 1, [](int64_t v) { return v == 128; }));
  EXPECT_EQ(valid.back(), 96);
  EXPECT_EQ(sorted(ids), iota(60000));
}

TEST(BatchProducer, ShuffleIsReproducibleAndChangesPerEpoch) {
  const Split s = make_split(50);
  BatchProducer a(s, opts(8, true, 123)), b(s, opts(8, true, 123)), c(s, opts(8, true, 124));
  const std::vector<int64_t> a0 = run_epoch(a, 0), a1 = run_epoch(a, 1);
  EXPECT_EQ(sorted(a0), iota(50));
  EXPECT_EQ(sorted(a1), iota(50));
  EXPECT_NE(a0, a1);
  EXPECT_EQ(run_epoch(b, 1), a1);  // same (seed, epoch), other producer, other history
  EXPECT_EQ(run_epoch(b, 0), a0);
  EXPECT_EQ(run_epoch(a, 0), a0);  // repeatable on the same producer
  EXPECT_NE(run_epoch(c, 0), a0);  // other seed
  // It is exactly epoch_permutation(seed, epoch).
  std::vector<int64_t> order(50);
  epoch_permutation(123, 1, order);
  EXPECT_EQ(a1, order);
}

TEST(BatchProducer, NoShuffleKeepsOrderAndIndexLabels) {
  const Split s = make_split(7);
  BatchOptions o = opts(3, false);
  o.label_mode = LabelMode::IndexI32;
  BatchProducer p(s, o);
  p.start_epoch(5);
  Batch b;
  std::vector<int32_t> labels;
  std::vector<int64_t> ids;
  while (p.next(b)) {
    EXPECT_EQ(b.labels_f32, nullptr);
    EXPECT_EQ(b.label_shape, (std::vector<int64_t>{3}));
    for (int64_t r = 0; r < 3; ++r) {
      if (r < b.valid) {
        labels.push_back(b.labels_i32[r]);
        ids.push_back(b.sample_ids[r]);
      } else {
        EXPECT_EQ(b.labels_i32[r], 0);
      }
    }
  }
  EXPECT_EQ(ids, iota(7));
  EXPECT_EQ(labels, (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(BatchProducer, StepsPerEpochGivesFullBatchesOnly) {
  // Like fit_generator(steps_per_epoch=50000//32) on 50 samples with batch 8: 6 steps, 48 samples.
  const Split s = make_split(50);
  BatchOptions o = opts(8, true, 9);
  o.steps_per_epoch = 50 / 8;
  BatchProducer p(s, o);
  EXPECT_EQ(p.steps_per_epoch(), 6);
  EXPECT_EQ(p.samples_per_epoch(), 48);
  std::vector<int64_t> valid;
  std::vector<int64_t> ids = run_epoch(p, 2, &valid);
  EXPECT_EQ(valid, std::vector<int64_t>(6, 8));
  std::vector<int64_t> order(50);
  epoch_permutation(9, 2, order);
  EXPECT_EQ(ids, std::vector<int64_t>(order.begin(), order.begin() + 48));
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 48u);

  o.steps_per_epoch = 7;  // 56 > 50 samples
  EXPECT_THROW(BatchProducer(s, o), DataError);
}

TEST(BatchProducer, BadOptionsAreDataErrors) {
  const Split s = make_split(5);
  EXPECT_THROW(BatchProducer(s, opts(0, true)), DataError);
  BatchOptions o = opts(2, true);
  o.num_classes = 2;  // label 2 is out of range
  EXPECT_THROW(BatchProducer(s, o), DataError);
  o = opts(2, true);
  o.augment = AugmentOptions{};  // no rank-4 float input
  EXPECT_THROW(BatchProducer(s, o), DataError);
  BatchProducer p(s, opts(2, true));
  Batch b;
  EXPECT_THROW(p.next(b), std::logic_error);  // before start_epoch
}

TEST(BatchProducer, RestartAndDestroyMidEpoch) {
  const Split s = make_split(1000);
  for (int round = 0; round < 20; ++round) {
    BatchProducer p(s, opts(7, true, round));
    p.start_epoch(0);
    Batch b;
    ASSERT_TRUE(p.next(b));
    ASSERT_TRUE(p.next(b));
    p.start_epoch(1);  // abandon epoch 0 halfway
    ASSERT_TRUE(p.next(b));
    EXPECT_EQ(b.step, 0);
    std::vector<int64_t> order(1000);
    epoch_permutation(static_cast<uint64_t>(round), 1, order);
    EXPECT_EQ(b.sample_ids[0], order[0]);
    // destroyed here with the worker holding or preparing the next batch
  }
}

TEST(BatchProducer, WorkerPreparesTheNextBatchAhead) {
  const Split s = make_split(64);
  BatchProducer p(s, opts(8, false));
  p.start_epoch(0);
  Batch b0, b1;
  ASSERT_TRUE(p.next(b0));
  // While b0 is held, batch 1 is prepared in the other buffer.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(p.next(b1));
  EXPECT_NE(b0.inputs[0].f32, b1.inputs[0].f32);  // two buffers, alternating
  EXPECT_EQ(b1.sample_ids[0], 8);
  Batch b2;
  ASSERT_TRUE(p.next(b2));
  EXPECT_EQ(b2.inputs[0].f32, b0.inputs[0].f32);  // buffer of batch 0 reused for batch 2
  EXPECT_EQ(b2.sample_ids[0], 16);
}

TEST(BatchProducer, AugmentationIsDeterministicAndPerSample) {
  // 6 images 4x5x1, channels_last, pixel = 1000*id + row*10 + col.
  Split s;
  Array img;
  img.shape = {6, 4, 5, 1};
  for (int id = 0; id < 6; ++id)
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 5; ++c) img.f32.push_back(static_cast<float>(1000 * id + r * 10 + c));
  s.inputs = {img};
  s.labels = {0, 1, 0, 1, 0, 1};
  BatchOptions o;
  o.batch_size = 4;
  o.shuffle = true;
  o.seed = 77;
  o.num_classes = 2;
  o.augment = AugmentOptions{0.5, 0.5, true};  // large shifts so changes show on 4x5 images
  BatchProducer p(s, o), q(s, o);

  auto collect = [](BatchProducer& prod, int64_t epoch) {
    prod.start_epoch(epoch);
    std::vector<float> all;
    Batch b;
    while (prod.next(b)) all.insert(all.end(), b.inputs[0].f32, b.inputs[0].f32 + b.valid * 20);
    return all;
  };
  const std::vector<float> e0 = collect(p, 0);
  EXPECT_EQ(collect(q, 0), e0);
  EXPECT_NE(collect(p, 1), e0);

  // Each row equals apply_shift_flip with the documented per-sample key.
  std::vector<int64_t> order(6);
  epoch_permutation(77, 0, order);
  const ImageGeometry g{4, 5, 1, false};
  for (int64_t pos = 0; pos < 6; ++pos) {
    std::vector<float> want(20);
    ShiftFlip sf = draw_shift_flip(*o.augment, g, stream_key(77, 0, 1 + static_cast<uint64_t>(pos)));
    apply_shift_flip(img.f32.data() + order[pos] * 20, want.data(), g, sf);
    EXPECT_EQ(std::vector<float>(e0.begin() + pos * 20, e0.begin() + pos * 20 + 20), want) << "position " << pos;
    for (float v : want) EXPECT_EQ(static_cast<int>(v) / 1000, order[pos]);  // pixels come from its own image
  }

  // With every range off the "augmented" batch is the input itself.
  o.augment = AugmentOptions{0.0, 0.0, false};
  BatchProducer plain(s, o);
  const std::vector<float> id0 = collect(plain, 0);
  for (int64_t pos = 0; pos < 6; ++pos)
    EXPECT_TRUE(std::equal(id0.begin() + pos * 20, id0.begin() + pos * 20 + 20, img.f32.begin() + order[pos] * 20));
}

}  // namespace
}  // namespace kcc::data
