//===- SessionTest.cpp - variables, Keras-order weights, the fixed-batch mode ===//

#include "RuntimeHarness.h"

#include "core/Npy.h"
#include "core/RuntimeError.h"
#include "core/Trainer.h"

#include "gtest/gtest.h"

#include "TempDir.h"

#include <filesystem>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

using namespace kcc;
using namespace kcc::test;
namespace fs = std::filesystem;

namespace {

const char *kLstmMlp = R"({
 "class_name": "Sequential", "keras_version": "2.2.4",
 "config": {"name": "m", "layers": [
  {"class_name": "LSTM", "config": {"name": "l", "units": 4, "batch_input_shape": [null, 3, 2]}},
  {"class_name": "Dense", "config": {"name": "d", "units": 3, "activation": "softmax"}}]},
 "training_config": {"optimizer_config": {"class_name": "Adam", "config": {"lr": 0.01}},
                     "loss": "categorical_crossentropy"},
 "kcc": {"batch_size": 4}
})";

std::string fileName(size_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "w%03zu.npy", i);
  return name;
}

TEST(Session, InitializeVariablesFollowsTheInitializers) {
  Harness h(kLstmMlp);
  h.runtime().initializeVariables(42);
  auto vars = h.readVariables();
  // Biases: zeros, with the LSTM's forget quarter at one (unit_forget_bias).
  const std::vector<float> &lb = vars.at("l.bias");
  ASSERT_EQ(lb.size(), 16u);
  for (size_t i = 0; i < lb.size(); ++i)
    EXPECT_EQ(lb[i], (i >= 4 && i < 8) ? 1.0f : 0.0f) << i;
  for (float v : vars.at("d.bias"))
    EXPECT_EQ(v, 0.0f);
  // glorot_uniform kernel [4, 3]: |w| <= sqrt(6 / 7).
  for (float v : vars.at("d.kernel"))
    EXPECT_LE(std::fabs(v), std::sqrt(6.0 / 7) + 1e-6);
  // Optimizer slots start at zero.
  int slots = 0;
  for (const ReferenceVariable &v : h.model().variables())
    if (v.optimizerState) {
      ++slots;
      for (float x : vars.at(v.name))
        EXPECT_EQ(x, 0.0f) << v.name;
    }
  EXPECT_EQ(slots, 2 * 5); // Adam: m and v for 5 weights
  // Reproducible from the seed, different for another seed.
  h.runtime().initializeVariables(42);
  EXPECT_EQ(h.readVariables(), vars);
  h.runtime().initializeVariables(43);
  EXPECT_NE(h.readVariables().at("l.kernel"), vars.at("l.kernel"));
}

TEST(Session, WeightsRoundTripInKerasOrder) {
  Harness h(kLstmMlp);
  auto order = h.runtime().weightsInKerasOrder();
  std::vector<std::string> names;
  for (const bin::Variable *v : order)
    names.push_back(v->name()->str());
  // Keras get_weights(): LSTM kernel, recurrent kernel, bias, then Dense.
  EXPECT_EQ(names, (std::vector<std::string>{"l.kernel", "l.recurrent_kernel", "l.bias", "d.kernel", "d.bias"}));
  TempDir dir;
  h.runtime().initializeVariables(5);
  h.runtime().dumpWeights(dir.path());
  auto before = h.readVariables();
  h.runtime().initializeVariables(6);
  h.runtime().loadWeights(dir.path());
  EXPECT_EQ(h.readVariables(), before);
  rt::NpyArray w1 = rt::readNpy(dir.file("w001.npy"));
  EXPECT_EQ(w1.shape, (std::vector<int64_t>{4, 16}));
}

TEST(Session, LoadWeightsChecksShapesAndCount) {
  Harness h(kLstmMlp);
  TempDir dir;
  h.runtime().initializeVariables(5);
  h.runtime().dumpWeights(dir.path());
  // One weight file too many.
  std::vector<float> extra(3, 0.0f);
  rt::writeNpy(dir.file("w005.npy"), {3}, extra.data());
  try {
    h.runtime().loadWeights(dir.path());
    ADD_FAILURE() << "expected a RuntimeError";
  } catch (const rt::RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find("w005.npy"), std::string::npos) << e.what();
  }
  fs::remove(dir.file("w005.npy"));
  // A transposed kernel.
  std::vector<float> t(3 * 4, 0.0f);
  rt::writeNpy(dir.file("w003.npy"), {3, 4}, t.data());
  try {
    h.runtime().loadWeights(dir.path());
    ADD_FAILURE() << "expected a RuntimeError";
  } catch (const rt::RuntimeError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("w003.npy"), std::string::npos) << m;
    EXPECT_NE(m.find("d.kernel"), std::string::npos) << m;
  }
}

