//===- KerasArchives.h - what kcc and krun read from Keras's containers ----===//
//
// Keras keeps models in two containers: a zip (.keras: config.json,
// model.weights.h5) and HDF5 (.h5: JSON strings in attributes, weights in
// datasets). kcc reads the model description from either, krun the
// weights; both go through libzip and libhdf5, never by hand. No
// exceptions (kcc is built without them): failures are empty results with
// a message.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_SUPPORT_KERASARCHIVES_H
#define KCC_SUPPORT_KERASARCHIVES_H

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

namespace kcc::support {

/// True if |bytes| start like a zip archive / an HDF5 file.
bool looksLikeZip(const std::string &bytes);
bool looksLikeHdf5(const std::string &bytes);

/// The bytes of |member| of the zip archive at |path|; nullopt with |error|
/// set when the archive or the member cannot be read.
std::optional<std::string> readZipMember(const std::string &path, const std::string &member, std::string &error);

/// HDF5 prints its own error stack by default; kcc and krun report errors
/// themselves.
void quietHdf5();

/// A string attribute (scalar or list; fixed- or variable-length, as h5py
/// writes Python str and bytes) of |object|, split across NAME0, NAME1, ...
/// when Keras outgrew an HDF5 object header. nullopt if there is none or it
/// is not a string.
std::optional<std::vector<std::string>> readStringsAttribute(hid_t object, const std::string &name);

} // namespace kcc::support

#endif // KCC_SUPPORT_KERASARCHIVES_H
