//===- TempDir.h - a fresh temporary directory for one test ---------------===//

#ifndef KCC_TEST_UNIT_TEMPDIR_H
#define KCC_TEST_UNIT_TEMPDIR_H

#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace kcc::test {

/// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kcc_test_XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::string &path() const { return path_; }
  /// The full path of |name| inside the directory (not created).
  std::string file(const std::string &name) const { return (std::filesystem::path(path_) / name).string(); }
  /// Creates |rel| (and parents) inside the directory; returns its full path.
  std::string mkdir(const std::string &rel) const {
    std::filesystem::create_directories(file(rel));
    return file(rel);
  }

private:
  std::string path_;
};

} // namespace kcc::test

#endif // KCC_TEST_UNIT_TEMPDIR_H
