//===- OneDnnTags.cpp - oneDNN format tags by name ------------------------===//

#include "contract/OneDnnTags.h"

namespace kcc::contract {

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
    // bf16 filters: pairs of input (or output) channels side by side.
    {"ABcd8b16a2b", tag::ABcd8b16a2b}, {"ABcd8a16b2a", tag::ABcd8a16b2a},
    {"ABcd16b16a2b", tag::ABcd16b16a2b}, {"ABcd16a16b2a", tag::ABcd16a16b2a},
    {"ABcd4b16a4b", tag::ABcd4b16a4b},
};

} // namespace

std::optional<dnnl::memory::format_tag> tagByName(const std::string &name) {
  for (const Named &n : kTags)
    if (name == n.name)
      return n.value;
  return std::nullopt;
}

namespace {

bool sameBytesAndStrides(const dnnl_memory_desc_t &a, const dnnl_memory_desc_t &b) {
  if (a.format_kind != dnnl_blocked || b.format_kind != dnnl_blocked || a.ndims != b.ndims)
    return false;
  const auto &x = a.format_desc.blocking, &y = b.format_desc.blocking;
  if (x.inner_nblks != y.inner_nblks)
    return false;
  for (int i = 0; i < a.ndims; ++i)
    if (x.strides[i] != y.strides[i] || a.padded_dims[i] != b.padded_dims[i])
      return false;
  for (int i = 0; i < x.inner_nblks; ++i)
    if (x.inner_blks[i] != y.inner_blks[i] || x.inner_idxs[i] != y.inner_idxs[i])
      return false;
  return true;
}

} // namespace

std::string nameOfDesc(const dnnl::memory::desc &desc) {
  dnnl::memory::dims dims = desc.dims();
  if (dims.size() != 4)
    return "";
  for (const Named &n : kTags)
    if (sameBytesAndStrides(dnnl::memory::desc(dims, desc.data_type(), n.value).data, desc.data))
      return n.name;
  for (const Named &n : kTags)
    if (dnnl::memory::desc(dims, desc.data_type(), n.value) == desc)
      return n.name;
  return "";
}

std::optional<dnnl::post_ops> activationPostOps(int activation) {
  // Numbers as in graph::Activation: 0 linear, 1 relu, 2 tanh, 3 sigmoid,
  // 6 elu (alpha 1, as Keras).
  using alg = dnnl::algorithm;
  const std::pair<int, alg> fusable[] = {
      {1, alg::eltwise_relu}, {2, alg::eltwise_tanh}, {3, alg::eltwise_logistic}, {6, alg::eltwise_elu}};
  dnnl::post_ops po;
  if (activation == 0)
    return po;
  for (auto [number, algorithm] : fusable)
    if (number == activation) {
      po.append_eltwise(1.0f, algorithm, algorithm == alg::eltwise_elu ? 1.0f : 0.0f, 0.0f);
      return po;
    }
  return std::nullopt;
}

} // namespace kcc::contract
