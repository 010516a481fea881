//===- StopSignals.cpp - SIGINT/SIGTERM taken by a thread of their own ----===//

#include "core/StopSignals.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <pthread.h>
#include <thread>

namespace kcc::rt {

namespace {

std::atomic<bool> listening{false};
std::atomic<int> requested{0};

sigset_t stopSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// Ends the process by |sig|'s default action, so that the parent sees a
/// death by that signal, as without this thread.
[[noreturn]] void dieBy(int sig) {
  std::signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  raise(sig);
  std::_Exit(128 + sig);
}

void receive() {
  const sigset_t set = stopSet();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0)
      continue;
    if (!listening.load())
      dieBy(sig);
    int none = 0;
    if (!requested.compare_exchange_strong(none, sig)) // the second one
      std::_Exit(128 + sig);
  }
}

} // namespace

void takeStopSignals() {
  static bool started = false;
  if (started)
    return;
  started = true;
  const sigset_t set = stopSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(receive).detach();
}

StopRequests::StopRequests() {
  requested.store(0);
  listening.store(true);
}

StopRequests::~StopRequests() { listening.store(false); }

int stopRequested() { return requested.load(); }

void requestStop(int signal) {
  int none = 0;
  requested.compare_exchange_strong(none, signal);
}

} // namespace kcc::rt
