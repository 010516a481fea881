//===- KerasFiles.cpp - Keras 3's own weight and model files ---------------===//

#include "core/KerasFiles.h"

#include "core/RuntimeError.h"
#include "support/KerasArchives.h"
#include "support/Output.h"

#include <hdf5.h>
#include <zip.h>

#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

namespace kcc::rt {

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

/// An HDF5 handle closed by |close| when it goes out of scope.
struct H5Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  H5Handle(hid_t id, herr_t (*close)(hid_t)) : id(id), close(close) {}
  H5Handle(const H5Handle &) = delete;
  ~H5Handle() {
    if (id >= 0)
      close(id);
  }
  explicit operator bool() const { return id >= 0; }
};


/// A weight as Keras saves it: its path and its values in Keras's layout.
struct SavedWeight {
  std::string path;
  std::vector<int64_t> shape;
  const bin::Variable *var;
};

std::vector<SavedWeight> savedWeights(Session &s) {
  std::vector<SavedWeight> out;
  for (const bin::Variable *v : s.weightsInKerasOrder()) {
    if (!v->keras_path() || v->keras_path()->size() == 0)
      throw RuntimeError(s.path() + ": weight '" + v->name()->str() +
                         "' has no Keras 3 path; recompile the model with this kcc");
    const bin::Buffer &b = s.bufferInfo(v->buffer());
    out.push_back({v->keras_path()->str(), std::vector<int64_t>(b.shape()->begin(), b.shape()->end()), v});
  }
  return out;
}

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The weights as an HDF5 file image, laid out as Keras 3's save_weights.
std::string weightsImage(Session &s) {
  support::quietHdf5();
  std::vector<SavedWeight> weights = savedWeights(s);
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  // The core driver keeps the file in memory (no backing store): krun writes
  // the image itself, atomically.
  if (!fapl || H5Pset_fapl_core(fapl.id, 1 << 20, 0) < 0)
    throw RuntimeError("HDF5: cannot set up an in-memory file");
  H5Handle file(H5Fcreate("kcc-weights.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id), H5Fclose);
  H5Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  if (!file || !lcpl || H5Pset_create_intermediate_group(lcpl.id, 1) < 0)
    throw RuntimeError("HDF5: cannot create an in-memory file");
  std::vector<float> values;
  for (const SavedWeight &w : weights) {
    std::vector<hsize_t> dims(w.shape.begin(), w.shape.end());
    H5Handle space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                   H5Sclose);
    H5Handle ds(H5Dcreate2(file.id, w.path.c_str(), H5T_IEEE_F32LE, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose);
    values.resize(static_cast<size_t>(product(w.shape)));
    s.backend().read(w.var->buffer(), values.data());
    if (!space || !ds || H5Dwrite(ds.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
      throw RuntimeError("HDF5: cannot write the dataset " + w.path);
  }
  if (H5Fflush(file.id, H5F_SCOPE_GLOBAL) < 0)
    throw RuntimeError("HDF5: cannot finish the in-memory file");
  ssize_t size = H5Fget_file_image(file.id, nullptr, 0);
  std::string image(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size <= 0 || H5Fget_file_image(file.id, image.data(), image.size()) != size)
    throw RuntimeError("HDF5: cannot read back the in-memory file");
  return image;
}

/// A zip archive built in memory; members must outlive close().
class ZipWriter {
public:
  ZipWriter() {
    zip_error_init(&error);
    source = zip_source_buffer_create(nullptr, 0, 0, &error);
    archive = source ? zip_open_from_source(source, ZIP_TRUNCATE, &error) : nullptr;
    if (!archive)
      fail("cannot create an archive in memory");
    zip_source_keep(source);
  }
  ~ZipWriter() {
    if (archive)
      zip_discard(archive);
    if (source)
      zip_source_free(source);
    zip_error_fini(&error);
  }
  void add(const char *name, const std::string &bytes) {
    zip_source_t *member = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    zip_int64_t index = member ? zip_file_add(archive, name, member, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      zip_source_free(member);
      fail(std::string("cannot add ") + name);
    }
    // Keras stores its members uncompressed; so do we.
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  std::string close() {
    if (zip_close(archive) < 0)
      fail("cannot finish the archive");
    archive = nullptr;
    std::string bytes;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(source, &st) < 0 || zip_source_open(source) < 0)
      fail("cannot read back the archive");
    bytes.resize(st.size);
    zip_int64_t got = zip_source_read(source, bytes.data(), bytes.size());
    zip_source_close(source);
    if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
      fail("cannot read back the archive");
    return bytes;
  }

private:
  zip_error_t error;
  zip_source_t *source = nullptr;
  zip_t *archive = nullptr;
  [[noreturn]] void fail(const std::string &what) {
    throw RuntimeError("zip: " + what + ": " +
                       (archive ? zip_strerror(archive) : zip_error_strerror(&error)));
  }
};

std::string archiveBytes(Session &s, const std::string &path) {
  const bin::Model &m = s.model();
  if (!m.keras_config() || m.keras_config()->size() == 0)
    throw RuntimeError(path + ": a .keras archive needs a model compiled from a Keras 3 file (config.json is "
                              "the Keras 3 model); " + s.path() + " was compiled from " +
                       (m.keras_version() && m.keras_version()->size() ? "a Keras " + m.keras_version()->str() + " file"
                                                                       : "an older Keras file") +
                       ". Write FILE.weights.h5 instead");
  std::string version = m.keras_version() && m.keras_version()->size() ? m.keras_version()->str() : "3.0.0";
  char date[32];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d@%H:%M:%S", std::localtime(&now));
  std::string metadata = "{\"keras_version\": \"" + version + "\", \"date_saved\": \"" + date + "\"}";
  std::string config = m.keras_config()->str(), weights = weightsImage(s);
  ZipWriter zip;
  zip.add("metadata.json", metadata);
  zip.add("config.json", config);
  zip.add("model.weights.h5", weights);
  return zip.close();
}

/// The bytes of |path|, or of its member model.weights.h5 for a .keras archive.
std::string weightsFileBytes(const std::string &path, KerasFileKind kind) {
  if (kind == KerasFileKind::WeightsH5) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      throw RuntimeError(path + ": cannot open the weights file");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string error;
  std::optional<std::string> bytes = support::readZipMember(path, "model.weights.h5", error);
  if (!bytes)
    throw RuntimeError(path + ": " + error);
  return *bytes;
}

/// Reads dataset |path| of |file| as float32 into |values| if its shape is
/// |want|; else an error naming |what| and |label| (the model's weight).
void readWeight(hid_t file, const std::string &path, const std::vector<int64_t> &want, const std::string &what,
                const std::string &label, std::vector<float> &values) {
  H5Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  H5Handle space(ds ? H5Dget_space(ds.id) : -1, H5Sclose);
  H5Handle type(ds ? H5Dget_type(ds.id) : -1, H5Tclose);
  int rank = space ? H5Sget_simple_extent_ndims(space.id) : -1;
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank < 0 || (rank > 0 && H5Sget_simple_extent_dims(space.id, dims.data(), nullptr) < 0) || !type)
    throw RuntimeError(what + ": cannot read the dataset " + path);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  bool isFloat = H5Tget_class(type.id) == H5T_FLOAT;
  if (shape != want || !isFloat)
    throw RuntimeError(what + ": " + path + " (" + label + "): expected float data of shape " + shapeText(want) +
                       ", found " + (isFloat ? "float" : "non-float") + " data of shape " + shapeText(shape));
  values.resize(static_cast<size_t>(product(want)));
  if (H5Dread(ds.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    throw RuntimeError(what + ": cannot read the dataset " + path);
}

/// Keras 2 / tf.keras .h5: the weights in the file's layer order.
void loadLegacyH5(Session &s, const std::string &path) {
  support::quietHdf5();
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file)
    throw RuntimeError(path + ": HDF5 cannot open it (not an HDF5 file, or damaged)");
  std::string root = H5Lexists(file.id, "model_weights", H5P_DEFAULT) > 0 ? "model_weights" : "/";
  H5Handle group(H5Gopen2(file.id, root.c_str(), H5P_DEFAULT), H5Gclose);
  auto layers = group ? support::readStringsAttribute(group.id, "layer_names") : std::nullopt;
  if (!layers)
    throw RuntimeError(path + ": not a Keras weights file (no layer_names attribute" +
                       (root == "/" ? std::string() : " in model_weights") +
                       "); Keras 3 files end in .weights.h5 or .keras");
  std::vector<std::string> datasets; // in Keras 2's loading order
  for (const std::string &layer : *layers) {
    std::string dir = (root == "/" ? "" : root + "/") + layer;
    H5Handle g(H5Gopen2(file.id, dir.c_str(), H5P_DEFAULT), H5Gclose);
    auto names = g ? support::readStringsAttribute(g.id, "weight_names") : std::nullopt;
    if (!names)
      throw RuntimeError(path + ": layer group " + dir + " has no weight_names attribute");
    for (const std::string &n : *names)
      datasets.push_back(dir + "/" + n);
  }
  std::vector<const bin::Variable *> weights = s.weightsInKerasOrder();
  if (datasets.size() != weights.size())
    throw RuntimeError(path + ": holds " + std::to_string(datasets.size()) + " weights in " +
                       std::to_string(layers->size()) + " layers, the model has " + std::to_string(weights.size()) +
                       " (is it the weights file of another model?)");
  std::vector<float> values;
  for (size_t i = 0; i < weights.size(); ++i) {
    const bin::Buffer &b = s.bufferInfo(weights[i]->buffer());
    readWeight(file.id, datasets[i], std::vector<int64_t>(b.shape()->begin(), b.shape()->end()), path,
               "for the weight '" + weights[i]->name()->str() + "' of layer '" + weights[i]->layer()->str() + "'",
               values);
    s.backend().write(weights[i]->buffer(), values.data());
  }
}

herr_t collectDataset(hid_t group, const char *name, const H5L_info_t *, void *out) {
  hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
  if (obj >= 0) {
    if (H5Iget_type(obj) == H5I_DATASET)
      static_cast<std::set<std::string> *>(out)->insert(name);
    H5Oclose(obj);
  }
  return 0;
}

} // namespace

KerasFileKind kerasFileKind(const std::string &path) {
  if (endsWith(path, ".weights.h5"))
    return KerasFileKind::WeightsH5;
  if (endsWith(path, ".keras"))
    return KerasFileKind::Archive;
  if (endsWith(path, ".h5") || endsWith(path, ".hdf5"))
    return KerasFileKind::LegacyH5;
  return KerasFileKind::None;
}

void saveKerasFile(Session &s, const std::string &path) {
  KerasFileKind kind = kerasFileKind(path);
  if (kind == KerasFileKind::None || kind == KerasFileKind::LegacyH5)
    throw RuntimeError(path + ": expected a name ending in .weights.h5 or .keras (Keras's own suffixes)");
  std::string bytes = kind == KerasFileKind::WeightsH5 ? weightsImage(s) : archiveBytes(s, path);
  if (std::string err = support::writeAtomically(path, bytes); !err.empty())
    throw RuntimeError(err);
}

void loadKerasFile(Session &s, const std::string &path) {
  KerasFileKind kind = kerasFileKind(path);
  if (kind == KerasFileKind::None)
    throw RuntimeError(path + ": expected a name ending in .weights.h5 or .keras (Keras 3), or .h5 (Keras 2)");
  if (kind == KerasFileKind::LegacyH5)
    return loadLegacyH5(s, path);
  std::string image = weightsFileBytes(path, kind);
  const std::string what = kind == KerasFileKind::Archive ? path + ":model.weights.h5" : path;
  if (!support::looksLikeHdf5(image))
    throw RuntimeError(what + ": not an HDF5 file");
  support::quietHdf5();
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl || H5Pset_fapl_core(fapl.id, 1 << 20, 0) < 0 || H5Pset_file_image(fapl.id, image.data(), image.size()) < 0)
    throw RuntimeError("HDF5: cannot set up an in-memory file");
  H5Handle file(H5Fopen("kcc-weights-in.h5", H5F_ACC_RDONLY, fapl.id), H5Fclose);
  if (!file)
    throw RuntimeError(what + ": HDF5 cannot open it (damaged?)");
  std::set<std::string> datasets;
  H5Lvisit(file.id, H5_INDEX_NAME, H5_ITER_NATIVE, collectDataset, &datasets);
  std::vector<SavedWeight> weights = savedWeights(s);
  std::vector<float> values;
  for (const SavedWeight &w : weights) {
    if (!datasets.erase(w.path))
      throw RuntimeError(what + ": has no dataset " + w.path + " for the weight '" + w.var->name()->str() +
                         "' of layer '" + w.var->layer()->str() + "' (is it the weights file of another model?)");
    readWeight(file.id, w.path, w.shape, what, "weight '" + w.var->name()->str() + "'", values);
    s.backend().write(w.var->buffer(), values.data());
  }
  // Keras's optimizer state and any bookkeeping outside "layers/" may be
  // there; a layer weight the model does not have means another model.
  for (const std::string &d : datasets)
    if (d.rfind("layers/", 0) == 0)
      throw RuntimeError(what + ": holds " + d + ", which this model has no weight for (is it the weights file "
                                "of another model?)");
}

} // namespace kcc::rt
