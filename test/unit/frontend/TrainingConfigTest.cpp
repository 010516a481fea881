//===- TrainingConfigTest.cpp - optimizer/loss defaults per Keras generation ===//

#include "FrontendTestSupport.h"

#include "gtest/gtest.h"

using namespace kcc::frontend;
using namespace kcc::test;

namespace {

/// A Keras 1/2 Sequential model file with |trainingConfig| (JSON text).
std::string keras2Model(const std::string &version, const std::string &trainingConfig,
                        const std::string &kcc = "") {
  return R"({"class_name": "Sequential", "keras_version": ")" + version +
         R"(", "config": [{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax",
                 "batch_input_shape": [null, 3]}}], "training_config": )" +
         trainingConfig + (kcc.empty() ? "" : ", \"kcc\": " + kcc) + "}";
}

std::string withOptimizer(const std::string &version, const std::string &cls, const std::string &config) {
  return keras2Model(version, R"({"optimizer_config": {"class_name": ")" + cls + R"(", "config": )" + config +
                                  R"(}, "loss": "categorical_crossentropy"})");
}

/// A Keras 3 model file with |compileConfig| (JSON text).
std::string keras3Model(const std::string &compileConfig) {
  return R"({"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
     {"module": "keras.layers", "class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 3]}},
     {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax"}}]},
     "compile_config": )" +
         compileConfig + "}";
}

std::string keras3Optimizer(const std::string &cls, const std::string &config) {
  return keras3Model(R"({"optimizer": {"module": "keras.optimizers", "class_name": ")" + cls +
                     R"(", "config": )" + config + R"(}, "loss": "categorical_crossentropy"})");
}

TEST(TrainingConfig, Keras208EpsilonDefaultIs1e8) {
  std::string errors;
  TrainingSettings s = settings(withOptimizer("2.0.8", "RMSprop", R"({"lr": 0.001, "rho": 0.9, "decay": 0.0})"), &errors);
  ASSERT_TRUE(errors.empty()) << errors;
  EXPECT_EQ(s.optimizer.name, "rmsprop");
  EXPECT_DOUBLE_EQ(s.optimizer.epsilon, 1e-8);
  EXPECT_FALSE(s.optimizer.keras3);
  EXPECT_DOUBLE_EQ(settings(withOptimizer("2.1.2", "Adam", "{}")).optimizer.epsilon, 1e-8);
  EXPECT_DOUBLE_EQ(settings(withOptimizer("1.2.2", "Adadelta", "{}")).optimizer.epsilon, 1e-8);
}

TEST(TrainingConfig, Keras213AndLaterEpsilonDefaultIs1e7) {
  for (const char *version : {"2.1.3", "2.1.6", "2.2.4", "2.9.0", "2.13.1"}) {
    TrainingSettings s = settings(withOptimizer(version, "RMSprop", "{}"));
    EXPECT_DOUBLE_EQ(s.optimizer.epsilon, 1e-7) << version;
  }
  // epsilon: null meant K.epsilon() in every version.
  EXPECT_DOUBLE_EQ(settings(withOptimizer("2.0.8", "Adam", R"({"epsilon": null})")).optimizer.epsilon, 1e-7);
  // An explicit value always wins.
  EXPECT_DOUBLE_EQ(settings(withOptimizer("2.2.4", "Adam", R"({"epsilon": 0.5})")).optimizer.epsilon, 0.5);
}

