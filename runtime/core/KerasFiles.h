//===- KerasFiles.h - Keras 3's own weight and model files -----------------===//
//
// What krun trained, in the files Keras 3 reads, and back:
//  - FILE.weights.h5: HDF5 (libhdf5), each weight at the path Keras 3 saves
//    it under (layers/dense_1/vars/0; kcc computes the paths when it
//    compiles and keeps them in model.bin), so `model.load_weights(FILE)`
//    takes it.
//  - FILE.keras: the zip archive (libzip) `keras.saving.load_model` opens:
//    config.json (the Keras 3 model the file was compiled from),
//    metadata.json and model.weights.h5.
// Both are built in memory and written with support::writeAtomically.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_KERASFILES_H
#define KCC_RUNTIME_CORE_KERASFILES_H

#include "core/Session.h"

#include <string>

namespace kcc::rt {

/// Which file |path| names, by Keras's suffixes; None for anything else.
/// LegacyH5: Keras 2 / tf.keras HDF5 (.h5, .hdf5), from save_weights or a
/// full-model save (weights under model_weights/), read only.
enum class KerasFileKind { None, WeightsH5, Archive, LegacyH5 };
KerasFileKind kerasFileKind(const std::string &path);

/// Writes the session's weights to |path| (.weights.h5 or .keras).
void saveKerasFile(Session &session, const std::string &path);

/// Loads every weight from a .weights.h5 or .keras file written by Keras 3
/// (or by krun), or a Keras 2 .h5. The file must hold exactly the model's
/// weights, each with its shape; anything else is an error naming the
/// dataset. A Keras 2 file is read as Keras 2 reads it: the layers with
/// weights in the file's order (layer_names), each layer's weights in its
/// weight_names order, matched to the model's weights in get_weights() order.
void loadKerasFile(Session &session, const std::string &path);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_KERASFILES_H
