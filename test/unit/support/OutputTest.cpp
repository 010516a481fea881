//===- OutputTest.cpp - support::writeAtomically, checkOutput, OutputLock -===//
//
// Issue #11: no output may destroy a device, a FIFO, a directory or one of
// the run's inputs; a failed write must leave the previous file whole; two
// processes must not write one log.
//
//===----------------------------------------------------------------------===//

#include "support/Output.h"

#include "TempDir.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kcc::support {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void put(const std::string &path, const std::string &text) { std::ofstream(path, std::ios::binary) << text; }

size_t entries(const std::string &dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(WriteAtomically, CreatesAndReplacesAFileLeavingNoTemporary) {
  TempDir d;
  std::string f = d.file("out.bin");
  EXPECT_EQ(writeAtomically(f, "first"), "");
  EXPECT_EQ(slurp(f), "first");
  chmod(f.c_str(), 0640);
  EXPECT_EQ(writeAtomically(f, "second"), "");
  EXPECT_EQ(slurp(f), "second");
  struct stat st;
  ASSERT_EQ(stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u) << "the replaced file's mode is kept";
  EXPECT_EQ(entries(d.path()), 1u);
}

TEST(WriteAtomically, RefusesDevicesDirectoriesAndFifos) {
  TempDir d;
  std::string err = writeAtomically("/dev/null", "x");
  EXPECT_NE(err.find("/dev/null: is a device"), std::string::npos) << err;
  struct stat st;
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null must stay a device";

  EXPECT_NE(writeAtomically(d.path(), "x").find("is a directory"), std::string::npos);
  std::string fifo = d.file("pipe");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(writeAtomically(fifo, "x").find("is a FIFO"), std::string::npos);
  ASSERT_EQ(stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(WriteAtomically, WritesThroughASymlinkAndKeepsIt) {
  TempDir d;
  std::string real = d.file("real.json"), link = d.file("link.json");
  put(real, "old");
  fs::create_symlink(real, link);
  EXPECT_EQ(writeAtomically(link, "new"), "");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(slurp(real), "new");

  std::string dangling = d.file("dangling");
  fs::create_symlink(d.file("nowhere/x"), dangling);
  EXPECT_NE(writeAtomically(dangling, "x").find("symlink to a missing file"), std::string::npos);
}

TEST(WriteAtomically, MissingDirectoryIsNamed) {
  TempDir d;
  std::string err = writeAtomically(d.file("no/such/dir/out.bin"), "x");
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
}

// A write that fails part-way (here: the file-size limit, as a full disk
// would) reports the error and leaves the previous file as it was.
TEST(WriteAtomically, FailedWriteKeepsThePreviousFile) {
  TempDir d;
  std::string f = d.file("log.json");
  put(f, "previous log");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {1024, 1024};
    setrlimit(RLIMIT_FSIZE, &lim);
    std::string err = writeAtomically(f, std::string(1 << 20, 'x'));
    _exit(err.find("cannot write") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the write error was not reported";
  EXPECT_EQ(slurp(f), "previous log");
  EXPECT_EQ(entries(d.path()), 1u) << "the temporary file was left behind";
}

TEST(CheckOutput, RefusesTheRunsOwnInputsThroughLinks) {
  TempDir d;
  std::string model = d.file("model.json"), hard = d.file("hard.json"), soft = d.file("soft.json");
  put(model, "{}");
  fs::create_hard_link(model, hard);
  fs::create_symlink(model, soft);
  for (const std::string &out : {model, hard, soft}) {
    std::string err = checkOutput(out, {model});
    EXPECT_NE(err.find("is the input"), std::string::npos) << out << ": " << err;
  }
  EXPECT_EQ(checkOutput(d.file("model.bin"), {model}), "");
  EXPECT_EQ(slurp(model), "{}");
}

TEST(CheckOutputDirectory, NeedsADirectoryOrANewNameInOne) {
  TempDir d;
  EXPECT_EQ(checkOutputDirectory(d.file("new")), "");
  EXPECT_EQ(checkOutputDirectory(d.path()), "");
  put(d.file("file"), "x");
  EXPECT_NE(checkOutputDirectory(d.file("file")).find("expected a directory"), std::string::npos);
  EXPECT_NE(checkOutputDirectory(d.file("a/b/c")).find("cannot be created"), std::string::npos);
}

TEST(OutputLock, ASecondWriterIsRefusedUntilTheFirstReleases) {
  TempDir d;
  std::string log = d.file("run.json");
  OutputLock first;
  ASSERT_EQ(first.acquire(log), "");
  // Another process (flock locks are per open file, so a child shows it).
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    OutputLock second;
    std::string err = second.acquire(log);
    _exit(err.find("another process (pid " + std::to_string(getppid()) + ") is writing") != std::string::npos ? 0
                                                                                                              : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the second writer was not refused with the holder's pid";
  first.release();
  EXPECT_EQ(entries(d.path()), 0u) << "the lock file outlived the lock";
  OutputLock again;
  EXPECT_EQ(again.acquire(log), "");
}

// A run killed with SIGKILL cannot remove its lock file; the kernel still
// drops the lock, so the next run proceeds.
TEST(OutputLock, AKilledHolderDoesNotBlockTheNextRun) {
  TempDir d;
  std::string log = d.file("run.json");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    OutputLock held;
    bool ok = held.acquire(log).empty();
    (void)!write(ready[1], ok ? "y" : "n", 1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  OutputLock next;
  EXPECT_EQ(next.acquire(log), "");
}

} // namespace
} // namespace kcc::support
