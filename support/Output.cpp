//===- Output.cpp - files kcc and krun write for the user -----------------===//

#include "support/Output.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kcc::support {

namespace {

std::string errnoText() { return std::strerror(errno); }

std::string parentOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const char *kindOf(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "a device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return S_ISREG(mode) ? "a regular file" : "not a regular file";
}

/// The file an output at |path| really replaces: |path| itself, or what its
/// symlink names. Fails for anything but a regular file or a new name in a
/// writable directory.
std::string resolve(const std::string &path, std::string &target) {
  if (path.empty())
    return "the output path is empty";
  struct stat st;
  target = path;
  if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char real[PATH_MAX];
    if (!realpath(path.c_str(), real))
      return path + ": is a symlink to a missing file (" + errnoText() + "); refusing to write through it";
    target = real;
  }
  if (stat(target.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      return path + ": is " + kindOf(st.st_mode) + "; refusing to replace it with an output file";
    if (access(target.c_str(), W_OK) != 0)
      return path + ": is not writable (" + errnoText() + ")";
  } else if (errno != ENOENT) {
    return path + ": cannot be examined (" + errnoText() + ")";
  }
  std::string dir = parentOf(target);
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return path + ": the directory " + dir + " does not exist";
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return path + ": the directory " + dir + " is not writable (" + errnoText() + ")";
  return "";
}

/// "" unless |target| (what the output |path| would replace) is the same
/// file as one of |inputs|.
std::string notAnInput(const std::string &path, const std::string &target, const std::vector<std::string> &inputs) {
  struct stat out;
  if (stat(target.c_str(), &out) != 0)
    return ""; // a new file cannot be an input
  for (const std::string &in : inputs) {
    struct stat st;
    if (!in.empty() && stat(in.c_str(), &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino)
      return path + ": is the input " + in + " of this run; refusing to overwrite it";
  }
  return "";
}

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

} // namespace

std::string checkOutput(const std::string &path, const std::vector<std::string> &inputs) {
  std::string target;
  if (std::string err = resolve(path, target); !err.empty())
    return err;
  return notAnInput(path, target, inputs);
}

std::string checkOutputDirectory(const std::string &dir, const std::vector<std::string> &inputs) {
  if (dir.empty())
    return "the output directory is empty";
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return dir + ": is " + kindOf(st.st_mode) + ", expected a directory for the output files";
    if (access(dir.c_str(), W_OK | X_OK) != 0)
      return dir + ": is not writable (" + errnoText() + ")";
  } else {
    std::string parent = parentOf(dir);
    if (stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return dir + ": cannot be created: " + parent + " is not a directory";
    if (access(parent.c_str(), W_OK | X_OK) != 0)
      return dir + ": cannot be created in " + parent + " (" + errnoText() + ")";
  }
  return notAnInput(dir, dir, inputs);
}

std::string writeAtomically(const std::string &path, std::string_view bytes) {
  std::string target;
  if (std::string err = resolve(path, target); !err.empty())
    return err;
  std::string tmp = parentOf(target) + "/." + baseOf(target) + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0)
    return path + ": cannot create a temporary file beside it (" + errnoText() + ")";
  // mkstemp makes the file 0600: give it the mode a plain create would (or
  // the replaced file's).
  struct stat st;
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, stat(target.c_str(), &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mask));
  bool ok = writeAll(fd, bytes) && fsync(fd) == 0;
  std::string why = ok ? "" : errnoText();
  if (close(fd) != 0 && ok) {
    ok = false;
    why = errnoText();
  }
  if (ok && rename(tmp.c_str(), target.c_str()) != 0) {
    ok = false;
    why = errnoText();
  }
  if (!ok) {
    unlink(tmp.c_str());
    return path + ": cannot write (" + why + "); the previous file, if any, is unchanged";
  }
  // Make the rename itself durable.
  int dirFd = open(parentOf(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    fsync(dirFd);
    close(dirFd);
  }
  return "";
}

void removeStaleTemporaries(const std::string &path) {
  std::string target;
  if (!resolve(path, target).empty())
    return;
  std::string dir = parentOf(target), prefix = "." + baseOf(target) + ".tmp-";
  DIR *d = opendir(dir.c_str());
  if (!d)
    return;
  while (struct dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0)
      unlink((dir + "/" + name).c_str());
  }
  closedir(d);
}

OutputLock::OutputLock(OutputLock &&other) noexcept : fd(other.fd), lockPath(std::move(other.lockPath)) {
  other.fd = -1;
}

OutputLock &OutputLock::operator=(OutputLock &&other) noexcept {
  if (this != &other) {
    release();
    fd = other.fd;
    lockPath = std::move(other.lockPath);
    other.fd = -1;
  }
  return *this;
}

OutputLock::~OutputLock() { release(); }

std::string OutputLock::acquire(const std::string &path) {
  release();
  std::string target;
  if (std::string err = resolve(path, target); !err.empty())
    return err;
  std::string lock = parentOf(target) + "/." + baseOf(target) + ".lock";
  for (int attempt = 0; attempt < 100; ++attempt) {
    int f = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0)
      return path + ": cannot create the lock file " + lock + " (" + errnoText() + ")";
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {0};
      ssize_t n = pread(f, pid, sizeof pid - 1, 0);
      close(f);
      std::string holder = n > 0 ? " (pid " + std::string(pid, static_cast<size_t>(n)) + ")" : "";
      return path + ": another process" + holder + " is writing this file; give each run its own output";
    }
    // The holder before us may have removed the file between our open and
    // flock: then we locked an orphan, so try again.
    struct stat mine, now;
    if (fstat(f, &mine) == 0 && stat(lock.c_str(), &now) == 0 && mine.st_ino == now.st_ino &&
        mine.st_dev == now.st_dev) {
      std::string pid = std::to_string(getpid());
      if (ftruncate(f, 0) == 0)
        (void)!pwrite(f, pid.data(), pid.size(), 0);
      fd = f;
      lockPath = lock;
      return "";
    }
    close(f);
  }
  return path + ": cannot lock " + lock + " (it keeps changing)";
}

void OutputLock::release() {
  if (fd < 0)
    return;
  unlink(lockPath.c_str()); // while still holding the lock
  close(fd);
  fd = -1;
  lockPath.clear();
}

} // namespace kcc::support
