#include "data/Dataset.h"

#include <cstdlib>
#include <sys/stat.h>

#include "data/DataError.h"
#include "data/Gzip.h"
#include "data/Loaders.h"

namespace kcc::data {

int64_t Array::sample_elems() const {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

int64_t Array::elements() const {
  if (view) return samples() * sample_elems();
  return static_cast<int64_t>(dtype == DType::F32 ? f32.size() : i32.size());
}

namespace detail {

void require_directory(const std::string& dataset, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_missing(dataset, path, "directory");
  if (!S_ISDIR(st.st_mode))
    throw DataError(dataset + ": " + path + ": expected a directory, found a file");
}

bool channels_first(const std::string& dataset, const std::string& layout) {
  if (layout == "channels_last") return false;
  if (layout == "channels_first") return true;
  throw DataError(dataset + ": expected image layout channels_last or channels_first, found '" +
                  layout + "'");
}

}  // namespace detail

namespace {

// Samples [begin, end) of |a|: a view stays a view (no copy of a mapped file).
Array slice(const Array& a, int64_t begin, int64_t end) {
  Array b;
  b.dtype = a.dtype;
  b.shape = a.shape;
  b.shape[0] = end - begin;
  const int64_t e = a.sample_elems();
  if (a.view) {
    b.owner = a.owner;
    b.view = a.dtype == Array::DType::F32 ? static_cast<const void*>(a.f32_data() + begin * e)
                                          : static_cast<const void*>(a.i32_data() + begin * e);
  } else if (a.dtype == Array::DType::F32) {
    b.f32.assign(a.f32.begin() + begin * e, a.f32.begin() + end * e);
  } else {
    b.i32.assign(a.i32.begin() + begin * e, a.i32.begin() + end * e);
  }
  return b;
}

// Samples [begin, end) of every input and the labels (or targets) in a new Split.
Split slice(const Split& s, int64_t begin, int64_t end) {
  Split out;
  for (const Array& a : s.inputs) out.inputs.push_back(slice(a, begin, end));
  if (s.has_targets())
    out.targets = slice(s.targets, begin, end);
  else
    out.labels.assign(s.labels.begin() + begin, s.labels.begin() + end);
  return out;
}

}  // namespace

void split_validation(Split& train, Split& validation, double fraction) {
  if (!(fraction >= 0.0 && fraction < 1.0))
    throw DataError("validation_split: expected a value in [0, 1), found " +
                    std::to_string(fraction));
  const int64_t n = train.size();
  // Python: split_at = int(len(x) * (1. - validation_split)); truncation toward zero.
  const auto split_at = static_cast<int64_t>(static_cast<double>(n) * (1.0 - fraction));
  if (split_at >= n) {
    validation = Split{};
    return;
  }
  validation = slice(train, split_at, n);
  train = slice(train, 0, split_at);
}

std::string keras_cache_dir() {
  if (const char* home = std::getenv("KERAS_HOME"); home && *home) return std::string(home) + "/datasets";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "") + "/.keras/datasets";
}

Dataset find_and_load_dataset(const std::string& name, const std::string& flag_value,
                              const DatasetOptions& options, std::string& from) {
  const char* env = std::getenv("KCC_DATA");
  from = !flag_value.empty() ? flag_value : env && *env ? env : "";
  if (!from.empty()) return load_dataset(name, from, options);
  const std::string cache = keras_cache_dir();
  // What keras.datasets.mnist.load_data() and the Keras bAbI example keep there.
  const std::vector<std::string> files = name == "mnist" ? std::vector<std::string>{"mnist.npz"}
                                         : name == "babi"
                                             ? std::vector<std::string>{"babi-tasks-v1-2.tar.gz", "tasks_1-20_v1-2.tar.gz"}
                                             : std::vector<std::string>{};
  for (const std::string& f : files) {
    struct stat st {};
    if (::stat((cache + "/" + f).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    from = cache + "/" + f;
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0))
      throw DataError(name + ": validation_split: expected a value in [0, 1), found " +
                      std::to_string(options.validation_split));
    Dataset ds = name == "mnist" ? detail::load_mnist_npz(from, options) : detail::load_babi_archive(from, options);
    ds.name = name;
    if (options.validation_split > 0.0) split_validation(ds.train, ds.validation, options.validation_split);
    return ds;
  }
  std::string keras = name == "cifar10"
                          ? " (Keras's own cifar-10-batches-py holds Python pickles, which krun does not read)"
                          : files.empty() ? "" : " nor " + cache + "/" + files[0] + " (Keras's own copy)";
  throw DataError(name + ": no data: no --data DIR, no KCC_DATA" + keras +
                  ". Point --data or KCC_DATA at a folder holding mnist/, cifar10/ and babi/, run "
                  "scripts/get-datasets.sh DIR to download them (needs the internet), or train on your own "
                  "arrays with --data-npz FILE");
}

Dataset load_dataset(const std::string& name, const std::string& dir, const DatasetOptions& options) {
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0))
    throw DataError(name + ": validation_split: expected a value in [0, 1), found " +
                    std::to_string(options.validation_split));
  if (dir.empty())
    throw DataError(name + ": no datasets directory given (pass --data DIR or set KCC_DATA)");
  detail::require_directory(name, dir);

  Dataset ds;
  if (name == "mnist")
    ds = detail::load_mnist(dir, options);
  else if (name == "cifar10")
    ds = detail::load_cifar10(dir, options);
  else if (name == "babi")
    ds = detail::load_babi(dir, options);
  else
    throw DataError("unknown dataset '" + name + "': expected mnist, cifar10 or babi");

  ds.name = name;
  if (options.validation_split > 0.0) split_validation(ds.train, ds.validation, options.validation_split);
  return ds;
}

}  // namespace kcc::data
