// In-memory datasets for the Keras reference workloads (MNIST, CIFAR-10, bAbI)
// in the exact form the Keras 2.0.8 example scripts feed to model.fit().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kcc::data {

// A dense, row-major tensor whose first dimension indexes samples.
// The data is either owned (f32 / i32, chosen by dtype) or a view into
// memory that `owner` keeps alive (a memory-mapped .npy file): read it
// through f32_data() / i32_data().
struct Array {
  enum class DType { F32, I32 };
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // shape[0] = number of samples
  std::vector<float> f32;
  std::vector<int32_t> i32;
  std::shared_ptr<const void> owner;  // set for a view
  const void* view = nullptr;         // the view's first element

  int64_t samples() const { return shape.empty() ? 0 : shape[0]; }
  // Elements per sample: the product of shape[1:].
  int64_t sample_elems() const;
  // Elements the data holds (owned or viewed).
  int64_t elements() const;
  const float* f32_data() const { return view ? static_cast<const float*>(view) : f32.data(); }
  const int32_t* i32_data() const { return view ? static_cast<const int32_t*>(view) : i32.data(); }
};

// One part of a dataset: parallel inputs plus, per sample, a class index
// (the built-in datasets) or a row of `targets` (a user's own arrays, fed to
// the model's target as they are).
struct Split {
  std::vector<Array> inputs;     // one per model input, same order as Dataset::input_names
  std::vector<int32_t> labels;   // class index in [0, num_classes)
  Array targets;                 // used when `labels` is empty and targets.shape is not
  bool has_targets() const { return labels.empty() && !targets.shape.empty(); }
  int64_t size() const { return has_targets() ? targets.samples() : static_cast<int64_t>(labels.size()); }
};

struct Dataset {
  std::string name;                      // "mnist" | "cifar10" | "babi"
  Split train;                           // first int(N*(1-validation_split)) training samples
  Split validation;                      // the rest (empty when validation_split == 0)
  Split test;
  int num_classes = 0;                   // bAbI: vocab_size = len(vocab)+1 (index 0 = padding)
  std::vector<std::string> input_names;  // mnist/cifar10: {"image"}; babi: {"story","question"}
  std::vector<std::string> vocab;        // bAbI only: vocab[i] is the word with index i+1
};

struct DatasetOptions {
  std::string image_layout = "channels_last";  // or "channels_first" (CIFAR-10, MNIST)
  std::string babi_task = "qa2";                // "qa1".."qa20"
  std::string babi_set = "en";                  // "en" (1k) or "en-10k"
  // Keras fit(validation_split=s): the LAST fraction s of the training arrays,
  // taken before any shuffling, becomes Dataset::validation. Must be in [0, 1).
  double validation_split = 0.0;
};

// Loads `name` from `<dir>/<name>/...`. `dir` is the datasets root (the
// folder holding mnist/, cifar10/, babi/). Throws DataError on any problem
// with the files or the options.
Dataset load_dataset(const std::string& name, const std::string& dir,
                     const DatasetOptions& options = {});

// Keras's download folder: $KERAS_HOME/datasets, else ~/.keras/datasets.
std::string keras_cache_dir();

// Loads `name` from `flag_value` (--data), else $KCC_DATA, else the copy
// Keras itself downloaded (mnist.npz; the bAbI archive as the Keras example
// names it) in keras_cache_dir(); sets `from` to the folder or file used.
// With none of them a DataError says every way to provide the data.
Dataset find_and_load_dataset(const std::string& name, const std::string& flag_value,
                              const DatasetOptions& options, std::string& from);

// Moves the tail of `train` into `validation` like Keras fit(validation_split):
// split_at = int(N * (1 - fraction)), computed in double like Python.
void split_validation(Split& train, Split& validation, double fraction);

}  // namespace kcc::data
