//===- Output.h - files kcc and krun write for the user -------------------===//
//
// The one way either tool writes a file the user owns (model.bin, logs,
// weights), so that no output ever destroys something:
//  - checkOutput() runs before any work: the target must be a regular file
//    or a new name in an existing directory, never a device, FIFO, socket or
//    directory, and never one of the run's own inputs (links followed).
//  - writeAtomically() writes a unique temporary file beside the target,
//    fsyncs it and renames it over the target (through a symlink: the link
//    stays, its file is replaced), so a crash or a full disk leaves the
//    previous file whole and reports the error.
//  - OutputLock keeps a second process from writing the same file.
//
// No exceptions (the compiler is built without them): errors are returned as
// a message that names the path; empty means success.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_SUPPORT_OUTPUT_H
#define KCC_SUPPORT_OUTPUT_H

#include <string>
#include <string_view>
#include <vector>

namespace kcc::support {

/// "" if |path| may be written as an output of a run that reads |inputs|
/// (files or directories; a directory input protects everything in it);
/// else why not, naming |path|.
std::string checkOutput(const std::string &path, const std::vector<std::string> &inputs = {});

/// Same for a directory of outputs: it must be a directory or a new name
/// whose parent exists, and not hold or be one of |inputs|.
std::string checkOutputDirectory(const std::string &dir, const std::vector<std::string> &inputs = {});

/// Replaces |path| (or the file its symlink names) with |bytes| atomically.
std::string writeAtomically(const std::string &path, std::string_view bytes);

/// Removes what writeAtomically(|path|) left behind when its process was
/// killed mid-write (hidden temporaries beside the target). Only for a
/// caller holding the OutputLock of |path|, so no live write is touched.
void removeStaleTemporaries(const std::string &path);

/// An exclusive lock on an output that a run rewrites while it runs (the
/// epoch log). Held in a hidden sibling file `.NAME.lock` that is removed on
/// release; the kernel drops the lock if the process dies, so a killed run
/// never blocks the next one.
class OutputLock {
public:
  OutputLock() = default;
  OutputLock(const OutputLock &) = delete;
  OutputLock &operator=(const OutputLock &) = delete;
  OutputLock(OutputLock &&other) noexcept;
  OutputLock &operator=(OutputLock &&other) noexcept;
  ~OutputLock();

  /// "" when locked; else who holds it or why it cannot be taken.
  std::string acquire(const std::string &path);
  void release();

private:
  int fd = -1;
  std::string lockPath;
};

} // namespace kcc::support

#endif // KCC_SUPPORT_OUTPUT_H
