//===- Plugins.cpp - backends krun loads on demand ------------------------===//

#include "core/Backend.h"

#include "core/RuntimeError.h"

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

} // namespace kcc::rt
