//===- UserDataTest.cpp - your own arrays in, Keras's files out (#10) -----===//
//
// numpy files of every dtype numpy writes, checked against the model with
// messages that name the array and the expected shape; .weights.h5 and
// .keras written and read back; --evaluate and --predict on the eval
// program. (Keras itself reads and writes these files in the conformance
// suite: run_conformance.py and keras_roundtrip.py.)
//
//===----------------------------------------------------------------------===//

#include "RuntimeHarness.h"
#include "TestFiles.h"

#include "core/KerasFiles.h"
#include "core/Npy.h"
#include "core/Trainer.h"
#include "data/BatchProducer.h"
#include "data/DataError.h"
#include "data/NumpyFiles.h"

#include "TempDir.h"

#include <zip.h>

#include <cmath>
#include <filesystem>
#include <optional>

using namespace kcc;
using namespace kcc::test;

namespace {

/// A Keras 3 model: 3 features, 2 classes, batch 4.
const char *kKeras3 = R"({"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
 {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "input_layer"}},
 {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d1", "units": 5, "activation": "relu"}},
 {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d2", "units": 2, "activation": "softmax"}}]},
 "kcc": {"batch_size": 4, "loss": "categorical_crossentropy", "optimizer": "sgd", "shuffle": false}})";

/// The same layers written by Keras 2, with sparse labels.
const char *kKeras2Sparse = R"({"class_name": "Sequential", "keras_version": "2.2.4", "config": {"name": "s", "layers": [
 {"class_name": "Dense", "config": {"name": "d1", "units": 5, "activation": "relu", "batch_input_shape": [null, 3]}},
 {"class_name": "Dense", "config": {"name": "d2", "units": 2, "activation": "softmax"}}]},
 "kcc": {"batch_size": 4, "loss": "sparse_categorical_crossentropy", "optimizer": "sgd"}})";

template <typename T>
std::vector<uint8_t> npy(const std::string &descr, const std::string &shape, const std::vector<T> &v) {
  return npyBytes(descr, shape, v.data(), v.size() * sizeof(T));
}

