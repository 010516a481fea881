//===- ModelFile.cpp - load and verify a model.bin ------------------------===//

#include "core/ModelFile.h"

#include "contract/FormatVersion.h"
#include "core/RuntimeError.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
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

/// Whether every [long] vector's elements are 8-byte aligned. The
/// Flatbuffers verifier checks only the 4-byte length before them, so an
/// edited file could make every later read of a shape or stride a
/// misaligned load (found by the model.bin fuzzer).
bool longVectorsAligned(const bin::Model &m) {
  auto ok = [](const flatbuffers::Vector<int64_t> *v) {
    // (an empty one is not padded: Flatbuffers aligns only what it stores)
    return !v || v->size() == 0 || reinterpret_cast<uintptr_t>(v->data()) % alignof(int64_t) == 0;
  };
  for (const bin::Buffer *b : *m.buffers())
    if (!ok(b->shape()) || !ok(b->layout_dims()))
      return false;
  for (const bin::Program *p : {m.train(), m.eval()})
    for (const bin::Call *c : *p->calls()) {
      if (auto *conv = c->params_as_ConvParams(); conv && !(ok(conv->strides()) && ok(conv->dilations()) && ok(conv->pads())))
        return false;
      if (auto *pool = c->params_as_PoolParams(); pool && !(ok(pool->pool_size()) && ok(pool->strides()) && ok(pool->pads())))
        return false;
    }
  return true;
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
  if (!longVectorsAligned(m))
    bad("a list of 64-bit numbers is not 8-byte aligned");
  // An arena no machine holds; compared as differences, so nothing wraps
  // (an offset + size overflow was found by the model.bin fuzzer).
  if (m.arena_bytes() < 0 || m.arena_bytes() > (int64_t(1) << 50))
    bad("the arena size is out of range");
  for (const bin::Buffer *b : *m.buffers())
    if (b->offset() < 0 || b->bytes() < 0 || b->offset() > m.arena_bytes() ||
        b->bytes() > m.arena_bytes() - b->offset())
      bad("a buffer lies outside the arena");
  if (m.variables())
    for (const bin::Variable *v : *m.variables())
      if (v->buffer() >= buffers || !v->init() || !v->name())
        bad("a variable is incomplete");
  checkCalls(m, name);
}

} // namespace

ModelFile ModelFile::fromBytes(std::vector<uint8_t> bytes, const std::string &name) {
  if (bytes.size() < 8)
    throw RuntimeError(name + ": not a kcc model.bin (only " + std::to_string(bytes.size()) +
                       " bytes; truncated?)");
  if (!bin::ModelBufferHasIdentifier(bytes.data()))
    throw RuntimeError(name + ": not a kcc model.bin (expected the identifier \"KCCM\" at byte 4, "
                              "the file starts with \"" + describePrefix(bytes) + "\")");
  // The checksum first: nothing of a damaged file is parsed, let alone run.
  bin::Trailer trailer = bin::readTrailer(bytes);
  if (!trailer.present)
    throw RuntimeError(name + ": model.bin has no checksum trailer: it is truncated, or was written by an "
                              "older kcc (recompile it with this kcc)");
  if (!trailer.lengthFits)
    throw RuntimeError(name + ": corrupt model.bin: its trailer gives a length of " +
                       std::to_string(trailer.length) + " bytes for a file of " + std::to_string(bytes.size()) +
                       " (recompile it with kcc)");
  if (trailer.computed != trailer.stored)
    throw RuntimeError(name + ": corrupt model.bin: the checksum does not match (the file was damaged or "
                              "edited after kcc wrote it; recompile it with kcc)");
  flatbuffers::Verifier::Options options;
  options.max_tables = 100000000;
  flatbuffers::Verifier verifier(bytes.data(), trailer.length, options);
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
  f.crc = trailer.stored;
  return f;
}

ModelFile ModelFile::load(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw RuntimeError(path + ": is a directory; expected a model.bin written by kcc");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(path + ": cannot open the model file (does it exist? compile one with "
                              "kcc model.json -o model.bin)");
  // Stop at a foreign first chunk (/dev/zero, a JSON file) or one chunk past
  // the limit: fromBytes then says what is wrong.
  std::vector<uint8_t> bytes;
  char chunk[1 << 16];
  while (bytes.size() <= kMaxModelBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    bytes.insert(bytes.end(), chunk, chunk + in.gcount());
    if (bytes.size() >= 8 && !bin::ModelBufferHasIdentifier(bytes.data()))
      return fromBytes(std::move(bytes), path);
  }
  if (in.bad())
    throw RuntimeError(path + ": cannot read the model file");
  if (bytes.size() > kMaxModelBytes)
    throw RuntimeError(path + ": is larger than " + std::to_string(kMaxModelBytes >> 20) +
                       " MiB, more than any model.bin (Flatbuffers files stop at 2 GiB); is this the right file?");
  return fromBytes(std::move(bytes), path);
}

std::vector<int64_t> shapeOf(const bin::Buffer &b) {
  return b.shape() ? std::vector<int64_t>(b.shape()->begin(), b.shape()->end()) : std::vector<int64_t>{};
}

int64_t elementsOf(const bin::Buffer &b) {
  int64_t n = 1;
  if (b.shape())
    for (int64_t d : *b.shape())
      n *= d;
  return n;
}

} // namespace kcc::rt