TEST(TrainingConfig, Keras2Defaults) {
  TrainingSettings rms = settings(withOptimizer("2.2.4", "RMSprop", "{}"));
  EXPECT_DOUBLE_EQ(rms.optimizer.lr, 1e-3);
  EXPECT_DOUBLE_EQ(rms.optimizer.rho, 0.9);
  EXPECT_DOUBLE_EQ(rms.optimizer.decay, 0.0);
  TrainingSettings ada = settings(withOptimizer("2.2.4", "Adadelta", "{}"));
  EXPECT_EQ(ada.optimizer.name, "adadelta");
  EXPECT_DOUBLE_EQ(ada.optimizer.lr, 1.0);
  EXPECT_DOUBLE_EQ(ada.optimizer.rho, 0.95);
  TrainingSettings sgd = settings(withOptimizer("2.2.4", "SGD", "{}"));
  EXPECT_DOUBLE_EQ(sgd.optimizer.lr, 0.01);
  EXPECT_DOUBLE_EQ(sgd.optimizer.momentum, 0.0);
  EXPECT_FALSE(sgd.optimizer.nesterov);
  TrainingSettings adam = settings(withOptimizer("2.2.4", "Adam", "{}"));
  EXPECT_DOUBLE_EQ(adam.optimizer.lr, 1e-3);
  EXPECT_DOUBLE_EQ(adam.optimizer.beta1, 0.9);
  EXPECT_DOUBLE_EQ(adam.optimizer.beta2, 0.999);
  // Keras 2 defaults for the run settings.
  EXPECT_EQ(adam.batchSize, 32);
  EXPECT_EQ(adam.epochs, 1);
  EXPECT_DOUBLE_EQ(adam.lossEpsilon, 1e-7);
}

TEST(TrainingConfig, Keras2ValuesAndTfKerasNames) {
  TrainingSettings s = settings(withOptimizer(
      "2.2.4", "SGD", R"({"lr": 0.05, "momentum": 0.9, "decay": 1e-4, "nesterov": true})"));
  EXPECT_EQ(s.optimizer.name, "sgd");
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.05);
  EXPECT_DOUBLE_EQ(s.optimizer.momentum, 0.9);
  EXPECT_DOUBLE_EQ(s.optimizer.decay, 1e-4);
  EXPECT_TRUE(s.optimizer.nesterov);
  // tf.keras says learning_rate.
  TrainingSettings tf = settings(withOptimizer("2.9.0", "Adam", R"({"learning_rate": 0.02, "beta_1": 0.8})"));
  EXPECT_DOUBLE_EQ(tf.optimizer.lr, 0.02);
  EXPECT_DOUBLE_EQ(tf.optimizer.beta1, 0.8);
  // Class names are matched loosely (rms_prop, RMSProp).
  EXPECT_EQ(settings(withOptimizer("2.2.4", "RMSProp", "{}")).optimizer.name, "rmsprop");
}

TEST(TrainingConfig, Keras3Defaults) {
  std::string errors;
  TrainingSettings ada = settings(keras3Optimizer("Adadelta", "{}"), &errors);
  ASSERT_TRUE(errors.empty()) << errors;
  EXPECT_EQ(ada.optimizer.name, "adadelta");
  EXPECT_DOUBLE_EQ(ada.optimizer.lr, 0.001); // Keras 2's was 1.0
  EXPECT_DOUBLE_EQ(ada.optimizer.rho, 0.95);
  EXPECT_DOUBLE_EQ(ada.optimizer.epsilon, 1e-7);
  EXPECT_TRUE(ada.optimizer.keras3);
  TrainingSettings rms = settings(keras3Optimizer("RMSprop", "{}"));
  EXPECT_DOUBLE_EQ(rms.optimizer.lr, 1e-3);
  EXPECT_DOUBLE_EQ(rms.optimizer.rho, 0.9);
  EXPECT_DOUBLE_EQ(rms.optimizer.epsilon, 1e-7);
  EXPECT_TRUE(rms.optimizer.keras3);
  TrainingSettings sgd = settings(keras3Optimizer("SGD", "{}"));
  EXPECT_DOUBLE_EQ(sgd.optimizer.lr, 0.01);
  // The optimizer stored as the string passed to compile().
  TrainingSettings byName = settings(keras3Model(R"({"optimizer": "adam", "loss": "categorical_crossentropy"})"));
  EXPECT_EQ(byName.optimizer.name, "adam");
  EXPECT_DOUBLE_EQ(byName.optimizer.lr, 1e-3);
  EXPECT_DOUBLE_EQ(byName.optimizer.epsilon, 1e-7);
}

