//===- Steps.cpp - feeding batches to the step programs -------------------===//

#include "core/Steps.h"

#include "core/Checkpoint.h"
#include "core/KerasFiles.h"
#include "core/RuntimeError.h"
#include "support/Output.h"
#include "data/DataError.h"
#include "data/NumpyFiles.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

namespace kcc::rt {

StepIO::StepIO(Session &s) {
  for (const flatbuffers::String *n : *s.model().inputs())
    inputs.push_back(s.buffer(n->str()));
  using R = bin::BufferRole;
  target = s.bufferWithRole(R::Target), mask = s.bufferWithRole(R::Mask), seed = s.bufferWithRole(R::Seed);
  step = s.bufferWithRole(R::Step), loss = s.bufferWithRole(R::Loss), correct = s.bufferWithRole(R::Correct);
  pred = s.bufferWithRole(R::Pred);
  const bin::Buffer &t = s.bufferInfo(target);
  sparse = t.dtype() == bin::DType::I32;
  globalBatch = s.model().training()->batch_size();
  ranks = static_cast<int>(std::clamp<int64_t>(s.model().training()->ranks(), 1, std::max<int64_t>(globalBatch, 1)));
  batch = (globalBatch + ranks - 1) / ranks;
  if (t.shape()->size() == 0 || t.shape()->Get(0) != batch)
    throw RuntimeError(s.path() + ": the target buffer's first dimension is not the batch size " +
                       std::to_string(batch));
  int processes = s.collective ? s.collective->size() : 1;
  if (ranks != processes)
    throw RuntimeError(s.path() + ": compiled for " +
                       (ranks == 1 ? std::string("one process") : std::to_string(ranks) + " processes") +
                       ", but this run has " + std::to_string(processes) + "; " +
                       (ranks == 1 ? "compile it with kcc --ranks " + std::to_string(processes)
                                   : "run it with mpirun -np " + std::to_string(ranks) + " krun ..."));
  rank = s.collective ? s.collective->rank() : 0;
  if (ranks > 1)
    rowOffset = s.bufferWithRole(R::RowOffset);
  const bin::Buffer &p = s.bufferInfo(pred);
  classes = p.shape()->Get(p.shape()->size() - 1);
}

std::string shapeText(const flatbuffers::Vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s.Get(i));
  return out + "]";
}

namespace {

int64_t perSample(const bin::Buffer &b) {
  int64_t n = 1;
  for (size_t i = 1; i < b.shape()->size(); ++i)
    n *= b.shape()->Get(i);
  return n;
}

/// Checks the dataset fits the model and maps model input i to dataset input.
std::vector<size_t> matchInputs(Session &s, const StepIO &io, const data::Dataset &ds) {
  if (io.inputs.size() != ds.train.inputs.size())
    throw RuntimeError("dataset '" + ds.name + "' has " + std::to_string(ds.train.inputs.size()) +
                       " inputs, the model takes " + std::to_string(io.inputs.size()));
  std::vector<size_t> map;
  std::vector<bool> used(ds.train.inputs.size(), false);
  for (uint32_t b : io.inputs) {
    const bin::Buffer &buf = s.bufferInfo(b);
    size_t found = SIZE_MAX;
    for (size_t k = 0; k < ds.train.inputs.size(); ++k)
      if (!used[k] && ds.train.inputs[k].sample_elems() == perSample(buf)) {
        found = k;
        break;
      }
    if (found == SIZE_MAX)
      throw RuntimeError("dataset '" + ds.name + "' has no input matching the model's input '" + buf.name()->str() +
                         "' of shape " + shapeText(*buf.shape()));
    bool wantInt = buf.dtype() == bin::DType::I32;
    if (wantInt != (ds.train.inputs[found].dtype == data::Array::DType::I32))
      throw RuntimeError("the model's input '" + buf.name()->str() + "' and dataset '" + ds.name +
                         "' disagree on integer vs float data");
    used[found] = true;
    map.push_back(found);
  }
  if (io.classes != ds.num_classes)
    throw RuntimeError("the model predicts " + std::to_string(io.classes) + " classes, dataset '" + ds.name +
                       "' has " + std::to_string(ds.num_classes));
  return map;
}

} // namespace

