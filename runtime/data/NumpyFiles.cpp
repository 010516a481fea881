#include "data/NumpyFiles.h"

#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "data/DataError.h"

namespace kcc::data {
namespace {

[[noreturn]] void bad(const std::string& what, const std::string& msg) {
  throw DataError(what + ": " + msg);
}

// The quoted value after 'key': in numpy's header dict.
std::string header_string(const std::string& header, const std::string& key, const std::string& what) {
  size_t k = header.find("'" + key + "'");
  size_t q1 = k == std::string::npos ? k : header.find('\'', header.find(':', k));
  size_t q2 = q1 == std::string::npos ? q1 : header.find('\'', q1 + 1);
  if (q2 == std::string::npos) bad(what, "not a .npy file: its header has no '" + key + "'");
  return header.substr(q1 + 1, q2 - q1 - 1);
}

}  // namespace

int64_t NpyArrayView::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string NpyArrayView::dtype() const {
  if (kind == 'b') return "bool";
  std::string base = kind == 'f' ? "float" : kind == 'i' ? "int" : "uint";
  return base + std::to_string(8 * itemsize);
}

std::string NpyArrayView::shape_text() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

NpyArrayView parse_npy(const unsigned char* bytes, size_t size, const std::string& what) {
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0)
    bad(what, "not a .npy file (no \\x93NUMPY magic)");
  const int major = bytes[6];
  size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = bytes[8] | (size_t{bytes[9]} << 8);
    start = 10;
  } else if ((major == 2 || major == 3) && size >= 12) {
    header_len = bytes[8] | (size_t{bytes[9]} << 8) | (size_t{bytes[10]} << 16) | (size_t{bytes[11]} << 24);
    start = 12;
  } else {
    bad(what, "unknown .npy version " + std::to_string(major));
  }
  if (header_len > size - start) bad(what, "truncated .npy header");
  const std::string header(reinterpret_cast<const char*>(bytes) + start, header_len);
  NpyArrayView a;
  a.what = what;
  const std::string descr = header_string(header, "descr", what);
  const bool numeric = descr.size() >= 3 && (descr[0] == '<' || descr[0] == '|' || descr[0] == '=') &&
                       std::strchr("fiub", descr[1]) && descr.find_first_not_of("0123456789", 2) == std::string::npos;
  if (!numeric || descr.size() > 4)
    bad(what, "expected a little-endian numeric array (float, int, uint or bool), found dtype '" + descr + "'");
  a.kind = descr[1];
  a.itemsize = std::stoi(descr.substr(2));
  const bool known = (a.kind == 'f' && (a.itemsize == 4 || a.itemsize == 8)) ||
                     ((a.kind == 'i' || a.kind == 'u') &&
                      (a.itemsize == 1 || a.itemsize == 2 || a.itemsize == 4 || a.itemsize == 8)) ||
                     (a.kind == 'b' && a.itemsize == 1);
  if (!known) bad(what, "dtype '" + descr + "' is not supported (float32/64, [u]int8-64 or bool)");
  if (header.find("'fortran_order': True") != std::string::npos)
    bad(what, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
  const size_t lp = header.find('(', header.find("'shape'")), rp = header.find(')', lp);
  if (lp == std::string::npos || rp == std::string::npos) bad(what, "not a .npy file: no shape in its header");
  const std::string dims = header.substr(lp + 1, rp - lp - 1);
  int64_t elements = 1;
  for (size_t p = 0; p < dims.size();) {
    size_t q = dims.find(',', p);
    if (q == std::string::npos) q = dims.size();
    std::string tok = dims.substr(p, q - p);
    p = q + 1;
    if (tok.find_first_not_of(" ") == std::string::npos) continue;
    size_t used = 0;
    long long d = -1;
    try {
      d = std::stoll(tok, &used);
    } catch (const std::exception&) {
    }
    if (d < 0 || tok.find_first_not_of(" ", used) != std::string::npos)
      bad(what, "bad dimension '" + tok + "' in its shape");
    if (d > 0 && elements > std::numeric_limits<int64_t>::max() / 8 / d)
      bad(what, "shape " + dims + " is too large");
    elements *= d;
    a.shape.push_back(d);
  }
  const size_t data = start + header_len;
  const auto need = static_cast<uint64_t>(elements) * static_cast<uint64_t>(a.itemsize);
  if (size - data < need)
    bad(what, "expected " + std::to_string(need) + " bytes of " + a.dtype() + " data for shape " + a.shape_text() +
                  ", found " + std::to_string(size - data) + " (the file is truncated)");
  a.data = bytes + data;
  return a;
}

