//===- Tags.cpp - oneDNN format tags by name ------------------------------===//

#include "cpu/Tags.h"

namespace kcc::rt::cpu {

namespace {

using tag = dnnl::memory::format_tag;

struct Named {
  const char *name;
  tag value;
};

// Plain and blocked 4-D layouts oneDNN's f32 convolutions and pooling use
// on AVX2/AVX-512 machines (activations, then filters).
const Named kTags[] = {
    {"abcd", tag::abcd},         {"acdb", tag::acdb},         {"cdba", tag::cdba},
    {"aBcd8b", tag::aBcd8b},     {"aBcd16b", tag::aBcd16b},   {"Abcd8a", tag::Abcd8a},
    {"Abcd16a", tag::Abcd16a},   {"Acdb8a", tag::Acdb8a},     {"Acdb16a", tag::Acdb16a},
    {"ABcd8a8b", tag::ABcd8a8b}, {"ABcd8b8a", tag::ABcd8b8a}, {"ABcd16a16b", tag::ABcd16a16b},
    {"ABcd16b16a", tag::ABcd16b16a}, {"aBdc16b", tag::aBdc16b}, {"aBdc8b", tag::aBdc8b},
    {"bacd", tag::bacd},         {"bcda", tag::bcda},         {"dcab", tag::dcab},
    {"adbc", tag::adbc},
};

} // namespace

std::optional<dnnl::memory::format_tag> tagByName(const std::string &name) {
  for (const Named &n : kTags)
    if (name == n.name)
      return n.value;
  return std::nullopt;
}

std::string nameOfDesc(const dnnl::memory::desc &desc) {
  dnnl::memory::dims dims = desc.dims();
  if (dims.size() != 4)
    return "";
  for (const Named &n : kTags)
    if (dnnl::memory::desc(dims, desc.data_type(), n.value) == desc)
      return n.name;
  return "";
}

} // namespace kcc::rt::cpu