namespace {

/// Writes rows [first, first + io.batch) of a global batch buffer holding
/// io.globalBatch rows of 4-byte elements (rows past its end: zeros).
void writeRows(Session &s, const StepIO &io, uint32_t buffer, const void *global, int64_t first) {
  if (io.ranks == 1)
    return s.backend().write(buffer, global);
  const int64_t rowBytes = 4 * perSample(s.bufferInfo(buffer));
  const int64_t rows = std::clamp<int64_t>(io.globalBatch - first, 0, io.batch);
  static thread_local std::vector<uint8_t> staged;
  staged.assign(static_cast<size_t>(io.batch * rowBytes), 0);
  if (rows > 0)
    std::memcpy(staged.data(), static_cast<const uint8_t *>(global) + first * rowBytes,
                static_cast<size_t>(rows * rowBytes));
  s.backend().write(buffer, staged.data());
}

} // namespace

int64_t feed(Session &s, const StepIO &io, const data::Batch &b, const std::vector<size_t> &map,
             std::vector<float> &mask, int64_t seed, int64_t step) {
  const int64_t first = io.rank * io.batch;
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    const data::BatchInput &in = b.inputs[map[i]];
    writeRows(s, io, io.inputs[i], in.f32 ? static_cast<const void *>(in.f32) : in.i32, first);
  }
  writeRows(s, io, io.target, io.sparse ? static_cast<const void *>(b.labels_i32) : b.labels_f32, first);
  const int64_t valid = std::clamp<int64_t>(b.valid - first, 0, io.batch);
  for (int64_t r = 0; r < io.batch; ++r)
    mask[r] = r < valid ? 1.0f : 0.0f;
  s.backend().write(io.mask, mask.data());
  s.backend().write(io.seed, &seed);
  s.backend().write(io.step, &step);
  if (io.rowOffset != UINT32_MAX)
    s.backend().write(io.rowOffset, &first);
  s.shareOfBatch = b.valid > 0 ? static_cast<double>(valid) / static_cast<double>(b.valid) : 0.0;
  return valid;
}

float readScalar(Session &s, uint32_t buffer) {
  float v;
  s.backend().read(buffer, &v);
  return v;
}

Metrics evaluate(Session &s, const StepIO &io, const data::Split &split, const data::BatchOptions &base,
                 const std::vector<size_t> &map) {
  Metrics m;
  if (split.size() == 0)
    return m;
  data::BatchOptions opts = base;
  opts.shuffle = false;
  opts.augment.reset();
  opts.steps_per_epoch = 0;
  data::BatchProducer producer(split, opts);
  producer.start_epoch(0);
  data::Batch b;
  std::vector<float> mask(io.batch);
  while (producer.next(b)) {
    int64_t valid = feed(s, io, b, map, mask, 0, 0);
    if (valid == 0) // this process has no rows of a short last batch
      continue;
    s.evaluate();
    m.loss += readScalar(s, io.loss) * valid;
    m.correct += readScalar(s, io.correct);
    m.samples += valid;
  }
  if (io.ranks > 1) {
    double sums[3] = {m.loss, m.correct, static_cast<double>(m.samples)};
    s.collective->sum(sums, 3);
    m.loss = sums[0], m.correct = sums[1], m.samples = static_cast<int64_t>(sums[2]);
  }
  return m;
}


//===----------------------------------------------------------------------===//
// The data of a run
//===----------------------------------------------------------------------===//

namespace {

std::string tupleText(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

/// What one sample of |b| looks like: its shape without the batch dimension.
std::vector<int64_t> sampleShape(const bin::Buffer &b) {
  return std::vector<int64_t>(b.shape()->begin() + 1, b.shape()->end());
}

} // namespace

std::vector<data::Array> modelInputs(Session &s, const StepIO &io, const std::vector<data::NpyArrayView> &xs,
                                     int64_t n, const std::string &why) {
  std::vector<data::Array> out;
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    const data::NpyArrayView &x = xs[i];
    const bin::Buffer &b = s.bufferInfo(io.inputs[i]);
    std::vector<int64_t> want = sampleShape(b);
    want.insert(want.begin(), n >= 0 ? n : x.shape.empty() ? 0 : x.shape[0]);
    if (x.shape != want)
      throw RuntimeError(x.what + ": expected shape " + tupleText(want) + " for the model's input '" +
                         inputName(s, io.inputs[i]) + "' (" + std::to_string(want[0]) + " samples" +
                         (why.empty() ? "" : ", " + why) + "), found " + x.shape_text());
    out.push_back(data::to_array(x, b.dtype() == bin::DType::I32 ? data::Array::DType::I32 : data::Array::DType::F32));
  }
  return out;
}

