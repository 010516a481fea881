//===- RefTensor.h - float64 tensors for the reference evaluator ----------===//
//
// The reference evaluator is the independent oracle of the test suite: plain
// loops in double precision, written to be obviously right. Integer tensors
// (embedding ids, class ids) are held as exact doubles.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_GRAPH_IR_REFTENSOR_H
#define KCC_GRAPH_IR_REFTENSOR_H

#include <cstdint>
#include <functional>
#include <vector>

namespace kcc::graph {

struct RefTensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  RefTensor() = default;
  explicit RefTensor(std::vector<int64_t> shape, double fill = 0.0)
      : shape(std::move(shape)) {
    data.assign(numElements(this->shape), fill);
  }

  static int64_t numElements(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t dim(int64_t i) const { return shape[i < 0 ? i + rank() : i]; }
  double &operator[](int64_t i) { return data[i]; }
  double operator[](int64_t i) const { return data[i]; }
};

} // namespace kcc::graph

#endif // KCC_GRAPH_IR_REFTENSOR_H
