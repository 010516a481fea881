//===- AllReduce.h - summing gradients across processes, overlapped -------===//
//
// A data-parallel step's AllReduce calls, run so that communication
// overlaps the rest of the backward pass: consecutive calls share a bucket
// (one collective sum of up to kBucketBytes); each member copies its
// gradient, weighted by the process's share of the batch, into the bucket;
// the last one starts the sum without waiting; a wait placed right before
// the first later call that touches a member's result (by arena bytes)
// completes it and writes the results. Through host memory, so every
// backend and layout works alike (read/write convert to plain order).
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_ALLREDUCE_H
#define KCC_RUNTIME_CORE_ALLREDUCE_H

#include "core/Backend.h"

#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace kcc::rt {

class Session;

class AllReduceSchedule {
public:
  /// Buckets hold at most this many bytes (a larger gradient is its own).
  static constexpr int64_t kBucketBytes = int64_t(4) << 20;

  AllReduceSchedule(Session &s, const bin::Program &program);
  ~AllReduceSchedule();

  /// The executor of call |i|, an AllReduce.
  std::unique_ptr<Executor> member(size_t i);
  /// The waits to run before call |i| (i = the number of calls: at the end).
  std::vector<std::unique_ptr<Executor>> waitsBefore(size_t i);

  struct Bucket;

private:
  Session &s;
  std::vector<std::shared_ptr<Bucket>> all;
  std::map<size_t, std::pair<std::shared_ptr<Bucket>, size_t>> memberOf; // call -> bucket, position
  std::map<size_t, std::vector<std::shared_ptr<Bucket>>> waitAt; // call -> buckets to complete first
};

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_ALLREDUCE_H