/// An .npz (numpy's zip of .npy members) written with libzip.
void writeNpz(const std::string &path, const std::vector<std::pair<std::string, std::vector<uint8_t>>> &members) {
  int err = 0;
  zip_t *z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto &[name, bytes] : members) {
    zip_source_t *src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    ASSERT_GE(zip_file_add(z, (name + ".npy").c_str(), src, 0), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

struct Fixture {
  TempDir dir;
  Harness model;
  explicit Fixture(const char *json) : model(json) {}
  rt::Session &session() { return model.runtime(); }
};

/// 10 samples of 3 features and their one-hot targets.
std::vector<std::pair<std::string, std::vector<uint8_t>>> tenSamples(const std::string &xKey = "x_train",
                                                                     const std::string &yKey = "y_train") {
  std::vector<double> x(30);
  std::vector<float> y(20, 0.0f);
  for (int i = 0; i < 10; ++i) {
    for (int k = 0; k < 3; ++k)
      x[i * 3 + k] = std::sin(1.0 + i * 3 + k);
    y[i * 2 + (i % 2)] = 1.0f;
  }
  return {{xKey, npy("<f8", "(10, 3)", x)}, {yKey, npy("<f4", "(10, 2)", y)}};
}

std::vector<float> weightsOf(rt::Session &s) {
  std::vector<float> all;
  for (const bin::Variable *v : s.weightsInKerasOrder()) {
    std::vector<float> w(s.bufferInfo(v->buffer()).bytes() / 4);
    s.backend().read(v->buffer(), w.data());
    all.insert(all.end(), w.begin(), w.end());
  }
  return all;
}

TEST(NumpyFiles, ConvertsEveryNumericDtypeAndMapsFloat32InPlace) {
  TempDir dir;
  writeBytes(dir.file("u8.npy"), npy<uint8_t>("|u1", "(2, 2)", {0, 1, 254, 255}));
  data::Array a = data::to_array(data::open_npy(dir.file("u8.npy")), data::Array::DType::F32);
  EXPECT_EQ(std::vector<float>(a.f32_data(), a.f32_data() + 4), (std::vector<float>{0, 1, 254, 255}));
  writeBytes(dir.file("i64.npy"), npy<int64_t>("<i8", "(3,)", {7, -2, 2147483647}));
  data::Array b = data::to_array(data::open_npy(dir.file("i64.npy")), data::Array::DType::I32);
  EXPECT_EQ(std::vector<int32_t>(b.i32_data(), b.i32_data() + 3), (std::vector<int32_t>{7, -2, 2147483647}));
  writeBytes(dir.file("f4.npy"), npy<float>("<f4", "(2,)", {1.5f, -3.0f}));
  data::Array c = data::to_array(data::open_npy(dir.file("f4.npy")), data::Array::DType::F32);
  EXPECT_NE(c.view, nullptr) << "float32 data must be used in place, not copied";
  EXPECT_EQ(c.f32_data()[1], -3.0f);
  writeBytes(dir.file("b.npy"), npy<uint8_t>("|b1", "(2,)", {1, 0}));
  data::Array d = data::to_array(data::open_npy(dir.file("b.npy")), data::Array::DType::I32);
  EXPECT_EQ(d.i32_data()[0], 1);
}

TEST(NumpyFiles, RefusesWhatCannotBeFedNamingTheArrayAndTheElement) {
  TempDir dir;
  auto dataError = [](auto f, std::initializer_list<std::string> needles) {
    try {
      f();
      ADD_FAILURE() << "expected a DataError";
    } catch (const data::DataError &e) {
      for (const std::string &n : needles)
        EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << n << " not in " << e.what();
    }
  };
  writeBytes(dir.file("frac.npy"), npy<double>("<f8", "(2, 2)", {1, 2, 3, 1.5}));
  dataError([&] { data::to_array(data::open_npy(dir.file("frac.npy")), data::Array::DType::I32); },
            {"frac.npy", "[1, 1]", "float64"});
  writeBytes(dir.file("big.npy"), npy<int64_t>("<i8", "(1,)", {int64_t(1) << 40}));
  dataError([&] { data::to_array(data::open_npy(dir.file("big.npy")), data::Array::DType::I32); },
            {"big.npy", "int32"});
  writeBytes(dir.file("nan.npy"), npy<float>("<f4", "(2, 2)", {0, 1, NAN, 3}));
  dataError([&] { data::to_array(data::open_npy(dir.file("nan.npy")), data::Array::DType::F32); },
            {"nan.npy", "[1, 0]", "finite"});
  writeBytes(dir.file("str.npy"), npy<char>("<U3", "(1,)", {'a', 0, 0, 0, 'b', 0, 0, 0, 'c', 0, 0, 0}));
  dataError([&] { data::open_npy(dir.file("str.npy")); }, {"str.npy", "<U3"});
  writeBytes(dir.file("cut.npy"), npy<float>("<f4", "(4,)", {1, 2}));
  dataError([&] { data::open_npy(dir.file("cut.npy")); }, {"cut.npy", "truncated"});
  writeBytes(dir.file("not.npz"), {'h', 'i'});
  dataError([&] { data::npz_keys(dir.file("not.npz")); }, {"not.npz", "zip"});
  writeNpz(dir.file("a.npz"), tenSamples());
  EXPECT_EQ(data::npz_keys(dir.file("a.npz")), (std::vector<std::string>{"x_train", "y_train"}));
  dataError([&] { data::open_npz_member(dir.file("a.npz"), "x_test"); }, {"a.npz", "'x_test'"});
}

TEST(BatchProducer, FeedsTargetsAsTheyAreWithTheirRows) {
  data::Split split;
  data::Array x, t;
  x.shape = {5, 1}, t.shape = {5, 2};
  for (int i = 0; i < 5; ++i)
    x.f32.push_back(float(i)), t.f32.push_back(10.0f * i), t.f32.push_back(-1.0f * i);
  split.inputs.push_back(x);
  split.targets = t;
  data::BatchOptions o;
  o.batch_size = 2, o.shuffle = true, o.seed = 9, o.label_mode = data::LabelMode::Targets;
  data::BatchProducer p(split, o);
  p.start_epoch(0);
  data::Batch b;
  int64_t rows = 0;
  while (p.next(b)) {
    EXPECT_EQ(b.label_shape, (std::vector<int64_t>{2, 2}));
    for (int64_t r = 0; r < 2; ++r) {
      float id = r < b.valid ? b.inputs[0].f32[r] : 0.0f;
      EXPECT_EQ(b.labels_f32[2 * r], r < b.valid ? 10.0f * id : 0.0f);
      EXPECT_EQ(b.labels_f32[2 * r + 1], r < b.valid ? -id : 0.0f);
    }
    rows += b.valid;
  }
  EXPECT_EQ(rows, 5);
}

TEST(UserData, TrainsFromAnNpzAndSavesKerasFilesThatLoadBack) {
  Fixture f(kKeras3);
  writeNpz(f.dir.file("d.npz"), tenSamples());
  rt::TrainOptions o;
  o.dataNpz = f.dir.file("d.npz"), o.epochs = 2, o.quiet = true, o.save = f.dir.file("m.keras");
  ASSERT_EQ(rt::train(f.session(), o), 0);
  std::vector<float> trained = weightsOf(f.session());
  rt::saveKerasFile(f.session(), f.dir.file("m.weights.h5"));
  for (const char *file : {"m.keras", "m.weights.h5"}) {
    f.session().initializeVariables(77);
    ASSERT_NE(weightsOf(f.session()), trained);
    rt::loadKerasFile(f.session(), f.dir.file(file));
    EXPECT_EQ(weightsOf(f.session()), trained) << file;
  }
  // --predict: every row, the partial last batch included, as the eval program gives it.
  o = rt::TrainOptions();
  o.initWeights = f.dir.file("m.weights.h5"), o.predictInput = f.dir.file("d.npz"), o.quiet = true;
  o.output = f.dir.file("p.npy");
  writeNpz(f.dir.file("d.npz"), tenSamples("x", "y"));
  ASSERT_EQ(rt::predict(f.session(), o), 0);
  rt::NpyArray p = rt::readNpy(o.output);
  ASSERT_EQ(p.shape, (std::vector<int64_t>{10, 2}));
  for (int i = 0; i < 10; ++i)
    EXPECT_NEAR(p.f32[2 * i] + p.f32[2 * i + 1], 1.0, 1e-6) << "softmax row " << i;
}

TEST(UserData, RefusesDataThatDoesNotFitTheModelBeforeTraining) {
  Fixture f(kKeras2Sparse);
  rt::TrainOptions o;
  o.quiet = true, o.epochs = 1;
  auto run = [&] { rt::train(f.session(), o); };
  std::vector<double> x(30, 0.5);
  o.dataNpz = f.dir.file("wide.npz");
  writeNpz(o.dataNpz, {{"x", npy("<f8", "(6, 5)", x)}, {"y", npy<int32_t>("<i4", "(6,)", {0, 1, 0, 1, 0, 1})}});
  expectRuntimeError(run, {"wide.npz:x", "expected shape (6, 3)", "'d1_input'", "found (6, 5)"});
  o.dataNpz = f.dir.file("ids.npz");
  writeNpz(o.dataNpz, {{"x", npy("<f8", "(2, 3)", std::vector<double>(6, 0.5))}, {"y", npy<int64_t>("<i8", "(2,)", {1, 2})}});
  expectRuntimeError(run, {"ids.npz:y", "class id 2", "2 classes"});
  o.dataNpz = f.dir.file("keys.npz");
  writeNpz(o.dataNpz, {{"inputs", npy("<f8", "(2, 3)", std::vector<double>(6, 0.5))}});
  expectRuntimeError(run, {"keys.npz", "x_train and y_train", "inputs"});
  o.dataNpz = f.dir.file("count.npz");
  writeNpz(o.dataNpz, {{"x", npy("<f8", "(3, 3)", std::vector<double>(9, 0.5))}, {"y", npy<int32_t>("<i4", "(2,)", {1, 0})}});
  expectRuntimeError(run, {"count.npz:x", "expected shape (2, 3)", "as in", "found (3, 3)"});
  // A .keras needs a Keras 3 source; another model's weights are refused.
  o = rt::TrainOptions();
  expectRuntimeError([&] { rt::saveKerasFile(f.session(), f.dir.file("k2.keras")); }, {"k2.keras", "Keras 3", ".weights.h5"});
  Fixture other(kKeras3);
  rt::saveKerasFile(other.session(), other.dir.file("o.weights.h5"));
  Harness wider(R"({"class_name": "Sequential", "keras_version": "2.2.4", "config": {"name": "s", "layers": [
   {"class_name": "Dense", "config": {"name": "d1", "units": 6, "activation": "relu", "batch_input_shape": [null, 3]}},
   {"class_name": "Dense", "config": {"name": "d2", "units": 2, "activation": "softmax"}}]},
   "kcc": {"batch_size": 4, "loss": "categorical_crossentropy"}})");
  expectRuntimeError([&] { rt::loadKerasFile(wider.runtime(), other.dir.file("o.weights.h5")); },
                     {"o.weights.h5", "layers/dense/vars/0", "expected float data of shape (3, 6)", "found", "(3, 5)"});
}

