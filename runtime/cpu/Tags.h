//===- Tags.h - oneDNN format tags by name --------------------------------===//
//
// model.bin names buffer layouts by oneDNN's generic tag names ("aBcd16b").
// kcc picks them by asking oneDNN which layout a primitive prefers and
// matching the answer against this list; krun maps the names back. Both
// link this file, so they agree.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CPU_TAGS_H
#define KCC_RUNTIME_CPU_TAGS_H

#include "oneapi/dnnl/dnnl.hpp"

#include <optional>
#include <string>

namespace kcc::rt::cpu {

/// The tag with this name; std::nullopt if not in kcc's list.
std::optional<dnnl::memory::format_tag> tagByName(const std::string &name);
/// The name of the listed tag |desc| is equivalent to; empty if none is.
std::string nameOfDesc(const dnnl::memory::desc &desc);

} // namespace kcc::rt::cpu

#endif // KCC_RUNTIME_CPU_TAGS_H
