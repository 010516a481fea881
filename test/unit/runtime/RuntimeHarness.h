//===- RuntimeHarness.h - run one model on krun's runtime and the reference ===//
//
// Compiles a Keras JSON in-process (CompiledModel), loads the model.bin with
// kcc::rt::ModelFile / Session, and keeps one set of variable values that
// both sides start from: float32-representable numbers, so that the only
// difference between the runtime (float32, oneDNN + generated kernels) and
// the reference (float64 Interpreter) is arithmetic precision.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_TEST_UNIT_RUNTIME_RUNTIMEHARNESS_H
#define KCC_TEST_UNIT_RUNTIME_RUNTIMEHARNESS_H

#include "CompiledModel.h"

#include "core/ModelFile.h"
#include "core/Session.h"

#include <cmath>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

namespace kcc::test {

inline int64_t numel(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Deterministic random tensors of float32-representable values.
class Draw {
public:
  explicit Draw(uint64_t seed) : engine(seed) {}
  double uniform(double lo, double hi) {
    return static_cast<float>(std::uniform_real_distribution<double>(lo, hi)(engine));
  }
  int64_t integer(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(engine); }
  RefTensor tensor(const std::vector<int64_t> &shape, double lo, double hi) {
    RefTensor t(shape);
    for (double &v : t.data)
      v = uniform(lo, hi);
    return t;
  }

private:
  std::mt19937_64 engine;
};

/// A model compiled once, with a runtime Session over its model.bin.
class Harness {
public:
  explicit Harness(const std::string &json, int threads = 1, const std::string &precision = "f32") {
    std::string error;
    compiled = CompiledModel::compile(json, error, precision);
    if (!compiled)
      throw std::runtime_error(error);
    file = std::make_unique<rt::ModelFile>(rt::ModelFile::fromBytes(compiled->binary(), "test-model.bin"));
    session = std::make_unique<rt::Session>(*file, threads);
  }

  CompiledModel &model() { return *compiled; }
  rt::Session &runtime() { return *session; }

  /// Random weights (uniform in +-scale) and zero optimizer slots.
  std::map<std::string, RefTensor> randomVariables(uint64_t seed, double scale = 0.5) {
    Draw draw(seed);
    std::map<std::string, RefTensor> vars;
    for (const ReferenceVariable &v : compiled->variables())
      vars[v.name] = v.optimizerState ? RefTensor(v.shape) : draw.tensor(v.shape, -scale, scale);
    return vars;
  }

  /// A random batch for @train_step: inputs in [-1, 1] (ids below |idBound|),
  /// one-hot or class-id targets, a mask of ones, then seed and step.
  std::vector<RefTensor> randomBatch(uint64_t seed, int64_t idBound = 1, int64_t stepValue = 0,
                                     int64_t seedValue = 1) {
    Draw draw(seed);
    std::vector<RefTensor> args;
    int64_t classes = 0;
    for (const StepArgument &a : compiled->trainArguments())
      if (a.role == "target" && !a.integer)
        classes = a.shape.back();
    if (!classes) // sparse: the prediction buffer tells the class count
      classes = predictionShape().back();
    for (const StepArgument &a : compiled->trainArguments()) {
      RefTensor t(a.shape);
      if (a.role == "input") {
        for (double &v : t.data)
          v = a.integer ? static_cast<double>(draw.integer(0, idBound - 1)) : draw.uniform(-1, 1);
      } else if (a.role == "target") {
        if (a.integer)
          for (double &v : t.data)
            v = static_cast<double>(draw.integer(0, classes - 1));
        else
          for (int64_t r = 0; r < a.shape[0]; ++r)
            t[r * classes + draw.integer(0, classes - 1)] = 1.0;
      } else if (a.role == "mask") {
        t = RefTensor(a.shape, 1.0);
      } else if (a.role == "seed") {
        t[0] = static_cast<double>(seedValue);
      } else if (a.role == "step") {
        t[0] = static_cast<double>(stepValue);
      }
      args.push_back(t);
    }
    return args;
  }

  std::vector<int64_t> predictionShape() {
    const bin::Buffer &b = session->bufferInfo(session->bufferWithRole(bin::BufferRole::Pred));
    return std::vector<int64_t>(b.shape()->begin(), b.shape()->end());
  }

  /// Index of the train-step argument with |role|.
  size_t argIndex(const std::string &role) const {
    const auto &args = compiled->trainArguments();
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i].role == role)
        return i;
    throw std::runtime_error("no train-step argument with role " + role);
  }

