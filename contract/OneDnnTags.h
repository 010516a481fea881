//===- OneDnnTags.h - oneDNN format tags by name --------------------------===//
//
// model.bin names buffer layouts by oneDNN's generic tag names ("aBcd16b").
// kcc picks them by asking oneDNN which layout a primitive prefers and
// matching the answer against this list; krun maps the names back. Both
// link this file, so they agree.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_CONTRACT_ONEDNNTAGS_H
#define KCC_CONTRACT_ONEDNNTAGS_H

#include "oneapi/dnnl/dnnl.hpp"

#include <optional>
#include <string>

namespace kcc::contract {

/// The tag with this name; std::nullopt if not in kcc's list.
std::optional<dnnl::memory::format_tag> tagByName(const std::string &name);
/// The name of the listed tag that gives |desc| exactly (same strides, even
/// along unit dimensions); failing that, of one oneDNN calls equal; empty if
/// none is. oneDNN's equality ignores strides of unit dimensions but its
/// fast kernels do not: with one input channel `abcd` runs the JIT
/// convolution and the equal `acdb` its reference code.
std::string nameOfDesc(const dnnl::memory::desc &desc);

/// The post-ops that fuse activation number |activation| (graph::Activation
/// and bin::Activation share the numbering) into a primitive; nullopt when
/// oneDNN has no eltwise for it. kcc's layout pass creates its primitives
/// with the same post-ops as krun, so both get the same implementation.
std::optional<dnnl::post_ops> activationPostOps(int activation);

} // namespace kcc::contract

#endif // KCC_CONTRACT_ONEDNNTAGS_H
