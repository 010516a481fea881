// Error type of the dataset library.
//
// Everything the user controls (the datasets directory, the files in it, the
// options) is reported through DataError, never through a crash or an assert,
// so the runtime can print the message and exit non-zero. Messages follow one
// shape: "<dataset>: <path>: expected <what>, found <what>", and missing files
// say how to point the runtime at the data (--data DIR or KCC_DATA).
#pragma once

#include <stdexcept>
#include <string>

namespace kcc::data {

class DataError : public std::runtime_error {
 public:
  explicit DataError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace kcc::data
