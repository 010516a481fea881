//===- Initializers.h - draw a variable's initial value -------------------===//
//
// Keras initializers, reproduced in distribution (not bit for bit: Keras's
// own random streams are not reproducible). Values are produced in the
// variable's Keras shape, row-major; each variable has its own stream keyed
// by (seed, variable name), so adding a layer does not reshuffle the others.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_INITIALIZERS_H
#define KCC_RUNTIME_CORE_INITIALIZERS_H

#include "contract/model_generated.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kcc::rt {

/// Fills |out| (numel of |shape|) as |init| prescribes. Throws RuntimeError
/// for unknown kinds.
void initialize(const bin::Initializer &init, const std::vector<int64_t> &shape,
                uint64_t seed, const std::string &variable, std::vector<float> &out);

/// Keras's fan_in / fan_out of a weight of |shape|.
void kerasFans(const std::vector<int64_t> &shape, double &fanIn, double &fanOut);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_INITIALIZERS_H
