//===- ModelFileFuzzer.cpp - libFuzzer target: the model.bin loader -------===//
//
// The input is the Flatbuffers part of a model.bin; the harness appends a
// valid checksum trailer, since a fuzzer would otherwise stop at the CRC
// check on every input and never reach the structure checks behind it. Then
// krun's loader runs: identifier, Flatbuffers verifier, format version,
// reference checks, and the ELF loader on the kernel object (mapping and
// relocating it, never calling it). Errors are expected; a crash or a
// sanitizer report is a bug.
//
//===----------------------------------------------------------------------===//

#include "contract/FormatVersion.h"
#include "core/ElfLoader.h"
#include "core/ModelFile.h"
#include "core/RuntimeError.h"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  kcc::bin::appendTrailer(bytes);
  try {
    kcc::rt::ModelFile file = kcc::rt::ModelFile::fromBytes(std::move(bytes), "fuzz.bin");
    const kcc::bin::CodeObject &code = *file.model().code();
    if (code.object() && code.format() && code.format()->str() == "elf-x86_64") {
      kcc::rt::LoadedObject object(code.object()->data(), code.object()->size(), "fuzz.bin");
      if (code.kernels())
        for (const flatbuffers::String *k : *code.kernels())
          object.entry(k->str() + "_entry");
    }
  } catch (const kcc::rt::RuntimeError &) {
  }
  return 0;
}
