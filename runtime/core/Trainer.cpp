//===- Trainer.cpp - the epoch loop of krun -------------------------------===//
//
// Per epoch: a producer thread prepares batch k+1 (shuffle, augmentation)
// while step k runs; each batch is copied into the step's input buffers with
// its mask (1 for real rows of a short last batch), seed and step counter;
// after the epoch the test set runs through the eval program. Keras's
// running loss/accuracy are averages over samples.
//
//===----------------------------------------------------------------------===//

#include "core/Trainer.h"

#include "contract/FormatVersion.h"
#include "core/Checkpoint.h"
#include "core/KerasFiles.h"
#include "core/Steps.h"
#include "core/StopSignals.h"
#include "core/Npy.h"
#include "core/RuntimeError.h"
#include "data/BatchProducer.h"
#include "data/DataError.h"
#include "data/Random.h"
#include "support/Output.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace kcc::rt {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds(clock_type::time_point since) {
  return std::chrono::duration<double>(clock_type::now() - since).count();
}

std::string formatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs" : "%.0fs", s);
  return buf;
}

/// Keras's progress line: "  9600/60000 [====>........] - ETA: 3s - loss: ..."
void progress(int64_t done, int64_t total, double elapsed, const Metrics &m, bool final) {
  const int width = 30;
  int filled = total ? static_cast<int>(width * done / total) : width;
  std::string bar(filled, '=');
  if (filled < width)
    bar += '>' + std::string(width - filled - 1, '.');
  std::printf("\r%*lld/%lld [%s] - %s", static_cast<int>(std::to_string(total).size()),
              static_cast<long long>(done), static_cast<long long>(total), bar.c_str(),
              final ? formatSeconds(elapsed).c_str()
                    : ("ETA: " + formatSeconds(done ? elapsed * (total - done) / done : 0)).c_str());
  std::printf(" - loss: %.4f - acc: %.4f", m.meanLoss(), m.accuracy());
  std::fflush(stdout);
}

/// Rewrites the whole log after each epoch, atomically, so that it is never
/// half-written and a write error (a full disk) stops the run.
void writeLog(const std::string &path, const std::vector<std::string> &lines) {
  std::string text;
  for (const std::string &l : lines)
    text += l + "\n";
  if (std::string err = support::writeAtomically(path, text); !err.empty())
    throw RuntimeError(err);
}

void printProfile(const char *title, const std::vector<CallStats> &stats, int64_t steps) {
  std::map<std::string, std::pair<double, int64_t>> byLayer, byKind;
  double total = 0;
  for (const CallStats &c : stats) {
    total += c.seconds;
    byKind[c.kind].first += c.seconds, byKind[c.kind].second += 1;
    std::string layer = c.layer.empty() ? "(loss/metrics)" : c.layer;
    byLayer[layer].first += c.seconds, byLayer[layer].second += 1;
  }
  auto print = [&](const char *what, std::map<std::string, std::pair<double, int64_t>> &m) {
    std::vector<std::pair<std::string, std::pair<double, int64_t>>> rows(m.begin(), m.end());
    std::sort(rows.begin(), rows.end(), [](auto &a, auto &b) { return a.second.first > b.second.first; });
    std::printf("  %-40s %10s %7s %6s\n", what, "ms/step", "share", "calls");
    for (auto &[name, v] : rows)
      std::printf("  %-40s %10.3f %6.1f%% %6lld\n", name.c_str(), 1000 * v.first / std::max<int64_t>(steps, 1),
                  total > 0 ? 100 * v.first / total : 0.0, static_cast<long long>(v.second));
  };
  std::printf("%s: %.3f ms per step over %lld steps\n", title, 1000 * total / std::max<int64_t>(steps, 1),
              static_cast<long long>(steps));
  print("by Keras layer (fused calls count for each layer they serve)", byLayer);
  print("by call kind", byKind);
  std::vector<size_t> order(stats.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return stats[a].seconds > stats[b].seconds; });
  std::printf("  %-40s %10s   %s\n", "call (slowest; #: position in the step)", "ms/step", "implementation");
  for (size_t k = 0; k < std::min<size_t>(10, order.size()); ++k) {
    const CallStats &c = stats[order[k]];
    std::string name = "#" + std::to_string(order[k]) + " " + c.kind + " " + c.layer;
    std::printf("  %-40s %10.3f   %s\n", name.c_str(), 1000 * c.seconds / std::max<int64_t>(steps, 1),
                c.implementation.c_str());
  }
}

