//===- StopSignals.h - SIGINT/SIGTERM taken by a thread of their own ------===//
//
// A signal handler runs on whichever thread the kernel picks and pushes its
// frame below that thread's stack pointer. oneDNN's JIT sgemm kernels use rsp
// as a data pointer into a heap packing buffer while they run (seen in gdb: rsp
// inside [heap] during the MLP's matmul), so a SIGINT landing there wrote the
// signal frame over the heap and krun died in free() ("corrupted size vs.
// prev_size"). So no compute thread ever takes these signals: they are
// blocked before the first thread starts and received by one thread in
// sigwait().
//
//===----------------------------------------------------------------------===//

#pragma once

namespace kcc::rt {

/// Call first thing in main(), before any other thread exists: blocks SIGINT
/// and SIGTERM in this thread and so in every thread started later, and
/// starts the thread that receives them. Outside a StopRequests scope a
/// signal ends the process as its default action would.
void takeStopSignals();

/// While one is alive, the first SIGINT/SIGTERM asks the run to stop at the
/// next step boundary (stopRequested()); a second ends the process at once
/// with status 128 + the signal.
class StopRequests {
public:
  StopRequests();
  ~StopRequests();
  StopRequests(const StopRequests &) = delete;
  StopRequests &operator=(const StopRequests &) = delete;
};

/// 0, or the signal that asked the current run to stop.
int stopRequested();

/// Asks the current run to stop as if |signal| had arrived (another process
/// of a data-parallel run got it).
void requestStop(int signal);

} // namespace kcc::rt
