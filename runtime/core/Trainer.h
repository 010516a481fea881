//===- Trainer.h - the epoch loop of krun ---------------------------------===//

#ifndef KCC_RUNTIME_CORE_TRAINER_H
#define KCC_RUNTIME_CORE_TRAINER_H

#include "core/Session.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::rt {

struct TrainOptions {
  std::string dataDir;    // --data (else $KCC_DATA)
  std::string dataset;    // --dataset overrides the model's
  // Your own data instead of a built-in dataset (numpy files).
  std::string dataNpz;                // --data-npz: x_train/y_train [+ x_test/y_test], or x/y
  std::vector<std::string> xFiles;    // --x: one .npy per model input
  std::string yFile;                  // --y: the targets
  std::string validationNpz;          // --validation-npz
  double validationSplit = -1;        // --validation-split (fit's); < 0: the model's
  std::string save;                   // --save: FILE.keras or FILE.weights.h5 after training
  std::string predictInput, output;   // --predict X -o OUT
  int64_t epochs = 0;     // 0: the model's
  int64_t maxSteps = 0;   // --steps: stop after this many steps (0: no limit)
  uint64_t seed = 1;
  std::string logJson;    // --log-json
  bool seedGiven = false; // --seed was on the command line
  std::string initWeights, dumpWeights, batchDir, dumpDir;
  std::string dumpBatch;       // --dump-batch: the first batch fed, as --batch reads it
  std::string checkpointDir;   // --checkpoint: write DIR/checkpoint.kcc at epoch ends
  int64_t checkpointEvery = 0; // --checkpoint-every N: also every N steps
  std::string resumeDir;       // --resume: continue the run saved in DIR
  bool profile = false;
  bool quiet = false;
  int debug = 0;          // KCC_DEBUG
};

/// Trains on the model's dataset as model.bin describes; returns the exit code.
int train(Session &session, const TrainOptions &options);

/// --evaluate: loss and accuracy of the eval program (inference mode) on the
/// test data (the built-in test set, or x_test/y_test, x/y of --data-npz).
int evaluateModel(Session &session, const TrainOptions &options);

/// --predict X -o OUT: the model's outputs for the samples of X (.npy, or
/// .npz with x / x_test / x_<input>), written to OUT.npy as float32.
int predict(Session &session, const TrainOptions &options);

/// --init-weights: a folder of w000.npy..., FILE.weights.h5 or FILE.keras.
void loadInitialWeights(Session &session, const std::string &path);

/// Conformance mode: runs --steps steps (default 1) on the batch in
/// options.batchDir and writes weights, loss and predictions to dumpDir.
int trainOnFixedBatch(Session &session, const TrainOptions &options);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_TRAINER_H
