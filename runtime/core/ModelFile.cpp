//===- ModelFile.cpp - load and verify a model.bin ------------------------===//

#include "core/ModelFile.h"

#include "codegen/schema/FormatVersion.h"
#include "core/RuntimeError.h"

#include <cstdio>
#include <fstream>
#include <iterator>

namespace kcc::rt {

namespace {

std::string describePrefix(const std::vector<uint8_t> &bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    unsigned char c = bytes[i];
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", c);
    s += (c >= 32 && c < 127) ? std::string(1, static_cast<char>(c)) : std::string(hex);
  }
  return s;
}

/// Every call's buffer indices must name buffers; every kernel index a kernel.
void checkReferences(const bin::Model &m, const std::string &name) {
  uint32_t buffers = m.buffers()->size();
  uint32_t kernels = m.code()->kernels() ? m.code()->kernels()->size() : 0;
  auto bad = [&](const std::string &what) {
    throw RuntimeError(name + ": corrupt model.bin: " + what + " (recompile it with kcc)");
  };
  for (const bin::Program *p : {m.train(), m.eval()}) {
    if (!p->calls())
      bad("a program has no calls");
    for (const bin::Call *c : *p->calls()) {
      for (auto *list : {c->inputs(), c->outputs()})
        if (list)
          for (uint32_t b : *list)
            if (b >= buffers)
              bad("a call names buffer " + std::to_string(b) + " of " + std::to_string(buffers));
      if (auto *k = c->params_as_KernelParams(); k && k->kernel() >= kernels)
        bad("a call names a missing kernel");
      if (auto *l = c->params_as_LstmParams(); l && l->cell() >= kernels)
        bad("an LSTM names a missing cell kernel");
      if (c->params_type() == bin::Params::NONE)
        bad("a call has no parameters");
    }
  }
  for (const bin::Buffer *b : *m.buffers())
    if (b->offset() < 0 || b->bytes() < 0 || b->offset() + b->bytes() > m.arena_bytes())
      bad("a buffer lies outside the arena");
  if (m.variables())
    for (const bin::Variable *v : *m.variables())
      if (v->buffer() >= buffers || !v->init() || !v->name())
        bad("a variable is incomplete");
}

} // namespace

ModelFile ModelFile::fromBytes(std::vector<uint8_t> bytes, const std::string &name) {
  if (bytes.size() < 8)
    throw RuntimeError(name + ": not a kcc model.bin (only " + std::to_string(bytes.size()) +
                       " bytes; truncated?)");
  if (!bin::ModelBufferHasIdentifier(bytes.data()))
    throw RuntimeError(name + ": not a kcc model.bin (expected the identifier \"KCCM\" at byte 4, "
                              "the file starts with \"" + describePrefix(bytes) + "\")");
  flatbuffers::Verifier::Options options;
  options.max_tables = 100000000;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), options);
  if (!bin::VerifyModelBuffer(verifier))
    throw RuntimeError(name + ": corrupt or truncated model.bin (its structure does not verify)");
  const bin::Model *m = bin::GetModel(bytes.data());
  if (m->format_version() != bin::kFormatVersion)
    throw RuntimeError(name + ": model.bin format version " + std::to_string(m->format_version()) +
                       ", this krun reads version " + std::to_string(bin::kFormatVersion) +
                       ": recompile the model with this kcc");
  if (!m->train() || !m->eval() || !m->buffers() || !m->code() || !m->training() || !m->inputs())
    throw RuntimeError(name + ": incomplete model.bin (a required table is missing)");
  checkReferences(*m, name);
  ModelFile f;
  f.bytes = std::move(bytes);
  f.name = name;
  return f;
}

ModelFile ModelFile::load(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(path + ": cannot open the model file (does it exist? compile one with "
                              "kcc model.json -o model.bin)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fromBytes(std::move(bytes), path);
}

} // namespace kcc::rt