TEST(FixedBatch, TwoStepsMatchTheReference) {
  // krun's conformance mode (trainOnFixedBatch): initial weights and the
  // batch from .npy files, two steps, weights/loss/predictions dumped.
  Harness h(kLstmMlp);
  TempDir in, out;
  std::map<std::string, RefTensor> vars = h.randomVariables(8);
  auto order = h.runtime().weightsInKerasOrder();
  for (size_t i = 0; i < order.size(); ++i) {
    const RefTensor &t = vars.at(order[i]->name()->str());
    std::vector<float> f(t.data.begin(), t.data.end());
    rt::writeNpy(in.file(fileName(i)), t.shape, f.data());
  }
  std::vector<RefTensor> batch = h.randomBatch(9);
  const RefTensor &x = batch[h.argIndex("input")], &y = batch[h.argIndex("target")];
  std::vector<float> xf(x.data.begin(), x.data.end()), yf(y.data.begin(), y.data.end());
  rt::writeNpy(in.file("x0.npy"), x.shape, xf.data());
  rt::writeNpy(in.file("y.npy"), y.shape, yf.data());

  rt::TrainOptions o;
  o.initWeights = in.path();
  o.batchDir = in.path();
  o.dumpDir = out.path();
  o.maxSteps = 2;
  o.seed = 1;
  ASSERT_EQ(rt::trainOnFixedBatch(h.runtime(), o), 0);

  std::vector<RefTensor> results;
  std::string error;
  for (int64_t step = 0; step < 2; ++step) {
    batch[h.argIndex("step")][0] = static_cast<double>(step);
    batch[h.argIndex("seed")][0] = 1;
    ASSERT_TRUE(h.model().referenceTrainStep(vars, batch, results, error)) << error;
  }
  rt::NpyArray loss = rt::readNpy(out.file("loss.npy"));
  EXPECT_TRUE(loss.shape.empty());
  EXPECT_NEAR(loss.f32[0], results[0][0], 1e-4 * std::max(1.0, std::fabs(results[0][0])));
  rt::NpyArray pred = rt::readNpy(out.file("pred.npy"));
  EXPECT_EQ(pred.shape, results[2].shape);
  EXPECT_TRUE(compareTensor("pred", pred.f32, results[2].data, 1e-4).empty())
      << compareTensor("pred", pred.f32, results[2].data, 1e-4);
  // Weights after two Adam steps (each changes a weight by about lr).
  for (size_t i = 0; i < order.size(); ++i) {
    std::string name = order[i]->name()->str();
    rt::NpyArray w = rt::readNpy(out.file(fileName(i)));
    EXPECT_EQ(w.shape, vars.at(name).shape) << name;
    std::string diff = compareTensor(name, w.f32, vars.at(name).data, 1e-5, 0.1, 1e-6);
    EXPECT_TRUE(diff.empty()) << diff;
  }
}

} // namespace

namespace {

cpu_set_t threadAffinity() {
  cpu_set_t s;
  CPU_ZERO(&s);
  pthread_getaffinity_np(pthread_self(), sizeof s, &s);
  return s;
}

TEST(Session, PinThreadsGivesEachWorkerItsOwnCpu) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  if (CPU_COUNT(&allowed) < 2)
    GTEST_SKIP() << "needs two CPUs";
  for (const char *v : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"})
    if (std::getenv(v))
      GTEST_SKIP() << v << " is set: pinning is left to it";
  Harness h(kLstmMlp, 2);
  std::string said = h.runtime().backend().pinThreads();
  std::vector<cpu_set_t> seen(2);
#pragma omp parallel num_threads(2)
  seen[omp_get_thread_num()] = threadAffinity();
  // Undo it for the tests after this one (the process's own mask again).
#pragma omp parallel num_threads(2)
  pthread_setaffinity_np(pthread_self(), sizeof allowed, &allowed);
  EXPECT_EQ(said.rfind("threads pinned to CPUs ", 0), 0u) << said;
  EXPECT_EQ(CPU_COUNT(&seen[0]), 1);
  EXPECT_EQ(CPU_COUNT(&seen[1]), 1);
  EXPECT_FALSE(CPU_EQUAL(&seen[0], &seen[1])) << "both workers on one CPU";
  for (const cpu_set_t &s : seen)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &s))
        EXPECT_TRUE(CPU_ISSET(c, &allowed)) << "CPU " << c << " is outside the process's mask";
}

TEST(Session, PinThreadsLeavesMoreThreadsThanCpusAlone) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  for (const char *v : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"})
    if (std::getenv(v))
      GTEST_SKIP() << v << " is set: pinning is left to it";
  Harness h(kLstmMlp, CPU_COUNT(&allowed) + 1);
  EXPECT_EQ(h.runtime().backend().pinThreads().rfind("threads not pinned", 0), 0u);
}

} // namespace
