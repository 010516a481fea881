// In-memory datasets for the Keras reference workloads (MNIST, CIFAR-10, bAbI)
// in the exact form the Keras 2.0.8 example scripts feed to model.fit().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::data {

// A dense, row-major tensor whose first dimension indexes samples.
// Exactly one of f32 / i32 holds the data, chosen by dtype.
struct Array {
  enum class DType { F32, I32 };
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // shape[0] = number of samples
  std::vector<float> f32;
  std::vector<int32_t> i32;

  int64_t samples() const { return shape.empty() ? 0 : shape[0]; }
  // Elements per sample: the product of shape[1:].
  int64_t sample_elems() const;
};

// One part of a dataset: parallel inputs plus a class index per sample.
struct Split {
  std::vector<Array> inputs;     // one per model input, same order as Dataset::input_names
  std::vector<int32_t> labels;   // class index in [0, num_classes)
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
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

// The datasets root to use: `flag_value` when non-empty (from --data DIR),
// else $KCC_DATA, else a DataError explaining both ways to set it.
std::string resolve_data_root(const std::string& flag_value);

// Moves the tail of `train` into `validation` like Keras fit(validation_split):
// split_at = int(N * (1 - fraction)), computed in double like Python.
void split_validation(Split& train, Split& validation, double fraction);

}  // namespace kcc::data