std::string inputName(Session &s, uint32_t buffer) {
  std::string n = s.bufferInfo(buffer).name()->str();
  return n.rfind("x:", 0) == 0 ? n.substr(2) : n;
}

std::vector<std::string> npzInputKeys(Session &s, const StepIO &io, size_t i, const std::string &prefix) {
  std::vector<std::string> keys;
  if (io.inputs.size() == 1)
    keys.push_back(prefix);
  keys.push_back(prefix + "_" + inputName(s, io.inputs[i]));
  keys.push_back(prefix + "_" + std::to_string(i));
  return keys;
}

namespace {

/// One part (train, validation, test) as stored: an array per model input
/// and the targets.
struct StoredPart {
  std::vector<data::NpyArrayView> x;
  data::NpyArrayView y;
};

/// Checks |part| against the model and converts it to what its buffers
/// hold (a float32/int32 file is used in place, a mapped .npy stays mapped).
data::Split toSplit(Session &s, const StepIO &io, const StoredPart &part) {
  data::Split split;
  const int64_t n = part.y.shape.empty() ? -1 : part.y.shape[0];
  split.inputs = modelInputs(s, io, part.x, n, "as in " + part.y.what);
  const bin::Buffer &t = s.bufferInfo(io.target);
  std::vector<int64_t> want = sampleShape(t), got(part.y.shape.begin() + (n >= 0), part.y.shape.end());
  // Keras takes y of shape (N,) for an output of shape (N, 1).
  bool squeezed = got.empty() && want == std::vector<int64_t>{1};
  if (n < 0 || (got != want && !squeezed)) {
    std::vector<int64_t> full = want;
    full.insert(full.begin(), std::max<int64_t>(n, 0));
    std::string hint = !io.sparse && got.empty() && want.size() == 1 && want[0] > 1
                           ? " (the loss takes one-hot targets: one-hot encode y, or compile the model with "
                             "sparse_categorical_crossentropy)"
                           : "";
    throw RuntimeError(part.y.what + ": expected targets of shape " + tupleText(full) + " for the model's output, found " +
                       part.y.shape_text() + hint);
  }
  split.targets = data::to_array(part.y, io.sparse ? data::Array::DType::I32 : data::Array::DType::F32);
  if (squeezed)
    split.targets.shape.push_back(1);
  if (io.sparse) {
    const int32_t *ids = split.targets.i32_data();
    for (int64_t k = 0; k < split.targets.elements(); ++k)
      if (ids[k] < 0 || ids[k] >= io.classes)
        throw RuntimeError(part.y.what + ": class id " + std::to_string(ids[k]) + " at index " + std::to_string(k) +
                           " is outside the model's " + std::to_string(io.classes) + " classes [0, " +
                           std::to_string(io.classes) + ")");
  }
  return split;
}

/// The keys of the part named |suffix| ("_train", "_test", "_val" or "")
/// in an .npz: x<suffix> (one input) or x<suffix>_<input name or position>,
/// and y<suffix>. Empty when the archive has no such part.
std::optional<StoredPart> npzPart(Session &s, const StepIO &io, const std::string &path,
                                  const std::set<std::string> &keys, const std::string &suffix) {
  std::string y = "y" + suffix;
  if (!keys.count(y))
    return std::nullopt;
  StoredPart part;
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    std::vector<std::string> names = npzInputKeys(s, io, i, "x" + suffix);
    auto found = std::find_if(names.begin(), names.end(), [&](const std::string &k) { return keys.count(k) != 0; });
    if (found == names.end())
      throw RuntimeError(path + ": has " + y + " but no " + names[0] + (names.size() > 2 ? " or " + names[1] : "") +
                         " for the model's input '" + inputName(s, io.inputs[i]) + "'");
    part.x.push_back(data::open_npz_member(path, *found));
  }
  part.y = data::open_npz_member(path, y);
  return part;
}

std::set<std::string> npzKeySet(const std::string &path) {
  std::vector<std::string> keys = data::npz_keys(path);
  return std::set<std::string>(keys.begin(), keys.end());
}

