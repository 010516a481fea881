//===- GradientCheck.h - finite-difference checks of gradient rules -------===//
//
// The oracle of these tests is central finite differences of a scalar
// L(x) = sum(R * f(x)) in float64, where f is a function of graph ops run by
// the reference Interpreter and R a fixed random tensor. The analytic side is
// whatever the compiler produces: an op's GradientOpInterface::buildGradients
// (called with R as the result gradient), or the gradients returned by the
// real graph-build-train-step pass. Both sides are evaluated by the same
// float64 reference, so a mismatch means a wrong gradient rule (or a wrong
// reference backward op), not rounding.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_TEST_UNIT_GRADIENTS_GRADIENTCHECK_H
#define KCC_TEST_UNIT_GRADIENTS_GRADIENTCHECK_H

#include "ir/Graph/IR/RefTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace kcc::test {

using graph::RefTensor;

/// A context with every dialect the graph IR and the passes use.
void prepareContext(mlir::MLIRContext &ctx);

/// Deterministic random numbers for test inputs.
class Random {
public:
  explicit Random(uint64_t seed) : engine(seed) {}
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(engine);
  }
  int64_t integer(int64_t lo, int64_t hi) { // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  /// Uniform in [lo, hi] but at least |margin| away from every kink.
  double awayFrom(double lo, double hi, const std::vector<double> &kinks, double margin);
  RefTensor tensor(std::vector<int64_t> shape, double lo = -1.0, double hi = 1.0);
  RefTensor tensorAwayFrom(std::vector<int64_t> shape, double lo, double hi,
                           const std::vector<double> &kinks, double margin);

private:
  std::mt19937_64 engine;
};

struct Tolerance {
  double rtol = 1e-6;
  double atol = 1e-8;
};

/// One element whose analytic and numeric gradients disagree.
struct Mismatch {
  std::string what; // operand or variable name
  int64_t index;
  double analytic, numeric;
};

/// Compares analytic[i] with numeric[i] for the listed indices; appends a
/// Mismatch for each pair outside |tol| (|a - n| > atol + rtol * max(|a|, |n|)).
void compareGradients(const std::string &what, const RefTensor &analytic,
                      const std::vector<int64_t> &indices, const std::vector<double> &numeric,
                      const Tolerance &tol, std::vector<Mismatch> &out);

std::string describe(const std::vector<Mismatch> &mismatches, size_t limit = 8);

/// Up to |limit| element indices of a tensor with |n| elements: all of them
/// if n <= limit, else the first, the last and a random sample in between.
std::vector<int64_t> sampleIndices(int64_t n, int64_t limit, Random &rng);

/// sum(r * y) over all elements.
double weightedSum(const RefTensor &r, const RefTensor &y);

/// Checks one op's gradient rule. |moduleText| holds `func.func @f` whose
/// returned value is produced by the op under test (other ops of @f are
/// evaluated but not differentiated: they must not sit between an argument
/// and the op). |args| are @f's arguments; |differentiable| says which ones
/// get a gradient (the others, e.g. integer ids or seeds, are held fixed).
struct OpGradientCase {
  std::string moduleText;
  std::vector<RefTensor> args;
  std::vector<bool> differentiable;
  Tolerance tol;
  double h = 1e-6;
  int64_t maxElementsPerArg = 48;
  uint64_t seed = 7;
};

struct OpGradientResult {
  std::string error;                 // set if anything failed before comparing
  std::vector<RefTensor> analytic;   // per argument; empty tensor if not differentiable
  std::vector<std::vector<int64_t>> indices;
  std::vector<std::vector<double>> numeric;
  std::vector<Mismatch> mismatches;
  int64_t checked = 0;
  std::string gradientIR;            // the @grad function built from the rule
};

OpGradientResult checkOpGradient(const OpGradientCase &c);

} // namespace kcc::test

#endif // KCC_TEST_UNIT_GRADIENTS_GRADIENTCHECK_H
