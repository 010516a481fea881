//===- Checkpoint.h - save and resume a training run ----------------------===//
//
// krun --checkpoint DIR writes DIR/checkpoint.kcc at every epoch end (every
// N steps with --checkpoint-every N, and when SIGINT/SIGTERM stop a run):
// every variable (weights and optimizer slots, as stored), the step and
// epoch counters and the log so far. It is written with
// support::writeAtomically, so a crash at any instant leaves the previous
// checkpoint whole. krun --resume DIR continues bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_CHECKPOINT_H
#define KCC_RUNTIME_CORE_CHECKPOINT_H

#include "core/Session.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::rt {

/// Where a run stands, besides its variables.
struct RunState {
  uint64_t seed = 1;
  int64_t epoch = 1;     // in progress, 1-based
  int64_t step = 0;      // steps done in the run
  int64_t epochStep = 0; // steps done in |epoch|
  double lossSum = 0, correct = 0;
  int64_t samples = 0;
  std::vector<std::string> log;
};

/// DIR/checkpoint.kcc.
std::string checkpointFile(const std::string &dir);

/// Writes |state| and every variable of |session|; throws RuntimeError.
void writeCheckpoint(Session &session, const std::string &dir, const RunState &state);

/// Checks DIR/checkpoint.kcc against |session|'s model, restores every
/// variable and returns the run state; throws RuntimeError naming the file.
RunState readCheckpoint(Session &session, const std::string &dir);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_CHECKPOINT_H
