//===- krun.cpp - train a compiled model ----------------------------------===//
//
//   krun model.bin [--data DIR] [--epochs N] [--seed S] [--log-json FILE]
//   krun model.bin --batch DIR --init-weights DIR --steps N --dump DIR
//   krun model.bin --checkpoint DIR [--checkpoint-every N]; krun model.bin --resume DIR
//   krun model.bin --data-npz train.npz --save trained.keras
//   krun model.bin --init-weights trained.keras --evaluate | --predict x.npy -o pred.npy
//   mpirun -np N krun model.bin ...   (model.bin compiled with kcc --ranks N)
//
// No Python, no LLVM: model.bin holds the step programs, the memory plan,
// the initializers and the compiled kernels.
//
//===----------------------------------------------------------------------===//

#include "core/Collective.h"
#include "core/ModelFile.h"
#include "core/RuntimeError.h"
#include "core/Session.h"
#include "core/StopSignals.h"
#include "core/Trainer.h"
#include "data/DataError.h"

#include "oneapi/dnnl/dnnl.hpp"

#include "CLI/CLI.hpp"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <sched.h>
#include <thread>

namespace {

/// CPUs this process may run on (mpirun --bind-to core gives each rank its own).
int allowedCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, CPU_COUNT(&set));
}

/// Processes of this run on this machine (mpirun sets it; 1 otherwise).
int localProcesses() {
  const char *n = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  return n && std::atoi(n) > 0 ? std::atoi(n) : 1;
}

} // namespace

