//===- Steps.h - feeding batches to the step programs ---------------------===//
//
// What every way of running a model.bin shares (training, --evaluate,
// --predict): the step's batch buffers found by role, the data a run reads
// (a built-in dataset or the user's own numpy arrays) matched to them, one
// batch copied in, and a pass of the eval program over a split.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_STEPS_H
#define KCC_RUNTIME_CORE_STEPS_H

#include "core/Session.h"
#include "core/Trainer.h"
#include "data/BatchProducer.h"
#include "data/Dataset.h"
#include "data/NumpyFiles.h"
#include "support/Output.h"

#include <string>
#include <vector>

namespace kcc::rt {

/// The step's fixed inputs and outputs, by buffer index.
struct StepIO {
  std::vector<uint32_t> inputs;
  uint32_t target, mask, seed, step, loss, correct, pred;
  uint32_t rowOffset = UINT32_MAX; // data parallel only
  bool sparse;
  /// Rows of the step's buffers; of the global batch (the model's batch
  /// size, which every process reads); the processes the step was compiled
  /// for, and this one's rank.
  int64_t batch, globalBatch, classes;
  int ranks = 1, rank = 0;

  /// Checks the model's processes against |s|.collective's (throws
  /// RuntimeError if they differ).
  explicit StepIO(Session &s);
};

/// "[128, 784]"
std::string shapeText(const flatbuffers::Vector<int64_t> &s);

/// The data a run reads, matched to the model: dataset input map[i] feeds
/// model input i; batch holds the batch size, label mode and image layout.
struct RunData {
  data::Dataset ds;
  std::vector<size_t> map;
  data::BatchOptions batch;
  std::string from; // where it came from, for the banner
  bool userData = false;
};

/// The built-in dataset the model names (or --dataset), or the user's own
/// arrays (--data-npz, --x/--y, --validation-npz), checked against the
/// model before any step runs.
/// Without |validationSplit| the model's validation_split is not applied.
RunData loadRunData(Session &s, const StepIO &io, const TrainOptions &o, bool validationSplit = true);

/// A model input's name as Keras has it ("x:dense_1_input" -> "dense_1_input").
std::string inputName(Session &s, uint32_t buffer);

/// The .npz keys that may hold model input |i| under |prefix| ("x",
/// "x_train", ...), preferred first: |prefix| itself (one-input models
/// only), then prefix_<input name>, then prefix_<i>.
std::vector<std::string> npzInputKeys(Session &s, const StepIO &io, size_t i, const std::string &prefix);

/// |xs| (one per model input) checked against the model's inputs and
/// converted to what their buffers hold; |n| samples each (-1: xs[0]'s).
/// |why| says where n comes from, for errors.
std::vector<data::Array> modelInputs(Session &s, const StepIO &io, const std::vector<data::NpyArrayView> &xs,
                                     int64_t n, const std::string &why);

/// Outputs a run rewrites while it runs, locked against a second krun.
struct RunLocks {
  support::OutputLock log, checkpoint;
};

/// Before any work: every output can be written, none is one of the run's
/// inputs (model.bin, weights, data), and the log and checkpoint are
/// locked against a second krun.
RunLocks checkOutputs(Session &s, const TrainOptions &o);

/// Copies this process's rows of one global batch into the step's inputs
/// (all of them in one process) and sets the session's share of the
/// batch; returns the samples among those rows.
int64_t feed(Session &s, const StepIO &io, const data::Batch &b, const std::vector<size_t> &map,
             std::vector<float> &mask, int64_t seed, int64_t step);

float readScalar(Session &s, uint32_t buffer);

struct Metrics {
  double loss = 0, correct = 0;
  int64_t samples = 0;
  double meanLoss() const { return samples ? loss / samples : 0; }
  double accuracy() const { return samples ? correct / samples : 0; }
};

/// Loss and accuracy of the eval program (inference mode) over |split|.
Metrics evaluate(Session &s, const StepIO &io, const data::Split &split, const data::BatchOptions &base,
                 const std::vector<size_t> &map);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_STEPS_H
