//===- Session.h - a loaded model ready to run steps ----------------------===//
//
// Owns the backend (arena, kernels) and both step programs, built once.
// Provides named access to the step's input/output buffers, variable
// initialisation, weight import/export in Keras's get_weights() order, and
// optional per-call timing for profiles.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_SESSION_H
#define KCC_RUNTIME_CORE_SESSION_H

#include "core/Backend.h"
#include "core/Collective.h"
#include "core/ModelFile.h"

#include <map>
#include <string>
#include <vector>

namespace kcc::rt {

struct CallStats {
  std::string kind, layer, implementation;
  double seconds = 0;
  int64_t runs = 0;
};

class Session {
public:
  Session(const ModelFile &file, int threads);

  const bin::Model &model() const { return file.model(); }
  Backend &backend() { return *device; }
  const std::string &path() const { return file.path(); }
  const ModelFile &modelFile() const { return file; }

  /// Index of the buffer named |name|; throws RuntimeError if absent.
  uint32_t buffer(const std::string &name) const;
  bool hasBuffer(const std::string &name) const { return named.count(name) != 0; }
  /// Index of the one step buffer with |role| (not Input: see
  /// Model.inputs); throws RuntimeError if the file has none.
  uint32_t bufferWithRole(bin::BufferRole role) const;
  const bin::Buffer &bufferInfo(uint32_t index) const { return *model().buffers()->Get(index); }

  /// Draws every variable (or only the optimizer state, which weight files
  /// do not hold) from its initializer: slots start at zero, Adagrad's
  /// accumulator at its initial_accumulator_value.
  void initializeVariables(uint64_t seed, bool optimizerStateOnly = false);
  /// w000.npy... in Keras get_weights() order (shapes checked).
  void loadWeights(const std::string &dir);
  void dumpWeights(const std::string &dir);
  /// Keras-order weights, for tests: (name, shape, values).
  std::vector<const bin::Variable *> weightsInKerasOrder() const;
  /// DIR/w000.npy ...: weight |i| (Keras get_weights() order) in a weights folder.
  static std::string weightFile(const std::string &dir, size_t i);

  void train() { run(trainProgram, trainStats); }
  void evaluate() { run(evalProgram, evalStats); }

  bool profiling = false;
  std::vector<CallStats> trainStats, evalStats;

  /// Data parallel: the processes the AllReduce calls sum over, and this
  /// process's share of the current batch's samples (its rows / the
  /// batch's), which weights its gradients in the sum. Set by the trainer.
  Collective *collective = nullptr;
  double shareOfBatch = 1.0;

private:
  const ModelFile &file;
  std::unique_ptr<Backend> device;
  std::map<std::string, uint32_t> named;
  std::map<bin::BufferRole, uint32_t> roles;
  std::vector<std::unique_ptr<Executor>> trainProgram, evalProgram;

  void build(const bin::Program &p, std::vector<std::unique_ptr<Executor>> &out,
             std::vector<CallStats> &stats);
  void run(std::vector<std::unique_ptr<Executor>> &program, std::vector<CallStats> &stats);
};

/// Human name of a call kind ("matmul", "conv2d", ...).
const char *callKindName(bin::CallKind kind);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_SESSION_H
