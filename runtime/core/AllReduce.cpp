//===- AllReduce.cpp - summing gradients across processes, overlapped -----===//

#include "core/AllReduce.h"

#include "core/RuntimeError.h"
#include "core/Session.h"

#include <algorithm>

namespace kcc::rt {

struct AllReduceSchedule::Bucket {
  struct Member {
    uint32_t src, dst;
    size_t offset, count; // in |values|
  };
  int index = 0;
  std::vector<Member> members;
  std::vector<float> values;
  int request = -1;
};

namespace {

struct Range {
  int64_t begin, end;
  bool overlaps(const Range &o) const { return begin < o.end && o.begin < end; }
};

Range arenaRange(const Session &s, uint32_t buffer) {
  const bin::Buffer &b = s.bufferInfo(buffer);
  return {b.offset(), b.offset() + b.bytes()};
}

/// Whether |call| reads or writes bytes of any of |ranges|.
bool touches(const Session &s, const bin::Call &call, const std::vector<Range> &ranges) {
  for (auto *list : {call.inputs(), call.outputs()})
    if (list)
      for (uint32_t b : *list)
        for (const Range &r : ranges)
          if (arenaRange(s, b).overlaps(r))
            return true;
  return false;
}

Collective &collectiveOf(Session &s) {
  if (!s.collective)
    throw RuntimeError(s.path() + ": compiled for data-parallel training (kcc --ranks); run it with mpirun");
  return *s.collective;
}

/// Copies one gradient, weighted by this process's share of the batch,
/// into its bucket; the bucket's last member starts the sum.
class MemberCall : public Executor {
public:
  MemberCall(Session &s, std::shared_ptr<AllReduceSchedule::Bucket> bucket, size_t index)
      : s(s), bucket(std::move(bucket)), index(index) {}
  void run() override {
    AllReduceSchedule::Bucket &b = *bucket;
    const auto &m = b.members[index];
    float *out = b.values.data() + m.offset;
    if (s.shareOfBatch == 0) { // no rows here: its gradient is 0/0, and adds nothing
      std::fill(out, out + m.count, 0.0f);
    } else {
      s.backend().read(m.src, out);
      if (s.shareOfBatch != 1.0)
        for (size_t i = 0; i < m.count; ++i)
          out[i] = static_cast<float>(out[i] * s.shareOfBatch);
    }
    if (index + 1 == b.members.size())
      b.request = collectiveOf(s).startSum(b.values.data(), b.values.size());
  }
  std::string implementation() const override {
    return "bucket " + std::to_string(bucket->index) + " (" + std::to_string(bucket->values.size() * 4) + " bytes)";
  }

private:
  Session &s;
  std::shared_ptr<AllReduceSchedule::Bucket> bucket;
  size_t index;
};

/// Completes a bucket's sum and writes each member's result.
class WaitCall : public Executor {
public:
  WaitCall(Session &s, std::shared_ptr<AllReduceSchedule::Bucket> bucket) : s(s), bucket(std::move(bucket)) {}
  void run() override {
    collectiveOf(s).wait(bucket->request);
    bucket->request = -1;
    for (const auto &m : bucket->members)
      s.backend().write(m.dst, bucket->values.data() + m.offset);
  }
  std::string implementation() const override { return "bucket " + std::to_string(bucket->index); }

private:
  Session &s;
  std::shared_ptr<AllReduceSchedule::Bucket> bucket;
};

} // namespace

AllReduceSchedule::~AllReduceSchedule() = default;

AllReduceSchedule::AllReduceSchedule(Session &s, const bin::Program &program) : s(s) {
  const auto &calls = *program.calls();
  std::shared_ptr<Bucket> open;
  std::vector<Range> openResults;
  size_t lastMember = 0;
  // The wait goes before the first call after the bucket's last member
  // that touches one of its results, else at the end of the step.
  auto close = [&]() {
    size_t at = lastMember + 1;
    while (at < calls.size() && !touches(s, *calls.Get(at), openResults))
      ++at;
    waitAt[at].push_back(open);
    open.reset();
    openResults.clear();
  };
  for (size_t i = 0; i < calls.size(); ++i) {
    const bin::Call &call = *calls.Get(i);
    if (call.kind() != bin::CallKind::AllReduce) {
      if (open && touches(s, call, openResults))
        close();
      continue;
    }
    uint32_t src = call.inputs()->Get(0), dst = call.outputs()->Get(0);
    auto count = static_cast<size_t>(elementsOf(s.bufferInfo(src)));
    if (open && (open->values.size() + count) * 4 > static_cast<size_t>(kBucketBytes))
      close();
    if (!open) {
      open = std::make_shared<Bucket>();
      open->index = static_cast<int>(all.size());
      all.push_back(open);
    }
    memberOf[i] = {open, open->members.size()};
    open->members.push_back({src, dst, open->values.size(), count});
    open->values.resize(open->values.size() + count);
    openResults.push_back(arenaRange(s, dst));
    lastMember = i;
  }
  if (open)
    close();
}

std::unique_ptr<Executor> AllReduceSchedule::member(size_t i) {
  auto &[bucket, index] = memberOf.at(i);
  return std::make_unique<MemberCall>(s, bucket, index);
}

std::vector<std::unique_ptr<Executor>> AllReduceSchedule::waitsBefore(size_t i) {
  std::vector<std::unique_ptr<Executor>> out;
  auto it = waitAt.find(i);
  if (it != waitAt.end())
    for (const std::shared_ptr<Bucket> &b : it->second)
      out.push_back(std::make_unique<WaitCall>(s, b));
  return out;
}

} // namespace kcc::rt
