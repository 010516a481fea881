//===- FilesTest.cpp - .npy files, model.bin checks, the ELF kernel loader --===//
//
// Every user-facing file error must be a RuntimeError whose message names
// the file; good files must round-trip exactly.
//
//===----------------------------------------------------------------------===//

#include "RuntimeHarness.h"
#include "TestFiles.h"

#include "contract/FormatVersion.h"
#include "core/ElfLoader.h"
#include "core/ModelFile.h"
#include "core/Npy.h"
#include "core/RuntimeError.h"

#include "gtest/gtest.h"

#include <cstring>
#include <elf.h>
#include "TempDir.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace kcc;
using namespace kcc::test;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Npy
//===----------------------------------------------------------------------===//

TEST(Npy, RoundTripsFloat32OfEveryRank) {
  TempDir dir;
  const std::vector<std::vector<int64_t>> shapes = {{}, {1}, {5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}};
  for (const auto &shape : shapes) {
    std::vector<float> data(numel(shape));
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = static_cast<float>(i) * 0.37f - 1.5f;
    data[0] = -0.0f;
    std::string path = dir.file("a.npy");
    rt::writeNpy(path, shape, data.data());
    rt::NpyArray a = rt::readNpy(path);
    EXPECT_EQ(a.dtype, 'f');
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.size(), numel(shape));
    ASSERT_EQ(a.f32.size(), data.size());
    EXPECT_EQ(std::memcmp(a.f32.data(), data.data(), data.size() * 4), 0);
    EXPECT_FALSE(fs::exists(path + ".tmp")) << "the temporary file must be renamed away";
    // numpy's format: 64-byte aligned data.
    EXPECT_EQ((readBytes(path).size() - data.size() * 4) % 64, 0u);
  }
}

TEST(Npy, ReadsNumpyWrittenInt32AndVersion2Headers) {
  TempDir dir;
  std::vector<int32_t> ids = {3, -1, 7, 0, 42, 5};
  writeBytes(dir.file("i.npy"), npyBytes("<i4", "(2, 3)", ids.data(), 24));
  rt::NpyArray a = rt::readNpy(dir.file("i.npy"));
  EXPECT_EQ(a.dtype, 'i');
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.i32, ids);

  std::vector<float> v = {1.5f, -2.25f, 3.0f};
  writeBytes(dir.file("v2.npy"), npyBytes("<f4", "(3,)", v.data(), 12, false, 2));
  rt::NpyArray b = rt::readNpy(dir.file("v2.npy"));
  EXPECT_EQ(b.dtype, 'f');
  EXPECT_EQ(b.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(b.f32, v);
}

TEST(Npy, RejectsBadFilesNamingThem) {
  TempDir dir;
  std::vector<float> v(6, 1.0f);
  std::vector<double> d(6, 1.0);

  std::string missing = dir.file("missing.npy");
  expectRuntimeError([&] { rt::readNpy(missing); }, {missing});

  std::string text = dir.file("text.npy");
  writeBytes(text, std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  expectRuntimeError([&] { rt::readNpy(text); }, {text, "magic"});

  std::string tiny = dir.file("tiny.npy");
  writeBytes(tiny, std::vector<uint8_t>{0x93, 'N', 'U'});
  expectRuntimeError([&] { rt::readNpy(tiny); }, {tiny});

  std::string f64 = dir.file("f64.npy");
  writeBytes(f64, npyBytes("<f8", "(6,)", d.data(), 48));
  expectRuntimeError([&] { rt::readNpy(f64); }, {f64, "dtype"});

  std::string bigEndian = dir.file("be.npy");
  writeBytes(bigEndian, npyBytes(">f4", "(6,)", v.data(), 24));
  expectRuntimeError([&] { rt::readNpy(bigEndian); }, {bigEndian});

  std::string fortran = dir.file("fortran.npy");
  writeBytes(fortran, npyBytes("<f4", "(2, 3)", v.data(), 24, true));
  expectRuntimeError([&] { rt::readNpy(fortran); }, {fortran, "Fortran"});

  std::string shortData = dir.file("short.npy");
  writeBytes(shortData, npyBytes("<f4", "(2, 3)", v.data(), 20));
  expectRuntimeError([&] { rt::readNpy(shortData); }, {shortData, "bytes"});

  std::string cutHeader = dir.file("cut.npy");
  std::vector<uint8_t> bytes = npyBytes("<f4", "(2, 3)", v.data(), 24);
  bytes.resize(30);
  writeBytes(cutHeader, bytes);
  expectRuntimeError([&] { rt::readNpy(cutHeader); }, {cutHeader, "header"});

  std::string version = dir.file("v9.npy");
  writeBytes(version, npyBytes("<f4", "(6,)", v.data(), 24, false, 9));
  expectRuntimeError([&] { rt::readNpy(version); }, {version, "version"});
}

TEST(Npy, WriteToAMissingDirectoryFailsNamingTheFile) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/w.npy");
  float v = 1;
  expectRuntimeError([&] { rt::writeNpy(path, {1}, &v); }, {path});
}

