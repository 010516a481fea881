// The pipeline allocates nothing per batch once built: this binary's global
// operator new counts allocations while a flag is set, and a whole epoch
// (with augmentation, on both threads) must not allocate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "data/BatchProducer.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace kcc::data {
namespace {

TEST(BatchProducerAllocation, NoAllocationPerBatch) {
  Split s;
  Array img;
  img.shape = {1000, 8, 8, 3};
  img.f32.assign(1000 * 8 * 8 * 3, 0.5f);
  s.inputs = {img};
  s.labels.assign(1000, 1);
  BatchOptions o;
  o.batch_size = 32;  // 31 full batches + one of 8
  o.num_classes = 10;
  o.augment = AugmentOptions{};
  BatchProducer p(s, o);
  Batch b;
  p.start_epoch(0);  // warm-up: sizes `b`, first-use buffers on the worker
  while (p.next(b)) {
  }

  long batches = 0;
  g_allocations = 0;
  g_counting = true;
  p.start_epoch(1);
  while (p.next(b)) ++batches;
  p.start_epoch(2);
  while (p.next(b)) ++batches;
  g_counting = false;
  EXPECT_EQ(batches, 64);
  EXPECT_EQ(g_allocations.load(), 0);
}

}  // namespace
}  // namespace kcc::data
