//===- Session.cpp - a loaded model ready to run steps --------------------===//

#include "core/Session.h"

#include "core/AllReduce.h"
#include "core/Initializers.h"
#include "core/Npy.h"
#include "core/RuntimeError.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

namespace kcc::rt {

const char *callKindName(bin::CallKind kind) {
  switch (kind) {
  case bin::CallKind::MatMul:
    return "matmul";
  case bin::CallKind::Conv2D:
    return "conv2d";
  case bin::CallKind::Conv2DBackwardData:
    return "conv2d_backward_data";
  case bin::CallKind::Conv2DBackwardFilter:
    return "conv2d_backward_filter";
  case bin::CallKind::MaxPool2D:
    return "max_pool2d";
  case bin::CallKind::MaxPool2DBackward:
    return "max_pool2d_backward";
  case bin::CallKind::LSTMForward:
    return "lstm_forward";
  case bin::CallKind::LSTMBackward:
    return "lstm_backward";
  case bin::CallKind::Kernel:
    return "kernel";
  case bin::CallKind::Reorder:
    return "reorder";
  case bin::CallKind::Fill:
    return "fill";
  case bin::CallKind::AllReduce:
    return "all_reduce";
  }
  return "?";
}

Session::Session(const ModelFile &f, int threads) : file(f) {
  std::string target = model().target() ? model().target()->str() : "";
  if (target == "cpu")
    device = makeCpuBackend(model(), f.path(), threads);
  else if (target == "cuda")
    device = makeCudaBackend(model(), f.path());
  else
    throw RuntimeError(f.path() + ": compiled for the unknown target '" + target + "'");
  for (uint32_t i = 0; i < model().buffers()->size(); ++i) {
    const bin::Buffer &b = *model().buffers()->Get(i);
    if (const flatbuffers::String *n = b.name())
      named[n->str()] = i;
    if (b.role() != bin::BufferRole::None && b.role() != bin::BufferRole::Input &&
        !roles.emplace(b.role(), i).second)
      throw RuntimeError(f.path() + ": two buffers have the role " + bin::EnumNameBufferRole(b.role()));
  }
  build(*model().train(), trainProgram, trainStats);
  build(*model().eval(), evalProgram, evalStats);
}

uint32_t Session::buffer(const std::string &name) const {
  auto it = named.find(name);
  if (it == named.end())
    throw RuntimeError(path() + ": model.bin has no buffer '" + name + "'");
  return it->second;
}

uint32_t Session::bufferWithRole(bin::BufferRole role) const {
  auto it = roles.find(role);
  if (it == roles.end())
    throw RuntimeError(path() + ": model.bin has no buffer with the role " + bin::EnumNameBufferRole(role));
  return it->second;
}

void Session::build(const bin::Program &p, std::vector<std::unique_ptr<Executor>> &out,
                    std::vector<CallStats> &stats) {
  const auto &calls = *p.calls();
  // The device sums (NCCL), or, if it cannot, the host in buckets.
  std::map<size_t, std::unique_ptr<Executor>> onDevice;
  bool onHost = false;
  for (size_t i = 0; i < calls.size(); ++i)
    if (calls.Get(i)->kind() == bin::CallKind::AllReduce) {
      if (auto e = device->makeAllReduce(*calls.Get(i), collective, shareOfBatch))
        onDevice[i] = std::move(e);
      else
        onHost = true;
    }
  if (onHost && !onDevice.empty())
    onDevice.clear(); // one way for the whole step: the host's buckets start sums in one order
  std::unique_ptr<AllReduceSchedule> reduces;
  if (onHost)
    reduces = std::make_unique<AllReduceSchedule>(*this, p);
  auto addWaits = [&](size_t i) {
    if (reduces)
      for (auto &wait : reduces->waitsBefore(i)) {
        out.push_back(std::move(wait));
        stats.push_back({"all_reduce_wait", "", out.back()->implementation()});
      }
  };
  for (size_t i = 0; i < calls.size(); ++i) {
    const bin::Call *call = calls.Get(i);
    addWaits(i);
    if (call->kind() != bin::CallKind::AllReduce)
      out.push_back(device->makeExecutor(*call));
    else
      out.push_back(reduces ? reduces->member(i) : std::move(onDevice[i]));
    stats.push_back({callKindName(call->kind()), call->layer() ? call->layer()->str() : "",
                     out.back()->implementation()});
  }
  addWaits(calls.size());
}

void Session::run(std::vector<std::unique_ptr<Executor>> &program, std::vector<CallStats> &stats) {
  if (!profiling) {
    if (collective && collective->size() > 1) { // started sums advance between calls
      for (auto &e : program) {
        e->run();
        collective->progress();
      }
      return;
    }
    for (auto &e : program)
      e->run();
    return;
  }
  using clock = std::chrono::steady_clock;
  for (size_t i = 0; i < program.size(); ++i) {
    auto start = clock::now();
    program[i]->run();
    device->synchronize();
    stats[i].seconds += std::chrono::duration<double>(clock::now() - start).count();
    stats[i].runs++;
  }
}

void Session::initializeVariables(uint64_t seed, bool optimizerStateOnly) {
  if (!model().variables())
    return;
  std::vector<float> values;
  for (const bin::Variable *v : *model().variables()) {
    if (optimizerStateOnly && !v->optimizer_state())
      continue;
    const bin::Buffer &b = bufferInfo(v->buffer());
    initialize(*v->init(), shapeOf(b), seed, v->name()->str(), values);
    device->write(v->buffer(), values.data());
  }
}

std::vector<const bin::Variable *> Session::weightsInKerasOrder() const {
  std::vector<const bin::Variable *> out;
  if (model().variables())
    for (const bin::Variable *v : *model().variables())
      if (!v->optimizer_state() && v->weight_index() >= 0)
        out.push_back(v);
  std::sort(out.begin(), out.end(),
            [](const bin::Variable *a, const bin::Variable *b) { return a->weight_index() < b->weight_index(); });
  return out;
}

std::string Session::weightFile(const std::string &dir, size_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "w%03zu.npy", i);
  return (std::filesystem::path(dir) / name).string();
}