//===----------------------------------------------------------------------===//
// ModelFile
//===----------------------------------------------------------------------===//

const char *kTiny = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "tiny", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 4, "activation": "relu", "batch_input_shape": [null, 3]}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 2, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 2}
})";

/// model.bin bytes of kTiny, compiled once per test process.
const std::vector<uint8_t> &tinyModel() {
  static std::vector<uint8_t> bytes = [] {
    std::string error;
    auto m = CompiledModel::compile(kTiny, error);
    if (!m)
      throw std::runtime_error(error);
    return m->binary();
  }();
  return bytes;
}

/// What a tool that edits a model.bin and recomputes its checksum writes:
/// the loader's checks behind the checksum must still catch the edit.
std::vector<uint8_t> resealed(std::vector<uint8_t> bytes) {
  bytes.resize(bytes.size() - bin::kTrailerBytes);
  bin::appendTrailer(bytes);
  return bytes;
}

/// Byte offset of field |vtableOffset| of the root table (read from the
/// Flatbuffers vtable by hand, as a corrupting tool would).
size_t rootFieldOffset(const std::vector<uint8_t> &b, uint16_t vtableOffset) {
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, &b[at], 4);
    return v;
  };
  size_t table = u32(0);
  int32_t back;
  std::memcpy(&back, &b[table], 4);
  size_t vtable = table - back;
  uint16_t field;
  std::memcpy(&field, &b[vtable + vtableOffset], 2);
  if (!field)
    throw std::runtime_error("field absent");
  return table + field;
}

TEST(ModelFile, LoadsAGoodFile) {
  TempDir dir;
  std::string path = dir.file("model.bin");
  writeBytes(path, tinyModel());
  rt::ModelFile f = rt::ModelFile::load(path);
  EXPECT_EQ(f.path(), path);
  EXPECT_EQ(f.model().format_version(), bin::kFormatVersion);
  EXPECT_EQ(f.model().target()->str(), "cpu");
  ASSERT_TRUE(f.model().variables());
  EXPECT_EQ(f.model().variables()->size(), 4u);
}

TEST(ModelFile, RejectsAMissingFile) {
  TempDir dir;
  std::string path = dir.file("absent.bin");
  expectRuntimeError([&] { rt::ModelFile::load(path); }, {path});
}

TEST(ModelFile, RejectsTruncatedFiles) {
  TempDir dir;
  const std::vector<uint8_t> &good = tinyModel();
  for (size_t keep : {size_t(0), size_t(5), good.size() / 2, good.size() - 1}) {
    std::string path = dir.file("cut" + std::to_string(keep) + ".bin");
    writeBytes(path, std::vector<uint8_t>(good.begin(), good.begin() + keep));
    expectRuntimeError([&] { rt::ModelFile::load(path); }, {path});
  }
}