/// The user's own arrays: --data-npz (x_train/y_train and x_test/y_test,
/// or x/y), --x/--y, --validation-npz.
data::Dataset loadUserData(Session &s, const StepIO &io, const TrainOptions &o) {
  data::Dataset ds;
  ds.name = "your data";
  std::optional<StoredPart> train, test;
  if (!o.dataNpz.empty()) {
    std::set<std::string> keys = npzKeySet(o.dataNpz);
    train = npzPart(s, io, o.dataNpz, keys, "_train");
    if (!train)
      train = npzPart(s, io, o.dataNpz, keys, "");
    if (!train) {
      std::string have;
      for (const std::string &k : keys)
        have += (have.empty() ? "" : ", ") + k;
      throw RuntimeError(o.dataNpz + ": expected arrays x_train and y_train (or x and y), found " +
                         (have.empty() ? "no arrays" : have));
    }
    test = npzPart(s, io, o.dataNpz, keys, "_test");
  } else {
    if (o.xFiles.size() != io.inputs.size())
      throw RuntimeError("the model takes " + std::to_string(io.inputs.size()) + " input(s); give one --x FILE.npy for each, in order (found " +
                         std::to_string(o.xFiles.size()) + ")");
    if (o.yFile.empty())
      throw RuntimeError("--x needs --y FILE.npy with the targets");
    train.emplace();
    for (const std::string &f : o.xFiles)
      train->x.push_back(data::open_npy(f));
    train->y = data::open_npy(o.yFile);
  }
  ds.train = toSplit(s, io, *train);
  if (test)
    ds.test = toSplit(s, io, *test);
  if (!o.validationNpz.empty()) {
    std::set<std::string> keys = npzKeySet(o.validationNpz);
    std::optional<StoredPart> val;
    for (const char *suffix : {"_val", "_test", ""})
      if (!val)
        val = npzPart(s, io, o.validationNpz, keys, suffix);
    if (!val)
      throw RuntimeError(o.validationNpz + ": expected arrays x_val and y_val (or x_test/y_test, or x/y)");
    ds.validation = toSplit(s, io, *val);
  }
  ds.num_classes = static_cast<int>(io.classes);
  return ds;
}

} // namespace

RunData loadRunData(Session &s, const StepIO &io, const TrainOptions &o, bool validationSplit) {
  const bin::Training &t = *s.model().training();
  RunData run;
  data::DatasetOptions dopts;
  if (s.model().data_format() == bin::DataFormat::ChannelsFirst)
    dopts.image_layout = "channels_first";
  double split = o.validationSplit >= 0                                    ? o.validationSplit
                 : t.validation() && t.validation()->str() == "split" ? t.validation_split()
                                                                      : 0.0;
  run.userData = !o.dataNpz.empty() || !o.xFiles.empty() || !o.yFile.empty();
  if (run.userData) {
    if (!o.dataNpz.empty() && (!o.xFiles.empty() || !o.yFile.empty()))
      throw RuntimeError("give your data either as --data-npz FILE or as --x/--y files, not both");
    run.ds = loadUserData(s, io, o);
    run.from = !o.dataNpz.empty() ? o.dataNpz : o.xFiles[0] + (o.xFiles.size() > 1 ? ", ..." : "");
    if (split > 0 && validationSplit && o.validationNpz.empty())
      data::split_validation(run.ds.train, run.ds.validation, split);
    run.map.resize(io.inputs.size());
    for (size_t i = 0; i < run.map.size(); ++i)
      run.map[i] = i;
    run.batch.label_mode = data::LabelMode::Targets;
  } else {
    if (!o.validationNpz.empty())
      throw RuntimeError("--validation-npz goes with your own training data (--data-npz or --x/--y)");
    std::string name = o.dataset.empty() ? (t.dataset() ? t.dataset()->str() : "") : o.dataset;
    if (name.empty())
      throw RuntimeError(s.path() + ": the model names no dataset; pass your data with --data-npz FILE (or --x/--y), "
                                    "or a built-in one with --dataset mnist|cifar10|babi");
    if (t.dataset_task() && t.dataset_task()->size())
      dopts.babi_task = t.dataset_task()->str();
    if (t.dataset_set() && t.dataset_set()->size())
      dopts.babi_set = t.dataset_set()->str();
    dopts.validation_split = validationSplit ? split : 0.0;
    run.ds = data::find_and_load_dataset(name, o.dataDir, dopts, run.from);
    run.map = matchInputs(s, io, run.ds);
    run.batch.label_mode = io.sparse ? data::LabelMode::IndexI32 : data::LabelMode::OneHotF32;
    run.batch.num_classes = run.ds.num_classes;
  }
  data::BatchOptions &b = run.batch;
  b.batch_size = io.globalBatch; // every process reads whole global batches and feeds its rows
  b.shuffle = t.shuffle();
  b.seed = o.seed;
  b.image_layout = dopts.image_layout;
  b.steps_per_epoch = t.steps_per_epoch();
  if (t.augment()) {
    data::AugmentOptions a;
    a.width_shift_range = t.width_shift_range();
    a.height_shift_range = t.height_shift_range();
    a.horizontal_flip = t.horizontal_flip();
    b.augment = a;
  }
  return run;
}

