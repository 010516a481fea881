//===- Checkpoint.cpp - save and resume a training run --------------------===//

#include "core/Checkpoint.h"

#include "contract/FormatVersion.h"
#include "core/RuntimeError.h"
#include "runtime/core/checkpoint_generated.h"
#include "support/Output.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace kcc::rt {

namespace {
constexpr uint32_t kCheckpointVersion = 1;
} // namespace

std::string checkpointFile(const std::string &dir) {
  return (std::filesystem::path(dir) / "checkpoint.kcc").string();
}

void writeCheckpoint(Session &s, const std::string &dir, const RunState &st) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw RuntimeError(dir + ": cannot create the checkpoint directory (" + ec.message() + ")");
  flatbuffers::FlatBufferBuilder fbb(1 << 20);
  std::vector<flatbuffers::Offset<ckpt::VariableState>> vars;
  std::vector<uint8_t> bytes;
  for (const bin::Variable *v : *s.model().variables()) {
    bytes.resize(static_cast<size_t>(s.bufferInfo(v->buffer()).bytes()));
    s.backend().readStored(v->buffer(), bytes.data());
    vars.push_back(ckpt::CreateVariableStateDirect(fbb, v->name()->c_str(), &bytes));
  }
  std::vector<flatbuffers::Offset<flatbuffers::String>> log;
  for (const std::string &line : st.log)
    log.push_back(fbb.CreateString(line));
  auto root = ckpt::CreateCheckpoint(fbb, kCheckpointVersion, s.modelFile().checksum(), st.seed, st.epoch, st.step,
                                     st.epochStep, st.lossSum, st.correct, st.samples, fbb.CreateVector(log),
                                     fbb.CreateVector(vars));
  ckpt::FinishCheckpointBuffer(fbb, root);
  std::vector<uint8_t> file(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  bin::appendTrailer(file);
  std::string_view data(reinterpret_cast<const char *>(file.data()), file.size());
  if (std::string err = support::writeAtomically(checkpointFile(dir), data); !err.empty())
    throw RuntimeError(err);
}

RunState readCheckpoint(Session &s, const std::string &dir) {
  std::string path = checkpointFile(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(path + ": no checkpoint to resume from (krun --checkpoint DIR writes one)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&](const std::string &what) { throw RuntimeError(path + ": " + what); };
  bin::Trailer trailer = bin::readTrailer(bytes);
  if (bytes.size() < 8 || !ckpt::CheckpointBufferHasIdentifier(bytes.data()))
    bad("not a krun checkpoint");
  if (!trailer.lengthFits || trailer.computed != trailer.stored)
    bad("the checkpoint is damaged (its checksum does not match)");
  flatbuffers::Verifier verifier(bytes.data(), trailer.length);
  if (!ckpt::VerifyCheckpointBuffer(verifier))
    bad("the checkpoint is damaged (its structure does not verify)");
  const ckpt::Checkpoint &c = *ckpt::GetCheckpoint(bytes.data());
  if (c.format_version() != kCheckpointVersion)
    bad("checkpoint format " + std::to_string(c.format_version()) + ", this krun reads " +
        std::to_string(kCheckpointVersion));
  if (c.model_checksum() != s.modelFile().checksum())
    bad("was written for another model.bin (or the model was recompiled); resume with the model it was "
        "written for");
  const auto *vars = c.variables();
  const auto *mine = s.model().variables();
  if (!vars || !mine || vars->size() != mine->size())
    bad("holds another set of variables than " + s.path());
  RunState st;
  for (uint32_t i = 0; i < mine->size(); ++i) {
    const bin::Variable &v = *mine->Get(i);
    const ckpt::VariableState &saved = *vars->Get(i);
    if (!saved.name() || saved.name()->str() != v.name()->str() || !saved.data() ||
        static_cast<int64_t>(saved.data()->size()) != s.bufferInfo(v.buffer()).bytes())
      bad("variable " + v.name()->str() + " does not match the model");
    s.backend().writeStored(v.buffer(), saved.data()->data());
  }
  if (c.epoch() < 1 || c.step() < 0 || c.epoch_step() < 0 || c.samples() < 0)
    bad("holds negative counters");
  st.seed = c.seed(), st.epoch = c.epoch(), st.step = c.step(), st.epochStep = c.epoch_step();
  st.lossSum = c.loss_sum(), st.correct = c.correct(), st.samples = c.samples();
  if (c.log())
    for (const flatbuffers::String *line : *c.log())
      st.log.push_back(line->str());
  return st;
}

} // namespace kcc::rt