/// --dump-batch: the step's inputs and targets as fed, in --batch's files.
void dumpBatch(Session &s, const StepIO &io, const std::string &dir) {
  std::filesystem::create_directories(dir);
  auto dump = [&](uint32_t buffer, const std::string &name) {
    const bin::Buffer &b = s.bufferInfo(buffer);
    std::vector<uint32_t> values(static_cast<size_t>(elementsOf(b))); // 4-byte elements, float32 or int32
    s.backend().read(buffer, values.data());
    writeNpy((std::filesystem::path(dir) / name).string(), shapeOf(b), values.data(),
             b.dtype() == bin::DType::I32 ? 'i' : 'f');
  };
  for (size_t i = 0; i < io.inputs.size(); ++i)
    dump(io.inputs[i], "x" + std::to_string(i) + ".npy");
  dump(io.target, "y.npy");
}

/// KCC_DEBUG >= 1 in a data-parallel run: the processes must hold the same
/// weights and optimizer state, bit for bit (a checksum compared across them).
void checkProcessesAgree(Session &s, int64_t epoch) {
  uint64_t sum = 0;
  std::vector<uint8_t> bytes;
  for (const bin::Variable *v : *s.model().variables()) {
    bytes.resize(static_cast<size_t>(s.bufferInfo(v->buffer()).bytes()));
    s.backend().readStored(v->buffer(), bytes.data());
    sum = data::mix64(sum ^ bin::checksum(bytes.data(), bytes.size()));
  }
  unsigned long long lo = 0, hi = 0;
  s.collective->minMax(sum, lo, hi);
  if (lo != hi)
    throw RuntimeError("after epoch " + std::to_string(epoch) +
                       " the processes hold different weights or optimizer state (their checksums differ)");
}

} // namespace

