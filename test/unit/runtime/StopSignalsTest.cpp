//===- StopSignalsTest.cpp - SIGINT/SIGTERM never land on a compute thread ===//
//
// Each case runs in a fresh process (death tests in the "threadsafe" style
// re-run this binary), since takeStopSignals() changes the whole process.

#include "core/StopSignals.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace kcc::rt {
namespace {

bool blocksStopSignals() {
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return sigismember(&now, SIGINT) == 1 && sigismember(&now, SIGTERM) == 1;
}

/// Waits up to 10 s for stopRequested() to become |sig|.
bool awaitStop(int sig) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    if (stopRequested() == sig)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

class StopSignals : public ::testing::Test {
protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(StopSignals, NoThreadStartedLaterTakesThem) {
  EXPECT_EXIT(
      {
        takeStopSignals();
        bool main = blocksStopSignals();
        bool later = false;
        std::thread([&] { later = blocksStopSignals(); }).join();
        std::exit(main && later ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(StopSignals, FirstAsksTheRunToStopSecondEndsIt) {
  EXPECT_EXIT(
      {
        takeStopSignals();
        StopRequests run;
        kill(getpid(), SIGINT);
        if (!awaitStop(SIGINT)) {
          std::fprintf(stderr, "the first SIGINT was not seen\n");
          std::exit(1);
        }
        kill(getpid(), SIGINT);
        std::this_thread::sleep_for(std::chrono::seconds(10));
        std::exit(2);
      },
      ::testing::ExitedWithCode(128 + SIGINT), "");
}

TEST_F(StopSignals, OutsideARunTheyEndTheProcessAsByDefault) {
  EXPECT_EXIT(
      {
        takeStopSignals();
        { StopRequests finished; }
        kill(getpid(), SIGTERM);
        std::this_thread::sleep_for(std::chrono::seconds(10));
        std::exit(2);
      },
      ::testing::KilledBySignal(SIGTERM), "");
}

TEST_F(StopSignals, AnotherProcessCanAskToo) {
  EXPECT_EXIT(
      {
        takeStopSignals();
        StopRequests run;
        requestStop(SIGTERM);
        requestStop(SIGINT); // the first request stands
        std::exit(stopRequested() == SIGTERM ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

} // namespace
} // namespace kcc::rt
