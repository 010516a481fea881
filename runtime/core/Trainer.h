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
  std::string initWeights, dumpWeights, batchDir, dumpDir;
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