int train(Session &s, const TrainOptions &options) {
  const bin::Training &t = *s.model().training();
  StepIO io(s);
  // Data parallel: every process trains; the first reports and writes.
  const bool lead = io.rank == 0;
  TrainOptions o = options;
  if (!lead) { // (it still times its calls when asked, so that all processes run alike)
    o.quiet = true;
    o.logJson.clear(), o.checkpointDir.clear(), o.save.clear(), o.dumpWeights.clear(), o.dumpBatch.clear();
  }
  RunLocks locks = checkOutputs(s, o);
  auto loadStart = clock_type::now();
  RunData run = loadRunData(s, io, o);
  const data::Dataset &ds = run.ds;
  const std::vector<size_t> &map = run.map;
  data::BatchOptions bopts = run.batch;
  data::BatchProducer producer(ds.train, bopts);

  RunState state;
  state.seed = o.seed;
  if (!o.resumeDir.empty()) {
    state = readCheckpoint(s, o.resumeDir); // variables restored
    if (o.seedGiven && state.seed != o.seed)
      throw RuntimeError(checkpointFile(o.resumeDir) + ": the run was started with --seed " +
                         std::to_string(state.seed) + "; resume it without --seed (or with that seed)");
  } else if (!o.initWeights.empty()) {
    loadInitialWeights(s, o.initWeights);
  } else {
    s.initializeVariables(o.seed);
  }
  const int64_t seed = static_cast<int64_t>(state.seed);
  StopRequests stopRequests; // SIGINT/SIGTERM: stop after this step, with a checkpoint
  std::string checkpointDir = o.checkpointDir.empty() ? o.resumeDir : o.checkpointDir;
  if (checkpointDir.empty()) // where an interrupted run saves itself
    checkpointDir = s.path() + ".checkpoint";

  int64_t epochs = o.epochs > 0 ? o.epochs : t.epochs();
  bool tty = isatty(fileno(stdout)) && !o.quiet;
  if (!o.quiet)
    std::printf("krun: %s: %lld train / %lld test samples from %s (loaded in %.1fs), batch %lld, %lld epochs\n"
                "krun: %s\n",
                s.path().c_str(), static_cast<long long>(ds.train.size()),
                static_cast<long long>(ds.test.size()), run.from.c_str(), seconds(loadStart),
                static_cast<long long>(io.globalBatch), static_cast<long long>(epochs), s.backend().describe().c_str());
  if (!o.quiet && io.ranks > 1)
    std::printf("krun: data parallel: %d processes, %lld rows of each batch apiece; %s\n", io.ranks,
                static_cast<long long>(io.batch), s.collective->describe().c_str());
  s.profiling = o.profile || o.debug >= 2;
  std::vector<std::string> log = state.log;
  std::vector<float> mask(io.batch);
  int64_t step = state.step;
  bool stop = o.maxSteps > 0 && step >= o.maxSteps;
  if (!o.resumeDir.empty() && !o.quiet)
    std::printf("krun: resuming from %s at epoch %lld, step %lld\n", checkpointFile(o.resumeDir).c_str(),
                static_cast<long long>(state.epoch), static_cast<long long>(step));
  for (int64_t epoch = state.epoch; epoch <= epochs && !stop; ++epoch) {
    if (!o.quiet)
      std::printf("Epoch %lld/%lld\n", static_cast<long long>(epoch), static_cast<long long>(epochs));
    auto start = clock_type::now(), lastPrint = start;
    producer.start_epoch(epoch - 1);
    data::Batch b;
    Metrics m;
    int64_t epochStep = 0;
    if (epoch == state.epoch && state.epochStep > 0) { // resumed inside this epoch
      for (; epochStep < state.epochStep; ++epochStep)
        if (!producer.next(b))
          throw RuntimeError(checkpointFile(o.resumeDir) + ": the checkpoint is past the end of epoch " +
                             std::to_string(epoch));
      m.loss = state.lossSum, m.correct = state.correct, m.samples = state.samples;
    }
    auto save = [&](int64_t atEpoch, int64_t atEpochStep, const Metrics &sofar) {
      RunState now{state.seed, atEpoch, step, atEpochStep, sofar.loss, sofar.correct, sofar.samples, log};
      writeCheckpoint(s, checkpointDir, now);
    };
    while (producer.next(b)) {
      int64_t valid = feed(s, io, b, map, mask, seed, step);
      if (!o.dumpBatch.empty() && step == state.step)
        dumpBatch(s, io, o.dumpBatch);
      s.train();
      // The batch's loss and hits, and whether any process was asked to
      // stop: summed over the processes, so that all decide alike.
      double sums[3] = {valid ? readScalar(s, io.loss) * static_cast<double>(valid) : 0.0,
                        valid ? readScalar(s, io.correct) : 0.0, static_cast<double>(stopRequested())};
      if (io.ranks > 1)
        s.collective->sum(sums, 3);
      double loss = sums[0] / static_cast<double>(std::max<int64_t>(b.valid, 1));
      if (!std::isfinite(loss))
        throw RuntimeError("the loss became " + std::to_string(loss) + " at step " + std::to_string(step));
      m.loss += sums[0];
      m.correct += sums[1];
      m.samples += b.valid;
      ++step, ++epochStep;
      if (sums[2] != 0) // this process or another got a signal
        requestStop(SIGTERM);
      if (const int stopSignal = stopRequested()) {
        if (!lead)
          return 128 + stopSignal;
        save(epoch, epochStep, m);
        if (!o.logJson.empty())
          writeLog(o.logJson, log);
        std::printf("%s", tty ? "\n" : "");
        std::fflush(stdout);
        std::fprintf(stderr,
                     "krun: stopped by %s after step %lld (epoch %lld); checkpoint written to %s\n"
                     "krun: continue with: krun %s --resume %s\n",
                     stopSignal == SIGINT ? "SIGINT" : "SIGTERM", static_cast<long long>(step),
                     static_cast<long long>(epoch), checkpointFile(checkpointDir).c_str(), s.path().c_str(),
                     checkpointDir.c_str());
        return 128 + stopSignal;
      }
      if (o.checkpointEvery > 0 && step % o.checkpointEvery == 0 && !o.checkpointDir.empty())
        save(epoch, epochStep, m);
      if (tty && seconds(lastPrint) > 0.2) {
        progress(m.samples, producer.samples_per_epoch(), seconds(start), m, false);
        lastPrint = clock_type::now();
      }
      if (o.maxSteps > 0 && step >= o.maxSteps) {
        stop = true;
        break;
      }
    }
    double trainSeconds = seconds(start);
    auto evalStart = clock_type::now();
    Metrics test = evaluate(s, io, ds.test, bopts, map);
    Metrics val = evaluate(s, io, ds.validation, bopts, map);
    double evalSeconds = seconds(evalStart), epochSeconds = seconds(start);
    if (io.ranks > 1 && o.debug >= 1)
      checkProcessesAgree(s, epoch);
    if (!o.quiet) {
      progress(m.samples, producer.samples_per_epoch(), epochSeconds, m, true);
      if (ds.validation.size())
        std::printf(" - val_loss: %.4f - val_acc: %.4f", val.meanLoss(), val.accuracy());
      if (ds.test.size())
        std::printf(" - test_loss: %.4f - test_acc: %.4f", test.meanLoss(), test.accuracy());
      std::printf("\n");
    }
    std::ostringstream js;
    js.precision(6);
    js << "{\"epoch\": " << epoch << ", \"seconds\": " << epochSeconds << ", \"train_seconds\": " << trainSeconds
       << ", \"eval_seconds\": " << evalSeconds << ", \"steps\": " << step << ", \"samples\": " << m.samples
       << ", \"loss\": " << m.meanLoss() << ", \"accuracy\": " << m.accuracy();
    if (ds.test.size())
      js << ", \"test_loss\": " << test.meanLoss() << ", \"test_accuracy\": " << test.accuracy();
    if (ds.validation.size())
      js << ", \"val_loss\": " << val.meanLoss() << ", \"val_accuracy\": " << val.accuracy();
    js << ", \"samples_per_second\": " << (trainSeconds > 0 ? m.samples / trainSeconds : 0) << "}";
    log.push_back(js.str());
    if (!o.logJson.empty())
      writeLog(o.logJson, log);
    if (!o.checkpointDir.empty())
      save(stop ? epoch : epoch + 1, stop ? epochStep : 0, stop ? m : Metrics());
    if (o.debug >= 2 && lead) {
      printProfile("train step", s.trainStats, step);
      s.trainStats.assign(s.trainStats.size(), CallStats());
    }
  }
  if (o.profile && lead)
    printProfile("train step (whole run)", s.trainStats, step);
  if (!o.dumpWeights.empty())
    s.dumpWeights(o.dumpWeights);
  if (!o.save.empty()) {
    saveKerasFile(s, o.save);
    if (!o.quiet)
      std::printf("krun: trained weights written to %s\n", o.save.c_str());
  }
  return 0;
}

