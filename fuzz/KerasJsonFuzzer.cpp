//===- KerasJsonFuzzer.cpp - libFuzzer target: the Keras JSON frontend ----===//
//
// Any bytes as a model file: parse, read the training settings, import into
// the graph dialect (shape rules and verifiers run as ops are built). Errors
// are expected; a crash, a sanitizer report, a hang or a leak is a bug.
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"

#include "mlir/IR/MLIRContext.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  kcc::frontend::Diagnostics diag("fuzz.json");
  auto model = kcc::frontend::parseKerasModel(text, "fuzz.json", diag);
  if (!model)
    return 0;
  // A fresh context per input: uniqued attributes would otherwise pile up.
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  auto module = kcc::frontend::importKerasModel(ctx, *model, {}, diag);
  return 0;
}
