#include "data/BatchProducer.h"

#include <algorithm>
#include <cstring>

#include "data/DataError.h"
#include "data/Random.h"

namespace kcc::data {
namespace {

[[noreturn]] void bad(const std::string& msg) { throw DataError("batch producer: " + msg); }

}  // namespace

BatchProducer::BatchProducer(const Split& split, const BatchOptions& options)
    : split_(split), options_(options) {
  const int64_t n = split.size();
  const int64_t b = options.batch_size;
  if (b <= 0) bad("expected batch_size > 0, found " + std::to_string(b));
  if (split.inputs.empty()) bad("expected at least one input array, found none");
  for (size_t i = 0; i < split.inputs.size(); ++i) {
    const Array& a = split.inputs[i];
    const int64_t have = a.elements();
    if (a.samples() != n || have != n * a.sample_elems())
      bad("input " + std::to_string(i) + ": expected " + std::to_string(n) +
          " samples matching its shape, found shape[0]=" + std::to_string(a.samples()) + " and " +
          std::to_string(have) + " elements");
    sample_elems_.push_back(a.sample_elems());
  }
  if (options.label_mode == LabelMode::OneHotF32 && options.num_classes <= 0)
    bad("one-hot labels need num_classes > 0");
  if ((options.label_mode == LabelMode::Targets) != split.has_targets())
    bad(split.has_targets() ? "the split has targets, expected class labels"
                            : "expected targets in the split, found class labels");
  if (options.label_mode == LabelMode::Targets) {
    const Array& t = split.targets;
    if (t.elements() != n * t.sample_elems()) bad("targets: expected " + std::to_string(n) + " samples");
    label_elems_ = t.sample_elems();
  } else if (options.label_mode == LabelMode::OneHotF32) {
    label_elems_ = options.num_classes;
  }
  if (options.num_classes > 0 && options.label_mode != LabelMode::Targets)
    for (int64_t i = 0; i < n; ++i)
      if (split.labels[i] < 0 || split.labels[i] >= options.num_classes)
        bad("expected labels in [0, " + std::to_string(options.num_classes) + "), found " +
            std::to_string(split.labels[i]) + " at sample " + std::to_string(i));

  if (options.steps_per_epoch < 0) bad("expected steps_per_epoch >= 0");
  if (options.steps_per_epoch > 0) {
    if (options.steps_per_epoch > n / b)
      bad("steps_per_epoch " + std::to_string(options.steps_per_epoch) + " x batch " +
          std::to_string(b) + " needs more than the " + std::to_string(n) + " samples available");
    steps_ = options.steps_per_epoch;
    samples_ = steps_ * b;
  } else {
    steps_ = (n + b - 1) / b;
    samples_ = n;
  }

  augment_input_.assign(split.inputs.size(), false);
  if (options.augment) {
    const bool chw = options.image_layout == "channels_first";
    if (!chw && options.image_layout != "channels_last")
      bad("expected image layout channels_last or channels_first, found '" + options.image_layout + "'");
    bool any = false;
    for (size_t i = 0; i < split.inputs.size(); ++i) {
      const Array& a = split.inputs[i];
      if (a.dtype != Array::DType::F32 || a.shape.size() != 4) continue;
      ImageGeometry g;
      g.channels_first = chw;
      g.rows = chw ? a.shape[2] : a.shape[1];
      g.cols = chw ? a.shape[3] : a.shape[2];
      g.channels = chw ? a.shape[1] : a.shape[3];
      if (any && (g.rows != geometry_.rows || g.cols != geometry_.cols || g.channels != geometry_.channels))
        bad("augmented image inputs must share one shape");
      geometry_ = g;
      augment_input_[i] = any = true;
    }
    if (!any) bad("augmentation needs a float32 image input of rank 4, found none");
  }

  for (Slot& s : slots_) {
    s.f32.resize(split.inputs.size());
    s.i32.resize(split.inputs.size());
    for (size_t i = 0; i < split.inputs.size(); ++i) {
      const auto elems = static_cast<size_t>(b * sample_elems_[i]);
      if (split.inputs[i].dtype == Array::DType::F32)
        s.f32[i].assign(elems, 0.f);
      else
        s.i32[i].assign(elems, 0);
    }
    const bool f32Labels = options.label_mode == LabelMode::OneHotF32 ||
                           (options.label_mode == LabelMode::Targets && split.targets.dtype == Array::DType::F32);
    if (f32Labels)
      s.onehot.assign(static_cast<size_t>(b * label_elems_), 0.f);
    else
      s.index.assign(static_cast<size_t>(b * label_elems_), 0);
    s.ids.assign(static_cast<size_t>(b), -1);
  }
  order_.resize(static_cast<size_t>(n));
  worker_ = std::thread(&BatchProducer::worker_loop, this);
}

BatchProducer::~BatchProducer() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();  // a fill in progress finishes first; it touches only our buffers
}