NpyArrayView open_npy(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) bad(path, std::string("cannot open the .npy file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    bad(path, "expected a regular .npy file");
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);
  if (map == MAP_FAILED) bad(path, size ? "cannot be memory-mapped" : "is empty, expected a .npy file");
  std::shared_ptr<const void> owner(map, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  NpyArrayView a = parse_npy(static_cast<const unsigned char*>(map), size, path);
  a.owner = owner;
  return a;
}

namespace {

// An open archive, closed (discarding nothing: it is read-only) on scope exit.
struct Archive {
  zip_t* z = nullptr;
  explicit Archive(const std::string& path) {
    int err = 0;
    z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!z) {
      zip_error_t e;
      zip_error_init_with_code(&e, err);
      std::string msg = zip_error_strerror(&e);
      zip_error_fini(&e);
      bad(path, "cannot be read as an .npz (zip) archive: " + msg);
    }
  }
  ~Archive() { zip_discard(z); }
};

}  // namespace

std::vector<std::string> npz_keys(const std::string& path) {
  Archive ar(path);
  std::vector<std::string> keys;
  const zip_int64_t n = zip_get_num_entries(ar.z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(ar.z, static_cast<zip_uint64_t>(i), 0);
    std::string s = name ? name : "";
    if (s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0) keys.push_back(s.substr(0, s.size() - 4));
  }
  return keys;
}

NpyArrayView open_npz_member(const std::string& path, const std::string& key) {
  Archive ar(path);
  const std::string member = key + ".npy", what = path + ":" + key;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(ar.z, member.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    bad(path, "has no array '" + key + "'");
  auto buffer = std::make_shared<std::vector<unsigned char>>(static_cast<size_t>(st.size));
  zip_file_t* f = zip_fopen(ar.z, member.c_str(), 0);
  if (!f) bad(what, std::string("cannot be read: ") + zip_strerror(ar.z));
  const zip_int64_t got = zip_fread(f, buffer->data(), buffer->size());
  zip_fclose(f);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
    bad(what, "cannot be read (damaged or truncated archive)");
  NpyArrayView a = parse_npy(buffer->data(), buffer->size(), what);
  a.owner = buffer;
  return a;
}

namespace {

template <typename T>
double element(const unsigned char* p, int64_t i) {
  T v;
  std::memcpy(&v, p + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return static_cast<double>(v);
}

double element_at(const NpyArrayView& a, int64_t i) {
  const unsigned char* p = a.data;
  switch (a.kind) {
    case 'f': return a.itemsize == 4 ? element<float>(p, i) : element<double>(p, i);
    case 'b': return p[i] != 0;
    case 'u':
      switch (a.itemsize) {
        case 1: return element<uint8_t>(p, i);
        case 2: return element<uint16_t>(p, i);
        case 4: return element<uint32_t>(p, i);
        default: return element<uint64_t>(p, i);
      }
    default:
      switch (a.itemsize) {
        case 1: return element<int8_t>(p, i);
        case 2: return element<int16_t>(p, i);
        case 4: return element<int32_t>(p, i);
        default: return element<int64_t>(p, i);
      }
  }
}

std::string index_text(const NpyArrayView& a, int64_t flat) {
  std::vector<int64_t> idx(a.shape.size());
  for (size_t d = a.shape.size(); d-- > 0;) {
    idx[d] = a.shape[d] ? flat % a.shape[d] : 0;
    flat = a.shape[d] ? flat / a.shape[d] : 0;
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

}  // namespace

Array to_array(const NpyArrayView& a, Array::DType want) {
  Array out;
  out.dtype = want;
  out.shape = a.shape;
  const int64_t n = a.elements();
  const bool in_place = reinterpret_cast<uintptr_t>(a.data) % 4 == 0 && a.itemsize == 4 &&
                        a.kind == (want == Array::DType::F32 ? 'f' : 'i');
  if (want == Array::DType::F32) {
    if (in_place) {
      out.owner = a.owner;
      out.view = a.data;
    } else {
      out.f32.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) out.f32[i] = static_cast<float>(element_at(a, i));
    }
    const float* v = out.f32_data();
    for (int64_t i = 0; i < n; ++i)
      if (!std::isfinite(v[i]))
        bad(a.what, "holds " + std::to_string(v[i]) + " at " + index_text(a, i) +
                        "; inputs and targets must be finite numbers");
    return out;
  }
  if (in_place) {
    out.owner = a.owner;
    out.view = a.data;
    return out;
  }
  out.i32.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double v = element_at(a, i);
    if (!(v == std::floor(v) && v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()))
      bad(a.what, "expected integers (int32 range) for an integer model input or class ids, found " +
                      std::to_string(v) + " at " + index_text(a, i) + " (dtype " + a.dtype() + ")");
    out.i32[i] = static_cast<int32_t>(v);
  }
  return out;
}

}  // namespace kcc::data