TEST(TrainingConfig, Keras3Values) {
  TrainingSettings s = settings(keras3Optimizer(
      "Adam", R"({"learning_rate": 0.0010000000474974513, "beta_1": 0.85, "beta_2": 0.99, "epsilon": 1e-08,
                 "weight_decay": null, "clipnorm": null, "use_ema": false, "amsgrad": false})"));
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.0010000000474974513);
  EXPECT_DOUBLE_EQ(s.optimizer.beta1, 0.85);
  EXPECT_DOUBLE_EQ(s.optimizer.beta2, 0.99);
  EXPECT_DOUBLE_EQ(s.optimizer.epsilon, 1e-8);
  EXPECT_DOUBLE_EQ(s.optimizer.decay, 0.0);
}

TEST(TrainingConfig, Keras3InverseTimeDecayBecomesDecay) {
  // lr / (1 + decay_rate * step / decay_steps) is Keras 2's time decay with
  // decay = decay_rate / decay_steps.
  std::string errors;
  TrainingSettings s = settings(
      keras3Optimizer("SGD", R"({"learning_rate": {"module": "keras.optimizers.schedules",
          "class_name": "InverseTimeDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 100,
          "decay_rate": 0.5, "staircase": false}}, "momentum": 0.9})"),
      &errors);
  ASSERT_TRUE(errors.empty()) << errors;
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.1);
  EXPECT_DOUBLE_EQ(s.optimizer.decay, 0.005);
  EXPECT_DOUBLE_EQ(s.optimizer.momentum, 0.9);
}

TEST(TrainingConfig, Keras3UnsupportedSchedulesAndOptionsAreReported) {
  std::string errors;
  settings(keras3Optimizer("SGD", R"({"learning_rate": {"class_name": "InverseTimeDecay", "config": {
             "initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": true}}})"),
           &errors);
  EXPECT_NE(errors.find("/compile_config/optimizer/config/learning_rate"), std::string::npos) << errors;
  settings(keras3Optimizer("Adam", R"({"learning_rate": {"class_name": "ExponentialDecay", "config": {}}})"),
           &errors);
  EXPECT_NE(errors.find("ExponentialDecay"), std::string::npos) << errors;
  settings(keras3Optimizer("Adam", R"({"clipnorm": 1.0, "clipvalue": 0.5, "amsgrad": "yes"})"), &errors);
  EXPECT_NE(errors.find("/compile_config/optimizer/config: only one of clipnorm, clipvalue and global_clipnorm"),
            std::string::npos) << errors;
  EXPECT_NE(errors.find("/compile_config/optimizer/config/amsgrad"), std::string::npos) << errors;
  settings(keras3Optimizer("RMSprop", R"({"momentum": 0.5})"), &errors);
  EXPECT_NE(errors.find("momentum"), std::string::npos) << errors;
  settings(keras3Optimizer("Ftrl", "{}"), &errors);
  EXPECT_NE(errors.find("unsupported optimizer"), std::string::npos) << errors;
}

