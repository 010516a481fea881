// Per-dataset loaders behind load_dataset(); internal to kcc_data.
#pragma once

#include <string>

#include "data/Dataset.h"

namespace kcc::data::detail {

// Each fills train, test, num_classes, input_names (and vocab for bAbI);
// `root` is the datasets root, already checked to exist.
Dataset load_mnist(const std::string& root, const DatasetOptions& options);
Dataset load_cifar10(const std::string& root, const DatasetOptions& options);
Dataset load_babi(const std::string& root, const DatasetOptions& options);

// The same from Keras's own downloads (keras.datasets.mnist's mnist.npz; the
// bAbI archive the Keras example fetches).
Dataset load_mnist_npz(const std::string& file, const DatasetOptions& options);
Dataset load_babi_archive(const std::string& archive, const DatasetOptions& options);

// Throws the "directory not found" DataError unless `path` is a directory.
void require_directory(const std::string& dataset, const std::string& path);

// True for "channels_first", false for "channels_last", DataError otherwise.
bool channels_first(const std::string& dataset, const std::string& layout);

}  // namespace kcc::data::detail
