// The runtime's input pipeline: turns a Split into fixed-size batches.
//
// A background thread prepares batch k+1 while the caller consumes batch k
// (two buffers, allocated once in the constructor; nothing is allocated per
// batch). Every batch has exactly batch_size rows so one compiled step fits
// all; a short last batch has `valid` real rows and zeros after them, which
// the step masks out.
//
// Epoch contents:
//  - steps_per_epoch == 0: ceil(N/B) batches covering every sample once, the
//    last one partial if B does not divide N (Keras fit: 60000/128 -> 468
//    full batches + one of 96).
//  - steps_per_epoch == S > 0: S full batches, the first S*B samples of the
//    epoch's order (the Keras 2.0.8 cifar10 example's
//    fit_generator(steps_per_epoch=50000//32)). Unlike Keras' generator,
//    which carries its position across epochs, every epoch starts a fresh
//    order, so the last N - S*B samples of each order are skipped.
// Order: identity without shuffle; with shuffle, epoch_permutation(seed,
// epoch) from Random.h (identical on every platform).
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "data/Augment.h"
#include "data/Dataset.h"

namespace kcc::data {

enum class LabelMode {
  OneHotF32,  // float32 [B, num_classes], like keras.utils.to_categorical
  IndexI32,   // int32 [B], the class index
  Targets,    // the rows of Split::targets as they are (a user's own y)
};

struct BatchOptions {
  int64_t batch_size = 32;
  bool shuffle = true;
  uint64_t seed = 0;
  LabelMode label_mode = LabelMode::OneHotF32;
  int num_classes = 0;  // required for OneHotF32; labels are checked against it when > 0
  // Applied to every float32 input of rank 4 ([N,H,W,C] or [N,C,H,W] per
  // image_layout). Parameters per sample from
  // draw_shift_flip(key = stream_key(seed, epoch, 1 + position in epoch)).
  std::optional<AugmentOptions> augment;
  std::string image_layout = "channels_last";
  int64_t steps_per_epoch = 0;  // 0 = ceil(N / batch_size), last batch partial
};

// A view of one prepared input, [batch_size, ...sample dims].
struct BatchInput {
  Array::DType dtype = Array::DType::F32;
  std::vector<int64_t> shape;
  const float* f32 = nullptr;  // set when dtype == F32
  const int32_t* i32 = nullptr;  // set when dtype == I32
};

// Pointers into the producer's buffers; valid until the next call to next()
// or start_epoch() (or the producer's destruction).
struct Batch {
  int64_t step = -1;   // index within the epoch
  int64_t valid = 0;   // rows [0, valid) hold samples, rows [valid, B) are zero
  std::vector<BatchInput> inputs;       // same order as Split::inputs
  std::vector<int64_t> label_shape;     // [B, num_classes], [B] or [B, target dims...]
  const float* labels_f32 = nullptr;    // OneHotF32, float32 Targets
  const int32_t* labels_i32 = nullptr;  // IndexI32, int32 Targets
  const int64_t* sample_ids = nullptr;  // Split row of each of the `valid` rows
};

class BatchProducer {
 public:
  // `split` must outlive the producer and stay unchanged. Invalid options
  // (batch_size <= 0, steps_per_epoch*B > N, labels outside [0,num_classes),
  // augmentation without a rank-4 float input, ...) throw DataError.
  BatchProducer(const Split& split, const BatchOptions& options);
  ~BatchProducer();  // stops the worker, also in the middle of an epoch
  BatchProducer(const BatchProducer&) = delete;
  BatchProducer& operator=(const BatchProducer&) = delete;

  int64_t batch_size() const { return options_.batch_size; }
  int64_t steps_per_epoch() const { return steps_; }
  // Samples delivered per epoch (N, or steps_per_epoch*B).
  int64_t samples_per_epoch() const { return samples_; }

  // Begins epoch `epoch` (any epoch, any time; a running one is abandoned).
  void start_epoch(int64_t epoch);
  // Fills `out` with the next batch of the epoch; false once the epoch is done.
  // Rethrows an exception raised while preparing the batch.
  bool next(Batch& out);

 private:
  enum class SlotState { Free, Filling, Ready, InUse };
  struct Slot {
    SlotState state = SlotState::Free;
    int64_t step = -1;
    int64_t valid = 0;
    std::vector<std::vector<float>> f32;    // per input (empty for int32 inputs)
    std::vector<std::vector<int32_t>> i32;  // per input (empty for float inputs)
    std::vector<float> onehot;    // also float32 Targets
    std::vector<int32_t> index;   // also int32 Targets
    std::vector<int64_t> ids;
  };

  void worker_loop();
  void fill(Slot& slot, int64_t step);

  const Split& split_;
  BatchOptions options_;
  int64_t samples_ = 0;  // per epoch
  int64_t steps_ = 0;
  std::vector<int64_t> sample_elems_;    // per input
  int64_t label_elems_ = 1;              // per sample: num_classes, 1, or the targets'
  std::vector<bool> augment_input_;      // per input
  ImageGeometry geometry_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool active_ = false;   // an epoch has been started
  int64_t epoch_ = 0;
  int64_t next_fill_ = 0;  // next step the worker prepares
  int64_t next_take_ = 0;  // next step next() hands out
  std::vector<int64_t> order_;
  std::exception_ptr error_;
  std::array<Slot, 2> slots_;  // step k lives in slots_[k % 2]
  std::thread worker_;
};

}  // namespace kcc::data