TEST(TrainingConfig, Losses) {
  EXPECT_EQ(settings(keras2Model("2.2.4", R"({"loss": "sparse_categorical_crossentropy"})")).loss,
            "sparse_categorical_crossentropy");
  EXPECT_EQ(settings(keras3Model(R"({"optimizer": "sgd", "loss": {"module": "keras.losses",
             "class_name": "CategoricalCrossentropy", "config": {"from_logits": false,
             "label_smoothing": 0.0}}})"))
                .loss,
            "categorical_crossentropy");
  EXPECT_TRUE(settings(keras3Model(R"({"optimizer": "sgd", "loss": {"class_name": "CategoricalCrossentropy",
             "config": {"from_logits": true}}})")).fromLogits);
  std::string errors;
  settings(keras3Model(R"({"optimizer": "sgd", "loss": {"class_name": "MeanSquaredError",
             "config": {"from_logits": true}}})"),
           &errors);
  EXPECT_NE(errors.find("from_logits applies to the crossentropy losses"), std::string::npos) << errors;
  settings(keras2Model("2.2.4", R"({"loss": "cosine_proximity"})"), &errors);
  EXPECT_NE(errors.find("/training_config/loss"), std::string::npos) << errors;
  EXPECT_NE(errors.find("cosine_proximity"), std::string::npos) << errors;
  EXPECT_EQ(settings(keras2Model("2.2.4", R"({"loss": "kullback_leibler_divergence"})")).loss, "kl_divergence");
  EXPECT_EQ(settings(keras2Model("2.2.4", R"({"loss": "mse"})")).loss, "mean_squared_error");
  EXPECT_EQ(settings(keras3Model(R"({"optimizer": "sgd", "loss": {"class_name": "BinaryCrossentropy",
             "config": {"from_logits": false}}})")).loss,
            "binary_crossentropy");
  settings(keras2Model("2.2.4", R"({"optimizer_config": {"class_name": "SGD", "config": {}}})"), &errors);
  EXPECT_NE(errors.find("no loss"), std::string::npos) << errors;
}

TEST(TrainingConfig, KccBlockAndOverrides) {
  std::string json = keras2Model("2.2.4", R"({"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}},
      "loss": "categorical_crossentropy"})",
                                 R"({"batch_size": 64, "epochs": 3, "dataset": {"name": "babi", "task": "qa2",
                                    "set": "en"}, "validation_split": 0.1, "shuffle": false,
                                    "optimizer": {"class_name": "Adam", "config": {"lr": 0.004}}})");
  std::string errors;
  TrainingSettings s = settings(json, &errors);
  ASSERT_TRUE(errors.empty()) << errors;
  EXPECT_EQ(s.batchSize, 64);
  EXPECT_EQ(s.epochs, 3);
  EXPECT_EQ(s.dataset, "babi");
  EXPECT_EQ(s.datasetTask, "qa2");
  EXPECT_EQ(s.datasetSet, "en");
  EXPECT_EQ(s.validation, "split");
  EXPECT_DOUBLE_EQ(s.validationSplit, 0.1);
  EXPECT_FALSE(s.shuffle);
  EXPECT_EQ(s.optimizer.name, "adam"); // the kcc block is more specific
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.004);
  TrainingOverrides o;
  o.batchSize = 7;
  EXPECT_EQ(settings(json, nullptr, o).batchSize, 7);

  settings(keras2Model("2.2.4", R"({"loss": "categorical_crossentropy"})", R"({"batch_size": 0, "epochs": "x"})"),
           &errors);
  EXPECT_NE(errors.find("/kcc/batch_size"), std::string::npos) << errors;
  EXPECT_NE(errors.find("/kcc/epochs"), std::string::npos) << errors;
}

TEST(TrainingConfig, TheModuleAttributeCarriesTheSettings) {
  Imported m = import(withOptimizer("2.0.8", "RMSprop", R"({"lr": 0.002})"));
  ASSERT_TRUE(m.module) << m.errors();
  auto training = m.module->getOperation()->getAttrOfType<kcc::graph::TrainingAttr>(kcc::kTrainingAttr);
  ASSERT_TRUE(training);
  kcc::graph::OptimizerAttr opt = training.getOptimizer();
  EXPECT_EQ(opt.getKind(), kcc::graph::OptimizerKind::rmsprop);
  EXPECT_DOUBLE_EQ(opt.getLr().convertToDouble(), 0.002);
  EXPECT_DOUBLE_EQ(opt.getEpsilon().convertToDouble(), 1e-8);
  EXPECT_EQ(opt.getKeras(), kcc::graph::KerasVersion::keras2);
  EXPECT_EQ(training.getLoss(), kcc::graph::LossKind::categorical_crossentropy);
}

} // namespace