TEST(ModelFile, RejectsAWrongIdentifier) {
  TempDir dir;
  std::vector<uint8_t> bytes = tinyModel();
  ASSERT_EQ(std::memcmp(&bytes[4], "KCCM", 4), 0);
  std::memcpy(&bytes[4], "ONNX", 4);
  std::string path = dir.file("other.bin");
  writeBytes(path, bytes);
  expectRuntimeError([&] { rt::ModelFile::load(path); }, {path, "KCCM", "ONNX"});
}

TEST(ModelFile, RejectsAnotherFormatVersion) {
  TempDir dir;
  std::vector<uint8_t> bytes = tinyModel();
  size_t at = rootFieldOffset(bytes, bin::Model::VT_FORMAT_VERSION);
  uint32_t version;
  std::memcpy(&version, &bytes[at], 4);
  ASSERT_EQ(version, bin::kFormatVersion);
  uint32_t future = bin::kFormatVersion + 1;
  std::memcpy(&bytes[at], &future, 4);
  std::string path = dir.file("future.bin");
  writeBytes(path, resealed(bytes));
  expectRuntimeError([&] { rt::ModelFile::load(path); },
                     {path, "version " + std::to_string(future), std::to_string(bin::kFormatVersion)});
}

TEST(ModelFile, RejectsGarbageWithTheRightIdentifier) {
  std::vector<uint8_t> bytes(4096);
  Draw draw(5);
  for (uint8_t &b : bytes)
    b = static_cast<uint8_t>(draw.integer(0, 255));
  std::memcpy(&bytes[4], "KCCM", 4);
  expectRuntimeError([&] { rt::ModelFile::fromBytes(bytes, "noise.bin"); }, {"noise.bin"});
}

TEST(ModelFile, RejectsABufferOutsideTheArena) {
  // Shrinking the arena makes the buffers point outside it.
  std::vector<uint8_t> bytes = tinyModel();
  size_t at = rootFieldOffset(bytes, bin::Model::VT_ARENA_BYTES);
  int64_t one = 1;
  std::memcpy(&bytes[at], &one, 8);
  expectRuntimeError([&] { rt::ModelFile::fromBytes(resealed(bytes), "small-arena.bin"); },
                     {"small-arena.bin", "a buffer lies outside the arena"});
}