/// Before any work: every output can be written, none is one of the run's
/// inputs, and the log and checkpoint are locked against a second krun.
RunLocks checkOutputs(Session &s, const TrainOptions &o) {
  std::vector<std::string> inputs = {s.path()};
  size_t weights = s.weightsInKerasOrder().size();
  if (kerasFileKind(o.initWeights) != KerasFileKind::None)
    inputs.push_back(o.initWeights);
  for (size_t i = 0; !o.initWeights.empty() && kerasFileKind(o.initWeights) == KerasFileKind::None && i < weights; ++i)
    inputs.push_back(Session::weightFile(o.initWeights, i));
  for (const std::string *f : {&o.dataNpz, &o.yFile, &o.validationNpz, &o.predictInput})
    if (!f->empty())
      inputs.push_back(*f);
  inputs.insert(inputs.end(), o.xFiles.begin(), o.xFiles.end());
  std::error_code ec; // a missing batch folder is reported when it is read
  if (!o.batchDir.empty())
    for (std::filesystem::directory_iterator it(o.batchDir, ec), end; !ec && it != end; it.increment(ec))
      inputs.push_back(it->path().string());
  auto check = [](const std::string &err) {
    if (!err.empty())
      throw RuntimeError(err);
  };
  for (const std::string *dir : {&o.dumpWeights, &o.dumpDir}) {
    if (dir->empty())
      continue;
    check(support::checkOutputDirectory(*dir, inputs));
    std::error_code ec; // made now, so its files can be checked too
    std::filesystem::create_directories(*dir, ec);
    for (size_t i = 0; i < weights; ++i)
      check(support::checkOutput(Session::weightFile(*dir, i), inputs));
  }
  if (!o.dumpBatch.empty()) {
    check(support::checkOutputDirectory(o.dumpBatch, inputs));
    std::error_code made; // made now, so its files can be checked too
    std::filesystem::create_directories(o.dumpBatch, made);
    for (size_t i = 0; i < s.model().inputs()->size(); ++i)
      check(support::checkOutput((std::filesystem::path(o.dumpBatch) / ("x" + std::to_string(i) + ".npy")).string(),
                                 inputs));
    check(support::checkOutput((std::filesystem::path(o.dumpBatch) / "y.npy").string(), inputs));
  }
  for (const char *f : {"loss.npy", "pred.npy"})
    if (!o.dumpDir.empty())
      check(support::checkOutput((std::filesystem::path(o.dumpDir) / f).string(), inputs));
  // The checkpoint being resumed is read whole before it is replaced, so
  // --resume and --checkpoint may name the same folder.
  RunLocks locks;
  if (!o.checkpointDir.empty()) {
    check(support::checkOutputDirectory(o.checkpointDir, inputs));
    std::error_code ec;
    std::filesystem::create_directories(o.checkpointDir, ec);
    std::string file = checkpointFile(o.checkpointDir);
    check(support::checkOutput(file, inputs));
    check(locks.checkpoint.acquire(file));
    support::removeStaleTemporaries(file); // from a run killed mid-write
  }
  if (!o.save.empty()) {
    if (kerasFileKind(o.save) == KerasFileKind::None)
      throw RuntimeError(o.save + ": --save writes FILE.keras or FILE.weights.h5 (Keras's own suffixes)");
    check(support::checkOutput(o.save, inputs));
  }
  if (!o.output.empty())
    check(support::checkOutput(o.output, inputs));
  if (!o.logJson.empty()) {
    check(support::checkOutput(o.logJson, inputs));
    check(locks.log.acquire(o.logJson));
  }
  return locks;
}

} // namespace kcc::rt
