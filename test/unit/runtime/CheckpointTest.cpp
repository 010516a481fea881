//===- CheckpointTest.cpp - krun checkpoints: round trip and refusals -----===//

#include "RuntimeHarness.h"

#include "core/Checkpoint.h"
#include "core/ModelFile.h"
#include "core/RuntimeError.h"
#include "core/Session.h"

#include "gtest/gtest.h"

#include "TempDir.h"

#include <fstream>
#include <functional>
#include <iterator>

using namespace kcc;
using namespace kcc::test;

namespace {

const char *kModel = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "ckpt", "layers": [
  {"class_name": "Dense", "config": {"name": "d1", "units": 5, "activation": "relu", "batch_input_shape": [null, 3]}},
  {"class_name": "Dense", "config": {"name": "d2", "units": 2, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "Adam", "config": {"lr": 0.01}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 2}
})";

std::vector<uint8_t> compiled(const char *json) {
  std::string error;
  auto m = CompiledModel::compile(json, error);
  if (!m)
    throw std::runtime_error(error);
  return m->binary();
}

/// Every variable's stored bytes (weights and Adam's slots).
std::vector<std::vector<uint8_t>> variables(rt::Session &s) {
  std::vector<std::vector<uint8_t>> out;
  for (const bin::Variable *v : *s.model().variables()) {
    out.emplace_back(static_cast<size_t>(s.bufferInfo(v->buffer()).bytes()));
    s.backend().readStored(v->buffer(), out.back().data());
  }
  return out;
}

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const rt::RuntimeError &e) {
    return e.what();
  }
  return "no error";
}

TEST(Checkpoint, RestoresEveryVariableAndTheRunState) {
  TempDir dir;
  rt::ModelFile file = rt::ModelFile::fromBytes(compiled(kModel), "ckpt.bin");
  rt::Session s(file, 1);
  s.initializeVariables(3);
  // Make the optimizer slots non-zero.
  for (int i = 0; i < 2; ++i)
    s.train();
  auto saved = variables(s);
  rt::RunState st;
  st.seed = 3, st.epoch = 2, st.step = 17, st.epochStep = 5, st.lossSum = 1.25, st.correct = 7, st.samples = 10;
  st.log = {"{\"epoch\": 1}"};
  rt::writeCheckpoint(s, dir.path(), st);

  s.initializeVariables(4);
  ASSERT_NE(variables(s), saved);
  rt::RunState back = rt::readCheckpoint(s, dir.path());
  EXPECT_EQ(variables(s), saved);
  EXPECT_EQ(back.seed, 3u);
  EXPECT_EQ(back.epoch, 2);
  EXPECT_EQ(back.step, 17);
  EXPECT_EQ(back.epochStep, 5);
  EXPECT_EQ(back.lossSum, 1.25);
  EXPECT_EQ(back.correct, 7);
  EXPECT_EQ(back.samples, 10);
  EXPECT_EQ(back.log, st.log);
}

TEST(Checkpoint, RefusesADamagedFileAndAnotherModel) {
  TempDir dir;
  rt::ModelFile file = rt::ModelFile::fromBytes(compiled(kModel), "ckpt.bin");
  rt::Session s(file, 1);
  s.initializeVariables(1);
  rt::writeCheckpoint(s, dir.path(), rt::RunState());
  std::string path = rt::checkpointFile(dir.path());

  std::vector<char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<char> flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  std::ofstream(path, std::ios::binary).write(flipped.data(), static_cast<std::streamsize>(flipped.size()));
  EXPECT_NE(errorOf([&] { rt::readCheckpoint(s, dir.path()); }).find("checksum does not match"), std::string::npos);

  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::string other = kModel;
  other.replace(other.find("\"units\": 5"), 10, "\"units\": 6");
  rt::ModelFile otherFile = rt::ModelFile::fromBytes(compiled(other.c_str()), "other.bin");
  rt::Session o(otherFile, 1);
  EXPECT_NE(errorOf([&] { rt::readCheckpoint(o, dir.path()); }).find("another model.bin"), std::string::npos);

  EXPECT_NE(errorOf([&] { rt::readCheckpoint(s, dir.file("none")); }).find("no checkpoint to resume from"),
            std::string::npos);
}

} // namespace