/// Sets an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name(name) {
    if (const char *old = std::getenv(name))
      saved = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { saved ? setenv(name, saved->c_str(), 1) : unsetenv(name); }

private:
  const char *name;
  std::optional<std::string> saved;
};

TEST(KerasCache, MnistNpzLoadsAsTheIdxFilesDoAndNothingSaysWhatToDo) {
  data::Dataset idx = data::load_dataset("mnist", KCC_DATA_DIR);
  TempDir home;
  std::filesystem::create_directories(home.file("datasets"));
  auto bytes = [](const data::Split &s) {
    std::vector<uint8_t> px(s.inputs[0].f32.size()), labels(s.labels.begin(), s.labels.end());
    for (size_t i = 0; i < px.size(); ++i)
      px[i] = static_cast<uint8_t>(std::lround(s.inputs[0].f32[i] * 255));
    return std::pair{px, labels};
  };
  auto [trainX, trainY] = bytes(idx.train);
  auto [testX, testY] = bytes(idx.test);
  // As keras.datasets.mnist keeps it: uint8 images (N, 28, 28), uint8 labels.
  writeNpz(home.file("datasets/mnist.npz"), {{"x_train", npy("|u1", "(60000, 28, 28)", trainX)},
                                             {"y_train", npy("|u1", "(60000,)", trainY)},
                                             {"x_test", npy("|u1", "(10000, 28, 28)", testX)},
                                             {"y_test", npy("|u1", "(10000,)", testY)}});
  ScopedEnv keras("KERAS_HOME", home.path().c_str()), kcc("KCC_DATA", nullptr);
  std::string from;
  data::Dataset cached = data::find_and_load_dataset("mnist", "", {}, from);
  EXPECT_EQ(from, home.file("datasets/mnist.npz"));
  EXPECT_EQ(cached.train.inputs[0].shape, idx.train.inputs[0].shape);
  EXPECT_EQ(cached.train.inputs[0].f32, idx.train.inputs[0].f32);
  EXPECT_EQ(cached.test.labels, idx.test.labels);
  try {
    data::find_and_load_dataset("cifar10", "", {}, from);
    ADD_FAILURE() << "expected a DataError";
  } catch (const data::DataError &e) {
    for (const char *n : {"cifar10", "--data", "KCC_DATA", "scripts/get-datasets.sh", "--data-npz"})
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << n << " not in " << e.what();
  }
}

} // namespace
