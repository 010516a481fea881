//===- Plugins.cpp - backends and collectives krun loads on demand --------===//

#include "core/Backend.h"
#include "core/Collective.h"

#include "core/RuntimeError.h"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <unistd.h>

namespace kcc::rt {

namespace {

/// <dir of the krun binary>/../lib/<name>, where the build puts plugins.
std::string besideExecutable(const std::string &name) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return name;
  return (exe.parent_path().parent_path() / "lib" / name).string();
}

} // namespace

std::unique_ptr<Backend> makeCudaBackend(const bin::Model &model, const std::string &path) {
  std::string lib = besideExecutable("libkcc_cuda_backend.so");
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw RuntimeError(path + ": compiled for CUDA, but the CUDA backend cannot be loaded (" + dlerror() +
                       "); compile it with kcc --target=cpu, or build kcc where CUDA and cuDNN are installed");
  auto make = reinterpret_cast<MakeCudaBackendFn>(dlsym(handle, "kcc_make_cuda_backend"));
  if (!make)
    throw RuntimeError(lib + ": not a kcc CUDA backend");
  char error[1024] = {0};
  Backend *backend = make(&model, path.c_str(), error, sizeof error);
  if (!backend)
    throw RuntimeError(error);
  return std::unique_ptr<Backend>(backend);
}

namespace {

/// One process: sums are the identity.
class SingleProcess final : public Collective {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(float *, size_t) override {}
  void sum(double *, size_t) override {}
  int startSum(float *, size_t) override { return 0; }
  void broadcast(void *, size_t, int) override {}
  void wait(int) override {}
  void minMax(unsigned long long value, unsigned long long &min, unsigned long long &max) override {
    min = max = value;
  }
  [[noreturn]] void abort(int code) override { std::exit(code); }
  std::string describe() const override { return "one process"; }
};

} // namespace

bool launchedByMpi() {
  for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(v))
      return true;
  return false;
}

std::unique_ptr<Collective> openCollective() {
  if (!launchedByMpi())
    return std::make_unique<SingleProcess>();
  std::string lib = besideExecutable("libkcc_mpi.so");
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_GLOBAL); // MPI's own plugins need its symbols
  if (!handle)
    throw RuntimeError("started by mpirun, but krun's MPI plugin cannot be loaded (" + std::string(dlerror()) +
                       "); build kcc where Open MPI is installed (scripts/setup.sh installs libopenmpi-dev)");
  auto make = reinterpret_cast<MakeMpiCollectiveFn>(dlsym(handle, "kcc_make_mpi_collective"));
  if (!make)
    throw RuntimeError(lib + ": not a kcc MPI plugin");
  char error[1024] = {0};
  Collective *c = make(error, sizeof error);
  if (!c)
    throw RuntimeError(lib + ": " + error);
  return std::unique_ptr<Collective>(c);
}

} // namespace kcc::rt