int trainOnFixedBatch(Session &s, const TrainOptions &o) {
  StepIO io(s);
  namespace fs = std::filesystem;
  RunLocks locks = checkOutputs(s, o);
  if (!o.initWeights.empty())
    loadInitialWeights(s, o.initWeights);
  else
    s.initializeVariables(o.seed);
  auto need = [&](uint32_t buffer, const NpyArray &a, const std::string &file) {
    const bin::Buffer &b = s.bufferInfo(buffer);
    std::vector<int64_t> want(b.shape()->begin(), b.shape()->end());
    char wantType = b.dtype() == bin::DType::I32 ? 'i' : 'f';
    if (a.shape != want || a.dtype != wantType)
      throw RuntimeError(file + ": expected " + (wantType == 'f' ? "float32" : "int32") + " of shape " +
                         shapeText(*b.shape()) + " (the compiled batch size is " + std::to_string(io.batch) + ")");
  };
  std::vector<NpyArray> xs;
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    std::string file = (fs::path(o.batchDir) / ("x" + std::to_string(i) + ".npy")).string();
    xs.push_back(readNpy(file));
    need(io.inputs[i], xs.back(), file);
  }
  std::string yFile = (fs::path(o.batchDir) / "y.npy").string();
  NpyArray y = readNpy(yFile);
  need(io.target, y, yFile);
  std::vector<float> mask(io.batch, 1.0f), pred;
  int64_t steps = o.maxSteps > 0 ? o.maxSteps : 1;
  for (int64_t step = 0; step < steps; ++step) {
    for (size_t i = 0; i < xs.size(); ++i)
      s.backend().write(io.inputs[i], xs[i].dtype == 'f' ? static_cast<const void *>(xs[i].f32.data())
                                                         : xs[i].i32.data());
    s.backend().write(io.target, y.dtype == 'f' ? static_cast<const void *>(y.f32.data()) : y.i32.data());
    s.backend().write(io.mask, mask.data());
    int64_t seed = static_cast<int64_t>(o.seed);
    s.backend().write(io.seed, &seed);
    s.backend().write(io.step, &step);
    s.train();
  }
  if (!o.dumpDir.empty()) {
    fs::create_directories(o.dumpDir);
    s.dumpWeights(o.dumpDir);
    float loss = readScalar(s, io.loss);
    writeNpy((fs::path(o.dumpDir) / "loss.npy").string(), {}, &loss);
    const bin::Buffer &p = s.bufferInfo(io.pred);
    std::vector<int64_t> shape(p.shape()->begin(), p.shape()->end());
    pred.resize(p.bytes() / 4);
    s.backend().read(io.pred, pred.data());
    writeNpy((fs::path(o.dumpDir) / "pred.npy").string(), shape, pred.data());
  }
  if (!o.save.empty())
    saveKerasFile(s, o.save);
  return 0;
}

} // namespace kcc::rt
