//===- KerasArchives.cpp - what kcc and krun read from Keras's containers --===//

#include "support/KerasArchives.h"

#include <zip.h>

#include <cstring>

namespace kcc::support {

bool looksLikeZip(const std::string &bytes) { return bytes.compare(0, 4, "PK\x03\x04") == 0; }

bool looksLikeHdf5(const std::string &bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89HDF\r\n\x1a\n", 8) == 0;
}

std::optional<std::string> readZipMember(const std::string &path, const std::string &member, std::string &error) {
  int code = 0;
  zip_t *z = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (!z) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    error = std::string("cannot be read as a zip archive: ") + zip_error_strerror(&e);
    zip_error_fini(&e);
    return std::nullopt;
  }
  zip_stat_t st;
  zip_stat_init(&st);
  std::optional<std::string> bytes;
  if (zip_stat(z, member.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    error = "the archive has no " + member;
  } else if (zip_file_t *f = zip_fopen(z, member.c_str(), 0)) {
    bytes.emplace(st.size, '\0');
    if (zip_fread(f, bytes->data(), bytes->size()) != static_cast<zip_int64_t>(st.size)) {
      error = "cannot read " + member + " (damaged archive?)";
      bytes.reset();
    }
    zip_fclose(f);
  } else {
    error = "cannot read " + member + ": " + zip_strerror(z);
  }
  zip_discard(z);
  return bytes;
}

void quietHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

/// Appends the strings of one attribute; false if it is not a string.
bool appendStrings(hid_t object, const std::string &name, std::vector<std::string> &out) {
  hid_t attr = H5Aopen(object, name.c_str(), H5P_DEFAULT);
  hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
  hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
  hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : 0;
  // h5py stores an empty list (a layer without weights) as float64 [].
  bool ok = type >= 0 && space >= 0 && (H5Tget_class(type) == H5T_STRING || n == 0);
  if (ok && n > 0 && H5Tis_variable_str(type) > 0) {
    std::vector<char *> ptrs(static_cast<size_t>(n));
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    ok = H5Aread(attr, mem, ptrs.data()) >= 0;
    for (size_t i = 0; ok && i < ptrs.size(); ++i)
      out.emplace_back(ptrs[i] ? ptrs[i] : "");
    if (ok)
      H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
    H5Tclose(mem);
  } else if (ok && n > 0) {
    size_t size = H5Tget_size(type);
    std::vector<char> buf(size * static_cast<size_t>(n));
    ok = H5Aread(attr, type, buf.data()) >= 0;
    for (hssize_t i = 0; ok && i < n; ++i)
      out.emplace_back(buf.data() + i * size, strnlen(buf.data() + i * size, size));
  }
  if (space >= 0)
    H5Sclose(space);
  if (type >= 0)
    H5Tclose(type);
  if (attr >= 0)
    H5Aclose(attr);
  return ok;
}

} // namespace

std::optional<std::vector<std::string>> readStringsAttribute(hid_t object, const std::string &name) {
  std::vector<std::string> out;
  if (H5Aexists(object, name.c_str()) > 0)
    return appendStrings(object, name, out) ? std::optional(out) : std::nullopt;
  int chunk = 0;
  for (; H5Aexists(object, (name + std::to_string(chunk)).c_str()) > 0; ++chunk)
    if (!appendStrings(object, name + std::to_string(chunk), out))
      return std::nullopt;
  return chunk ? std::optional(out) : std::nullopt;
}

} // namespace kcc::support