void BatchProducer::start_epoch(int64_t epoch) {
  std::unique_lock<std::mutex> lk(mu_);
  // Stop handing out new work, then let a fill in progress finish: the
  // worker reads order_ and epoch_ without the lock while filling.
  active_ = false;
  cv_.wait(lk, [&] {
    return std::none_of(slots_.begin(), slots_.end(),
                        [](const Slot& s) { return s.state == SlotState::Filling; });
  });
  if (error_) std::rethrow_exception(error_);
  for (Slot& s : slots_) s.state = SlotState::Free;
  epoch_ = epoch;
  if (options_.shuffle)
    epoch_permutation(options_.seed, static_cast<uint64_t>(epoch), order_);
  else
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<int64_t>(i);
  next_fill_ = next_take_ = 0;
  active_ = true;
  lk.unlock();
  cv_.notify_all();
}

bool BatchProducer::next(Batch& out) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!active_) throw std::logic_error("BatchProducer::next() called before start_epoch()");
  // The batch handed out last time is done with: let the worker reuse it.
  for (Slot& s : slots_)
    if (s.state == SlotState::InUse) s.state = SlotState::Free;
  cv_.notify_all();
  if (next_take_ >= steps_) return false;

  Slot& s = slots_[next_take_ % 2];
  const int64_t step = next_take_;
  cv_.wait(lk, [&] { return error_ || (s.state == SlotState::Ready && s.step == step); });
  if (error_) std::rethrow_exception(error_);
  s.state = SlotState::InUse;
  ++next_take_;
  lk.unlock();

  const int64_t b = options_.batch_size;
  // Shapes are rewritten only when they differ (first use of `out`), so a
  // reused Batch costs no allocation.
  out.inputs.resize(split_.inputs.size());
  for (size_t i = 0; i < split_.inputs.size(); ++i) {
    BatchInput& in = out.inputs[i];
    in.dtype = split_.inputs[i].dtype;
    if (in.shape.size() != split_.inputs[i].shape.size() ||
        !std::equal(in.shape.begin() + 1, in.shape.end(), split_.inputs[i].shape.begin() + 1) ||
        in.shape[0] != b) {
      in.shape = split_.inputs[i].shape;
      in.shape[0] = b;
    }
  }
  if (options_.label_mode == LabelMode::OneHotF32) {
    out.label_shape.assign({b, int64_t{options_.num_classes}});
  } else if (options_.label_mode == LabelMode::Targets) {
    out.label_shape = split_.targets.shape;
    out.label_shape[0] = b;
  } else {
    out.label_shape.assign({b});
  }
  for (size_t i = 0; i < split_.inputs.size(); ++i) {
    out.inputs[i].f32 = s.f32[i].empty() ? nullptr : s.f32[i].data();
    out.inputs[i].i32 = s.i32[i].empty() ? nullptr : s.i32[i].data();
  }
  out.labels_f32 = s.onehot.empty() ? nullptr : s.onehot.data();
  out.labels_i32 = s.index.empty() ? nullptr : s.index.data();
  out.sample_ids = s.ids.data();
  out.step = step;
  out.valid = s.valid;
  return true;
}