// Issue #11: every byte is covered, the kernel object included; a changed
// byte anywhere is refused before the file is parsed.
TEST(ModelFile, RejectsAnyChangedByte) {
  const std::vector<uint8_t> &good = tinyModel();
  for (size_t at : {size_t(10), good.size() / 3, good.size() / 2, good.size() - bin::kTrailerBytes - 1,
                    good.size() - 5}) {
    std::vector<uint8_t> bytes = good;
    bytes[at] ^= 0x20;
    expectRuntimeError([&] { rt::ModelFile::fromBytes(bytes, "flip.bin"); }, {"flip.bin", "corrupt model.bin"});
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  expectRuntimeError([&] { rt::ModelFile::fromBytes(longer, "long.bin"); }, {"long.bin", "checksum trailer"});
}

// Issue #11: a structurally valid, correctly checksummed file whose call
// parameters or operands do not fit its buffers is refused at load (these
// edits used to crash oneDNN or the kernel executor, or ran silently).
class CallEdit {
public:
  CallEdit() : bytes(tinyModel()), model(bin::GetModel(bytes.data())) {}

  /// The first train-step call of |kind| (whose kernel index is stored:
  /// Flatbuffers leaves out fields that hold their default, here kernel 0).
  const bin::Call &first(bin::CallKind kind) const {
    for (const bin::Call *c : *model->train()->calls()) {
      auto *k = c->params_as_KernelParams();
      if (c->kind() == kind && (!k || reinterpret_cast<const flatbuffers::Table *>(k)->GetAddressOf(
                                          bin::KernelParams::VT_KERNEL)))
        return *c;
    }
    throw std::runtime_error("no such call");
  }
  /// Overwrites the scalar field at |vt| of |table| in the copy (generated
  /// tables derive privately from flatbuffers::Table, hence the cast).
  template <typename T> void set(const void *table, flatbuffers::voffset_t vt, T value) {
    const uint8_t *at = static_cast<const flatbuffers::Table *>(table)->GetAddressOf(vt);
    ASSERT_NE(at, nullptr) << "field absent";
    std::memcpy(&bytes[at - bytes.data()], &value, sizeof value);
  }
  template <typename T> T get(const void *table, flatbuffers::voffset_t vt) const {
    T v;
    std::memcpy(&v, static_cast<const flatbuffers::Table *>(table)->GetAddressOf(vt), sizeof v);
    return v;
  }
  std::string error() {
    try {
      rt::ModelFile::fromBytes(resealed(bytes), "edited.bin");
    } catch (const rt::RuntimeError &e) {
      return e.what();
    }
    return "loaded";
  }

  std::vector<uint8_t> bytes;
  const bin::Model *model;
};

TEST(ModelFile, RejectsCallParametersLargerThanTheirBuffers) {
  {
    CallEdit e;
    const auto &mm = *e.first(bin::CallKind::MatMul).params_as_MatMulParams();
    e.set<int64_t>(&mm, bin::MatMulParams::VT_M, 100 * e.get<int64_t>(&mm, bin::MatMulParams::VT_M));
    EXPECT_NE(e.error().find("A [m, k] needs"), std::string::npos) << e.error();
  }
  {
    CallEdit e;
    const auto &mm = *e.first(bin::CallKind::MatMul).params_as_MatMulParams();
    e.set<int64_t>(&mm, bin::MatMulParams::VT_K, 50 * e.get<int64_t>(&mm, bin::MatMulParams::VT_K));
    EXPECT_NE(e.error().find("needs"), std::string::npos) << e.error();
  }
  {
    CallEdit e;
    const auto &k = *e.first(bin::CallKind::Kernel).params_as_KernelParams();
    e.set<int64_t>(&k, bin::KernelParams::VT_DOMAIN, 1000 * e.get<int64_t>(&k, bin::KernelParams::VT_DOMAIN));
    EXPECT_NE(e.error().find("exceeds the"), std::string::npos) << e.error();
  }
}

TEST(ModelFile, RejectsACallNamingAKernelOfAnotherArity) {
  CallEdit e;
  const bin::Call &call = e.first(bin::CallKind::Kernel);
  const auto &k = *call.params_as_KernelParams();
  const auto *arity = e.model->code()->kernel_arity();
  ASSERT_TRUE(arity);
  uint32_t mine = e.get<uint32_t>(&k, bin::KernelParams::VT_KERNEL), other = mine;
  for (uint32_t i = 0; i < arity->size(); ++i)
    if (arity->Get(i) != arity->Get(mine))
      other = i;
  ASSERT_NE(other, mine) << "the tiny model's kernels all take the same buffers";
  e.set<uint32_t>(&k, bin::KernelParams::VT_KERNEL, other);
  EXPECT_NE(e.error().find("buffers, the call passes"), std::string::npos) << e.error();
}

TEST(ModelFile, RejectsAnOperandThatPointsAtASmallerBuffer) {
  CallEdit e;
  const bin::Call &call = e.first(bin::CallKind::MatMul);
  // Point the output at the smallest buffer of the file.
  uint32_t smallest = 0;
  for (uint32_t b = 0; b < e.model->buffers()->size(); ++b)
    if (e.model->buffers()->Get(b)->bytes() < e.model->buffers()->Get(smallest)->bytes())
      smallest = b;
  const uint8_t *slot = reinterpret_cast<const uint8_t *>(call.outputs()->data());
  std::memcpy(&e.bytes[slot - e.bytes.data()], &smallest, 4);
  EXPECT_NE(e.error().find("C [m, n] needs"), std::string::npos) << e.error();
}

//===----------------------------------------------------------------------===//
// LoadedObject (the ELF loader)
//===----------------------------------------------------------------------===//

std::vector<uint8_t> tinyKernelObject() {
  rt::ModelFile f = rt::ModelFile::fromBytes(tinyModel(), "tiny.bin");
  const auto *object = f.model().code()->object();
  return std::vector<uint8_t>(object->begin(), object->end());
}

TEST(LoadedObject, LoadsTheGeneratedKernels) {
  std::vector<uint8_t> obj = tinyKernelObject();
  rt::ModelFile f = rt::ModelFile::fromBytes(tinyModel(), "tiny.bin");
  ASSERT_TRUE(f.model().code()->kernels());
  ASSERT_GT(f.model().code()->kernels()->size(), 0u);
  rt::LoadedObject loaded(obj.data(), obj.size(), "tiny.bin");
  for (const auto *k : *f.model().code()->kernels())
    EXPECT_NE(loaded.entry(k->str() + "_entry"), nullptr) << k->str();
  expectRuntimeError([&] { loaded.entry("no_such_kernel_entry"); }, {"no_such_kernel_entry"});
}

TEST(LoadedObject, RejectsGarbage) {
  std::vector<uint8_t> noise(512);
  Draw draw(3);
  for (uint8_t &b : noise)
    b = static_cast<uint8_t>(draw.integer(0, 255));
  expectRuntimeError([&] { rt::LoadedObject(noise.data(), noise.size(), "noise.bin"); }, {"noise.bin"});
  expectRuntimeError([&] { rt::LoadedObject(noise.data(), 10, "short.bin"); }, {"short.bin", "small"});
  expectRuntimeError([&] { rt::LoadedObject(nullptr, 0, "empty.bin"); }, {"empty.bin"});
}

TEST(LoadedObject, RejectsWrongElfKinds) {
  std::vector<uint8_t> good = tinyKernelObject();
  ASSERT_GE(good.size(), sizeof(Elf64_Ehdr));

  std::vector<uint8_t> arm = good;
  uint16_t machine = EM_AARCH64;
  std::memcpy(&arm[offsetof(Elf64_Ehdr, e_machine)], &machine, 2);
  expectRuntimeError([&] { rt::LoadedObject(arm.data(), arm.size(), "arm.bin"); }, {"arm.bin", "architecture"});

  std::vector<uint8_t> exec = good;
  uint16_t type = ET_EXEC;
  std::memcpy(&exec[offsetof(Elf64_Ehdr, e_type)], &type, 2);
  expectRuntimeError([&] { rt::LoadedObject(exec.data(), exec.size(), "exec.bin"); }, {"exec.bin", "relocatable"});

  std::vector<uint8_t> elf32 = good;
  elf32[EI_CLASS] = ELFCLASS32;
  expectRuntimeError([&] { rt::LoadedObject(elf32.data(), elf32.size(), "elf32.bin"); }, {"elf32.bin"});

  std::vector<uint8_t> sections = good;
  uint64_t far = good.size() * 4;
  std::memcpy(&sections[offsetof(Elf64_Ehdr, e_shoff)], &far, 8);
  expectRuntimeError([&] { rt::LoadedObject(sections.data(), sections.size(), "sh.bin"); }, {"sh.bin", "section"});

  // The object cut short: its sections run past the end.
  std::vector<uint8_t> cut(good.begin(), good.begin() + good.size() / 2);
  expectRuntimeError([&] { rt::LoadedObject(cut.data(), cut.size(), "cut.bin"); }, {"cut.bin"});
}

TEST(Session, RefusesAModelForAnotherTarget) {
  // writeModel's target string is what the Session checks.
  std::vector<uint8_t> bytes = tinyModel();
  size_t at = rootFieldOffset(bytes, bin::Model::VT_TARGET);
  uint32_t rel;
  std::memcpy(&rel, &bytes[at], 4);
  size_t str = at + rel; // length-prefixed string "cpu"
  ASSERT_EQ(std::memcmp(&bytes[str + 4], "cpu", 3), 0);
  std::memcpy(&bytes[str + 4], "gpu", 3);
  rt::ModelFile other = rt::ModelFile::fromBytes(resealed(bytes), "gpu.bin");
  expectRuntimeError([&] { rt::Session s(other, 1); }, {"gpu.bin", "gpu"});
}

} // namespace
