// Whole-file readers used by the dataset loaders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::data {

// Reads the file at `path` into memory. `dataset` only prefixes error
// messages ("mnist: <path>: ..."). A missing file is a DataError that names
// the path and says how to point the runtime at the datasets root.
std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& dataset);

// Reads a gzip file (one or more concatenated members, as gzip(1) accepts)
// and returns the decompressed bytes. Truncated or corrupt input, a wrong
// magic number or a CRC mismatch is a DataError naming the path.
std::vector<uint8_t> read_gzip_file(const std::string& path, const std::string& dataset);

// Same, for gzip bytes already in memory; `path` is only used in messages.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& path,
                            const std::string& dataset);

// Throws the "not found" DataError for a missing dataset file or directory.
[[noreturn]] void throw_missing(const std::string& dataset, const std::string& path,
                                const std::string& kind /* "file" | "directory" */);

}  // namespace kcc::data
