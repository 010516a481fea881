// A minimal reader for (uncompressed) tar archives held in memory: enough to
// find the bAbI task files inside tasks_1-20_v1-2.tar.gz. Understands POSIX
// ustar headers (name + prefix), GNU long names ('L') and pax 'path'/'size'
// records ('x'); everything else is skipped by its size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::data {

struct TarEntry {
  std::string name;   // full path inside the archive, e.g. "tasks_1-20_v1-2/en/qa2_..._train.txt"
  size_t offset = 0;  // byte offset of the contents in the archive
  size_t size = 0;    // bytes of contents
};

// Lists the regular files of `tar`. A bad header checksum, a size that runs
// past the end, or a truncated header is a DataError naming `path`.
std::vector<TarEntry> list_tar(const std::vector<uint8_t>& tar, const std::string& path,
                               const std::string& dataset);

}  // namespace kcc::data
