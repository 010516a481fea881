//===- Trainer.h - the epoch loop of krun ---------------------------------===//

#ifndef KCC_RUNTIME_CORE_TRAINER_H
#define KCC_RUNTIME_CORE_TRAINER_H

#include "core/Session.h"

#include <cstdint>
#include <string>

namespace kcc::rt {

struct TrainOptions {
  std::string dataDir;    // --data (else $KCC_DATA)
  std::string dataset;    // --dataset overrides the model's
  int64_t epochs = 0;     // 0: the model's
  int64_t maxSteps = 0;   // --steps: stop after this many steps (0: no limit)
  uint64_t seed = 1;
  std::string logJson;    // --log-json
  bool seedGiven = false; // --seed was on the command line
  std::string initWeights, dumpWeights, batchDir, dumpDir;
  std::string checkpointDir;   // --checkpoint: write DIR/checkpoint.kcc at epoch ends
  int64_t checkpointEvery = 0; // --checkpoint-every N: also every N steps
  std::string resumeDir;       // --resume: continue the run saved in DIR
  bool profile = false;
  bool quiet = false;
  int debug = 0;          // KCC_DEBUG
};

/// Trains on the model's dataset as model.bin describes; returns the exit code.
int train(Session &session, const TrainOptions &options);

/// Conformance mode: runs --steps steps (default 1) on the batch in
/// options.batchDir and writes weights, loss and predictions to dumpDir.
int trainOnFixedBatch(Session &session, const TrainOptions &options);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_TRAINER_H