int main(int argc, char **argv) {
  kcc::rt::takeStopSignals(); // before any thread: see core/StopSignals.h
  CLI::App app{"krun: train a model compiled by kcc"};
  std::string model;
  kcc::rt::TrainOptions o;
  // Default: the CPUs this process may use; processes of one data-parallel
  // run that were not bound to their own CPUs share them out.
  const int cpus = allowedCpus();
  const bool unbound = cpus == static_cast<int>(std::thread::hardware_concurrency()) && localProcesses() > 1;
  int threads = unbound ? std::max(1, cpus / localProcesses()) : cpus;
  app.add_option("model", model, "model.bin written by kcc")->required();
  app.add_option("--data", o.dataDir, "datasets directory (default: $KCC_DATA)");
  app.add_option("--dataset", o.dataset, "override the model's dataset (mnist, cifar10, babi)");
  app.add_option("--data-npz", o.dataNpz, "train on your own arrays: an .npz with x_train, y_train (and x_test, y_test), "
                                          "or x, y; x_<input name> for several inputs");
  app.add_option("--x", o.xFiles, "train on your own arrays: a .npy per model input (memory-mapped), with --y");
  app.add_option("--y", o.yFile, "the targets for --x (.npy)");
  app.add_option("--validation-npz", o.validationNpz, "validation arrays (x_val, y_val; or x_test, y_test; or x, y)");
  app.add_option("--validation-split", o.validationSplit,
                 "hold out this fraction of the training arrays' tail for validation, as fit(validation_split=) "
                 "(default: the model's)")
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--save", o.save, "after training, write FILE.keras (for keras.saving.load_model) or FILE.weights.h5 "
                                   "(for model.load_weights)");
  bool evaluate = false;
  app.add_flag("--evaluate", evaluate, "evaluate (inference mode) on the test data instead of training");
  app.add_option("--predict", o.predictInput, "write the model's predictions for X (.npy, or .npz with x) to -o FILE");
  app.add_option("-o,--output", o.output, "with --predict: the .npy to write");
  // Ranges are stated, so a bad value is named with its bounds, not parsed
  // into something else (a negative seed into 2^64-1).
  const int64_t maxThreads = std::max<int64_t>(4, 4 * threads);
  int64_t seed = 1;
  app.add_option("--epochs", o.epochs, "number of epochs (default: the model's)")
      ->check(CLI::Range(int64_t(1), int64_t(1000000)));
  app.add_option("--steps", o.maxSteps, "stop after this many training steps")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 53));
  auto *seedOption = app.add_option("--seed", seed, "seed for initialization, shuffling and dropout (default 1)")
                         ->check(CLI::Range(int64_t(0), std::numeric_limits<int64_t>::max()));
  app.add_option("--threads", threads, "worker threads (default: all cores)")
      ->check(CLI::Range(int64_t(1), maxThreads)); // 4 per core at most: beyond, only overhead
  app.add_option("--log-json", o.logJson, "write one JSON object per epoch to FILE");
  app.add_option("--init-weights", o.initWeights, "start from these weights: FILE.keras, FILE.weights.h5 (Keras 3), "
                                                  "FILE.h5 (Keras 2 / tf.keras save_weights or full model) "
                                                  "or DIR/w000.npy... (Keras get_weights() order)");
  app.add_option("--dump-weights", o.dumpWeights, "write the final weights to DIR/w000.npy...");
  app.add_option("--batch", o.batchDir, "train on the fixed batch DIR/x0.npy.., y.npy (conformance)");
  app.add_option("--dump", o.dumpDir, "with --batch: write weights, loss.npy and pred.npy to DIR");
  app.add_option("--dump-batch", o.dumpBatch, "write the first training batch this run feeds to DIR/x0.npy.., "
                                              "y.npy (what --batch reads: a fixed batch of real data)");
  app.add_option("--checkpoint", o.checkpointDir,
                 "write DIR/checkpoint.kcc at every epoch end (and on SIGINT/SIGTERM): weights, optimizer "
                 "state, counters, log");
  app.add_option("--checkpoint-every", o.checkpointEvery, "with --checkpoint: also every N training steps")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 53));
  app.add_option("--resume", o.resumeDir, "continue the run saved in DIR/checkpoint.kcc, bit for bit "
                                          "(give the same model and options)");
  app.add_flag("--profile", o.profile, "time every call; print time per Keras layer and per call kind");
  app.add_flag("-q,--quiet", o.quiet, "no progress output");
  CLI11_PARSE(app, argc, argv);
  o.seed = static_cast<uint64_t>(seed);
  o.seedGiven = seedOption->count() > 0;
  if (o.checkpointEvery > 0 && o.checkpointDir.empty()) {
    std::fprintf(stderr, "krun: error: --checkpoint-every needs --checkpoint DIR\n");
    return 2;
  }
  if (!o.batchDir.empty() && (!o.checkpointDir.empty() || !o.resumeDir.empty())) {
    std::fprintf(stderr, "krun: error: --checkpoint and --resume train on a dataset, not on --batch\n");
    return 2;
  }
  if (const char *d = std::getenv("KCC_DEBUG"))
    o.debug = std::atoi(d);
  if (evaluate + !o.predictInput.empty() + !o.batchDir.empty() > 1) {
    std::fprintf(stderr, "krun: error: --evaluate, --predict and --batch are different runs; give one\n");
    return 2;
  }
  if (!o.output.empty() && o.predictInput.empty()) {
    std::fprintf(stderr, "krun: error: -o goes with --predict X\n");
    return 2;
  }
  if ((evaluate || !o.predictInput.empty()) && (!o.save.empty() || !o.checkpointDir.empty())) {
    std::fprintf(stderr, "krun: error: --evaluate and --predict do not train: --save and --checkpoint do not apply\n");
    return 2;
  }
  if (!o.dumpDir.empty() && o.batchDir.empty()) {
    std::fprintf(stderr, "krun: error: --dump needs --batch\n");
    return 2;
  }
  std::unique_ptr<kcc::rt::Collective> collective;
  try {
    collective = kcc::rt::openCollective();
    kcc::rt::ModelFile file = kcc::rt::ModelFile::load(model);
    kcc::rt::Session session(file, threads);
    session.collective = collective.get();
    if (file.model().training()->ranks() > 1 && (!o.predictInput.empty() || !o.batchDir.empty()))
      throw kcc::rt::RuntimeError(model + ": compiled for data-parallel training (kcc --ranks); --predict and "
                                          "--batch run a model compiled without --ranks (the weights are the "
                                          "same: pass them with --init-weights)");
    // Pinning picks CPUs among the process's own: processes that share
    // theirs would pin to the same ones.
    std::string pinned = unbound ? "threads not pinned (processes of this run share the CPUs: mpirun "
                                   "--bind-to core gives each its own)"
                                 : session.backend().pinThreads();
    if (o.debug >= 1)
      std::fprintf(stderr, "krun: %s; %s; %s\n", collective->describe().c_str(), session.backend().describe().c_str(),
                   pinned.c_str());
    if (evaluate)
      return kcc::rt::evaluateModel(session, o);
    if (!o.predictInput.empty())
      return kcc::rt::predict(session, o);
    return o.batchDir.empty() ? kcc::rt::train(session, o) : kcc::rt::trainOnFixedBatch(session, o);
  } catch (const kcc::rt::RuntimeError &e) {
    std::fprintf(stderr, "krun: error: %s\n", e.what());
  } catch (const kcc::data::DataError &e) {
    std::fprintf(stderr, "krun: error: %s\n", e.what());
  } catch (const dnnl::error &e) {
    std::fprintf(stderr, "krun: error: oneDNN rejected a call (%s, status %d)\n", e.what(), e.status);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "krun: error: %s\n", e.what());
  }
  // The other processes of a data-parallel run would wait for this one forever.
  if (collective && collective->size() > 1) {
    std::fflush(stderr);
    collective->abort(1);
  }
  return 1;
}
