//===- Backend.h - what a target gives the runtime ------------------------===//
//
// A backend owns the arena and turns each model.bin call into an Executor
// created once (primitives built, pointers resolved) and run every step.
// The CPU backend uses oneDNN and the loaded kernel object; the CUDA one
// cuDNN/cuBLAS and the PTX module.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_BACKEND_H
#define KCC_RUNTIME_CORE_BACKEND_H

#include "contract/model_generated.h"

#include <cstdint>
#include <memory>
#include <string>

namespace kcc::rt {

class Collective;

class Executor {
public:
  virtual ~Executor() = default;
  virtual void run() = 0;
  /// Which code runs the call, for profiles ("generated", "onednn:jit:avx512_core", ...).
  virtual std::string implementation() const { return "generated"; }
};

class Backend {
public:
  virtual ~Backend() = default;
  /// One line for the run header: library versions, ISA, threads.
  virtual std::string describe() const = 0;
  virtual std::unique_ptr<Executor> makeExecutor(const bin::Call &call) = 0;
  /// Data parallel: an executor that sums AllReduce |call| on the device
  /// (NCCL on CUDA), or nullptr to let the session sum through host memory.
  /// |collective| (the processes) and |share| (this one's share of the
  /// batch, its weight in the sum) are read when it runs.
  virtual std::unique_ptr<Executor> makeAllReduce(const bin::Call &call, Collective *const &collective,
                                                  const double &share) {
    return nullptr;
  }
  /// Copies between host memory and a buffer. |data| is in the buffer's
  /// plain order (Keras layout, row-major); a backend converts to and from
  /// the buffer's own layout.
  virtual void write(uint32_t buffer, const void *data) = 0;
  virtual void read(uint32_t buffer, void *data) = 0;
  /// The buffer's bytes exactly as stored (its own layout, padding
  /// included), for checkpoints that must resume bit for bit.
  virtual void writeStored(uint32_t buffer, const void *data) = 0;
  virtual void readStored(uint32_t buffer, void *data) = 0;
  /// Waits for queued work (asynchronous devices).
  virtual void synchronize() {}
  /// Binds the worker threads to one CPU each, if the backend has host
  /// threads and the user has not placed them (krun calls it; tests do not).
  /// Returns what it did, for KCC_DEBUG.
  virtual std::string pinThreads() { return "no host threads to pin"; }
};

std::unique_ptr<Backend> makeCpuBackend(const bin::Model &model, const std::string &path, int threads);

/// Loads the CUDA backend plugin (lib/libkcc_cuda_backend.so beside krun's
/// bin/) and creates it; throws RuntimeError if it or a GPU is missing.
std::unique_ptr<Backend> makeCudaBackend(const bin::Model &model, const std::string &path);

/// The plugin's entry point.
using MakeCudaBackendFn = Backend *(*)(const bin::Model *model, const char *path, char *error,
                                       unsigned errorSize);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_BACKEND_H
