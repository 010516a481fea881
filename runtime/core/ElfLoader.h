//===- ElfLoader.h - load kcc's generated kernels without LLVM ------------===//
//
// kcc emits the generated kernels as one relocatable x86-64 ELF object
// (large code model, so relocations are absolute). This maps its sections,
// applies the relocations and hands out the `<kernel>_entry` functions, so
// krun needs neither LLVM nor a linker, nor a temporary file.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_ELFLOADER_H
#define KCC_RUNTIME_CORE_ELFLOADER_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace kcc::rt {

using KernelEntry = void (*)(void **buffers, int64_t begin, int64_t end);

class LoadedObject {
public:
  /// Throws RuntimeError (naming |what|) if the object is malformed or uses
  /// a relocation or external symbol krun cannot provide.
  LoadedObject(const uint8_t *data, size_t size, const std::string &what);
  ~LoadedObject();
  LoadedObject(const LoadedObject &) = delete;
  LoadedObject &operator=(const LoadedObject &) = delete;

  /// The function named |symbol|; throws if absent.
  KernelEntry entry(const std::string &symbol) const;

private:
  void *memory = nullptr;
  size_t memorySize = 0;
  std::map<std::string, uintptr_t> symbols;
  std::string what;
};

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_ELFLOADER_H