  /// Writes every variable of the model.bin from |vars|.
  void writeVariables(const std::map<std::string, RefTensor> &vars) {
    const bin::Model &m = session->model();
    for (const bin::Variable *v : *m.variables()) {
      auto it = vars.find(v->name()->str());
      if (it == vars.end())
        throw std::runtime_error("no value for variable " + v->name()->str());
      std::vector<float> data(it->second.data.begin(), it->second.data.end());
      if (static_cast<int64_t>(data.size()) != numel(shapeOf(v->buffer())))
        throw std::runtime_error("size mismatch for variable " + v->name()->str());
      session->backend().write(v->buffer(), data.data());
    }
  }

  /// Reads every variable of the model.bin.
  std::map<std::string, std::vector<float>> readVariables() {
    std::map<std::string, std::vector<float>> out;
    for (const bin::Variable *v : *session->model().variables()) {
      std::vector<float> data(numel(shapeOf(v->buffer())));
      session->backend().read(v->buffer(), data.data());
      out[v->name()->str()] = std::move(data);
    }
    return out;
  }

  /// Feeds |args| (in @train_step order) and runs one compiled train step.
  void runtimeStep(const std::vector<RefTensor> &args) {
    const auto &spec = compiled->trainArguments();
    for (size_t i = 0; i < spec.size(); ++i) {
      uint32_t buffer = session->buffer(spec[i].name);
      const bin::Buffer &info = session->bufferInfo(buffer);
      if (info.dtype() == bin::DType::I64) {
        std::vector<int64_t> v(args[i].data.begin(), args[i].data.end());
        session->backend().write(buffer, v.data());
      } else if (info.dtype() == bin::DType::I32) {
        std::vector<int32_t> v(args[i].data.begin(), args[i].data.end());
        session->backend().write(buffer, v.data());
      } else {
        std::vector<float> v(args[i].data.begin(), args[i].data.end());
        session->backend().write(buffer, v.data());
      }
    }
    session->train();
  }

  std::vector<float> readOutput(const std::string &name) {
    uint32_t buffer = session->buffer(name);
    std::vector<float> v(numel(shapeOf(buffer)));
    session->backend().read(buffer, v.data());
    return v;
  }

private:
  std::unique_ptr<CompiledModel> compiled;
  std::unique_ptr<rt::ModelFile> file;
  std::unique_ptr<rt::Session> session;

  std::vector<int64_t> shapeOf(uint32_t buffer) {
    const bin::Buffer &b = session->bufferInfo(buffer);
    return std::vector<int64_t>(b.shape()->begin(), b.shape()->end());
  }
};

/// Elements where float32 |actual| differs from the float64 |expected| by
/// more than rtol * max(|expected_i|, floor) + atol, where floor is
/// |floorFraction| of the largest |expected| (so near-zero elements of a
/// tensor are judged on the tensor's scale, not their own).
inline std::string compareTensor(const std::string &what, const std::vector<float> &actual,
                                 const std::vector<double> &expected, double rtol, double floorFraction = 0.01,
                                 double atol = 1e-7) {
  std::ostringstream os;
  os.precision(9);
  if (actual.size() != expected.size()) {
    os << what << ": " << actual.size() << " elements, expected " << expected.size() << "\n";
    return os.str();
  }
  double scale = 0;
  for (double e : expected)
    scale = std::max(scale, std::fabs(e));
  int bad = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    double bound = rtol * std::max(std::fabs(expected[i]), floorFraction * scale) + atol;
    if (!(std::fabs(actual[i] - expected[i]) <= bound)) {
      if (bad++ < 5)
        os << what << "[" << i << "]: runtime " << actual[i] << ", reference " << expected[i] << " (diff "
           << actual[i] - expected[i] << ", bound " << bound << ")\n";
    }
  }
  if (bad > 5)
    os << what << ": " << bad << " elements differ in all\n";
  return os.str();
}

} // namespace kcc::test

#endif // KCC_TEST_UNIT_RUNTIME_RUNTIMEHARNESS_H
