//===- Inference.cpp - krun --evaluate and --predict -----------------------===//
//
// Both run the eval program: the forward pass in inference mode (no
// dropout, batch normalization with its moving statistics) that kcc
// compiled next to the training step through the same passes.
//
//===----------------------------------------------------------------------===//

#include "core/Checkpoint.h"
#include "core/KerasFiles.h"
#include "core/Npy.h"
#include "core/RuntimeError.h"
#include "core/Steps.h"
#include "core/Trainer.h"
#include "support/Output.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>

namespace kcc::rt {

void loadInitialWeights(Session &s, const std::string &path) {
  s.initializeVariables(/*seed=*/0, /*optimizerStateOnly=*/true); // fresh slots, not the arena's zeros
  if (kerasFileKind(path) != KerasFileKind::None)
    loadKerasFile(s, path);
  else
    s.loadWeights(path);
}

namespace {

/// The weights to evaluate or predict with: --resume's checkpoint,
/// --init-weights, or (as Keras on an unfitted model) the initializers.
void weightsForInference(Session &s, const TrainOptions &o) {
  if (!o.resumeDir.empty())
    readCheckpoint(s, o.resumeDir);
  else if (!o.initWeights.empty())
    loadInitialWeights(s, o.initWeights);
  else
    s.initializeVariables(o.seed);
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// The arrays of |path| for the model's inputs: a .npy for a one-input
/// model, or an .npz with x, x_test or x_<input name / position>.
std::vector<data::NpyArrayView> predictInputs(Session &s, const StepIO &io, const std::string &path) {
  bool npz = path.size() > 4 && path.compare(path.size() - 4, 4, ".npz") == 0;
  if (!npz) {
    if (io.inputs.size() != 1)
      throw RuntimeError(path + ": the model takes " + std::to_string(io.inputs.size()) +
                         " inputs; give them as an .npz with x_<input name> (or x_0, x_1, ...)");
    return {data::open_npy(path)};
  }
  std::vector<std::string> list = data::npz_keys(path);
  std::set<std::string> keys(list.begin(), list.end());
  std::vector<data::NpyArrayView> xs;
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    std::vector<std::string> names = npzInputKeys(s, io, i, "x");
    for (const std::string &k : npzInputKeys(s, io, i, "x_test"))
      names.push_back(k);
    auto found = std::find_if(names.begin(), names.end(), [&](const std::string &k) { return keys.count(k) != 0; });
    if (found == names.end())
      throw RuntimeError(path + ": has no array for the model's input '" + inputName(s, io.inputs[i]) +
                         "' (expected " + names[0] + " or " + names[1] + ")");
    xs.push_back(data::open_npz_member(path, *found));
  }
  return xs;
}

void writeLogLine(const std::string &path, const std::string &line) {
  if (path.empty())
    return;
  if (std::string err = support::writeAtomically(path, line + "\n"); !err.empty())
    throw RuntimeError(err);
}

} // namespace

int evaluateModel(Session &s, const TrainOptions &options) {
  StepIO io(s);
  TrainOptions o = options; // data parallel: each process evaluates its rows; the first reports
  if (io.rank != 0)
    o.quiet = true, o.logJson.clear();
  RunLocks locks = checkOutputs(s, o);
  RunData run = loadRunData(s, io, o, /*validationSplit=*/false);
  // Built-in datasets and x_test/y_test: the test set; x/y or --x/--y: all of it.
  bool test = run.ds.test.size() > 0;
  const data::Split &split = test ? run.ds.test : run.ds.train;
  weightsForInference(s, o);
  auto start = std::chrono::steady_clock::now();
  Metrics m = evaluate(s, io, split, run.batch, run.map);
  double seconds = secondsSince(start);
  if (!o.quiet)
    std::printf("krun: evaluated %lld %ssamples from %s in %.2fs - loss: %.4f - accuracy: %.4f\n",
                static_cast<long long>(m.samples), test ? "test " : "", run.from.c_str(), seconds, m.meanLoss(),
                m.accuracy());
  std::ostringstream js;
  js.precision(9);
  js << "{\"samples\": " << m.samples << ", \"seconds\": " << seconds << ", \"loss\": " << m.meanLoss()
     << ", \"accuracy\": " << m.accuracy() << "}";
  writeLogLine(o.logJson, js.str());
  return 0;
}

int predict(Session &s, const TrainOptions &o) {
  StepIO io(s);
  if (o.output.empty())
    throw RuntimeError("--predict needs -o FILE.npy for the predictions");
  RunLocks locks = checkOutputs(s, o);
  std::vector<data::Array> xs = modelInputs(s, io, predictInputs(s, io, o.predictInput), -1, "");
  const int64_t n = xs[0].samples();
  weightsForInference(s, o);
  const bin::Buffer &p = s.bufferInfo(io.pred);
  std::vector<int64_t> shape(p.shape()->begin(), p.shape()->end());
  const int64_t perSample = static_cast<int64_t>(p.bytes() / 4) / io.batch;
  std::vector<float> out(static_cast<size_t>(n * perSample)), pred(static_cast<size_t>(io.batch * perSample));
  std::vector<std::vector<char>> staging(xs.size());
  std::vector<char> target(s.bufferInfo(io.target).bytes(), 0);
  std::vector<float> mask(io.batch);
  int64_t zero = 0;
  auto start = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < n; first += io.batch) {
    const int64_t valid = std::min(io.batch, n - first);
    for (size_t i = 0; i < xs.size(); ++i) {
      const data::Array &a = xs[i];
      const size_t row = static_cast<size_t>(a.sample_elems()) * 4; // float32 and int32 alike
      staging[i].assign(row * io.batch, 0);
      const char *src = a.dtype == data::Array::DType::F32 ? reinterpret_cast<const char *>(a.f32_data())
                                                           : reinterpret_cast<const char *>(a.i32_data());
      std::memcpy(staging[i].data(), src + first * row, valid * row);
      s.backend().write(io.inputs[i], staging[i].data());
    }
    for (int64_t r = 0; r < io.batch; ++r)
      mask[r] = r < valid ? 1.0f : 0.0f;
    s.backend().write(io.target, target.data());
    s.backend().write(io.mask, mask.data());
    s.backend().write(io.seed, &zero);
    s.backend().write(io.step, &zero);
    s.evaluate();
    s.backend().read(io.pred, pred.data());
    std::memcpy(out.data() + first * perSample, pred.data(), static_cast<size_t>(valid * perSample) * 4);
  }
  double seconds = secondsSince(start);
  shape[0] = n;
  writeNpy(o.output, shape, out.data());
  std::ostringstream js;
  js.precision(9);
  js << "{\"samples\": " << n << ", \"seconds\": " << seconds << "}";
  writeLogLine(o.logJson, js.str());
  if (!o.quiet)
    std::printf("krun: predicted %lld samples in %.2fs; wrote %s\n", static_cast<long long>(n), seconds,
                o.output.c_str());
  return 0;
}

} // namespace kcc::rt