void Session::loadWeights(const std::string &dir) {
  auto weights = weightsInKerasOrder();
  for (size_t i = 0; i < weights.size(); ++i) {
    const bin::Variable *v = weights[i];
    std::string file = weightFile(dir, i);
    NpyArray a = readNpy(file);
    std::vector<int64_t> want = shapeOf(bufferInfo(v->buffer()));
    if (a.dtype != 'f' || a.shape != want) {
      std::string ws, gs;
      for (int64_t d : want)
        ws += std::to_string(d) + " ";
      for (int64_t d : a.shape)
        gs += std::to_string(d) + " ";
      throw RuntimeError(file + ": expected float32 weights of shape [ " + ws + "] for " + v->name()->str() +
                         ", found shape [ " + gs + "]");
    }
    device->write(v->buffer(), a.f32.data());
  }
  std::string extra = weightFile(dir, weights.size());
  if (std::filesystem::exists(extra))
    throw RuntimeError(dir + ": holds more weight files than the model's " + std::to_string(weights.size()) +
                       " weights (found " + extra + ")");
}

void Session::dumpWeights(const std::string &dir) {
  std::filesystem::create_directories(dir);
  auto weights = weightsInKerasOrder();
  std::vector<float> values;
  for (size_t i = 0; i < weights.size(); ++i) {
    const bin::Buffer &b = bufferInfo(weights[i]->buffer());
    values.resize(elementsOf(b));
    device->read(weights[i]->buffer(), values.data());
    writeNpy(weightFile(dir, i), shapeOf(b), values.data());
  }
}

} // namespace kcc::rt