void BatchProducer::worker_loop() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] {
      return stop_ || (active_ && !error_ && next_fill_ < steps_ &&
                       slots_[next_fill_ % 2].state == SlotState::Free);
    });
    if (stop_) return;
    const int64_t step = next_fill_++;
    Slot& s = slots_[step % 2];
    s.state = SlotState::Filling;
    lk.unlock();
    try {
      fill(s, step);
    } catch (...) {
      lk.lock();
      error_ = std::current_exception();
      s.state = SlotState::Free;
      cv_.notify_all();
      continue;
    }
    lk.lock();
    s.step = step;
    s.state = SlotState::Ready;
    cv_.notify_all();
  }
}

void BatchProducer::fill(Slot& s, int64_t step) {
  const int64_t b = options_.batch_size;
  const int64_t begin = step * b;
  const int64_t valid = std::min(b, samples_ - begin);
  s.valid = valid;

  for (int64_t r = 0; r < valid; ++r) {
    const int64_t id = order_[static_cast<size_t>(begin + r)];
    s.ids[r] = id;
    ShiftFlip sf;
    if (options_.augment)
      sf = draw_shift_flip(*options_.augment, geometry_,
                           stream_key(options_.seed, static_cast<uint64_t>(epoch_),
                                      1 + static_cast<uint64_t>(begin + r)));
    for (size_t i = 0; i < split_.inputs.size(); ++i) {
      const Array& a = split_.inputs[i];
      const int64_t e = sample_elems_[i];
      if (a.dtype == Array::DType::F32) {
        const float* src = a.f32_data() + id * e;
        float* dst = s.f32[i].data() + r * e;
        if (augment_input_[i])
          apply_shift_flip(src, dst, geometry_, sf);
        else
          std::memcpy(dst, src, static_cast<size_t>(e) * sizeof(float));
      } else {
        std::memcpy(s.i32[i].data() + r * e, a.i32_data() + id * e, static_cast<size_t>(e) * sizeof(int32_t));
      }
    }
    if (options_.label_mode == LabelMode::Targets) {
      const Array& t = split_.targets;
      const auto e = static_cast<size_t>(label_elems_);
      if (t.dtype == Array::DType::F32)
        std::memcpy(s.onehot.data() + r * e, t.f32_data() + id * label_elems_, e * sizeof(float));
      else
        std::memcpy(s.index.data() + r * e, t.i32_data() + id * label_elems_, e * sizeof(int32_t));
      continue;
    }
    const int32_t label = split_.labels[static_cast<size_t>(id)];
    if (options_.label_mode == LabelMode::OneHotF32) {
      float* row = s.onehot.data() + r * options_.num_classes;
      std::fill(row, row + options_.num_classes, 0.f);
      row[label] = 1.f;
    } else {
      s.index[r] = label;
    }
  }

  // Rows past `valid` are zero so a fixed-size step sees no stale samples.
  if (valid < b) {
    for (size_t i = 0; i < split_.inputs.size(); ++i) {
      const int64_t e = sample_elems_[i];
      if (!s.f32[i].empty()) std::fill(s.f32[i].begin() + valid * e, s.f32[i].end(), 0.f);
      if (!s.i32[i].empty()) std::fill(s.i32[i].begin() + valid * e, s.i32[i].end(), 0);
    }
    if (!s.onehot.empty()) std::fill(s.onehot.begin() + valid * label_elems_, s.onehot.end(), 0.f);
    if (!s.index.empty()) std::fill(s.index.begin() + valid * label_elems_, s.index.end(), 0);
    std::fill(s.ids.begin() + valid, s.ids.end(), -1);
  }
}

}  // namespace kcc::data
